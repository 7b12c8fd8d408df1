"""Links between the files of a vault: finding them in a note, resolving them, rewriting them.

Resolution follows Obsidian. A wikilink (``[[Name]]``, ``[[folder/Name|alias]]``,
``[[Name#Heading]]``, ``![[image.png]]``) names a path suffix, with or without ``.md``:
an exact path from the root wins, then a match in the note's own folder, then the match
with the fewest folders. A Markdown link or image (``[text](path/Name.md)``, percent-encoded
or not) is relative to the note's folder, else to the root, else resolved like a wikilink.
Matching ignores case and Unicode normalization, as Obsidian does.

Paths are relative to the vault root, ``/``-separated. Everything here is pure.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote, unquote

from notefix import markdown

LinkKind = Literal["wiki", "markdown"]

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_PERCENT_NON_ASCII = re.compile(r"%[89A-Fa-f][0-9A-Fa-f]")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")


@dataclass(frozen=True, slots=True)
class Link:
    """One link in a note. ``target`` is the path it names: decoded, without fragment."""

    kind: LinkKind
    embed: bool
    start: int
    end: int
    """The whole link, ``[[...]]`` or ``[...](...)``, in the note's text."""
    target_start: int
    target_end: int
    """The span of the path in the text (as written: encoded, without ``#fragment``)."""
    raw: str
    target: str
    angle: bool = False
    """A Markdown destination written in ``<...>`` (spaces allowed, nothing encoded)."""


def fold(path: str) -> str:
    """The key two names are equal under: Obsidian matches links, and case-insensitive
    or normalizing file systems match names, ignoring case and normalization form."""
    return unicodedata.normalize("NFC", path).casefold()


_FRONTMATTER_WIKILINK = re.compile(r"(!?)\[\[([^\[\]\r\n|]+)")


def _wikilink(text: str, embed: bool, start: int, end: int, t0: int, t1: int) -> Link | None:
    # The target stops at the heading, and at the bar even when a table escapes it.
    path = text[t0:t1].split("#", 1)[0].removesuffix("\\")
    lead = len(path) - len(path.lstrip(" \t"))
    path = path.strip(" \t")
    if not path:
        return None  # [[#Heading]]: a link into the note itself
    return Link("wiki", embed, start, end, t0 + lead, t0 + lead + len(path), path, path)


def find_links(text: str) -> list[Link]:
    """Every wikilink, embed and local Markdown link, image or reference definition in
    ``text`` outside code, by position (spans from ``notefix.markdown``), and the
    wikilinks in frontmatter values (Obsidian's properties link to notes that way)."""
    links: list[Link] = []
    fm = markdown.frontmatter(text)
    if fm is not None:
        for m in _FRONTMATTER_WIKILINK.finditer(text, fm.body_start, fm.body_end):
            close = text.find("]]", m.end(2), fm.body_end)
            if close != -1 and "\n" not in text[m.start() : close]:
                found = _wikilink(
                    text, bool(m.group(1)), m.start(), close + 2, m.start(2), m.end(2)
                )
                if found:
                    links.append(found)
    for span in markdown.link_spans(text):
        if span.kind in ("wikilink", "embed"):
            found = _wikilink(
                text,
                span.kind == "embed",
                span.start,
                span.end,
                span.target_start,
                span.target_end,
            )
            if found:
                links.append(found)
        elif span.kind in ("link", "image", "reference"):
            dest = span.target(text)
            angle = span.target_start > 0 and text[span.target_start - 1] == "<"
            path = dest.split("#", 1)[0]
            if not path or markdown.is_url(path) or _SCHEME.match(path):
                continue  # an anchor in the same note, or a URL
            target = unquote(path) if _PERCENT.search(path) else path
            links.append(
                Link(
                    "markdown",
                    span.kind == "image",
                    span.start,
                    span.end,
                    span.target_start,
                    span.target_start + len(path),
                    path,
                    target,
                    angle,
                )
            )
    return links


def _parent(path: str) -> str:
    return posixpath.dirname(path)


def _depth(path: str) -> int:
    return path.count("/")


