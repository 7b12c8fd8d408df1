"""Unicode and emoji normalization: invariants (hypothesis) and one example per rule."""

from __future__ import annotations

import functools
from pathlib import Path

import emoji
import pytest
import regex
import unicodedata2
from hypothesis import given
from hypothesis import strategies as st
from tests.strategies import emoji_sequences, messy_note_text, note_text

from notefix.edits import apply_edits, plan
from notefix.settings import Settings
from notefix.unicode import normalize

VS15, VS16, ZWJ, KEYCAP = "\ufe0e", "\ufe0f", "\u200d", "\u20e3"
QUALIFY = Settings(emoji_policy="fully-qualified")
EVERYWHERE = Settings(normalize_code=True)
STATUS = emoji.STATUS


@functools.cache
def fully_qualified() -> tuple[str, ...]:
    return tuple(
        sorted(s for s, d in emoji.EMOJI_DATA.items() if d["status"] == STATUS["fully_qualified"])
    )


@functools.cache
def unqualified_singles() -> tuple[str, ...]:
    return tuple(
        sorted(
            s
            for s, d in emoji.EMOJI_DATA.items()
            if len(s) == 1 and d["status"] == STATUS["unqualified"]
        )
    )


def nfc(text: str) -> str:
    result: str = unicodedata2.normalize("NFC", text)
    return result


def boundaries(text: str) -> set[int]:
    return {m.start() for m in regex.finditer(r"\X", text)} | {len(text)}


def check_repair(text: str, settings: Settings = EVERYWHERE) -> str:
    """Normalize and check what every result must satisfy; return the new text."""
    result = normalize(text, settings)
    assert apply_edits(text, result.edits) == result.text
    assert plan(result.edits) == result.edits
    assert all(edit.reason for edit in result.edits)
    return result.text


# --- invariants --------------------------------------------------------------------


@given(messy_note_text(), st.sampled_from([EVERYWHERE, QUALIFY, Settings()]))
def test_normalize_is_idempotent(text: str, settings: Settings) -> None:
    once = check_repair(text, settings)
    assert normalize(once, settings).edits == ()


@given(messy_note_text())
def test_output_is_nfc_without_junk(text: str) -> None:
    out = check_repair(text)
    assert nfc(out) == out
    assert not regex.search(r"[\x80-\x9f\ud800-\udfff]", out)
    assert "\ufeff" not in out[1:]


@given(st.text(alphabet=st.characters(max_codepoint=0x7F)))
def test_ascii_never_changes(text: str) -> None:
    assert normalize(text, EVERYWHERE).edits == ()
    assert normalize(text, QUALIFY).edits == ()


@given(note_text())
def test_clean_note_text_is_left_alone(text: str) -> None:
    assert normalize(text).edits == ()
    assert normalize(text, EVERYWHERE).edits == ()


@given(messy_note_text(), st.sampled_from([EVERYWHERE, QUALIFY]))
def test_edits_never_split_a_grapheme_cluster(text: str, settings: Settings) -> None:
    cuts = boundaries(text)
    for edit in normalize(text, settings).edits:
        assert edit.start in cuts and edit.end in cuts, (text, edit)


@given(messy_note_text())
def test_edits_are_minimal_spans(text: str) -> None:
    """No edit replaces text with itself or carries an unchanged cluster at either end
    (which a smaller edit would have left out)."""
    for edit in normalize(text, EVERYWHERE).edits:
        old = regex.findall(r"\X", text[edit.start : edit.end])
        new = regex.findall(r"\X", edit.replacement)
        assert old != new
        if len(old) > 1 and len(new) > 1:
            assert old[0] != new[0] and old[-1] != new[-1], (text, edit)


def test_every_fully_qualified_sequence_survives_alone_and_in_text() -> None:
    changed = []
    for seq in fully_qualified():
        for text in (seq, f"word {seq} word", f"é{seq}字", f"{seq}{seq}", f"- {seq}\n"):
            if normalize(text).edits or normalize(text, QUALIFY).edits:
                changed.append(text)
    assert changed == []


