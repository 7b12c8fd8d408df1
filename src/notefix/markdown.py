"""Markdown structure the fixers need to know: frontmatter, code, links.

Pure functions over a note's text; offsets are ``str`` indices (code points) into the
text exactly as decoded, line endings untranslated (``\\n``, ``\\r\\n`` and ``\\r`` all end a
line, as in CommonMark; ``\\x85``, U+2028 and form feeds do not).

Why a hand-written scanner rather than a Markdown library: the pipeline needs exact
character offsets of code spans, link targets and frontmatter scalars, so that edits can
be kept out of them. markdown-it-py and mistune give block line maps at best and nothing
for inline tokens, and they normalize line endings before parsing, so offsets would have to
be reconstructed anyway. The scanner below follows the CommonMark rules that decide what
is code (fences, indentation, backtick runs) and the Obsidian/GFM rules for links, and
errs toward calling something code or a URL, since that only means a fix is held back.
Frontmatter scalars are located with PyYAML's composer, whose marks are character offsets
(YAML), or with a small string tokenizer (TOML, as ``tomllib`` gives no positions).

Known simplifications: container blocks (lists, block quotes) are tracked only as far
as they decide whether an indented line is code; HTML blocks and inline HTML are prose;
link reference definitions are recognised only at the start of a line.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, get_args

import yaml

FrontmatterKind = Literal["yaml", "toml"]
RegionKind = Literal[
    "frontmatter-syntax",
    "frontmatter-scalar",
    "frontmatter-comment",
    "prose",
    "code",
    "link-target",
    "url",
]
LinkKind = Literal["wikilink", "embed", "link", "image", "reference", "autolink", "url"]

REGION_KINDS: tuple[RegionKind, ...] = get_args(RegionKind)


@dataclass(frozen=True, slots=True)
class Frontmatter:
    """A frontmatter block: ``text[start:end]`` including both fence lines and the line
    ending after the closing fence; ``text[body_start:body_end]`` is what lies between."""

    kind: FrontmatterKind
    start: int
    end: int
    body_start: int
    body_end: int


@dataclass(frozen=True, slots=True)
class Link:
    """A link in the text: ``text[start:end]`` is the whole link, ``text[target_start:
    target_end]`` the part that names what it points to (a URL, a path, a note name)."""

    kind: LinkKind
    start: int
    end: int
    target_start: int
    target_end: int

    def target(self, text: str) -> str:
        return text[self.target_start : self.target_end]


@dataclass(frozen=True, slots=True)
class Region:
    start: int
    end: int
    kind: RegionKind


@dataclass(frozen=True, slots=True)
class Scalar:
    """A frontmatter string value's source span (quotes excluded) and how it is written.

    ``style`` is the opening delimiter: for YAML None (plain), a single or double quote,
    ``|`` or ``>``; for TOML one or three single or double quotes.
    """

    start: int
    end: int
    style: str | None
    value: str | None
    """The parsed value when known (YAML); ``None`` for TOML."""


# --- lines -------------------------------------------------------------------------

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")


def lines(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int, int]]:
    """(line start, content end, line end) for each line of ``text[start:end]``; the
    content excludes the line ending, the line end includes it."""
    stop = len(text) if end is None else end
    pos = start
    while pos < stop:
        m = _LINE.match(text, pos, stop)
        assert m is not None  # the pattern matches the empty string
        line_end = m.end()
        content_end = line_end
        while content_end > pos and text[content_end - 1] in "\r\n":
            content_end -= 1
        yield pos, content_end, line_end
        pos = line_end


# --- frontmatter -------------------------------------------------------------------

_FENCES: dict[str, FrontmatterKind] = {"---": "yaml", "+++": "toml"}


def frontmatter(text: str) -> Frontmatter | None:
    """The frontmatter block at the very start of ``text``, if it has one: ``---`` fences
    (YAML; ``...`` also closes) or ``+++`` fences (TOML). Trailing spaces after a fence are
    allowed; a block that is never closed is not frontmatter."""
    first = next(lines(text), None)
    if first is None:
        return None
    fence = text[first[0] : first[1]].rstrip(" \t")
    kind = _FENCES.get(fence)
    if kind is None:
        return None
    closers = ("---", "...") if kind == "yaml" else ("+++",)
    for line_start, content_end, line_end in lines(text, first[2]):
        if text[line_start:content_end].rstrip(" \t") in closers:
            return Frontmatter(kind, 0, line_end, first[2], line_start)
    return None


# PyYAML refuses these characters outright (its Reader.NON_PRINTABLE); mojibake often holds
# C1 controls, so they are masked one for one to keep every offset while composing.
_YAML_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def compose_yaml(body: str) -> yaml.Node | None:
    """PyYAML's node tree for a YAML frontmatter body (characters PyYAML refuses are
    masked first). Raises ``yaml.YAMLError`` when it does not parse."""
    masked = _YAML_NON_PRINTABLE.sub("\ufffd", body)
    return yaml.compose(masked, Loader=yaml.SafeLoader)


def _yaml_scalars(node: yaml.Node | None, out: list[tuple[yaml.ScalarNode, bool]]) -> None:
    if isinstance(node, yaml.ScalarNode):
        out.append((node, False))
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _yaml_scalars(item, out)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                out.append((key, True))
            else:
                _yaml_scalars(key, out)
            _yaml_scalars(value, out)


def frontmatter_scalars(text: str, fm: Frontmatter) -> list[Scalar] | None:
    """The string values of a frontmatter block (mapping keys excluded), sorted, or
    ``None`` when the block does not parse."""
    body = text[fm.body_start : fm.body_end]
    if fm.kind == "toml":
        return _toml_scalars(text, fm)
    try:
        root = compose_yaml(body)
    except yaml.YAMLError:
        return None
    found: list[tuple[yaml.ScalarNode, bool]] = []
    _yaml_scalars(root, found)
    out: list[Scalar] = []
    seen: set[int] = set()
    for node, is_key in found:
        if is_key or node.tag != "tag:yaml.org,2002:str" or id(node) in seen:
            continue
        seen.add(id(node))  # an alias repeats its anchor's node
        start, end = node.start_mark.index, node.end_mark.index
        if node.style in ("'", '"'):
            start, end = start + 1, end - 1
        elif node.style in ("|", ">"):
            # The header line (indicator, chomping, comment) is syntax; content follows.
            nl = body.find("\n", start)
            start = end if nl < 0 else min(nl + 1, end)
        out.append(Scalar(fm.body_start + start, fm.body_start + end, node.style, node.value))
    out.sort(key=lambda s: s.start)
    return out


_TOML_STRING = re.compile(r'"""|\'\'\'|"|\'')


