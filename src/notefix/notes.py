"""Notes as bytes on disk <-> text the engine repairs, byte-exact outside the edits.

A note's regions (frontmatter scalars, prose, code, link targets) tell the fixers where
they may act.

Reading keeps everything needed to write the note back exactly: text is decoded without
newline translation (``bytes.decode`` never translates), so CRLF, lone CR, mixed endings,
a missing final newline, trailing spaces and tabs all survive as characters; a BOM is kept
apart and written back. Every decoding is checked to round-trip to the same bytes before
it is used, so encoding the untouched text reproduces the untouched bytes.
"""

from __future__ import annotations

import codecs
import functools
import re
import tomllib
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from notefix.edits import Edit, apply_edits, compose
from notefix.markdown import (
    Region,
    RegionKind,
    compose_yaml,
    frontmatter,
    frontmatter_scalars,
    regions,
)
from notefix.settings import DEFAULT, Settings


class NoteError(ValueError):
    """A note that cannot be handled (binary, undecodable, unparsable after a fix)."""


# --- encodings ---------------------------------------------------------------------

# UTF-32 LE's BOM begins with UTF-16 LE's, so it is tried first.
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
)
UNICODE_ENCODINGS = frozenset({"utf-8", *(label for _, label, _ in _BOMS)})
"""Encoding labels of Unicode notes. ``utf-8-sig`` is UTF-8 with a BOM; UTF-16 and UTF-32
notes are only read with a BOM, so their labels always imply one."""

# Legacy code pages a note may be stored in. charset-normalizer is confined to these
# because, left free, it reads short single-byte texts as UTF-16 or Big5.
LEGACY_ENCODINGS: tuple[str, ...] = (
    "cp1252",
    "cp1251",
    "cp1250",
    "cp1253",
    "cp1254",
    "cp1257",
    "cp1255",
    "cp1256",
    "cp1258",
    "koi8_r",
    "koi8_u",
    "cp866",
    "mac_roman",
    "cp437",
    "cp850",
    "iso8859_2",
    "iso8859_5",
    "iso8859_7",
    "iso8859_15",
    "latin_1",
)

# Signatures of binary formats that end up renamed to .md (images, PDFs, archives).
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"RIFF", "a RIFF file (WebP image, WAV audio)"),
    (b"\x7fELF", "an executable"),
)

_C0_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f]")


def _codec_and_bom(label: str) -> tuple[str, bytes]:
    for bom, name, codec in _BOMS:
        if name == label:
            return codec, bom
    return label, b""


@dataclass(frozen=True, slots=True)
class Note:
    """A note's text and how it was stored."""

    text: str
    """Decoded without newline translation and without the BOM."""
    encoding: str
    """``utf-8``, ``utf-8-sig`` (with BOM), ``utf-16-le``/``-be`` and ``utf-32-le``/``-be``
    (always with BOM), or a legacy Python codec name such as ``cp1252``."""
    newline: str
    """``"\\n"``, ``"\\r\\n"``, ``"\\r"``, ``"mixed"``, or ``""`` when there is no line break."""
    final_newline: bool

    @property
    def bom(self) -> bytes:
        return _codec_and_bom(self.encoding)[1]

    @property
    def legacy(self) -> bool:
        return self.encoding not in UNICODE_ENCODINGS

    def encode(self, text: str, encoding: str | None = None) -> bytes:
        """``text`` as this note's bytes (BOM included), or in ``encoding`` if given."""
        return encode_text(text, encoding or self.encoding)


def encode_text(text: str, encoding: str) -> bytes:
    """``text`` in an encoding label as used by ``Note.encoding`` (BOM included)."""
    codec, bom = _codec_and_bom(encoding)
    return bom + text.encode(codec)


def _newline_style(text: str) -> str:
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    present = [nl for nl, n in (("\n", lf), ("\r\n", crlf), ("\r", cr)) if n]
    if len(present) > 1:
        return "mixed"
    return present[0] if present else ""