@given(emoji_sequences(), emoji_sequences(), st.sampled_from(["", " ", "\n"]))
def test_fully_qualified_neighbours_are_not_joined(a: str, b: str, sep: str) -> None:
    assert normalize(a + sep + b).edits == ()


# --- junk --------------------------------------------------------------------------


def test_bom_inside_text_is_removed_and_at_the_start_kept() -> None:
    result = normalize("\ufeffNotes\ufeff on Ça\ufeff")
    assert result.text == "\ufeffNotes on Ça"
    assert [e.reason for e in result.edits] == ["stray BOM removed"] * 2


def test_second_bom_at_the_start_is_removed() -> None:
    assert normalize("\ufeff\ufeffé").text == "\ufeffé"


def test_c1_controls_become_their_windows_1252_characters() -> None:
    result = normalize("\x93quoted\x94 \x85 \x80 café")
    assert result.text == "“quoted” … € café"
    assert {e.reason for e in result.edits} == {"C1 control read as windows-1252"}
    assert all(e.alternatives[0].replacement == "" for e in result.edits)


def test_c1_controls_undefined_in_windows_1252_are_removed() -> None:
    undefined = [chr(b) for b in range(0x80, 0xA0) if _undefined_in_cp1252(b)]
    assert undefined  # 0x81, 0x8D, 0x8F, 0x90, 0x9D
    for char in undefined:
        result = normalize(f"é{char}x")
        assert result.text == "éx"
        assert result.edits[0].reason == "C1 control removed"


def _undefined_in_cp1252(byte: int) -> bool:
    try:
        bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return True
    return False


def test_lone_surrogates_are_removed_and_pairs_joined() -> None:
    result = normalize("a\ud800b \ud83d\ude00 \udfff")
    assert result.text == "ab 😀 "
    assert [e.reason for e in result.edits] == [
        "lone surrogate removed",
        "surrogate pair joined",
        "lone surrogate removed",
    ]


def test_c0_controls_and_line_endings_are_kept() -> None:
    text = "é\tcol\r\nline\x0bx\x0c\x00\x1b[0m\r"
    assert normalize(text).edits == ()


def test_junk_is_kept_when_remove_junk_is_off() -> None:
    text = "é\ufeff\x85"
    assert normalize(text, Settings(remove_junk=False)).text == text


# --- NFC ---------------------------------------------------------------------------


def test_decomposed_accents_are_composed_one_edit_per_cluster() -> None:
    result = normalize("Cafe\u0301 and nai\u0308ve, Ærø")
    assert result.text == "Café and naïve, Ærø"
    assert [(e.start, e.end, e.replacement) for e in result.edits] == [
        (3, 5, "é"),
        (12, 14, "ï"),
    ]
    assert {e.reason for e in result.edits} == {"NFC"}


def test_decomposed_hangul_is_composed() -> None:
    word = "한국어"
    assert normalize(unicodedata2.normalize("NFD", word)).text == word


def test_mark_order_is_canonicalized() -> None:
    # Dot below (ccc 220) sorts before acute (ccc 230): one canonical form.
    assert normalize("q\u0301\u0323").text == "q\u0323\u0301"


def test_compatibility_characters_are_never_folded() -> None:
    text = "x² ℹ️ … ﬁne ① Ｆｕｌｌ ½"
    assert nfc(text) == text
    assert normalize(text).edits == ()
    assert normalize(text, QUALIFY).edits == ()


def test_nfc_is_off_when_disabled() -> None:
    text = "Cafe\u0301"
    assert normalize(text, Settings(nfc=False)).edits == ()


def test_nothing_changes_when_normalize_is_off() -> None:
    text = "Cafe\u0301 \ufeff 1\u20e3 \x93"
    assert normalize(text, Settings(normalize=False)).edits == ()


# --- code --------------------------------------------------------------------------