def _toml_scalars(text: str, fm: Frontmatter) -> list[Scalar] | None:
    """String tokens in a TOML body that are values (not keys or table names)."""
    import tomllib

    body = text[fm.body_start : fm.body_end]
    try:
        tomllib.loads(body)
    except tomllib.TOMLDecodeError:
        return None
    out: list[Scalar] = []
    pos = 0
    while pos < len(body):
        ch = body[pos]
        if ch == "#":
            nl = body.find("\n", pos)
            pos = len(body) if nl < 0 else nl
            continue
        m = _TOML_STRING.match(body, pos)
        if m is None:
            pos += 1
            continue
        quote = m.group()
        inner = pos + len(quote)
        close = inner
        while True:
            close = body.find(quote, close)
            if close < 0:
                return None
            if quote in ('"', '"""') and _escaped(body, close):
                close += 1
                continue
            break
        if len(quote) == 3:
            # A multi-line string may end with up to two extra quote characters.
            while body.startswith(quote[0], close + 3) and close + 3 < len(body):
                close += 1
        after = body[close + len(quote) :].lstrip(" \t")
        line_start = body.rfind("\n", 0, pos) + 1
        is_key = after[:1] in ("=", ".") or body[line_start:pos].lstrip(" \t")[:1] == "["
        if not is_key:
            out.append(Scalar(fm.body_start + inner, fm.body_start + close, quote, None))
        pos = close + len(quote)
    return out