class VaultIndex:
    """The files of a vault, indexed for link resolution."""

    def __init__(self, paths: Iterable[str]) -> None:
        self.paths = frozenset(paths)
        self._exact: dict[str, list[str]] = defaultdict(list)
        self._by_name: dict[str, list[str]] = defaultdict(list)
        for path in sorted(self.paths):
            key = fold(path)
            self._exact[key].append(path)
            self._by_name[key.rsplit("/", 1)[-1]].append(path)

    def _matches(self, linkpath: str) -> list[str]:
        key = fold(linkpath.strip("/"))
        if not key:
            return []
        exact = self._exact.get(key)
        if exact:
            return exact
        name = key.rsplit("/", 1)[-1]
        return [p for p in self._by_name.get(name, ()) if fold(p).endswith("/" + key)]

    def candidates(self, linkpath: str) -> list[str]:
        """Files a wikilink path could mean: the exact file, or with ``.md`` added."""
        found = self._matches(linkpath)
        if not found and not fold(linkpath).endswith(".md"):
            found = self._matches(linkpath + ".md")
        return found

    def resolve_wiki(self, linkpath: str, note_rel: str) -> str | None:
        if linkpath.startswith(("./", "../")):
            rel = _relative(linkpath, note_rel)
            if rel is None:
                return None
            linkpath = rel
        found = self.candidates(linkpath)
        if not found:
            return None
        key = fold(linkpath.strip("/"))
        exact = [p for p in found if fold(p) in (key, key + ".md")]
        if exact:
            return exact[0]
        here = fold(_parent(note_rel))
        local = [p for p in found if fold(_parent(p)) == here]
        if local:
            return local[0]
        return min(found, key=lambda p: (_depth(p), p))

    def unique_wiki(self, linkpath: str, note_rel: str, dest: str) -> bool:
        """Whether ``linkpath`` resolves to ``dest`` without relying on a tie-break."""
        if self.resolve_wiki(linkpath, note_rel) != dest:
            return False
        found = self.candidates(linkpath)
        return len(found) == 1 or fold(dest) in (fold(linkpath), fold(linkpath + ".md"))

    def resolve_markdown(self, target: str, note_rel: str) -> tuple[str | None, str]:
        """The file a Markdown link names and how it was found:
        ``relative``, ``root`` or ``name``."""
        if not target.startswith("/"):
            rel = _relative(target, note_rel)
            if rel is not None and (hit := self._exact.get(fold(rel))):
                return hit[0], "relative"
        if hit := self._exact.get(fold(target.lstrip("/"))):
            return hit[0], "root"
        return self.resolve_wiki(target.lstrip("/"), note_rel), "name"

    def resolve(self, link: Link, note_rel: str) -> str | None:
        if link.kind == "wiki":
            return self.resolve_wiki(link.target, note_rel)
        return self.resolve_markdown(link.target, note_rel)[0]


def _relative(target: str, note_rel: str) -> str | None:
    joined = posixpath.normpath(posixpath.join(_parent(note_rel), target))
    if joined.startswith("../") or joined == "..":
        return None
    return joined


def encode_like(path: str, raw: str) -> str:
    """``path`` written in the style of the link destination ``raw``: percent-encoded
    throughout if ``raw`` encoded non-ASCII bytes, only spaces and ``%`` if it encoded
    those, as it is otherwise (spaces are still encoded, since a bare space ends the
    destination)."""
    if _PERCENT_NON_ASCII.search(raw):
        return quote(path, safe="/!$&'()*+,;=:@~")
    out = path.replace("%", "%25") if _PERCENT.search(raw) else path
    return out.replace(" ", "%20")


def rewrite_target(link: Link, note_rel: str, dest: str, index: VaultIndex, how: str) -> str:
    """The text for ``link``'s path span so that, in the note now at ``note_rel``, it
    resolves to ``dest`` in ``index``. ``how`` is how the link resolved before
    (``resolve_markdown``'s second value; ignored for wikilinks). The link's style is
    kept: how many folders it named, whether it wrote ``.md``, whether it was relative
    or from the root, how it was percent-encoded."""
    keep_md = fold(link.target).endswith(".md") or not fold(dest).endswith(".md")
    relative = link.target.startswith(("./", "../")) or (
        link.kind == "markdown" and how == "relative"
    )
    if relative:
        text = posixpath.relpath(dest, _parent(note_rel) or ".")
        if link.target.startswith("./") and not text.startswith("."):
            text = "./" + text
        if not keep_md:
            text = text[: -len(".md")]
    elif link.kind == "markdown" and how == "root":
        text = ("/" if link.target.startswith("/") else "") + dest
        if not keep_md:
            text = text[: -len(".md")]
    else:
        text = _shortest(link.target, note_rel, dest, index, keep_md)
    if link.kind == "markdown" and not link.angle:
        text = encode_like(text, link.raw)
    return text


def _shortest(target: str, note_rel: str, dest: str, index: VaultIndex, keep_md: bool) -> str:
    parts = dest.split("/")
    named = max(1, len(target.strip("/").split("/")))
    for n in range(min(named, len(parts)), len(parts) + 1):
        text = "/".join(parts[-n:])
        if not keep_md:
            text = text[: -len(".md")]
        if index.unique_wiki(text, note_rel, dest):
            return text
    return dest if keep_md else dest[: -len(".md")]