def test_explicit_skip_spans_are_left_alone() -> None:
    text = "Cafe\u0301 `cafe\u0301` cafe\u0301"
    skip = [(text.index("`"), text.rindex("`") + 1)]
    assert normalize(text, skip=skip).text == "Café `cafe\u0301` café"


def test_inline_and_fenced_code_are_left_alone_by_default() -> None:
    text = "Cafe\u0301 `x\ufeff\u0301` 1\u20e3\n\n```\nCafe\u0301 1\u20e3\n```\n"
    result = normalize(text)
    assert result.text == "Café `x\ufeff\u0301` 1\ufe0f\u20e3\n\n```\nCafe\u0301 1\u20e3\n```\n"
    assert normalize(text, EVERYWHERE).text == (
        "Café `x\u0301` 1\ufe0f\u20e3\n\n```\nCafé 1\ufe0f\u20e3\n```\n"
    )


# --- emoji: selectors --------------------------------------------------------------


def test_doubled_variation_selector_is_reduced_to_one() -> None:
    result = normalize("love ❤\ufe0f\ufe0f and ✈\ufe0e\ufe0f")
    assert result.text == "love ❤\ufe0f and ✈\ufe0e"
    assert {e.reason for e in result.edits} == {"doubled variation selector"}


def test_selector_on_a_character_that_takes_none_is_removed() -> None:
    result = normalize("a\ufe0f 字\ufe0e \ufe0f 😀\ufe0f")
    assert result.text == "a 字  😀"
    assert {e.reason for e in result.edits} == {"variation selector on a character that takes none"}


def test_selectors_on_characters_that_take_them_are_kept() -> None:
    """emoji-variation-sequences.txt, as the emoji package marks it ('variant')."""
    takers = sorted({s[0] for s, d in emoji.EMOJI_DATA.items() if d.get("variant")})
    assert "⌚" in takers and "©" in takers
    text = " ".join(f"{c}{VS15} {c}{VS16}" for c in takers)
    assert normalize(text).edits == ()


def test_selector_before_a_skin_tone_is_removed() -> None:
    assert normalize("ok 👍\ufe0f🏽").text == "ok 👍🏽"


# --- emoji: sequences --------------------------------------------------------------


def test_keycap_gets_its_fe0f() -> None:
    result = normalize("Step 1\u20e3 then #\u20e3")
    assert result.text == "Step 1\ufe0f\u20e3 then #\ufe0f\u20e3"
    assert {e.reason for e in result.edits} == {"FE0F added to keycap"}


def test_keycap_with_text_selector_is_left_alone() -> None:
    assert normalize("1\ufe0e\u20e3 é").edits == ()


def test_every_zwj_sequence_missing_its_fe0f_is_restored() -> None:
    wrong = []
    for seq in fully_qualified():
        if ZWJ in seq or KEYCAP in seq:
            damaged = seq.replace(VS16, "")
            if normalize(f"x {damaged} y").text != f"x {seq} y":
                wrong.append(seq)
    assert wrong == []


def test_minimally_qualified_sequences_become_fully_qualified() -> None:
    for seq, data in emoji.EMOJI_DATA.items():
        if data["status"] == STATUS["minimally_qualified"]:
            fixed = normalize(seq).text
            assert emoji.EMOJI_DATA[fixed]["status"] == STATUS["fully_qualified"], seq


def test_every_zwj_sequence_split_by_a_space_is_rejoined() -> None:
    wrong = []
    for seq in fully_qualified():
        at = seq.find(ZWJ)
        if at < 0:
            continue
        for damaged in (seq[: at + 1] + " " + seq[at + 1 :], seq[:at] + " " + seq[at:]):
            result = normalize(f"a {damaged} b")
            if result.text != f"a {seq} b" or result.edits[0].confidence != 1.0:
                wrong.append(damaged)
    assert wrong == []