def _escaped(text: str, pos: int) -> bool:
    backslashes = 0
    while pos - backslashes - 1 >= 0 and text[pos - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def _frontmatter_comments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Comments in a stretch of frontmatter that holds no scalar: ``#`` at the start of
    the stretch's line or after whitespace, to the end of the line."""
    out: list[tuple[int, int]] = []
    pos = start
    while True:
        pos = text.find("#", pos, end)
        if pos < 0:
            return out
        if pos == 0 or text[pos - 1] in " \t\r\n":
            stop = pos
            while stop < end and text[stop] not in "\r\n":
                stop += 1
            out.append((pos, stop))
            pos = stop
        else:
            pos += 1


# --- code --------------------------------------------------------------------------

_FENCE_OPEN = re.compile(r"(`{3,}|~{3,})(.*)")
_LIST_MARKER = re.compile(r"([-+*]|\d{1,9}[.)])([ \t]+|$)")
_BLOCK_START = re.compile(
    r"#{1,6}(?:[ \t]|$)|(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$"
)
_QUOTE_PREFIX = re.compile(r"(?:[ ]{0,3}>[ ]?)+")


def _indent(line: str) -> tuple[int, int]:
    """(columns, characters) of a line's leading whitespace; a tab advances to the next
    multiple of four columns, as in CommonMark."""
    cols = 0
    chars = 0
    for ch in line:
        if ch == " ":
            cols += 1
        elif ch == "\t":
            cols += 4 - cols % 4
        else:
            break
        chars += 1
    return cols, chars


def _block_code(text: str, start: int) -> list[tuple[int, int]]:
    """Fenced and indented code blocks after ``start`` (whole lines, fences included)."""
    out: list[tuple[int, int]] = []
    fence: tuple[str, int, int] | None = None  # (char, length, block start)
    in_paragraph = False
    list_indent: int | None = None
    prev_blank = True
    for line_start, content_end, line_end in lines(text, start):
        raw = text[line_start:content_end]
        quoted = _QUOTE_PREFIX.match(raw)
        line = raw[quoted.end() :] if quoted else raw
        cols, chars = _indent(line)
        rest = line[chars:]
        if fence is not None:
            char, length, block_start = fence
            closer = rest.rstrip(" \t")
            closes = closer and set(closer) == {char} and len(closer) >= length
            if closes and cols < 4 + (list_indent or 0):
                out.append((block_start, line_end))
                fence = None
            continue
        if not rest.strip(" \t"):
            prev_blank = True
            in_paragraph = False
            continue
        parent = 0
        if list_indent is not None:
            if cols >= list_indent:
                parent = list_indent
                cols -= list_indent
            elif prev_blank:
                list_indent = None
        if cols >= 4 and not in_paragraph:
            out.append((line_start, line_end))
            prev_blank = False
            continue
        opener = _FENCE_OPEN.match(rest)
        marker = _LIST_MARKER.match(rest) if cols < 4 else None
        if marker is not None:
            gap = len(marker.group(2))
            width = len(marker.group(1)) + (gap if 1 <= gap <= 4 else 1)
            # A nested item counts from its parent's content column.
            list_indent = parent + cols + width
            opener = _FENCE_OPEN.match(rest[marker.end() :])
        if opener is not None and not (opener.group(1)[0] == "`" and "`" in opener.group(2)):
            fence = (opener.group(1)[0], len(opener.group(1)), line_start)
            in_paragraph = False
        else:
            in_paragraph = marker is not None or not _BLOCK_START.match(rest)
        prev_blank = False
    if fence is not None:
        out.append((fence[2], len(text)))  # an unclosed fence runs to the end
    return _merge(out)


def _gaps(spans: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    pos = start
    for s, e in spans:
        if s > pos:
            out.append((pos, s))
        pos = max(pos, e)
    if pos < end:
        out.append((pos, end))
    return out


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


_BACKTICKS = re.compile(r"`+")
_BLANK_LINE = re.compile(r"(?:\r\n|\r|\n)[ \t]*(?:\r\n|\r|\n)")


def _paragraphs(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Stretches of ``text[start:end]`` between blank lines (inline spans never cross one)."""
    pos = start
    for m in _BLANK_LINE.finditer(text, start, end):
        yield pos, m.start() + 1
        pos = m.end() - 1
    yield pos, end


def _inline_code(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Inline code spans in ``text[start:end]`` (backtick runs included): a run of n
    backticks is closed by the next run of exactly n; a backslash outside code escapes."""
    out: list[tuple[int, int]] = []
    for p_start, p_end in _paragraphs(text, start, end):
        pos = p_start
        while True:
            m = _BACKTICKS.search(text, pos, p_end)
            if m is None:
                break
            if _escaped(text, m.start()):
                # "\`" is a literal backtick; the rest of the run may still open a span.
                pos = m.start() + 1
                if m.end() - m.start() == 1:
                    continue
                m = _BACKTICKS.match(text, pos, p_end)
                if m is None:
                    continue
            run = m.end() - m.start()
            close = m.end()
            found = False
            while True:
                c = _BACKTICKS.search(text, close, p_end)
                if c is None:
                    break
                if c.end() - c.start() == run:
                    out.append((m.start(), c.end()))
                    pos = c.end()
                    found = True
                    break
                close = c.end()
            if not found:
                pos = m.end()
    return out


def code_spans(text: str) -> list[tuple[int, int]]:
    """Spans of fenced code blocks, indented code blocks and inline code, sorted.

    Blocks are whole lines including their fences; inline spans include their backticks.
    Frontmatter is never code.
    """
    fm = frontmatter(text)
    body_start = fm.end if fm else 0
    blocks = _block_code(text, body_start)
    inline: list[tuple[int, int]] = []
    for s, e in _gaps(blocks, body_start, len(text)):
        inline += _inline_code(text, s, e)
    return _merge(blocks + inline)


# --- links -------------------------------------------------------------------------

_WIKILINK = re.compile(r"(!?)\[\[([^\[\]\r\n]+?)\]\]")
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)>")
_BARE_URL = re.compile(r"(?<![\w/])(?:[A-Za-z][A-Za-z0-9+.\-]{1,31}://|www\.)[^\s<>]+")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]{1,31}:|www\.|//")
_REFERENCE = re.compile(r"[ ]{0,3}\[([^\]\r\n]+)\]:[ \t]*(<[^>\r\n]*>|\S+)")
_TRAILING_PUNCT = "?!.,:*_~'\""


def _trim_url(text: str, start: int, end: int) -> int:
    """GFM's extended autolink rule: trailing punctuation and unbalanced ')' are not
    part of a bare URL."""
    while end > start:
        last = text[end - 1]
        unbalanced = last == ")" and text.count("(", start, end) < text.count(")", start, end)
        if last not in _TRAILING_PUNCT and not unbalanced:
            break
        end -= 1
    return end


def is_url(target: str) -> bool:
    """Whether a link target points outside the vault (has a scheme, ``www.`` or ``//``)."""
    return _SCHEME.match(target) is not None


def _markdown_link(text: str, open_at: int, end: int) -> Link | None:
    """``[text](dest "title")`` or ``![alt](dest)`` whose ``[`` is at ``open_at``."""
    depth = 0
    pos = open_at
    while pos < end:
        ch = text[pos]
        if ch == "\\":
            pos += 2
            continue
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                break
        elif ch in "\r\n" and _BLANK_LINE.match(text, pos):
            return None
        pos += 1
    else:
        return None
    if pos + 1 >= end or text[pos + 1] != "(":
        return None
    dest = pos + 2
    while dest < end and text[dest] in " \t":
        dest += 1
    if dest < end and text[dest] == "<":
        close = text.find(">", dest + 1, end)
        if close < 0 or any(c in "\r\n" for c in text[dest:close]):
            return None
        target = (dest + 1, close)
        after = close + 1
    else:
        stop = dest
        parens = 0
        while stop < end and not text[stop].isspace():
            ch = text[stop]
            if ch == "\\":
                stop += 2
                continue
            if ch == "(":
                parens += 1
            elif ch == ")":
                if parens == 0:
                    break
                parens -= 1
            stop += 1
        stop = min(stop, end)
        target = (dest, stop)
        after = stop
    close_paren = _find_link_close(text, after, end)
    if close_paren is None:
        return None
    image = open_at > 0 and text[open_at - 1] == "!" and not _escaped(text, open_at - 1)
    start = open_at - 1 if image else open_at
    return Link("image" if image else "link", start, close_paren + 1, *target)


def _find_link_close(text: str, pos: int, end: int) -> int | None:
    """The ``)`` that ends a link after its destination, skipping an optional title."""
    while pos < end and text[pos] in " \t\r\n":
        pos += 1
    if pos < end and text[pos] in "\"'(":
        closer = ")" if text[pos] == "(" else text[pos]
        pos += 1
        while pos < end and (text[pos] != closer or _escaped(text, pos)):
            pos += 1
        pos += 1
        while pos < end and text[pos] in " \t\r\n":
            pos += 1
    if pos < end and text[pos] == ")":
        return pos
    return None


def _links_in(text: str, start: int, end: int) -> list[Link]:
    out: list[Link] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= ts or s >= te for ts, te in taken)

    def add(link: Link) -> None:
        out.append(link)
        taken.append((link.start, link.end))

    for m in _WIKILINK.finditer(text, start, end):
        inner = m.group(2)
        pipe = inner.find("|")
        target_end = m.start(2) + (pipe if pipe >= 0 else len(inner))
        add(Link("embed" if m.group(1) else "wikilink", m.start(), m.end(), m.start(2), target_end))
    for ls, ce, _le in lines(text, start, end):
        ref = _REFERENCE.match(text, ls, ce)
        if ref and free(ref.start(), ref.end()):
            t0, t1 = ref.start(2), ref.end(2)
            if text[t0] == "<":
                t0, t1 = t0 + 1, t1 - 1
            add(Link("reference", ref.start(), ref.end(), t0, t1))
    pos = start
    while True:
        pos = text.find("[", pos, end)
        if pos < 0:
            break
        if _escaped(text, pos) or not free(pos, pos + 1):
            pos += 1
            continue
        link = _markdown_link(text, pos, end)
        if link is not None and free(link.target_start, link.target_end):
            # Only the destination is taken: the link text may hold an image or a link.
            out.append(link)
            taken.append((link.target_start, link.target_end))
        pos += 1
    for m in _AUTOLINK.finditer(text, start, end):
        if free(m.start(), m.end()):
            add(Link("autolink", m.start(), m.end(), m.start(1), m.end(1)))
    for m in _BARE_URL.finditer(text, start, end):
        url_end = _trim_url(text, m.start(), m.end())
        if url_end > m.start() and free(m.start(), url_end):
            add(Link("url", m.start(), url_end, m.start(), url_end))
    out.sort(key=lambda link: (link.start, link.end))
    return out