def read_note(data: bytes) -> Note:
    """Decode a note's bytes; raises ``NoteError`` with a reason for binary or
    undecodable data."""
    text, encoding = _decode(data)
    if text and len(_C0_CONTROLS.findall(text)) > max(2, len(text) // 100):
        raise NoteError("binary file: too many control characters to be a note")
    return Note(text, encoding, _newline_style(text), text.endswith(("\n", "\r")))


def _decode(data: bytes) -> tuple[str, str]:
    for bom, label, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError as err:
                raise NoteError(f"not valid {label} despite its byte order mark: {err}") from err
            return text, label
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise NoteError(f"binary file: {what}")
    if b"\x00" in data:
        raise NoteError("binary file: contains NUL bytes (or UTF-16/32 without a byte order mark)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    encoding = _guess_legacy(data)
    if encoding is None:
        raise NoteError("not UTF-8, and no legacy encoding reads it as text")
    return data.decode(encoding), encoding


def _guess_legacy(data: bytes) -> str | None:
    """The legacy code page that reads ``data`` best.

    charset-normalizer proposes; the candidates are ranked by how many of their non-ASCII
    words are real words (wordfreq) and how few mix scripts, because on short notes
    charset-normalizer alone often picks a neighbour (cp1257 or ISO 8859-15 for a French
    cp1252 note). Ties go to the more widely used code page (``LEGACY_ENCODINGS`` order).
    """
    from charset_normalizer import from_bytes

    proposed = {
        codecs.lookup(m.encoding).name
        for m in from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS))
    }
    # charset-normalizer rejects texts it finds too messy, and a legacy note that holds
    # mojibake (UTF-8 read as cp1252, then saved as cp1252) is exactly that: then every
    # code page is a candidate, and the word check decides.
    candidates = []
    for rank, name in enumerate(LEGACY_ENCODINGS):
        codec = codecs.lookup(name).name
        if proposed and codec not in proposed:
            continue
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if text.encode(codec) != data:
            continue
        candidates.append((-_word_score(text), rank, codec))
    if not candidates:
        return None
    return min(candidates)[2]


_WORD = re.compile(r"\w+")


@functools.cache
def _wordlists() -> tuple[dict[str, float], ...]:
    import wordfreq

    langs = sorted(wordfreq.available_languages("small"))
    return tuple(wordfreq.get_frequency_dict(lang, "small") for lang in langs)


def _word_score(text: str) -> int:
    """Real non-ASCII words found in the text, less words that mix scripts (``cafأ``:
    what a wrong code page makes of a Latin word) and C1 control characters."""
    words = {w.lower() for w in _WORD.findall(text) if not w.isascii() and not w.isdigit()}
    sample = sorted(words)[:300]
    lists = _wordlists()
    known = sum(1 for w in sample if any(w in freq for freq in lists))
    mixed = sum(1 for w in sample if len(_scripts(w)) > 1)
    # A code page that leaves C1 controls (latin-1 for cp1252's punctuation) misreads.
    controls = sum(1 for ch in text if "\x80" <= ch <= "\x9f")
    return known - 2 * mixed - controls


def _scripts(word: str) -> set[str]:
    # The first word of a letter's Unicode name is its script (LATIN, CYRILLIC, ARABIC...).
    return {unicodedata.name(ch, "?").split(" ")[0] for ch in word if ch.isalpha()}


# --- which fixes may act where -----------------------------------------------------

# Mojibake in a link target or URL is the same damage as in the text around it: the
# author wrote the repaired form, so repairing restores the link (a mangled IRI already
# points nowhere), and vault renames repair file names the same way.
_REPAIR_KINDS: frozenset[RegionKind] = frozenset(
    {"prose", "frontmatter-scalar", "frontmatter-comment", "link-target", "url"}
)
# Normalization stays out of link targets and URLs: a link must keep matching a name on
# disk or a server byte for byte, and names are normalized (if at all) by vault renames.
_NORMALIZE_KINDS: frozenset[RegionKind] = frozenset(
    {"prose", "frontmatter-scalar", "frontmatter-comment"}
)


def repair_kinds(settings: Settings) -> frozenset[RegionKind]:
    """Regions where mojibake repair may change text."""
    return _REPAIR_KINDS | ({"code"} if settings.repair_code else set())


