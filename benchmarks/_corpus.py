"""Benchmark inputs built from the shared corpus, the same way for every benchmark."""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def corpus_dir() -> Path:
    """The corpus folder (NOTEFIX_CORPUS, else ../shared/corpus beside the repository);
    exits with a message naming both places when it is missing."""
    env = os.environ.get("NOTEFIX_CORPUS")
    path = Path(env) if env else REPO_ROOT.parent / "shared" / "corpus"
    if not (path / "clean-notes").is_dir():
        sys.exit(
            f"corpus not found at {path} (needs clean-notes/ inside): set NOTEFIX_CORPUS "
            "or put the corpus at ../shared/corpus relative to the repository root"
        )
    return path


def clean_notes(corpus: Path) -> str:
    """Every clean note, concatenated in a stable order, each ending with a newline."""
    texts = []
    for path in sorted((corpus / "clean-notes").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        texts.append(text if text.endswith("\n") else text + "\n")
    if not texts:
        sys.exit(f"no notes under {corpus / 'clean-notes'}")
    return "".join(texts)


def repeat_to(text: str, nbytes: int) -> str:
    """``text`` repeated whole lines at a time until its UTF-8 reaches ``nbytes``."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    size = 0
    while size < nbytes:
        for line in lines:
            out.append(line)
            size += len(line.encode("utf-8"))
            if size >= nbytes:
                break
    return "".join(out)


def cp1252_lossy(text: str) -> str:
    """UTF-8 read as Windows-1252 with the five bytes it leaves undefined dropped: the
    damage the seed note shows (there with Windows-1254)."""
    return text.encode("utf-8").decode("windows-1252", errors="ignore")


def seed_note(corpus: Path) -> tuple[str, str]:
    """The seed note as found and as it was written, or two empty strings."""
    broken = sorted((corpus / "seed-note").glob("*.broken.md"))
    if not broken:
        return "", ""
    expected = broken[0].with_name(broken[0].name.replace(".broken.md", ".expected.md"))
    original = expected.read_text(encoding="utf-8") if expected.exists() else ""
    return broken[0].read_text(encoding="utf-8"), original