def test_lost_joiners_are_restored_where_a_part_is_broken() -> None:
    """Every sequence with a text-style part: without joiners and FE0F, that part
    stands unqualified next to an emoji, the trace of damage."""
    wrong = []
    for seq in fully_qualified():
        if ZWJ in seq and any(
            seq[i + 1] == VS16 and not seq[i].isascii() for i in range(len(seq) - 1)
        ):
            damaged = seq.replace(ZWJ, "").replace(VS16, "")
            result = normalize(f"a {damaged} b")
            if result.text != f"a {seq} b":
                wrong.append(seq)
            elif result.edits[0].confidence >= 1.0 or not result.edits[0].alternatives:
                wrong.append(f"{seq}: confidence")
    assert wrong == []


def test_partly_joined_sequence_is_completed() -> None:
    family = "👨\u200d👩\u200d👧"
    assert normalize("👨\u200d👩👧").text == family


def test_emoji_typed_side_by_side_are_not_joined() -> None:
    for text in ("👨👩👧", "🏃♀\ufe0f", "👨\u200d👩\u200d👧👦", "🐻 ❄\ufe0f", "❤\ufe0f🔥"):
        assert normalize(text).edits == ()


def test_spaces_without_a_joiner_are_not_bridged() -> None:
    assert normalize("🏃 ♀").edits == ()


def test_sequences_with_text_selector_get_no_fe0f() -> None:
    assert normalize("❤\ufe0e\u200d🔥 é").edits == ()
    assert normalize("❤\ufe0e 😀", QUALIFY).edits == ()


def test_emoji_repairs_off_when_fix_emoji_is_off() -> None:
    text = "1\u20e3 ❤\ufe0f\ufe0f 🏃♀"
    assert normalize(text, Settings(fix_emoji=False)).edits == ()


# --- emoji: policy -----------------------------------------------------------------


def test_text_style_symbols_in_prose_are_never_given_fe0f() -> None:
    for char in unqualified_singles():
        for text in (f"see {char} here", f"{char} 2024", f"A{char}B"):
            assert normalize(text).edits == (), char
            assert normalize(text, QUALIFY).edits == (), char


def test_policy_qualifies_text_style_emoji_among_emoji() -> None:
    text = "Great ❤ 😀 ✌ and © 2024 ↔ B"
    assert normalize(text).edits == ()
    result = normalize(text, QUALIFY)
    assert result.text == "Great ❤\ufe0f 😀 ✌\ufe0f and © 2024 ↔ B"
    assert {e.reason for e in result.edits} == {"emoji fully qualified (policy)"}


def test_policy_result_is_fully_qualified_for_every_unqualified_single() -> None:
    for char in unqualified_singles():
        fixed = normalize(f"{char}😀", QUALIFY).text
        assert emoji.EMOJI_DATA[fixed[:-1]]["status"] == STATUS["fully_qualified"], char


# --- corpus ------------------------------------------------------------------------


def clean_notes(corpus: Path) -> list[Path]:
    return sorted(p for p in (corpus / "clean-notes").rglob("*.md") if p.is_file())


def test_clean_notes_stay_byte_identical(corpus: Path) -> None:
    notes = clean_notes(corpus)
    assert len(notes) >= 40
    changed = []
    for path in notes:
        data = path.read_bytes()
        text = data.decode("utf-8")
        for settings in (Settings(), EVERYWHERE):
            result = normalize(text, settings)
            if result.text.encode("utf-8") != data or result.edits:
                changed.append((path.name, settings.normalize_code))
    assert changed == []


@pytest.mark.parametrize("form", ["NFD"])
def test_decomposed_clean_notes_come_back_exactly(corpus: Path, form: str) -> None:
    """A note saved decomposed (macOS) is the clean note once composed, code included
    when code is normalized too."""
    for path in clean_notes(corpus):
        text = path.read_text("utf-8")
        decomposed = unicodedata2.normalize(form, text)
        assert normalize(decomposed, EVERYWHERE).text == text, path.name
