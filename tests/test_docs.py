"""The examples in the documentation give what they show."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

import notefix

DOCS = Path(__file__).resolve().parent.parent / "docs"
_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


@pytest.mark.parametrize("name", ["api.md"])
def test_the_examples_in_the_docs_give_what_they_show(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    blocks = [b for b in _BLOCK.findall((DOCS / name).read_text("utf-8")) if ">>>" in b]
    assert blocks
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    globs: dict[str, object] = {"notefix": notefix}
    report: list[str] = []
    # One session for the whole page: a later example may use what an earlier one made.
    test = parser.get_doctest("\n".join(blocks), globs, name, name, 0)
    runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