def normalize_kinds(settings: Settings) -> frozenset[RegionKind]:
    """Regions where Unicode normalization may change text."""
    return _NORMALIZE_KINDS | ({"code"} if settings.normalize_code else set())


def _kinds_touched(spans: Sequence[Region], starts: list[int], edit: Edit) -> set[RegionKind]:
    """Kinds of region an edit changes. An insertion changes both regions it touches
    (inserting at the start of a URL lengthens the URL)."""
    if not spans:
        return set()
    if edit.start == edit.end:
        i = bisect_right(starts, edit.start) - 1
        kinds = {spans[max(i, 0)].kind}
        if i > 0 and spans[i].start == edit.start:
            kinds.add(spans[i - 1].kind)
        return kinds
    first = bisect_right(starts, edit.start) - 1
    kinds = set()
    for region in spans[max(first, 0) :]:
        if region.start >= edit.end:
            break
        kinds.add(region.kind)
    return kinds


def filter_edits(
    text: str,
    edits: Iterable[Edit],
    allowed: frozenset[RegionKind],
    spans: Sequence[Region] | None = None,
) -> tuple[tuple[Edit, ...], tuple[Edit, ...]]:
    """(kept, held back): edits that change only regions of an ``allowed`` kind, and the
    others, whose reason then says where they fell. An edit is kept or held back whole."""
    edits = tuple(edits)
    if not edits:
        # Most notes need nothing: do not parse their Markdown and frontmatter for it.
        return (), ()
    spans = regions(text) if spans is None else spans
    starts = [r.start for r in spans]
    kept: list[Edit] = []
    held: list[Edit] = []
    for edit in edits:
        bad = _kinds_touched(spans, starts, edit) - allowed
        if not bad:
            kept.append(edit)
        else:
            where = ", ".join(sorted(bad))
            held.append(
                Edit(
                    edit.start,
                    edit.end,
                    edit.replacement,
                    f"{edit.reason} (not applied: inside {where})",
                    edit.confidence,
                    edit.alternatives,
                )
            )
    return tuple(kept), tuple(held)


# --- frontmatter checks ------------------------------------------------------------

# What a frontmatter edit may not bring in: line breaks (YAML also breaks on NEL and the
# Unicode separators), the characters that end or escape a quoted string, and the ones
# that change the meaning of a plain YAML scalar (comment, mapping, flow collections).
_FRONTMATTER_SPECIALS = "\r\n\x85\u2028\u2029\"'\\#:,[]{}&*!|>%@`"


def _introduced_special(edit: Edit, before: str) -> str | None:
    old = before[edit.start : edit.end]
    for ch in _FRONTMATTER_SPECIALS:
        if edit.replacement.count(ch) > old.count(ch):
            return ch
    return None


def check_frontmatter(before: str, after: str, edits: Sequence[Edit]) -> str | None:
    """Why ``after`` (``before`` with ``edits`` applied) has damaged frontmatter, or
    ``None`` when its frontmatter still parses to the same structure (same keys in the
    same order, same types, same non-string values) with only edited strings changed."""
    fm_before = frontmatter(before)
    fm_after = frontmatter(after)
    if fm_before is None:
        if fm_after is not None:
            return "the fix would turn the start of the note into frontmatter"
        return None
    if fm_after is None:
        return "the fix would break the frontmatter fences"
    inside = [e for e in edits if e.start < fm_before.end]
    if not inside:
        return None
    scalars = frontmatter_scalars(before, fm_before) or []
    for edit in inside:
        in_value = any(s.start <= edit.start and edit.end <= s.end for s in scalars)
        if not in_value and not _in_comment(before, edit):
            return f"an edit at {edit.start} changes frontmatter syntax, not a value"
        special = _introduced_special(edit, before)
        if special is not None:
            return f"an edit would put {special!r} into a frontmatter value ({edit.reason})"
    body_before = before[fm_before.body_start : fm_before.body_end]
    body_after = after[fm_after.body_start : fm_after.body_end]
    if fm_before.kind == "yaml":
        return _check_yaml(body_before, body_after)
    return _check_toml(body_before, body_after)