def link_spans(text: str) -> list[Link]:
    """Links outside code and frontmatter: wikilinks and embeds (target: before ``|``),
    Markdown links and images (target: the destination), reference definitions,
    autolinks and bare URLs. Links nest (an image inside a link's text); each is listed."""
    fm = frontmatter(text)
    body_start = fm.end if fm else 0
    out: list[Link] = []
    for s, e in _gaps(code_spans(text), body_start, len(text)):
        out += _links_in(text, s, e)
    out.sort(key=lambda link: (link.start, link.end))
    return out


# --- regions -----------------------------------------------------------------------


def _target_kind(link: Link, text: str) -> RegionKind:
    if link.kind in ("autolink", "url") or is_url(link.target(text)):
        return "url"
    return "link-target"


def regions(text: str) -> list[Region]:
    """The whole text cut into kinds of region, sorted and contiguous.

    - ``frontmatter-syntax``: fences, keys, indicators, indentation, non-string values;
      all of a frontmatter block that does not parse
    - ``frontmatter-scalar``: a frontmatter string value (quotes excluded)
    - ``frontmatter-comment``: a YAML or TOML comment
    - ``code``: fenced and indented code blocks, inline code spans
    - ``url``: a link target that leaves the vault (scheme, ``www.``, autolinks, bare
      URLs), in the body or inside a frontmatter value
    - ``link-target``: a wikilink or embed target, a relative Markdown link destination
    - ``prose``: everything else, link texts and aliases included
    """
    marks: list[tuple[int, int, RegionKind]] = []
    fm = frontmatter(text)
    body_start = 0
    if fm is not None:
        body_start = fm.end
        scalars = frontmatter_scalars(text, fm)
        marks.append((fm.start, fm.end, "frontmatter-syntax"))
        if scalars is not None:
            for gap_start, gap_end in _gaps(
                [(s.start, s.end) for s in scalars], fm.body_start, fm.body_end
            ):
                for c_start, c_end in _frontmatter_comments(text, gap_start, gap_end):
                    marks.append((c_start, c_end, "frontmatter-comment"))
            for scalar in scalars:
                marks.append((scalar.start, scalar.end, "frontmatter-scalar"))
                for m in _BARE_URL.finditer(text, scalar.start, scalar.end):
                    url_end = _trim_url(text, m.start(), m.end())
                    marks.append((m.start(), url_end, "url"))
    code = code_spans(text)
    marks += [(s, e, "code") for s, e in code]
    for s, e in _gaps(code, body_start, len(text)):
        for link in _links_in(text, s, e):
            if link.target_end > link.target_start:
                marks.append((link.target_start, link.target_end, _target_kind(link, text)))
    return _paint(len(text), marks)


def _paint(length: int, marks: list[tuple[int, int, RegionKind]]) -> list[Region]:
    """Later marks override earlier ones; unmarked text is prose."""
    kinds: list[RegionKind] = ["prose"] * length
    for start, end, kind in marks:
        kinds[start:end] = [kind] * (end - start)
    out: list[Region] = []
    pos = 0
    for kind, run in itertools.groupby(kinds):
        end = pos + len(list(run))
        out.append(Region(pos, end, kind))
        pos = end
    return out
