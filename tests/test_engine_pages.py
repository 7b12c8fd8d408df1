"""Which page the engine reads a run through when the run alone says little: C1
controls left by a Latin-1 decoder, and single two-byte runs that complete a word."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import notefix
from notefix.mojibake import c1, engine, words


@pytest.mark.parametrize(
    ("broken", "fixed", "page"),
    [
        ("Le caf\x8e est pr\x90t", "Le café est prêt", "mac-roman"),
        (
            "La ni\x96a come pi\x96a y el se\x96or tambi\x8en",
            "La niña come piña y el señor también",
            "mac-roman",
        ),
        ("Le caf\x82 est tr\x8as bon", "Le café est très bon", "cp437"),
    ],
)
def test_c1_controls_are_read_through_the_page_whose_words_they_complete(
    broken: str, fixed: str, page: str
) -> None:
    result = notefix.repair(broken)
    assert result.text == fixed
    assert {e.reason for e in result.edits} == {f"{page} text read as latin-1"}


def test_another_page_keeps_windows_1252_as_an_alternative() -> None:
    edit = notefix.repair("Le caf\x8e est pr\x90t").edits[0]
    assert 0.5 < edit.confidence < 1.0
    assert ("Ž", "C1 control read as windows-1252") in [
        (a.replacement, a.reason) for a in edit.alternatives
    ]


@pytest.mark.parametrize(
    "text",
    [
        "I don\x92t know \x96 it was \x93quoted\x94\x85",
        "Xq\x92zt",  # no page makes a word of it
        "to je \x9eili a se v na",  # cp437's "₧ili" would hide part of "žili"
        "Preis: \x80 5",  # a symbol standing alone is no evidence for a letter
    ],
)
def test_c1_controls_stay_windows_1252_unless_another_page_reads_clearly_better(
    text: str,
) -> None:
    result = notefix.repair(text)
    assert result.text == text.encode("latin-1").decode("windows-1252")
    assert {e.reason for e in result.edits} == {"C1 control read as windows-1252"}


def test_one_page_reads_every_c1_control_of_a_text() -> None:
    # Alone, 0x93 and 0x94 around a word would be windows-1252's quotes; the words show
    # mac-roman text, and mac-roman has letters there: the text was damaged one way.
    result = notefix.repair("La ni\x96a y el se\x96or tambi\x8en: \x93Hola\x94")
    assert result.text == "La niña y el señor también: ìHolaî"
    assert {e.reason for e in result.edits} == {"mac-roman text read as latin-1"}


def test_a_text_that_two_pages_explain_in_part_is_read_through_one() -> None:
    # "café" alone would be mac-roman (0x8E), "It’s" alone windows-1252 (0x92).
    result = notefix.repair("It\x92s the caf\x8e")
    assert len({e.reason for e in result.edits}) == 1


def test_a_page_is_ranked_by_the_words_around_its_controls() -> None:
    ranked = c1.readings("Deja dos heridos en el barco tur\x92stico de Acapulco")
    assert ranked[0].page == "mac-roman"
    default = next(r for r in ranked if r.page == "windows-1252")
    assert default.cost - ranked[0].cost > c1.PAGE_PRIOR


def test_a_stretch_costs_at_most_one_unseen_word() -> None:
    # Punctuation that cuts a word nobody writes into pieces makes it no likelier.
    assert words.cost("Coatl‡n", "es") == words.cost("Coatlqn", "es") == words.UNSEEN_COST


def test_a_token_of_two_scripts_is_no_word() -> None:
    assert words.cost("moћna", "sh") == words.UNSEEN_COST


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ("Ci vediamo al pi√π tardi, grazie.", "Ci vediamo al più tardi, grazie."),
        ("┬┐Qué hora es? Nadie lo sabe.", "¿Qué hora es? Nadie lo sabe."),
    ],
)
def test_a_lone_two_byte_run_that_completes_a_frequent_word_is_repaired(
    broken: str, fixed: str
) -> None:
    assert notefix.fix_text(broken) == fixed


@pytest.mark.parametrize(
    "clean",
    [
        "area = √πr, and x√πy",  # no word of the language comes of it
        "┌┬┐ drawn boxes ├┼┤",  # a drawing does not touch a word
        "В«слово» и ВІЛ",  # "в" and "слово" are words as written
    ],
)
def test_a_lone_run_that_spells_no_word_is_left_alone(clean: str) -> None:
    assert notefix.fix_text(clean) == clean


@pytest.mark.parametrize(
    ("text", "page"),
    [
        ("Küçük bir ev, güzel bir gün", "iso-8859-2"),
        ("Şükrü küçük", "iso-8859-2"),
        ("The The\nçünkü\n, ", "sloppy-windows-1250"),
    ],
)
def test_pages_the_bytes_cannot_tell_apart_are_told_apart_by_the_words(
    text: str, page: str
) -> None:
    # Read as iso-8859-2, "ü" is "Ăź", which windows-1250 reads as "ß" (and the other
    # way round, "ĂĽ" is ü or å): both pages explain every byte, and only "küçük" is a
    # word. A word may hold several runs ("çünkü": "çü" and "ü"), read all together.
    assert notefix.fix_text(text.encode().decode(page)) == text


def test_a_short_run_stays_where_it_is_the_more_frequent_word_as_written() -> None:
    # "Рі" of Ukrainian "Рік" is also UTF-8 "г" read as windows-1251, the page the next
    # line shows at work: "рік" is written far more often than "гк".
    broken = "В На ".encode().decode("sloppy-windows-1251")
    assert notefix.fix_text("В Рік \n" + broken) == "В Рік \nВ На "


def test_a_short_run_is_repaired_where_the_decoded_word_is_the_more_frequent() -> None:
    # "РІ" may be read as a word as written, but "в" is far more frequent.
    assert notefix.fix_text("На в ".encode().decode("sloppy-windows-1251")) == "На в "


@pytest.mark.parametrize("text", ["áĽŞ ", "Poznámka: áĽŞ je kód"])
def test_a_lone_run_decoding_to_a_letter_of_a_script_the_text_never_uses_stays(
    text: str,
) -> None:
    # "áĽŞ" is E1 BC AA through windows-1250, the Greek Ἢ; nothing else in the text is
    # Greek or shows windows-1250 at work.
    assert notefix.fix_text(text) == text


def test_a_lone_run_of_a_script_the_text_uses_is_still_decoded() -> None:
    assert notefix.fix_text("Ð¿Ñ€Ð¸Ð²ÐµÑ‚ friend") == "привет friend"


def test_a_lone_weak_run_decoding_to_a_letter_nobody_writes_here_stays() -> None:
    # "ßŞ" is DF AA through windows-1254, the NKo letter ߪ: ftfy's line reading agrees,
    # but the letter is of a script the text never uses and word lists never show.
    assert notefix.fix_text("ßŞ ") == "ßŞ "
    # γ is foreign to Latin text too, but written there (science): still decoded.
    assert notefix.fix_text("IL2RÎ³cKO") == "IL2RγcKO"


def _flattened(text: str, page: str) -> str:
    """UTF-8 read as ``page``, its undefined bytes dropped and its no-break spaces
    flattened to spaces."""
    return text.encode("utf-8").decode(page, errors="ignore").replace("\xa0", " ")


@pytest.mark.parametrize(
    "text", ["Русский язык", "Работа и Россия", "Республика Беларусь", "Ру́сский"]
)
def test_a_word_whose_first_letter_lost_its_no_break_space_is_read_whole(text: str) -> None:
    # "Р" is D0 A0: read as windows-1252 it is "Ð" and a space, and the word after the
    # space decides that the space was the letter's (and not "А" with a lost byte).
    assert notefix.fix_text(_flattened(text, "windows-1252")) == text


@pytest.mark.parametrize(
    "text", ["voilà à la maison du médecin", "il pense à toi, café", "déjà à Paris, été"]
)
def test_a_foreign_letter_before_a_space_is_a_flattened_letter_where_its_page_is_at_work(
    text: str,
) -> None:
    # "à" is C3 A0: read as windows-1251 it is "Г" and a no-break space, flattened.
    broken = _flattened(text, "windows-1251")
    assert "Г " in broken
    assert notefix.fix_text(broken) == text


def test_a_foreign_letter_alone_is_kept_where_its_page_is_not_at_work() -> None:
    text = "la lettre Г est russe"
    assert notefix.fix_text(text) == text


@pytest.mark.parametrize("text", ["MISUTÂ\xa0AJIKKO", "PARISÂ\xa0TEXAS"])
def test_a_capital_ending_a_word_in_capitals_is_spelling(text: str) -> None:
    assert notefix.fix_text(text) == text


def test_the_same_run_after_a_word_in_small_letters_is_mojibake() -> None:
    assert notefix.fix_text("parisÂ\xa0texas") == "paris\xa0texas"


@pytest.mark.parametrize("text", ["Î‘ ", "see Î’ below"])
def test_a_run_that_would_be_a_lone_foreign_letter_standing_alone_is_kept(text: str) -> None:
    # "Î‘" is CE 91, Greek Α, read as windows-1252: with nothing else backing the page,
    # one letter of a script the text never uses, standing alone, is no likelier.
    assert notefix.fix_text(text) == text


def test_a_foreign_letter_inside_a_word_is_still_decoded() -> None:
    assert notefix.fix_text("the IL2RÎ³c gene") == "the IL2Rγc gene"


def _nbsp_flattened_1252(text: str, mode: str) -> str:
    """UTF-8 read as windows-1252, undefined bytes dropped or marked U+FFFD, no-break
    spaces flattened to spaces."""
    errors = "ignore" if mode == "drop" else "replace"
    return text.encode("utf-8").decode("windows-1252", errors=errors).replace("\xa0", " ")


@pytest.mark.parametrize("mode", ["drop", "fffd"])
def test_a_three_byte_character_whose_last_byte_was_a_no_break_space_is_read(
    mode: str,
) -> None:
    # ⚠ is E2 9A A0: read as windows-1252 "âš" and a no-break space, flattened; the FE0F
    # after it (EF B8 8F) loses its 8F. The run after the space is a variation selector.
    text = "Atenção ⚠️ os comentários serão lidos ⚠️ amanhã"
    broken = _nbsp_flattened_1252(text, mode)
    assert "âš ï¸" in broken
    assert notefix.fix_text(broken) == text


def test_a_three_byte_character_whose_middle_byte_was_a_no_break_space_is_read() -> None:
    # The braille blank ⠀ (E2 A0 80), used as an invisible spacer, is "â €" once flattened.
    text = "⠀ Regulamento: os comentários serão lidos ⠀ amanhã"
    broken = _nbsp_flattened_1252(text, "drop")
    assert "â €" in broken
    assert notefix.fix_text(broken) == text


def test_a_lost_character_is_marked_and_what_every_reading_agrees_on_is_kept() -> None:
    # A four-byte emoji with its last byte marked, then a flattened no-break space: the
    # emoji cannot be told (📝 📁 📍 …), the no-break space can.
    broken = "ðŸ“\ufffdÂ Regulamento: os comentÃ¡rios serÃ£o lidos"
    assert notefix.fix_text(broken) == "\ufffd\xa0Regulamento: os comentários serão lidos"


def test_a_letter_a_space_and_a_mark_are_french_where_no_reading_is_better() -> None:
    text = "à « citation » et cafÃ© et naÃ¯ve et Ã©tÃ©"
    assert notefix.fix_text(text) == "à « citation » et café et naïve et été"


def test_a_lead_before_a_question_mark_is_read_by_the_page_the_document_backs_most() -> None:
    # Windows-1254 wrote '?' for the bytes it lacks: "с" is D1 81, "Ñ?". Windows-1252
    # also has "Ñ", and comes first in the list of pages, but the document is 1254's.
    text = "Сложная вероятность: сессии завтра"
    broken = text.encode("utf-8").decode("windows-1254", errors="replace").replace("\ufffd", "?")
    assert "Ñ?" in broken and "Ğ" in broken
    assert notefix.fix_text(broken) == text


def test_a_word_ending_before_a_space_and_a_dash_is_no_three_byte_character() -> None:
    # In windows-1251 "в" is E2 and "–" is 96: "в –" could be E2 A0 96 (⠖) with its
    # no-break space flattened, but a lead that ends a word starts no character there.
    mojibake = "я На ".encode().decode("windows-1251")
    text = f"Прав – \n{mojibake}\nПрав – "
    assert notefix.fix_text(text) == "Прав – \nя На \nПрав – "


def test_clean_text_of_a_script_the_page_has_no_bytes_for_does_not_hide_its_mojibake() -> None:
    # Greek letters cannot be windows-1251 mojibake: they do not make the page's runs
    # look rare in the document ("В«" is « beside "РќР°", На).
    greek = "Και Και Και Και Και Και Και "
    text = f"{greek}\n{'На « '.encode().decode('windows-1251')}\n{greek}"
    assert notefix.fix_text(text) == f"{greek}\nНа « \n{greek}"


def test_c1_controls_count_for_every_page_when_weighing_its_share() -> None:
    # Latin-1 mojibake leaves C1 controls ("Ù\x81" for ف): they are no text that
    # windows-1252 could not have written, and do not lower the bar for its guesses.
    clean = "De É "
    text = f"{clean}\n{'في في في 🆎 في '.encode().decode('latin-1')}\n{clean}"
    assert notefix.fix_text(text) == f"{clean}\nفي في في 🆎 في \n{clean}"


@pytest.mark.parametrize("text", ["ΔΓ— ", "ΑΒΓ— x", "Ψ ΔΓ—"])
def test_a_letter_continuing_its_word_is_no_lead_when_nothing_backs_the_page(text: str) -> None:
    # Γ— is × through windows-1253, but here Γ ends a Greek word: alone in the text,
    # the letter is the word's (a case the clean-text property test found).
    assert notefix.fix_text(text) == text


def test_the_same_pair_after_a_letter_of_another_script_is_still_read() -> None:
    # ftfy's reading of the line agrees: "AÃ—B" is A×B.
    assert notefix.fix_text("AÃ—B") == "A×B"


def test_copies_of_one_run_do_not_back_its_page_for_a_lone_foreign_letter() -> None:
    # "Â¢â" is one Han character (墉) through mac-roman. Written twice in English text
    # it is still only one run's evidence: nothing else backs the page, no Han letter
    # stands anywhere else, and the runs stay as written (as once, they would).
    text = "It goes Ã?Â¢â?¬ and Ã?Â¢â?¬ on."
    assert notefix.fix_text(text) == text
    assert notefix.fix_text("It goes Ã?Â¢â?¬ on.") == "It goes Ã?Â¢â?¬ on."


def test_copies_of_one_run_are_read_where_their_script_is_the_texts() -> None:
    run = "墉".encode().decode("mac-roman")
    assert notefix.fix_text(f"中文 {run} 中文 {run}") == "中文 墉 中文 墉"


@pytest.mark.parametrize(
    "clean",
    [
        # "лі…" is windows-1251 for the Hangul 볅, "ї…" for the Han 必, and "Рі" for "г":
        # each is part of a word written as it stands, no evidence for the page.
        "Про Взагалі… В В В В Рік ",
        "Про Взагалі… В В В В Неї… ",
        # "š… " is windows-1257 F0 85 and a space: two bytes of a four-byte sequence, not
        # an emoji one byte short (😅 is F0 9F 98 85).
        "Ir Ir Ir Metų Prieš… Ir Ir Ir Ir Ir Ir Panevėžio ",
        # "её…" is windows-1251 for "е帅", kept as written: it backs no lost byte either
        # ("в – " is E2, a flattened A0 and 96, the braille "⠖").
        "Что её… Как Только в – ",
        # "вЁЁ" is windows-1251 E2 A8 A8, the operator "⨨": letters for a symbol no word
        # list writes, with nothing else to back the page.
        "вЁЁ ",
        # "Ů°" is windows-1250 D9 B0, the Arabic mark U+0670, with nothing to combine with.
        "Ů° ",
        "x Ů° ",
    ],
)
def test_words_that_end_in_a_page_s_lead_and_punctuation_stay(clean: str) -> None:
    assert notefix.fix_text(clean) == clean


@pytest.mark.parametrize(
    ("word", "codec"),
    [
        # "Chá" and "Phá" are words and "»‹", "»‰", "»•" punctuation, but the readings
        # are words too: Vietnamese "chịu", "chỉ", "phổ" (E1 BB 8B, E1 BB 89, E1 BB 95),
        # the last the less frequent of its two.
        ("Phương , Chịu ", "sloppy-windows-1252"),
        ("The Chỉ The Đại ", "sloppy-windows-1254"),
        ("Đến Phổ ", "sloppy-windows-1250"),
    ],
)
def test_a_word_ending_as_written_yields_to_a_more_frequent_reading(word: str, codec: str) -> None:
    mangled = word.encode("utf-8").decode(codec)
    assert mangled != word
    assert notefix.fix_text(mangled) == word


@pytest.mark.parametrize(
    ("shown", "meant"),
    [
        # Runs of letters only, alone in their text, that read as an emoji or a quote.
        ("Молния вљЎ", "Молния ⚡"),
        ("Привет вЂњмир", "Привет “мир"),
    ],
)
def test_letters_for_an_emoji_or_a_quote_are_read(shown: str, meant: str) -> None:
    assert notefix.fix_text(shown) == meant


def test_a_one_letter_word_before_a_space_is_no_lead_in_a_mangled_note() -> None:
    # The note shows windows-1253 at work, and "η – " would be E7 A0 96, "砖", with the
    # no-break space flattened: but "η" is the Greek article, alone before its space.
    greek = "Καλημέρα κόσμε, τι κάνεις σήμερα;"
    mangled = greek.encode("utf-8").decode("sloppy-windows-1253")
    assert notefix.fix_text(f"{mangled} η – καλή") == f"{greek} η – καλή"


def test_a_one_letter_word_of_the_texts_second_script_is_no_lead() -> None:
    # "В " would be C2 A0, a flattened no-break space, through windows-1251; the note
    # writes more English than Russian, but it writes Russian words, where "в" is one.
    text = "Что Что Может Начала The The The The The World "
    mangled = text.encode("utf-8").decode("sloppy-windows-1251")
    assert notefix.fix_text(f", В \n{mangled}\n, В ") == f", В \n{text}\n, В "


def test_a_word_before_a_space_is_no_lost_byte_run_in_a_mangled_note() -> None:
    # The note shows iso-8859-2 at work; "áš " would be E1 B9 and a flattened A0, "Ṡ",
    # but "náš" is a Czech word written as it stands.
    broken = ", #️⃣ В В В , , В В В В ".encode().decode("iso-8859-2")
    assert notefix.fix_text(f"Náš The \n{broken}\nNáš The ") == (
        "Náš The \n, #️⃣ В В В , , В В В В \nNáš The "
    )


def test_a_keycap_completed_by_the_character_before_it_is_no_rare_reading() -> None:
    # "пёЏвѓЈ" is windows-1251 for EF B8 8F E2 83 A3: a selector and the enclosing keycap
    # mark, alone two marks rarely written; after "#" they complete the emoji "#️⃣". The
    # only run of its page in a Ukrainian note, it is read all the same.
    clean = "Тільки Український текст про погоду і новини "
    broken = "Step #️⃣ done".encode().decode("sloppy-windows-1251")
    assert notefix.fix_text(f"{clean}\n{broken}\n{clean}") == f"{clean}\nStep #️⃣ done\n{clean}"


def test_a_weak_run_in_a_line_its_page_explains_all_else_of_is_read() -> None:
    # The note is mostly clean Ukrainian, which windows-1251 could have written, so over
    # the note a weak run of that page must read clearly better; but the pasted line is
    # all windows-1251 mojibake ("В«" is «, C2 AB, beside the keycap's "пёЏвѓЈ"), and over
    # its line the weak run is the odd one out if it is left.
    clean = "В В В В В , В В На Про Тільки Український "
    line = ", The The The The The « #️⃣ The "
    broken = line.encode("utf-8").decode("sloppy-windows-1251")
    assert "В«" in broken
    assert notefix.fix_text(f"{clean}\n{broken}\n{clean}") == f"{clean}\n{line}\n{clean}"


def _lossy(text: str) -> str:
    """UTF-8 read as windows-1252 by a decoder that drops the bytes it has no
    character for."""
    return text.encode().decode("windows-1252", errors="ignore")


def _marked(text: str) -> str:
    """The same, by a decoder that writes U+FFFD for them."""
    return text.encode().decode("windows-1252", errors="replace")


def test_c1_controls_make_a_middle_layer_only_beside_one_pages_characters() -> None:
    # "â\x80\x99" is Latin-1's reading of windows-1252 mojibake, a layer still to peel;
    # mac-roman reads "¬â„¢ãƒæ’ã‚â¢" as "\x89㢋ľՋ≢", which no single-byte page wrote.
    assert engine._plausible("â\x80\x99", layered=True)
    assert not engine._plausible("\x89㢋ľՋ≢", layered=True)


def test_a_deeper_layer_reads_only_what_the_last_one_wrote() -> None:
    # "â€š" is "‚"; "ãƒ" before it, left as written, makes no deeper run with it.
    broken = _lossy("Don’t “quote” me — it’s ") + "ãƒâ€š"
    assert notefix.fix_text(broken) == "Don’t “quote” me — it’s ãƒ‚"


def test_lost_bytes_make_no_letters_of_a_script_the_text_never_writes() -> None:
    # The note shows windows-1252 at work, but nothing in it is Japanese: guessing the
    # bytes "ãƒæ’ã‚â¢ãƒâ¢ã¢" lost would make kana and Han out of nothing.
    clean = "It’s a “test” — don’t worry, it’s fine. "
    tail = "ãƒæ’ã‚â¢ãƒâ¢ã¢ here"
    assert notefix.fix_text(_lossy(clean) + tail) == clean + tail


def test_lost_bytes_in_japanese_are_read_where_the_text_writes_japanese() -> None:
    # "あ" (E3 81 82) lost its 81 before "り", whose word "ありがとう" the segmentation
    # reads; the mojibake still after it says nothing for or against either reading.
    text = "日本語のテキスト。ありがとう ございます"
    assert notefix.fix_text(_lossy(text)) == text


def test_a_strong_run_that_breaks_scripts_backs_no_weak_run() -> None:
    # mac-roman's only strong run reads "ľՋ≢", a Latin and an Armenian letter together:
    # no evidence for the page, and "ĉ" for "ƒâ" was believed on its strength alone.
    text = "Notes: ƒæ’ã‚â¢ and ƒâ here"
    assert notefix.fix_text(text) == text


@pytest.mark.parametrize("text", ["“lossy decoding”", "He said “yes” and “no” to it."])
def test_a_marked_hole_is_read_by_the_readings_that_may_be_taken(text: str) -> None:
    # "â€�" is E2 80 and a lost byte: a joiner, a mark or an em quad are set aside as
    # invisible, and "”" is the sure reading of what is left, not a doubtful one.
    repaired = notefix.repair(_marked(text))
    assert repaired.text == text
    for edit in repaired.edits:
        assert edit.confidence > 0.5
        assert not any("\u200d" in a.replacement for a in edit.alternatives)


def test_a_hole_inside_double_mojibake_is_read_as_the_layer_below() -> None:
    # Inside "Ã¢â€�â€™" the hole of "â€�" lies between "â" and "’" as the first layer
    # reads them: only "”" makes the layer below ("â”’", E2 94 92), and it is doubtful,
    # so the hole stays marked ("‐", the likelier alone, would end that layer's run).
    assert notefix.fix_text("Ã¢â€�â€™(Ã¢Å’Â£Ã‹â€ºÃ¢Å’Â£)Ã¢â€�Å½") == "�(⌣˛⌣)�"


@pytest.mark.parametrize(
    "text",
    [
        "Суббота, информатика: А7 (электронные таблицы).",
        "Сегодня информатика: задача А7 и задача Б8.",
    ],
)
def test_a_lone_lead_before_a_digit_is_a_letter_that_lost_its_byte(text: str) -> None:
    # "А" is D0 90; windows-1252 drops 90, and "Ð" stands alone before the "7": no run
    # of UTF-8 pairs around it, but the note shows the page at work everywhere else.
    assert notefix.fix_text(_lossy(text)) == text


def test_a_lone_letter_of_the_texts_language_is_left_as_written() -> None:
    # "Ä." in German text mangled elsewhere may be C4 81 ("ā") with 81 dropped, but Ä
    # is a letter German writes: alone before a full stop it is an initial.
    broken = _lossy("Größe, Übung — schön. ") + "Ü-Ei, Ä. Ö!"
    assert notefix.fix_text(broken) == "Größe, Übung — schön. Ü-Ei, Ä. Ö!"


def _questioned(text: str) -> str:
    """UTF-8 read as windows-1252 by a decoder that writes '?' for the bytes it has no
    character for."""
    return _marked(text).replace("\ufffd", "?")


@pytest.mark.parametrize("damage", [_marked, _questioned])
def test_a_three_byte_character_whose_continuation_bytes_were_both_replaced_is_read(
    damage: Callable[[str], str],
) -> None:
    # 名 is E5 90 8D and 提 E6 8F 90: windows-1252 has neither byte after the lead, so
    # only the lead and two marks are left ("å??"); the words around them tell.
    for text in ("标有引号或书名号的并列成分之间不应使用顿号。", "我们提供丰富的可视化。"):
        assert notefix.fix_text(damage(text)) == text


def test_two_question_marks_after_a_letter_are_a_question_in_latin_text() -> None:
    # "å??" is also a three-byte lead and two replaced bytes, but what they would make is
    # no letter this text writes: neither read nor marked as a lost character.
    clean = "Hvad gør du på?? Intet. Så??"
    assert notefix.fix_text(_questioned(clean)) == clean
    broken = _lossy("Café, résumé, naïve — déjà vu. ") + "Olá?? Você?? Tudo bem??"
    assert notefix.fix_text(broken).endswith("Olá?? Você?? Tudo bem??")


@pytest.mark.parametrize("word", ["АРЁ", "ТРІ"])
def test_a_word_in_capitals_is_no_mojibake_on_the_strength_of_word_lists(word: str) -> None:
    # "РЁ" is "Ш" read as Windows-1251 and "АШ", "Тв" are listed words, but a word in
    # capitals is a name or an abbreviation, which word lists cannot judge.
    assert notefix.fix_text(f"{word} ") == f"{word} "
    assert notefix.fix_text(f"Привет {word} мир") == f"Привет {word} мир"


def test_a_capital_word_with_mojibake_in_it_is_still_repaired() -> None:
    # The rule is about words of capital letters alone: "Г©" holds a symbol.
    assert notefix.fix_text("CAFГ©") == "CAFé"