def _in_comment(text: str, edit: Edit) -> bool:
    kinds = {
        r.kind
        for r in regions(text)
        if r.start < max(edit.end, edit.start + 1) and r.end > edit.start
    }
    return kinds == {"frontmatter-comment"}


def _check_yaml(body_before: str, body_after: str) -> str | None:
    try:
        node_before = compose_yaml(body_before)
    except yaml.YAMLError:
        return "the frontmatter does not parse as YAML, so a change inside it cannot be checked"
    try:
        node_after = compose_yaml(body_after)
    except yaml.YAMLError as err:
        problem = str(err).splitlines()[0]
        return f"the fix would make the YAML frontmatter unparsable ({problem})"
    return _same_yaml(node_before, node_after, "frontmatter")


def _same_yaml(a: yaml.Node | None, b: yaml.Node | None, path: str) -> str | None:
    if a is None or b is None:
        return None if a is b else f"{path}: the fix would empty or fill the frontmatter"
    if type(a) is not type(b) or a.tag != b.tag:
        return f"{path}: the fix would change a value's type ({a.tag} -> {b.tag})"
    if isinstance(a, yaml.ScalarNode) and isinstance(b, yaml.ScalarNode):
        if a.style != b.style:
            return f"{path}: the fix would change how a value is quoted"
        if a.tag != "tag:yaml.org,2002:str" and a.value != b.value:
            return f"{path}: the fix would change a {a.tag.rsplit(':', 1)[-1]} value"
        return None
    if isinstance(a, yaml.SequenceNode):
        if len(a.value) != len(b.value):
            return f"{path}: the fix would change the length of a list"
        for i, (x, y) in enumerate(zip(a.value, b.value, strict=True)):
            problem = _same_yaml(x, y, f"{path}[{i}]")
            if problem:
                return problem
        return None
    if isinstance(a, yaml.MappingNode):
        keys_a = [_key(k) for k, _ in a.value]
        keys_b = [_key(k) for k, _ in b.value]
        if keys_a != keys_b:
            return f"{path}: the fix would change the keys or their order"
        for (ka, va), (_kb, vb) in zip(a.value, b.value, strict=True):
            problem = _same_yaml(va, vb, f"{path}.{_key(ka)}")
            if problem:
                return problem
    return None


def _key(node: yaml.Node) -> str:
    return f"{node.tag}:{node.value}" if isinstance(node, yaml.ScalarNode) else repr(node)


def _check_toml(body_before: str, body_after: str) -> str | None:
    try:
        data_before = tomllib.loads(body_before)
    except tomllib.TOMLDecodeError:
        return "the frontmatter does not parse as TOML, so a change inside it cannot be checked"
    try:
        data_after = tomllib.loads(body_after)
    except tomllib.TOMLDecodeError as err:
        return f"the fix would make the TOML frontmatter unparsable ({err})"
    return _same_toml(data_before, data_after, "frontmatter")


def _same_toml(a: Any, b: Any, path: str) -> str | None:
    if type(a) is not type(b):
        return f"{path}: the fix would change a value's type"
    if isinstance(a, dict):
        if list(a) != list(b):
            return f"{path}: the fix would change the keys or their order"
        for key in a:
            problem = _same_toml(a[key], b[key], f"{path}.{key}")
            if problem:
                return problem
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: the fix would change the length of a list"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            problem = _same_toml(x, y, f"{path}[{i}]")
            if problem:
                return problem
        return None
    if not isinstance(a, str) and a != b:
        return f"{path}: the fix would change a non-string value"
    return None


