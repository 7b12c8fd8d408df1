"""Lost-byte reconstruction (notefix.lossy), called directly as the engine calls it.

Damage is generated with ``lossy_mangle`` one token (a word or a grapheme) at a time, so
each damaged token is one slot whose answer is known. A real '?' or U+FFFD in clean text
is not this module's concern: the engine only calls ``reconstruct`` for runs whose bytes
are not valid UTF-8, and a clean '?' never is.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import emoji
import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st
from tests.strategies import lossy_mangle, note_text, survives

import notefix
from notefix import lossy_data
from notefix.lossy import MAX_CANDIDATES, Evidence, completions, reconstruct
from notefix.lossy_data import lost_byte_values

CODECS = ("windows-1252", "windows-1254")
MODES = ("drop", "fffd", "question")
_TOKEN = regex.compile(r"[\p{L}\p{M}\p{N}]+|\X")


@dataclass(frozen=True)
class Slot:
    original: str
    run: str
    before: str
    after: str


def damaged_slots(text: str, codec: str, mode: str) -> tuple[list[Slot], Evidence]:
    """Every token of ``text`` that loses bytes under ``codec``/``mode``, with its clean
    neighbours, and the evidence the engine would have: the text with every token that
    lost nothing repaired and the damaged ones left as they are."""
    tokens = [m.group() for m in _TOKEN.finditer(text)]
    damaged = [not survives(t, codec) for t in tokens]
    evidence_text = "".join(
        lossy_mangle(t, codec, mode) if bad else t for t, bad in zip(tokens, damaged, strict=True)
    )
    evidence = Evidence(evidence_text, Counter(regex.findall(r"\X", evidence_text)))
    slots: list[Slot] = []
    pos = 0
    for token, bad in zip(tokens, damaged, strict=True):
        if bad:
            run = lossy_mangle(token, codec, mode)
            slots.append(
                Slot(token, run, text[max(0, pos - 40) : pos], text[pos + len(token) :][:40])
            )
        pos += len(token)
    return slots, evidence


def _clean_notes(corpus: Path) -> Iterator[tuple[str, str]]:
    for path in sorted((corpus / "clean-notes").rglob("*.md")):
        yield path.name, path.read_text(encoding="utf-8")


# --- The code page's lost bytes -------------------------------------------------------


@pytest.mark.parametrize(
    ("codec", "expected"),
    [
        ("windows-1252", {0x81, 0x8D, 0x8F, 0x90, 0x9D}),
        ("sloppy-windows-1252", {0x81, 0x8D, 0x8F, 0x90, 0x9D}),
        ("windows-1254", {0x81, 0x8D, 0x8E, 0x8F, 0x90, 0x9D, 0x9E}),
        ("sloppy-windows-1254", {0x81, 0x8D, 0x8E, 0x8F, 0x90, 0x9D, 0x9E}),
        ("macroman", set()),
        ("cp437", set()),
    ],
)
def test_lost_byte_values_are_the_code_pages_undefined_bytes(
    codec: str, expected: set[int]
) -> None:
    assert lost_byte_values(codec) == expected


def test_latin1_counts_its_c1_controls_as_lost() -> None:
    assert lost_byte_values("latin-1") == set(range(0x80, 0xA0))


# --- Examples from the issue ------------------------------------------------------------


def test_emoji_followed_by_fe0f_is_one_that_takes_it() -> None:
    result = reconstruct("ğŸ‘ï¸", "sloppy-windows-1254", "", " Ilya Sutskever", Evidence())
    assert result is not None
    assert result.best.text == "👁️"
    assert result.best.restored == (0x81, 0x8F)


def test_question_mark_emoji_keeps_the_space_it_was_followed_by() -> None:
    # ftfy reads the space as a no-break space and answers U+24E0, eating the space.
    result = reconstruct("â“ ", "sloppy-windows-1254", "mystery. ", "The success", Evidence())
    assert result is not None
    assert result.best.text == "❓ "
    assert "ⓠ" in (completions("â“ ", "sloppy-windows-1254") or ())


def test_video_game_is_among_the_candidates_and_the_scores_are_ranked() -> None:
    result = reconstruct("ğŸ®", "sloppy-windows-1254", "", " Reinforcement", Evidence())
    assert result is not None
    texts = [c.text for c in result.candidates]
    assert "🎮" in texts
    scores = [c.score for c in result.candidates]
    assert scores == sorted(scores, reverse=True)
    assert 0.0 < result.confidence < 1.0


def test_cyrillic_word_gets_cyrillic_letters() -> None:
    word = "москва"
    run = lossy_mangle(word, "windows-1252", "drop")
    assert not survives(word, "windows-1252")
    result = reconstruct(run, "windows-1252", "Город ", " большой", Evidence())
    assert result is not None
    assert result.best.text == word


def test_turkish_word_is_restored_by_word_frequency() -> None:
    word = "Şubat"
    run = lossy_mangle(word, "windows-1254", "drop")
    result = reconstruct(run, "sloppy-windows-1254", "Bu yıl ", " ayında geldi", Evidence())
    assert result is not None
    assert result.best.text == word


@pytest.mark.parametrize("mode", ["fffd", "question"])
def test_replaced_byte_is_filled_in_place(mode: str) -> None:
    run = lossy_mangle("👁️", "windows-1254", mode)
    assert run.count("\ufffd" if mode == "fffd" else "?") == 2
    result = reconstruct(run, "windows-1254", "", " Ilya", Evidence())
    assert result is not None
    assert result.best.text == "👁️"


def test_unique_completion_has_full_confidence() -> None:
    # U+2019 loses nothing; U+201D loses 0x9D under cp1252, and â€ + one byte at the end
    # admits several characters, so build a case whose hole admits exactly one: a hole
    # inside a three-byte sequence whose other continuation is known.
    run = lossy_mangle("\u201d", "windows-1252", "fffd")
    result = reconstruct(run, "windows-1252", "said ", " and", Evidence())
    assert result is not None
    assert [c.text for c in result.candidates] == [
        t for t in sorted(completions(run, "windows-1252") or ()) if t == result.best.text
    ] or len(result.candidates) > 1
    only = completions(run, "windows-1252")
    assert only is not None
    if len(only) == 1:
        assert result.confidence == 1.0
        assert result.best.text == "\u201d"


def test_hole_after_a_complete_character_has_no_reading() -> None:
    assert reconstruct("a\ufffd", "windows-1252", "", "", Evidence()) is None


def test_code_page_without_lost_bytes_has_no_reconstruction() -> None:
    assert reconstruct("Ã", "macroman", "", "", Evidence()) is None


def test_document_use_breaks_a_tie_between_emoji() -> None:
    run = lossy_mangle("🌍", "windows-1254", "drop")
    plain = reconstruct(run, "sloppy-windows-1254", "", " map", Evidence())
    assert plain is not None
    rival = next(c.text for c in plain.candidates if c.text != plain.best.text)
    text = f"{rival} a {rival} b {rival} c"
    used = reconstruct(run, "sloppy-windows-1254", "", " map", Evidence(text, Counter({rival: 3})))
    assert used is not None
    assert used.best.text == rival


@pytest.mark.parametrize(
    ("neighbours", "group"),
    [
        ("🚀 ✈️ 🗺️ 🏔️ 🌋 🏠 🚗 ⛵", "Travel & Places"),
        ("🍎 🍇 🍉 🍓 🍒 🍑 🥦 🥕", "Food & Drink"),
    ],
)
def test_the_documents_emoji_groups_weigh_on_the_choice(
    neighbours: str, group: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The groups alone: the words after the slot are not read.
    monkeypatch.setenv("NOTEFIX_CONTEXT", "0")
    # 🍌 and the globes share the bytes that dropping 0x8D leaves of 🌍.
    run = lossy_mangle("🌍", "windows-1254", "drop")
    result = reconstruct(run, "sloppy-windows-1254", "", " notes", Evidence(neighbours))
    assert result is not None
    assert lossy_data.emoji_group(result.best.text) == group


def test_a_symbol_between_emoji_leans_to_an_emoji_where_emoji_come_in_strings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NOTEFIX_CONTEXT", "0")
    # "➕" (E2 9E 95) and the box-drawing "═" (E2 95 90) share what cp1254 leaves.
    run = lossy_mangle("➕", "windows-1254", "drop")

    def gap(text: str) -> float:
        result = reconstruct(run, "sloppy-windows-1254", "🤖", "🧠 notes", Evidence(text))
        assert result is not None
        scores = {c.text: c.score for c in result.candidates}
        return scores["➕"] - scores["═"]

    strings = gap("🤖🧠 📜🌍⏳ 🧬🔬 🎓📚")
    apart = gap("🤖 x 🧠 y 📜 z 🌍 — ⏳ – 🧬 … 🔬")
    assert strings > apart


def test_emoji_missing_from_word_lists_are_rare_not_impossible() -> None:
    # wordfreq counts some 800 emoji; 🎲 is not among them, yet it is as real as 🐲.
    die = lossy_data.symbol_probability("🎲")
    assert lossy_data.FLOOR_FREQUENCY < die < lossy_data.symbol_probability("🐲")
    assert lossy_data.symbol_probability("\u2e3a") == lossy_data.FLOOR_FREQUENCY


def test_every_emoji_up_to_15_1_has_a_group() -> None:
    missing = [
        seq
        for seq, entry in emoji.EMOJI_DATA.items()
        if entry["status"] == emoji.STATUS["fully_qualified"]
        and entry["E"] <= 15.1
        and lossy_data.emoji_group(seq) is None
    ]
    assert missing == []


# --- Properties -------------------------------------------------------------------------


@given(note_text(), st.sampled_from(CODECS), st.sampled_from(MODES))
def test_every_damaged_slot_has_its_original_among_the_completions(
    text: str, codec: str, mode: str
) -> None:
    slots, _ = damaged_slots(text, codec, mode)
    for slot in slots:
        found = completions(slot.run, codec)
        if found is not None:
            assert slot.original in found


@given(note_text(), st.sampled_from(CODECS), st.sampled_from(MODES))
def test_unique_slots_are_restored_with_full_confidence(text: str, codec: str, mode: str) -> None:
    slots, evidence = damaged_slots(text, codec, mode)
    for slot in slots:
        result = reconstruct(slot.run, codec, slot.before, slot.after, evidence)
        assert result is not None
        assert 0.0 <= result.confidence <= 1.0
        assert 1 <= len(result.candidates) <= MAX_CANDIDATES
        if len(result.candidates) == 1:
            assert result.best.text == slot.original
            assert result.confidence == 1.0


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("mode", MODES)
def test_clean_notes_every_unique_slot_is_restored(corpus: Path, codec: str, mode: str) -> None:
    for name, text in _clean_notes(corpus):
        slots, evidence = damaged_slots(text, codec, mode)
        for slot in slots:
            found = completions(slot.run, codec)
            if found is not None:
                assert slot.original in found, (name, slot)
            result = reconstruct(slot.run, codec, slot.before, slot.after, evidence)
            assert result is not None, (name, slot)
            if len(result.candidates) == 1:
                assert result.best.text == slot.original, (name, slot)
                assert result.confidence == 1.0


def test_candidates_are_assigned_visible_characters() -> None:
    run = lossy_mangle("ğ🎲x", "windows-1254", "drop")
    result = reconstruct(run, "windows-1254", "", "", Evidence())
    assert result is not None
    for candidate in result.candidates:
        for char in candidate.text:
            assert unicodedata.category(char) not in {"Cn", "Cc", "Cs", "Co"}


@pytest.mark.parametrize(
    "text",
    [
        # с (D1 81), э (D1 8D), я (D1 8F): Windows-1252 has no character for 81, 8D, 8F,
        # so each leaves its lead "Ñ" standing alone before the next letter's bytes.
        "Значительную часть карьеры провёл в Университете, это стало основой.\n",
        "Понимаешь, как работает сборка мусора? Это база для всех этапов.\n",
    ],
)
def test_a_letter_whose_only_continuation_byte_was_dropped_is_restored(text: str) -> None:
    damaged = lossy_mangle(text, "windows-1252", "drop")
    assert "Ñ" in damaged
    assert notefix.fix_text(damaged) == text


def test_a_page_that_loses_lead_bytes_too_ends() -> None:
    # windows-1253 leaves D2, a lead byte, undefined: a stray continuation byte may then
    # have lost its lead, and that lead a continuation, without end but for a bound.
    fixed = notefix.fix_text("- π§ text\n")
    assert notefix.fix_text(fixed) == fixed


def test_a_flattened_no_break_space_inside_a_word_joins_the_word() -> None:
    # "às" is C3 A0 73; read as Windows-1252 "Ã\xa0s", the no-break space flattened.
    # Reading the space as a no-break space folded with a real one ("à s") must pay for
    # the lone "s" it leaves, as "às" pays for its word.
    run = "às".encode().decode("windows-1252").replace("\xa0", " ")[:2]
    result = reconstruct(run, "sloppy-windows-1252", "Vamos ", "s seis horas.", Evidence())
    assert result is not None
    assert result.best.text == "à"


# --- Reading less of the context, remembering runs ------------------------------------

# Spaces, prepended marks (Arabic number sign), combining marks, joiners, selectors,
# regional indicators, skin tones, letters and emoji: what grapheme breaking turns on.
_BREAKING = " \u0600\u0301\u200d\ufe0f\U0001f1fa\U0001f1f8\U0001f3fd\u1100\u1161aé🎉👍"


@given(st.text(alphabet=_BREAKING, max_size=40), st.data())
def test_the_view_breaks_into_the_same_graphemes_and_words_as_the_whole(
    ctx: str, data: st.DataObject
) -> None:
    from notefix.lossy import _GRAPHEME, _WORD, _view

    lo = data.draw(st.integers(0, len(ctx)))
    hi = data.draw(st.integers(lo, len(ctx)))
    a, b = _view(ctx, lo, hi)
    assert 0 <= a <= lo <= hi <= b <= len(ctx)

    def pieces(pattern: regex.Pattern[str], text: str, offset: int) -> set[tuple[int, str]]:
        return {(m.start() + offset, m.group()) for m in pattern.finditer(text)}

    whole = pieces(_GRAPHEME, ctx, 0)
    view = pieces(_GRAPHEME, ctx[a:b], a)
    # Every grapheme of the view but its last (cut at the view's end) is one of the
    # whole's, and every grapheme of the whole that starts in the view and ends before
    # its last character is in the view.
    inner = {(s, g) for s, g in view if s + len(g) < b}
    assert inner <= whole
    assert {(s, g) for s, g in whole if a <= s and s + len(g) < b} <= view

    def near(found: set[tuple[int, str]]) -> set[tuple[int, str]]:
        return {(s, w) for s, w in found if s <= hi and s + len(w) >= lo}

    # The words that overlap or touch the reconstruction are the same read either way.
    assert near(pieces(_WORD, ctx, 0)) == near(pieces(_WORD, ctx[a:b], a))


@given(note_text(), st.sampled_from(CODECS), st.sampled_from(MODES))
def test_a_remembered_run_reads_as_it_does_afresh(text: str, codec: str, mode: str) -> None:
    # One evidence for every slot, as the engine uses it: the memo must key each run on
    # everything that decides it, so that a run seen again (in other words around it
    # beyond the scorer's window, or a different run) is never given another's answer.
    slots, evidence = damaged_slots(text, codec, mode)
    for slot in slots + slots:
        shared = reconstruct(slot.run, codec, slot.before, slot.after, evidence)
        fresh_evidence = Evidence(evidence.text, evidence.counts)
        fresh = reconstruct(slot.run, codec, slot.before, slot.after, fresh_evidence)
        assert shared == fresh


# --- Marked holes -----------------------------------------------------------------------


def test_a_question_mark_hole_no_reading_fills_is_marked_where_the_page_is_at_work() -> None:
    # "э" is D1 8D; Windows-1252 has no 8D, and the decoder wrote '?'. In "Кэрол" the
    # word tells; in the surname "Дуэк", which no word list holds, nothing tells "э"
    # from the other letters D1 with a lost byte: the letter becomes U+FFFD, as a
    # decoder marks a lost byte, rather than a guess or mojibake left standing.
    text = "ÐšÑ?Ñ€Ð¾Ð» Ð”ÑƒÑ?Ðº"
    result = notefix.repair(text)
    assert result.text == "Кэрол Ду\ufffdк"
    marks = [e for e in result.edits if "\ufffd" in e.replacement]
    assert len(marks) == 1
    assert all("marked" in e.reason and 0.5 < e.confidence <= 1.0 for e in marks)


def test_a_question_mark_hole_is_read_as_the_other_half_of_a_pair() -> None:
    # "”" is E2 80 9D, and the '?' stands for its 9D. Of the characters E2 80 with a
    # lost byte, the invisible ones are set aside; of the rest, the closing quote of the
    # open "“" is the sure reading.
    text = "She wrote â€œyesâ€? and then â€œnoâ€? twice."
    result = notefix.repair(text)
    assert result.text == "She wrote “yes” and then “no” twice."
    assert all(e.confidence > 0.5 for e in result.edits)


def test_a_question_mark_is_not_marked_without_the_page_at_work() -> None:
    text = "Is it â€? Who knows?"
    assert notefix.fix_text(text) == text


@given(note_text(), st.sampled_from(CODECS), st.sampled_from(("fffd", "question")))
def test_a_guess_in_a_marked_hole_is_at_least_as_likely_as_not(
    text: str, codec: str, mode: str
) -> None:
    # Where the text marks the hole, a guess is only applied when its confidence, among
    # the readings that may be applied (invisible ones set aside), reaches one half.
    damaged = lossy_mangle(text, codec, mode)
    for edit in notefix.repair(damaged).edits:
        run = damaged[edit.start : edit.end]
        if ("?" in run or "\ufffd" in run) and "restored" in edit.reason:
            assert edit.confidence >= 0.5, (run, edit)


def test_a_replaced_byte_between_continuation_bytes_is_filled() -> None:
    # 南 is E5 8D 97: Windows-1252 has no 8D, so a lossy decoder leaves "å�—", the hole
    # in the middle of the sequence rather than at its end.
    text = "南方很热，南方很大。"
    damaged = text.encode("utf-8").decode("windows-1252", errors="replace")
    assert "\ufffd—" in damaged
    assert notefix.fix_text(damaged) == text


def test_a_hole_inside_double_mojibake_is_marked_in_the_deeper_layer() -> None:
    # ┒ (E2 94 92) read as Windows-1252 is "â”’"; that read again, with the 9D of "”"
    # replaced, is "Ã¢â€�â€™". The outer layer marks its hole; in the inner one the
    # character that "”" stood for is lost, and is marked, not left as "â�’".
    text = "Cheers ┒(⌣˛⌣)┎ mate, café"
    once = text.encode("utf-8").decode("windows-1252", errors="replace")
    twice = once.encode("utf-8").decode("windows-1252", errors="replace")
    assert notefix.fix_text(twice) == "Cheers \ufffd(⌣˛⌣)\ufffd mate, café"


def test_a_run_with_a_modifier_among_symbols_is_decoded_alone() -> None:
    # "⌣˛⌣" holds an ogonek (a modifier symbol, rarely written alone), but not only
    # that: with nothing else of its page in the text, it is still mojibake to undo.
    assert notefix.fix_text("Face: (âŒ£Ë›âŒ£) ok") == "Face: (⌣˛⌣) ok"


def test_a_question_mark_between_continuation_bytes_is_filled() -> None:
    # The same hole as above, written '?' by the decoder: "å?—".
    text = "南方很热，南方很大。"
    damaged = text.encode("utf-8").decode("windows-1252", errors="replace").replace("\ufffd", "?")
    assert "å?—" in damaged
    assert notefix.fix_text(damaged) == text


@pytest.mark.parametrize(
    "text",
    [
        "我们学习熵、复杂性、热力学和信息论。这些概念很重要。",
        "苹果、香蕉、橙子都是水果。我喜欢吃水果。",
    ],
)
def test_punctuation_of_the_documents_script_is_not_taken_for_a_rare_ideograph(
    text: str,
) -> None:
    # 、 is E3 80 81; without its 81 it is "ã€", which also reads as 㐀 (E3 90 80, a
    # rare ideograph) with a 90 dropped before the 80. Word lists leave punctuation out,
    # so only the document's own share of punctuation says a comma is the likelier.
    damaged = lossy_mangle(text, "windows-1252", "drop")
    assert notefix.fix_text(damaged) == text


def test_native_punctuation_comes_from_script_extensions() -> None:
    han = lossy_data.native_punctuation("Hani")
    assert {"、", "。", "「", "」"} <= han
    assert not {"”", ",", "—", "，"} & han  # shared by every script (Common)
    assert "׃" in lossy_data.native_punctuation("Hebr")


def test_a_script_whose_words_tell_nothing_gets_its_most_spoken_language() -> None:
    # No word of the sample is known: speaker counts decide (Russian, not the first
    # Cyrillic language in alphabetical order); known words still decide when they can.
    assert lossy_data.guess_language("Cyrl", ["щщщщ"]) == "ru"
    assert lossy_data.guess_language("Cyrl", []) == "ru"
    assert lossy_data.guess_language("Cyrl", ["що", "це", "був", "їх"]) == "uk"
    assert lossy_data.guess_language("Latn", []) == "en"


def test_a_lost_byte_reading_is_judged_among_its_neighbours_as_repaired() -> None:
    # "Основы" through Windows-1252 with 81 dropped: "ÐžÑÐ½Ð¾Ð²Ñ‹". The lone "Ñ" is с, and
    # reads so between "О" and "новы"; between the mojibake "Ðž" and "Ð½" as found, a
    # Cyrillic letter would only seem to break scripts.
    damaged = lossy_mangle("### Основы (Неделя 1)\n\nЭто основы.\n", "windows-1252", "drop")
    assert "Ñ" in damaged
    assert "Основы" in notefix.fix_text(damaged)


def test_a_letter_that_is_a_word_before_a_space_is_no_flattened_no_break_space() -> None:
    # "В " is Windows-1251 for C2 20, which is also a no-break space (C2 A0) flattened;
    # in Russian text it is the word "в", whatever the page at work elsewhere.
    text = "Что может быть лучше, чем хорошая книга и чашка чая вечером"
    damaged = text.encode("utf-8").decode("windows-1251") + "\nВ В \n"
    assert notefix.fix_text(damaged) == text + "\nВ В \n"


def test_a_joiner_between_two_emoji_is_restored_as_one_sequence() -> None:
    # ZWJ is E2 80 8D; Windows-1252 has no 8D. Between 🧑 and 🔬 it makes one emoji
    # (scientist); an em quad or ❀ would leave two emoji apart, and each pays for
    # itself (their counts in the document, this occurrence left out).
    text = "icon: 🧑\u200d🔬 and more"
    damaged = text.encode("utf-8").decode("windows-1252", errors="ignore")
    assert notefix.fix_text(damaged) == text


def test_an_odd_space_is_no_free_reading() -> None:
    # E2 80 81 is an em quad: a space, but not one people write; it must not win for
    # nothing over visible readings of "â€" (the engine would then set it aside and
    # apply the next one at no confidence).
    result = reconstruct("â€", "windows-1252", "said “yes", " and left", Evidence())
    assert result is not None
    assert result.best.text != "\u2001"


@pytest.mark.parametrize("word", ["является", "класс"])
def test_lost_bytes_in_one_word_are_read_together(word: str) -> None:
    # "является" through Windows-1252 with 81 and 8F dropped: "ÑÐ²Ð»ÑÐµÑ‚ÑÑ", four lone
    # leads. One at a time, each sees a word with the others still broken and no reading
    # wins; read together with the letters between them, the word decides.
    text = f"Это {word} основой всего.\n"
    damaged = lossy_mangle(text, "windows-1252", "drop")
    assert damaged.count("Ñ") >= 2
    assert notefix.fix_text(damaged) == text


def test_a_lead_that_lost_its_byte_at_the_end_of_a_word_is_restored() -> None:
    # "Время:" and "интерфейс." with the last letter's 8F / 81 dropped: "ВремÑ:" - the
    # lone "Ñ" before punctuation ends the run, and "ñ" alone is no word of note.
    text = "Время: ~10 часов и интерфейс.\n"
    damaged = lossy_mangle(text, "windows-1252", "drop")
    assert "Ñ:" in damaged and "Ñ." in damaged
    assert notefix.fix_text(damaged) == text


def test_slots_far_apart_in_one_word_are_decided_together() -> None:
    # "Неделя": Н (D0 9D) and я (D1 8F) both lost their byte, four letters apart. Apart,
    # each sees the other still unread and every reading ties; together they spell it.
    text = "### Основы (Неделя 1)\n\nЭто основы.\n"
    assert notefix.fix_text(lossy_mangle(text, "windows-1252", "drop")) == text


def test_a_combining_mark_on_a_space_is_no_likely_reading() -> None:
    # "Ù " is D9 and a space: ٠ with its no-break space flattened, or D9 and a dropped
    # byte, among them Arabic vowel marks (ٍ, D9 8D) that would sit on the space.
    result = reconstruct("Ù ", "windows-1252", "أكثر من ", "Ù ١ بلد", Evidence())
    assert result is not None
    assert unicodedata.category(result.best.text[0]) != "Mn"


@pytest.mark.parametrize(
    "text",
    [
        "في عام ٢٠٢٠ قرأت ١٠٠ كتاب",
        "السعر ٥٠٠ ريال فقط",
        "رقم ٠٠١ هنا",
        "من ٢٠١٠ إلى ٢٠٢٠",
    ],
)
def test_arabic_indic_zeros_whose_no_break_space_was_flattened_are_read_as_numbers(
    text: str,
) -> None:
    # ٠ is D9 A0: through windows-1252 "Ù" and a no-break space, which tools flatten to a
    # space. As numbers (wordfreq's frequencies of numbers, whatever their digits) the
    # zeros read better than a dropped byte (ف) beside a space.
    damaged = text.encode("utf-8").decode("windows-1252", errors="replace").replace("\xa0", " ")
    assert "Ù " in damaged
    assert notefix.fix_text(damaged) == text


def test_a_number_in_native_digits_is_scored_whole() -> None:
    # A number's probability falls with its length, as a word's does; digit by digit it
    # would be a string of rare symbols.
    assert lossy_data.number_probability("٠٠١", "ar") > lossy_data.FLOOR_FREQUENCY
    assert lossy_data.number_probability("١", "ar") > lossy_data.number_probability("١٠٠٠١", "ar")
    result = reconstruct("Ù Ù ", "windows-1252", "أكثر من ", "١ بلد", Evidence())
    assert result is not None
    assert result.best.text == "٠٠"


def test_a_reading_spelled_with_a_letter_no_language_writes_often_is_set_aside() -> None:
    # 不 is E4 B8 8D; windows-1252 drops 8D: "ä¸" is 丁, 不, 丝, 丐 or one of six
    # characters that neither Chinese nor Japanese writes a thousandth as often as 不
    # (䁸, 丏...): those are not even candidates.
    options = completions("ä¸", "windows-1252")
    assert options is not None and {"䁸", "丏", "不", "丁"} <= options
    result = reconstruct("ä¸", "windows-1252", "我", "是学生。", Evidence())
    assert result is not None
    texts = [c.text for c in result.candidates]
    assert texts[0] == "不"
    assert "丁" in texts and "丝" in texts
    assert "䁸" not in texts and "丏" not in texts


def test_a_letter_one_language_of_its_script_writes_stays_a_reading() -> None:
    doc = "Ово је џеп. Џемпер и џак су ту. Нема овде ничега, само џеп."
    result = reconstruct("Ð", "windows-1252", "Ово је ", "емпер.", Evidence(text=doc))
    assert result is not None
    assert result.best.text == "Џ"


def test_question_mark_holes_inside_one_word_are_read_together() -> None:
    # Lost bytes written '?': "Ð?Ðµ...Ñ?" - a '?' with letters right after it is a
    # byte replaced inside the word (Н, я of "Неделя"), not the end of a sentence.
    text = "### Основы (Неделя 1-4)\n\n- [x] Классы и объекты [[класс]] [[объект]]\n"
    damaged = lossy_mangle(text, "windows-1252", "question")
    assert "Ð?Ðµ" in damaged
    assert notefix.fix_text(damaged) == text


def test_a_three_byte_lead_that_lost_both_continuation_bytes_is_restored() -> None:
    # 提 is E6 8F 90: Windows-1254 has neither 8F nor 90, so only "æ" is left of it,
    # standing alone before the next character's lead.
    text = "我们提供丰富的可视化。"
    damaged = text.encode("utf-8").decode("windows-1254", errors="ignore")
    assert "æä" in damaged
    assert "提供" in notefix.fix_text(damaged)


def test_a_word_wordfreq_does_not_list_costs_more_with_a_letter_its_language_lacks() -> None:
    common = lossy_data.unlisted_word_probability("максвелла", "ru")
    archaic = lossy_data.unlisted_word_probability("ѡмаксвелла", "ru")
    assert common <= lossy_data.FLOOR_FREQUENCY
    assert archaic < common * 1e-2
    # A short word of common letters is at the floor; a longer one costs its letters.
    assert lossy_data.unlisted_word_probability("луман", "ru") == lossy_data.FLOOR_FREQUENCY
    assert common < lossy_data.FLOOR_FREQUENCY


def test_joining_two_unknown_words_through_a_letter_costs_more_than_both() -> None:
    def unlisted(word: str) -> float:
        return lossy_data.unlisted_word_probability(word, "ru")

    assert unlisted("никлаѡлуман") < unlisted("никлас") * unlisted("луман")
    # Of two spellings of one length, the one with the commoner letter is likelier.
    assert unlisted("никлас") > unlisted("ёиклас")


def test_an_unknown_name_is_read_with_its_commoner_letters_and_apart_from_the_next() -> None:
    # "Никлас" lost its Н (D0 9D) and its с (D1 81) before the space; wordfreq lists
    # neither "Никлас" nor "Луман". Н is commoner than Ё (D0 81), and Ѡ (D1 A0, the
    # space taken for a flattened no-break space) would make one long unknown word.
    text = "Никлас Луман — немецкий социолог, создатель метода Zettelkasten."
    assert notefix.fix_text(lossy_mangle(text, "windows-1252", "drop")) == text
    # Listed words keep their wordfreq frequency.
    assert lossy_data.word_probability("подземелья", "ru") > lossy_data.FLOOR_FREQUENCY


def test_a_lost_byte_before_a_space_does_not_join_two_words_through_a_rare_letter() -> None:
    # "я" is D1 8F; windows-1252 drops 8F, and "Ñ" before the space could also be D1 A0
    # (Ѡ) with the space for its no-break space, making one unknown word of two.
    text = "[[Подземелья Максвелла]] и другие"
    broken = lossy_mangle(text, "windows-1252", "drop")
    assert "Ñ Ð" in broken
    assert notefix.fix_text(broken) == text


def test_a_run_below_the_threshold_is_left_as_written_and_reported() -> None:
    broken = "ğŸ¤– robots first, then ğŸ† The prize for the winner"
    strict = notefix.repair(broken, notefix.Settings(lost_byte_threshold=1.0))
    # The robot is certain (no byte lost); the trophy lost one and is not.
    assert strict.text == "🤖 robots first, then ğŸ† The prize for the winner"
    [unsure] = strict.unsure
    assert broken[unsure.start : unsure.end] == "ğŸ† "
    assert unsure.replacement == "🏆 " and unsure.confidence < 1.0
    assert "🍆 " in {a.replacement for a in unsure.alternatives}
    assert not any(unsure.start < e.end and e.start < unsure.end for e in strict.edits)
    default = notefix.repair(broken)
    assert default.unsure == ()
    assert default.text == "🤖 robots first, then 🏆 The prize for the winner"


def test_brackets_and_quotes_are_read_in_pairs() -> None:
    from notefix.lossy import _unpaired, pairs_around

    assert pairs_around("他说「你好", "然后") == (1, 0)
    assert pairs_around("see (the", " end) and (x)") == (1, 1)
    assert pairs_around("a (b) c", "d") == (0, 0)
    # A closing mark with nothing open, an opening one that nothing closes: unpaired.
    assert _unpaired("」", 0, 0) == 1
    assert _unpaired("」", 1, 0) == 0
    assert _unpaired("「", 0, 0) == 1
    assert _unpaired("「", 0, 1) == 0
    # The closing mark after the run closes what is open before it first.
    assert _unpaired("「", 1, 1) == 1
    assert _unpaired("、", 0, 0) == 0


@pytest.mark.parametrize("codec", ["windows-1252", "windows-1254"])
def test_a_comma_with_no_bracket_open_is_not_read_as_a_closing_bracket(codec: str) -> None:
    # 、 (E3 80 81) and 」 (E3 80 8D), 』, 【, 〝 differ in the byte the page lacks: with
    # no 「 open in the line, only the comma needs no partner.
    text = "我买了苹果、香蕉和橙子，还有葡萄、西瓜。"
    broken = text.encode("utf-8").decode(codec, errors="replace").replace("\ufffd", "?")
    assert "ã€?" in broken
    assert notefix.fix_text(broken) == text


def test_a_long_word_with_many_lost_bytes_is_spelled_out() -> None:
    # "является" loses four bytes to windows-1254 (seven readings each: more than the
    # joint enumeration takes); reading it letter by letter against the word list finds
    # the word where scoring partial readings cannot.
    text = "Java Core — для Spring Boot, который является основой твоих сервисов"
    broken = lossy_mangle(text, "windows-1254", "drop")
    assert notefix.fix_text(broken) == text


def test_a_marked_hole_whose_readings_are_an_even_chance_is_left_to_the_next_page() -> None:
    # "Ş" is C5 9E; windows-1254 lacks 9E and marks it U+FFFD. Through windows-1252 the
    # hole reads Ł or Ő, neither a Turkish letter: an even chance, no better than the
    # mark, so the page that reads the document's other runs alike reads it (Ş).
    text = "Bu hafta yeni bir özellik geliştirdik.\nŞu an test aşamasındayız. Yakında çıkacak.\n"
    damaged = lossy_mangle(text, "windows-1254", "fffd")
    assert "Å\ufffdu" in damaged
    assert notefix.fix_text(damaged) == text


def test_the_other_half_of_a_pair_is_found_by_its_unicode_name() -> None:
    assert lossy_data.paired_mark("”") == "“"
    assert lossy_data.paired_mark("“") == "”"
    assert lossy_data.paired_mark("】") == "【"
    assert lossy_data.paired_mark("«") == "»"
    assert lossy_data.paired_mark("(") == ")"
    # No LEFT or RIGHT in the name, or no mark at all: no partner.
    assert lossy_data.paired_mark("„") is None
    assert lossy_data.paired_mark("、") is None
    assert lossy_data.paired_mark("❀") is None


@pytest.mark.parametrize(
    ("text", "codec", "shown"),
    [
        # ” is E2 80 9D and windows-1252 has no 9D; “ (E2 80 9C) survives. Word lists
        # leave quotation marks out, so without the document's “ the lost ” would lose
        # to ❀ (E2 9D 80, listed as a symbol).
        pytest.param(
            "Sorun “içerik kalitesi” değil, teknik keşif (discovery) sorunuydu. “Kalite” önemli.\n",
            "windows-1252",
            "kalitesiâ€ ",
            id="closing-quote-as-likely-as-its-opening-half",
        ),
        # "â¤ï¸ " is ❤️ (E2 9D A4 EF B8 8F) short of 9D and 8F, then a space. Read with the
        # space as a flattened no-break space, "ï¸ " is ︠ (EF B8 A0, a combining half
        # mark), which the word pattern glues to the Chinese word after it: that word is
        # Chinese still, scored by segmentation as in every other reading.
        pytest.param(
            "手的一指到五指\n\n# ❤️ 穿指法 / 跨指法\n穿指法是一种技巧。\n",
            "windows-1252",
            "â¤ï¸ ",
            id="a-word-after-a-combining-mark-keeps-its-script",
        ),
        # Every "➡️" lost the 8F of its VS16 (EF B8 8F): the document as repaired so far
        # shows "➡" bare, before each run still to be read. Those counts are no evidence
        # for a bare arrow, and the last selector, before a space, is a selector too
        # (not ︐, EF B8 90).
        pytest.param(
            "# 指法\n\nC D E F G A B C ➡️➡️➡️ 一 二 一 二 一 二\nC D E F G ➡️➡️ 一 二 三 一 二 三\n",
            "windows-1252",
            "âž¡ï¸âž¡ï¸",
            id="a-selector-lost-everywhere-is-no-bare-emoji",
        ),
        # Each ZWJ (E2 80 8D) lost its 8D, and the selector after ♂ (EF B8 8F) its 8F:
        # the emoji between the runs are certain, and only the whole sequence is one the
        # emoji data lists; read one by one, each joiner would join a sequence it does
        # not.
        pytest.param(
            "Machines | 🧑\u200d🧑\u200d🧒\u200d🧒🏢 Family Firms\n",
            "windows-1252",
            "â€ðŸ§‘â€",
            id="joiners-of-one-emoji-sequence-read-together",
        ),
        pytest.param(
            "🙅\u200d♂️💼 No Vibes Allowed\n",
            "windows-1252",
            "â€â™‚ï¸",
            id="a-joiner-and-a-selector-of-one-sequence-read-together",
        ),
        # A keycap starts with an ASCII digit and ℹ️ with a character Unicode counts as
        # a letter: both are emoji, scored as symbols, so the selector that makes them
        # one (FE0F, whose 8F was lost) beats FE01, FE0D and a combining half mark.
        pytest.param(
            "# 列表\n\n1️⃣ 2️⃣ 3️⃣ 4️⃣\n\n- ✅ 完成\n",
            "windows-1252",
            "1ï¸âƒ£",
            id="a-keycap-is-scored-as-an-emoji",
        ),
        pytest.param(
            "- 💭 text\n- ℹ️ text\n- 🔗 text\n",
            "windows-1252",
            "â„¹ï¸ text",
            id="an-emoji-on-a-letter-is-scored-as-an-emoji",
        ),
        # windows-1254 lacks 9E and 8F: "➡️" (E2 9E A1 EF B8 8F) is "â¡ï¸". The other
        # runs of this note read alike through windows-1252, listed first, which has 9E
        # (ž): through it the arrows are none of its eight equal guesses. Through
        # windows-1254 they are certain, and likelier in the same place.
        pytest.param(
            "# 指法\n\nC D E F G A B C ➡️➡️➡️ 一 二 一 二 一 二\n",
            "windows-1254",
            "â¡ï¸â¡ï¸â¡ï¸ ",
            id="a-doubtful-reading-yields-to-an-equal-page",
        ),
    ],
)
def test_lost_symbols_are_read_with_the_documents_evidence(
    text: str, codec: str, shown: str
) -> None:
    damaged = lossy_mangle(text, codec, "drop")
    assert shown in damaged
    assert notefix.fix_text(damaged) == text


@pytest.mark.parametrize(
    ("text", "mode"),
    [
        ("Учёба каждую неделю.\n\n### Collections Framework (Неделя 9-12)\n", "question"),
        ("Учёба каждую неделю.\n\n### Collections Framework (Неделя 9-12)\n", "drop"),
        ("Read the Russian word Неделя here.", "drop"),
    ],
)
def test_a_word_among_words_of_another_script_is_still_read_by_its_frequency(
    text: str, mode: str
) -> None:
    # "Неделя" lost its Н (D0 9D) and я (D1 8F) between English words: every reading is
    # Cyrillic there and pays alike for it, and the frequent word is the one.
    damaged = text.encode().decode(
        "windows-1252", errors="replace" if mode == "question" else "ignore"
    )
    assert notefix.fix_text(damaged.replace("\ufffd", "?")) == text
