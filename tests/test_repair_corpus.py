"""The repair engine against real data: ftfy's own test cases and clean notes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import ftfy
import ftfy.bad_codecs
import pytest

import notefix

# The score notefix must keep: ftfy's 161 cases, compared after ftfy's cosmetic steps.
# Strictly compared, a hole read right is a miss: "“lossy decodingâ€�" is read as
# "“lossy decoding”", where ftfy's expectation keeps the U+FFFD.
FTFY_CASES_FLOOR = 150
# The same, where a U+FFFD of the expectation (a character the input lost, that ftfy
# leaves marked) may be any one character: notefix reconstructs lost bytes
# ("българ�ки" is "български"), which the strict comparison counts as a miss.
FTFY_CASES_LOST_FLOOR = 159


def _cosmetic(text: str) -> str:
    """ftfy's cosmetic steps only (quotes, ligatures, widths), so that keeping curly
    quotes as written is not counted as a miss."""
    return str(
        ftfy.fix_text(
            text,
            fix_encoding=False,
            unescape_html=False,
            fix_line_breaks=False,
            remove_control_chars=False,
            normalization=None,
            fix_c1_controls=False,
            fix_surrogates=False,
        )
    )


def _cases(corpus: Path) -> list[dict[str, str]]:
    cases: list[dict[str, str]] = []
    for path in sorted((corpus / "ftfy-cases").glob("*.json")):
        for case in json.loads(path.read_text("utf-8")):
            case["file"] = path.stem
            cases.append(case)
    return cases


def _expected(case: dict[str, str]) -> str:
    return _cosmetic(case.get("fixed-encoding", case["fixed"]))


def _matches(got: str, expected: str) -> bool:
    """``got`` is ``expected``, where each U+FFFD of ``expected`` stands for exactly one
    character, any (the lost one, reconstructed, or the mark itself)."""
    if "\ufffd" not in expected:
        return got == expected
    pattern = "".join("." if ch == "\ufffd" else re.escape(ch) for ch in expected)
    return re.fullmatch(pattern, got, re.DOTALL) is not None


def test_a_lost_character_matches_one_character_and_nothing_else() -> None:
    assert _matches("Русский", "Ру\ufffd\ufffdкий")
    assert _matches("Ру\ufffd\ufffdкий", "Ру\ufffd\ufffdкий")
    assert not _matches("А усякий", "Ру\ufffd\ufffdкий")
    assert not _matches("Руский", "Ру\ufffd\ufffdкий")
    assert not _matches("cafe", "café")


def test_ftfy_cases_score_at_least_the_floor(corpus: Path) -> None:
    cases = _cases(corpus)
    assert len(cases) == 161
    fixed = [(_cosmetic(notefix.fix_text(c["original"])), _expected(c)) for c in cases]
    strict = sum(got == want for got, want in fixed)
    lost = sum(_matches(got, want) for got, want in fixed)
    assert strict >= FTFY_CASES_FLOOR, f"{strict}/161"
    assert lost >= FTFY_CASES_LOST_FLOOR, f"{lost}/161 with lost characters reconstructed"


@pytest.mark.parametrize(
    ("label", "truth"),
    [
        # ftfy's expectations keep these lost characters marked; the words are known.
        ("Messy language names: Bulgarian", "български език"),
        ("Messy language names: Russian", "Русский"),
        ("Messy language names: Hindi", "हिन्दी"),
        ("Messy language names: Tamil", "தமிழ்"),
        ("lossy UTF-8 / Windows-1250 mixup in Spanish", "Europa, Asia, África, Norte,"),
    ],
)
def test_lost_characters_of_ftfy_cases_are_reconstructed(
    corpus: Path, label: str, truth: str
) -> None:
    cases = [c for c in _cases(corpus) if c.get("label") == label]
    assert cases
    for case in cases:
        assert notefix.fix_text(case["original"]).startswith(truth)


def test_no_negative_ftfy_case_is_changed_beyond_its_expectation(corpus: Path) -> None:
    negatives = [c for c in _cases(corpus) if c["file"] == "negative"]
    assert negatives
    wrong = [
        c["original"]
        for c in negatives
        if notefix.fix_text(c["original"]) != c.get("fixed-encoding", c["fixed"])
    ]
    assert wrong == []


def test_edits_reproduce_the_text_on_every_ftfy_case(corpus: Path) -> None:
    for case in _cases(corpus):
        result = notefix.repair(case["original"])
        assert notefix.apply_edits(case["original"], result.edits) == result.text


def _clean_notes(corpus: Path) -> list[Path]:
    notes = sorted((corpus / "clean-notes").rglob("*.md"))
    assert len(notes) >= 40
    return notes


def test_clean_notes_are_left_exactly_as_they_are(corpus: Path) -> None:
    for path in _clean_notes(corpus):
        text = path.read_bytes().decode("utf-8")
        result = notefix.repair(text)
        assert result.edits == (), path.name
        assert result.text == text


@pytest.mark.parametrize(
    ("broken", "fixed", "reason"),
    [
        ("cafÃ© au lait", "café au lait", "utf-8 read as windows-1252"),
        ("ğŸ¤– AI Summary", "🤖 AI Summary", "utf-8 read as windows-1254"),
        ("РџСЂРёРІРµС‚, РјРёСЂ", "Привет, мир", "utf-8 read as windows-1251"),
        (
            "“quoted”".encode()
            .decode("sloppy-windows-1252")
            .encode()
            .decode("sloppy-windows-1252"),
            "“quoted”",
            "utf-8 read as windows-1252",
        ),
    ],
)
def test_repair_explains_each_edit(broken: str, fixed: str, reason: str) -> None:
    result = notefix.repair(broken)
    assert result.text == fixed
    assert result.edits and all(reason in e.reason for e in result.edits)


def test_repair_keeps_clean_text_on_the_same_line() -> None:
    text = "Ümlaut café – ok, but cafÃ© and naÃ¯ve are broken"
    result = notefix.repair(text)
    assert result.text == "Ümlaut café – ok, but café and naïve are broken"
    # Only the broken runs are touched: each edit covers mojibake, nothing else.
    assert [text[e.start : e.end] for e in result.edits] == ["Ã©", "Ã¯"]


def test_c1_controls_are_read_as_windows_1252() -> None:
    assert notefix.fix_text("\x93quoted\x94 and \x85") == "“quoted” and …"


def test_fix_text_keeps_curly_quotes_and_ligatures() -> None:
    text = "“Curly” quotes, the ﬁ ligature and ｆｕｌｌ width stay"
    assert notefix.fix_text(text) == text


@pytest.mark.parametrize(
    "clean",
    [
        "Belediye території та львові",  # "рії" is a four-byte lead and two continuations
        "діє і дії",  # three-byte runs that decode to CJK under windows-1251
        "Charlotte Brontë…”",  # a Hangul syllable under windows-1252
        "OK??:(   `¬´    ):",  # a lone symbol pair
        "« The – dash », ÀÀÀ",
    ],
)
def test_clean_text_that_looks_like_mojibake_is_left_alone(clean: str) -> None:
    assert notefix.fix_text(clean) == clean


def test_fix_text_normalizes_only_when_asked() -> None:
    text = "cafÃ© and cafe\u0301 1\u20e3"
    assert notefix.fix_text(text) == "café and cafe\u0301 1\u20e3"
    assert notefix.fix_text(text, normalize=True) == "café and café 1\ufe0f\u20e3"
