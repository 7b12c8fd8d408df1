"""Properties of the repair engine over realistic generated text."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

import notefix
from strategies import CODEPAGES, mangle, note_text, real_text, survives

# Scripts each code page's damage is exercised with: those whose UTF-8 bytes the page
# can carry without loss, across realistic note text.
PAGES = list(CODEPAGES)


def enough_evidence(text: str) -> bool:
    """Three or more non-ASCII characters, two of them side by side, as in any word of
    a non-English note. One two-byte character alone is ambiguous by design ("Ø¡" may
    be written on purpose), and weak runs need the document's backing."""
    non_ascii = [ord(ch) >= 0x80 for ch in text]
    return sum(non_ascii) >= 3 and any(a and b for a, b in itertools.pairwise(non_ascii))


def another_reading(broken: str, repaired: str) -> bool:
    """Whether ``repaired`` mangled by some supported code page gives ``broken`` too:
    then the damage itself cannot tell the two apart (windows-1250 and iso-8859-2 differ
    in a few bytes only, so "Äľ" is "ľ" or "ĵ"), and the more frequent reading wins."""
    return any(survives(repaired, cp) and mangle(repaired, cp) == broken for cp in CODEPAGES)


@pytest.mark.parametrize("codec", PAGES)
@given(text=real_text())
# "ĹĄ" is ť in windows-1250 and š in iso-8859-2: the keycap's 0x8F, "Ź", only
# windows-1250 has, and it decides the whole text (one page, not one per run).
@example(text="Ať #️⃣ ")
def test_repair_reverses_one_layer_of_mojibake(codec: str, text: str) -> None:
    assume(enough_evidence(text) and survives(text, codec))
    broken = mangle(text, codec)
    assume(broken != text)
    repaired = notefix.fix_text(broken)
    assert repaired == text or another_reading(broken, repaired)


@given(text=real_text(("fr", "de", "es", "pt", "pl", "cs", "tr", "ru", "el")))
def test_repair_reverses_two_layers_of_windows_1252(text: str) -> None:
    codec = "sloppy-windows-1252"
    assume(enough_evidence(text) and survives(text, codec))
    assume(survives(mangle(text, codec), codec))
    assert notefix.fix_text(mangle(text, codec, layers=2)) == text


@given(text=note_text())
def test_clean_text_is_left_alone(text: str) -> None:
    assert notefix.fix_text(text) == text


@given(text=st.text())
def test_repair_is_idempotent_and_its_edits_reproduce_the_text(text: str) -> None:
    result = notefix.repair(text)
    assert notefix.apply_edits(text, result.edits) == result.text
    assert notefix.fix_text(result.text) == result.text


@given(text=real_text(), codec=st.sampled_from(CODEPAGES), clean=real_text())
def test_broken_runs_mixed_with_clean_text_are_repaired_alone(
    text: str, codec: str, clean: str
) -> None:
    assume(enough_evidence(text) and survives(text, codec))
    broken = mangle(text, codec)
    mixed = clean + "\n" + broken + "\n" + clean
    result = notefix.repair(mixed)
    assert result.text == clean + "\n" + text + "\n" + clean


def test_any_string_is_handled() -> None:
    for text in ["\ud800 lone surrogate Ã©", "NUL \x00 Ã© \x00", "\ufffd\ufffd?", ""]:
        result = notefix.repair(text)
        assert notefix.apply_edits(text, result.edits) == result.text


def test_a_long_single_line_is_repaired() -> None:
    # A 1 MB line of mixed clean and broken text completes (linear time is measured
    # in benchmarks/, not here).
    unit = "café cafÃ© ğŸ¤– naïve "
    text = unit * (1_000_000 // len(unit))
    result = notefix.repair(text)
    assert result.text.count("café") == 2 * text.count("cafÃ©")


@pytest.mark.parametrize("unit", ["ï¸ ", "Ð ", "âš ï¸ ", "ÑÐ²Ð»ÑÐµÑ‚ÑÑ "])
def test_runs_that_each_join_the_next_are_read_in_bounded_groups(
    unit: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each of these runs may be read with the one after it (a variation selector after a
    # space, a lead and its flattened no-break space, a word's runs): a line of them must
    # not become one run read whole, whose cost grows with the square of its length.
    from notefix import lossy
    from notefix.mojibake import engine

    seen: list[int] = []
    real = lossy.reconstruct

    def recording(run: str, *args: object, **kwargs: object) -> object:
        seen.append(len(run))
        return real(run, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(lossy, "reconstruct", recording)
    notefix.repair(unit * 400 + "os comentÃ¡rios serÃ£o")
    assert seen
    assert max(seen) <= engine.GROUP_REACH


@given(
    text=note_text(),
    codec=st.sampled_from(("windows-1252", "windows-1254")),
    threshold=st.sampled_from((0.5, 0.9, 1.0)),
)
def test_runs_left_as_written_are_as_written_and_apart_from_the_edits(
    text: str, codec: str, threshold: float
) -> None:
    broken = text.encode("utf-8").decode(codec, errors="ignore")
    result = notefix.repair(broken, notefix.Settings(lost_byte_threshold=threshold))
    for unsure in result.unsure:
        assert 0 <= unsure.start < unsure.end <= len(broken)
        assert unsure.confidence < threshold
        assert not any(unsure.start < e.end and e.start < unsure.end for e in result.edits)
        # The run is in the output as it was, where the edits before it put it.
        shift = sum(
            len(e.replacement) - (e.end - e.start) for e in result.edits if e.end <= unsure.start
        )
        at = unsure.start + shift
        assert result.text[at : at + unsure.end - unsure.start] == broken[unsure.start : unsure.end]
