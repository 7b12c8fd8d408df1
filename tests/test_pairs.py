"""Real notes broken on their way through tools, against their fixed versions
(``corpus/pairs``): the Chinese README text damaged as the seed note is (UTF-8 read as
Windows-1254, undefined bytes dropped)."""

from __future__ import annotations

from pathlib import Path

import pytest

import notefix

# Damaged lines repaired exactly, as measured; a change that loses any fails here.
FLOORS = {
    "yoko19191-sutskever30-zhCN-IMPLEMENTATION_TRACKS-45263b1": 112,  # of 120; ftfy 44
    "yoko19191-sutskever30-zhCN-README-452f391": 377,  # of 427; ftfy 91
}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_damaged_lines_of_a_chinese_readme_are_repaired(corpus: Path, name: str) -> None:
    broken = (corpus / "pairs" / f"{name}.broken.md").read_text("utf-8").split("\n")
    fixed = (corpus / "pairs" / f"{name}.fixed.md").read_text("utf-8").split("\n")
    assert len(broken) == len(fixed)
    out = notefix.repair("\n".join(broken)).text.split("\n")
    damaged = [i for i, (b, f) in enumerate(zip(broken, fixed, strict=True)) if b != f]
    exact = sum(out[i] == fixed[i] for i in damaged)
    assert exact >= FLOORS[name], f"{exact} of {len(damaged)}"