# --- the fix -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NoteFix:
    original: bytes
    data: bytes
    """The new bytes; equal to ``original`` when nothing changed or the note was skipped
    (``with_edits`` may still add edits to a skipped note that was decoded)."""
    text_before: str
    text_after: str
    edits: tuple[Edit, ...]
    """Over ``text_before``; applying them gives ``text_after``."""
    encoding_before: str
    """A ``Note.encoding`` label; ``""`` when the note could not be decoded."""
    encoding_after: str
    skipped: str | None = None
    """Why the note was left alone, if it was."""
    held_back: tuple[Edit, ...] = ()
    """Repairs found but not applied because of where they fall (code when
    ``repair_code`` is off, frontmatter keys and syntax); over ``text_before``, each
    reason says where."""
    settings: Settings = field(default=DEFAULT, compare=False, repr=False)
    unsure: tuple[Edit, ...] = ()
    """Lost-byte runs left as written because no reading reached the threshold
    (``Repair.unsure``), over ``text_before``; never applied."""

    @property
    def changed(self) -> bool:
        return self.data != self.original

    def with_edits(self, more: Sequence[Edit]) -> NoteFix:
        """This fix followed by ``more`` (edits over ``text_after``, e.g. link updates).

        Raises ``NoteError`` when the note was never decoded, or when ``more`` would
        damage the frontmatter or cannot be written in the note's encoding.
        """
        if not self.encoding_before:
            raise NoteError(self.skipped or "the note could not be decoded")
        if not more:
            return self
        edits = compose(self.text_before, self.edits, more)
        text_after = apply_edits(self.text_after, more)
        problem = check_frontmatter(self.text_before, text_after, edits)
        if problem is not None:
            raise NoteError(problem)
        data, encoding, problem = _encode(
            self.original, self.encoding_before, text_after, bool(edits), self.settings
        )
        if problem is not None:
            raise NoteError(problem)
        return replace(self, data=data, text_after=text_after, edits=edits, encoding_after=encoding)


def _encode(
    original: bytes, encoding: str, text: str, edited: bool, settings: Settings
) -> tuple[bytes, str, str | None]:
    """(bytes, encoding label, problem) for the fixed text."""
    if not edited:
        return original, encoding, None
    target = encoding
    if encoding not in UNICODE_ENCODINGS and settings.convert_to_utf8:
        target = "utf-8"
    try:
        return encode_text(text, target), target, None
    except UnicodeEncodeError as err:
        bad = text[err.start : err.end]
        return (
            original,
            encoding,
            f"the fixed text has {bad!r}, which {encoding} cannot store (convert_to_utf8 is off)",
        )


def fix_note(data: bytes, settings: Settings = DEFAULT) -> NoteFix:
    """Repair and normalize one note held in memory.

    Never raises for a bad note: a binary or undecodable note, or a fix that would damage
    the frontmatter or cannot be encoded, comes back with ``skipped`` set and ``data`` equal
    to ``data``.
    """
    from notefix.mojibake import repair
    from notefix.unicode import normalize

    try:
        note = read_note(data)
    except NoteError as err:
        return NoteFix(data, data, "", "", (), "", "", str(err), settings=settings)
    text = note.text
    repairs: tuple[Edit, ...] = ()
    held: tuple[Edit, ...] = ()
    unsure: tuple[Edit, ...] = ()
    if settings.repair:
        found = repair(text, settings)
        repairs, held = filter_edits(text, found.edits, repair_kinds(settings))
        unsure, _ = filter_edits(text, found.unsure, repair_kinds(settings))
        if settings.repair_code and repairs:
            # Mojibake found only inside code, in a note whose prose is clean, is far more
            # likely quoted on purpose (an example of the damage) than damage itself.
            prose, in_code = filter_edits(text, repairs, repair_kinds(settings) - {"code"})
            if not prose:
                repairs, held = (), held + in_code
    middle = apply_edits(text, repairs)
    normalized: tuple[Edit, ...] = ()
    if settings.normalize:
        # Normalization edits are over the repaired text, so its regions are recomputed;
        # the ones a region forbids are policy, not findings, and are not reported.
        found = normalize(middle, settings)
        normalized, _ = filter_edits(middle, found.edits, normalize_kinds(settings))
    edits = compose(text, repairs, normalized)
    unchanged = NoteFix(
        data, data, text, text, (), note.encoding, note.encoding, None, held, settings, unsure
    )
    if not edits:
        return unchanged
    text_after = apply_edits(text, edits)
    problem = check_frontmatter(text, text_after, edits)
    if problem is not None:
        return replace(unchanged, skipped=problem)
    new, encoding, problem = _encode(data, note.encoding, text_after, True, settings)
    if problem is not None:
        return replace(unchanged, skipped=problem)
    return NoteFix(
        data, new, text, text_after, edits, note.encoding, encoding, None, held, settings, unsure
    )
