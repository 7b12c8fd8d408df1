"""A link checker for vaults on disk, written independently of notefix.links.

It follows Obsidian's rules in the simplest form that is still strict: a wikilink names
a path suffix (with or without ``.md``) and must match exactly one file, or one in the
note's folder, or the exact path from the root; a Markdown link is relative to the note,
else from the root, else resolved like a wikilink. Case and normalization are ignored.
An ambiguous link counts as broken, so tests cannot pass on a lucky tie-break.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote

_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.S | re.M)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_WIKI = re.compile(r"!?\[\[([^\[\]\n]+?)\]\]")
_MD = re.compile(r"!?\[[^\]\n]*\]\(\s*(<[^>\n]+>|[^)\s]+)[^)\n]*\)")


def _key(path: str) -> str:
    return unicodedata.normalize("NFC", path).casefold()


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


def links(text: str) -> list[tuple[str, str]]:
    """(kind, target) of every link outside code, in order; targets decoded, no fragment."""
    text = _INLINE_CODE.sub(_blank, _FENCE.sub(_blank, text))
    found: list[tuple[int, str, str]] = []
    for m in _WIKI.finditer(text):
        target = re.split(r"\\?\||#", m.group(1), maxsplit=1)[0].strip(" \t")
        if target:
            found.append((m.start(), "wiki", target))
    for m in _MD.finditer(text):
        dest = m.group(1).strip("<>")
        target = unquote(dest.split("#", 1)[0])
        if target and not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", target):
            found.append((m.start(), "markdown", target))
    return [(kind, target) for _, kind, target in sorted(found)]


def files_under(root: Path) -> list[str]:
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


def resolve(kind: str, target: str, note: str, paths: list[str]) -> str | None:
    by_key = {_key(p): p for p in paths}
    folder = posixpath.dirname(note)
    if kind == "markdown":
        joined = posixpath.normpath(posixpath.join(folder, target))
        if _key(joined) in by_key:
            return by_key[_key(joined)]
        if _key(target.lstrip("/")) in by_key:
            return by_key[_key(target.lstrip("/"))]
    if target.startswith(("./", "../")):
        target = posixpath.normpath(posixpath.join(folder, target))
    for form in (target, target + ".md"):
        key = _key(form.strip("/"))
        if key in by_key:
            return by_key[key]
        hits = [p for p in paths if _key(p).endswith("/" + key)]
        if len(hits) > 1:
            hits = [p for p in hits if posixpath.dirname(p) == folder]
        if len(hits) == 1:
            return hits[0]
        if hits:
            return None
    return None


def link_graph(root: Path) -> dict[str, list[str | None]]:
    """For every note under ``root``: the file each of its links resolves to, in order."""
    paths = files_under(root)
    graph: dict[str, list[str | None]] = {}
    for note in paths:
        if note.endswith(".md"):
            text = (root / note).read_text(encoding="utf-8")
            graph[note] = [resolve(k, t, note, paths) for k, t in links(text)]
    return graph


def broken(root: Path) -> list[tuple[str, str]]:
    """(note, link target) of every link under ``root`` that resolves to nothing."""
    paths = files_under(root)
    out = []
    for note in paths:
        if note.endswith(".md"):
            for kind, target in links((root / note).read_text(encoding="utf-8")):
                if resolve(kind, target, note, paths) is None:
                    out.append((note, target))
    return out
