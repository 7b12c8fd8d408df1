"""Unicode and emoji normalization as edits (NFC, malformed emoji sequences, junk).

Three passes, each producing cluster-aligned :class:`~notefix.edits.Edit` values that are
composed into one plan over the input:

1. **junk**: stray U+FEFF inside the text, C1 control characters, lone surrogates;
2. **emoji**: doubled or stray variation selectors, FE0F missing inside ZWJ sequences and
   keycaps, ZWJ sequences split by a stray space or a lost joiner, and, on request, the
   fully-qualified form of text-style emoji that sit among other emoji;
3. **NFC**: canonical composition, one edit per run that changes, never NFKC.

Emoji decisions come from the ``emoji`` package's data (emoji-test.txt qualification
status and emoji-variation-sequences.txt), grapheme clusters from ``regex``'s ``\\X`` and
normalization from ``unicodedata2``; nothing here is a hand-typed table. Every edit
replaces whole grapheme clusters of the text it was computed on, so a diff never shows
half an emoji.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

import emoji
import regex
import unicodedata2

from notefix.edits import Alternative, Edit, Repair, apply_edits, compose
from notefix.markdown import code_spans
from notefix.settings import DEFAULT, Settings

__all__ = ["normalize"]

BOM = "\ufeff"
VS15 = "\ufe0e"  # text presentation selector
VS16 = "\ufe0f"  # emoji presentation selector
ZWJ = "\u200d"
KEYCAP = "\u20e3"
SELECTORS = frozenset((VS15, VS16))

_GRAPHEME = regex.compile(r"\X")
# A surrogate pair held as two code points (e.g. from 'surrogatepass' decoding) is one
# character split in two, so it is rejoined rather than dropped.
_JUNK = re.compile(r"[\ud800-\udbff][\udc00-\udfff]|[\ufeff\x80-\x9f\ud800-\udfff]")
_JUNK_CHAR = re.compile(r"[\ufeff\x80-\x9f\ud800-\udfff]")

_FULLY_QUALIFIED = emoji.STATUS["fully_qualified"]
_UNQUALIFIED = emoji.STATUS["unqualified"]
_COMPONENT = emoji.STATUS["component"]


def _skeleton(seq: str) -> str:
    """A sequence without its presentation selectors and joiners: what survives when
    FE0F and ZWJ bytes are lost, and so the key under which a damaged sequence is found."""
    return seq.replace(VS16, "").replace(ZWJ, "")


def _char_class(chars: set[str]) -> str:
    return "".join(re.escape(c) for c in sorted(chars))


@dataclass(frozen=True, slots=True)
class _EmojiData:
    fully_qualified: frozenset[str]
    well_formed: frozenset[str]
    """Fully qualified sequences and components (skin tones, hair): fine as they stand."""
    by_skeleton: dict[str, str]
    """Skeleton -> the one fully qualified sequence with that skeleton."""
    selector_bases: frozenset[str]
    """Characters that take FE0E/FE0F (emoji-variation-sequences.txt, as the emoji
    package records it, plus the bases followed by FE0F inside its sequences: keycaps)."""
    parts: frozenset[str]
    """Skin tone and hair components, after which no selector belongs."""
    components: frozenset[str]
    """Text-style characters that need FE0F inside ZWJ sequences (♀ ♂ ❤ 🏳 ...)."""
    unqualified_singles: frozenset[str]
    starters: frozenset[str]
    """First code points of emoji sequences (non-ASCII), to tell emoji clusters apart."""
    sequence_chars: frozenset[str]
    """Every code point that occurs in an emoji sequence, selectors and joiners included."""
    longest: int
    candidates_keep: re.Pattern[str]
    candidates_qualify: re.Pattern[str]


@functools.cache
def _data() -> _EmojiData:
    status = {seq: info["status"] for seq, info in emoji.EMOJI_DATA.items()}
    fully = frozenset(s for s, st in status.items() if st == _FULLY_QUALIFIED)
    by_skeleton: dict[str, str] = {}
    ambiguous: set[str] = set()
    for seq in fully:
        key = _skeleton(seq)
        if key in by_skeleton:
            ambiguous.add(key)
        by_skeleton[key] = seq
    for key in ambiguous:
        # A skeleton shared by two sequences says nothing about which one was meant.
        del by_skeleton[key]
    bases = {seq[0] for seq, info in emoji.EMOJI_DATA.items() if info.get("variant")}
    bases |= {seq[i - 1] for seq in status for i in range(1, len(seq)) if seq[i] == VS16}
    # Text-style characters that need FE0F inside a ZWJ sequence: alone without it, next
    # to another emoji, they are the trace of a sequence whose FE0F and joiner were lost.
    components = {
        seq[i - 1]
        for seq in fully
        if len(seq.replace(VS16, "")) > 1
        for i in range(1, len(seq))
        if seq[i] == VS16 and not seq[i - 1].isascii()
    }
    parts = frozenset(s for s, st in status.items() if st == _COMPONENT)
    unqualified = frozenset(s for s, st in status.items() if len(s) == 1 and st == _UNQUALIFIED)
    marks = {VS15, VS16, ZWJ, KEYCAP} | components
    return _EmojiData(
        fully_qualified=fully,
        well_formed=fully | parts,
        by_skeleton=by_skeleton,
        selector_bases=frozenset(bases),
        parts=parts,
        components=frozenset(components),
        unqualified_singles=unqualified,
        starters=frozenset(s[0] for s in status if not s[0].isascii()),
        sequence_chars=frozenset(c for s in status for c in s if not c.isascii()),
        longest=max(len(s) for s in fully),
        candidates_keep=re.compile(f"[{_char_class(marks)}]"),
        candidates_qualify=re.compile(f"[{_char_class(marks | set(unqualified))}]"),
    )


def _suspicious(text: str, pos: int, data: _EmojiData, qualify: bool) -> int:
    """Where the first emoji trouble at or after ``pos`` is, or -1.

    A plain character class finds the few places worth a look (selectors, joiners,
    keycaps, text-style components); each is then checked against the data, so a note
    whose emoji are all well formed costs one regex scan and a handful of lookups.
    """
    candidates = data.candidates_qualify if qualify else data.candidates_keep
    for hit in candidates.finditer(text, pos):
        at = hit.start()
        char = text[at]
        after = text[at + 1 : at + 2]
        if char in SELECTORS:
            before = text[at - 1 : at]
            if before not in data.selector_bases or after in SELECTORS or after in data.parts:
                return at
        elif char in (ZWJ, KEYCAP):
            if not _sequence_ok(text, at, data):
                return at
        elif after not in SELECTORS:
            # An unqualified component (a lost FE0F), or under the policy a text-style
            # emoji that may need its FE0F.
            return at
    return -1


def _sequence_ok(text: str, at: int, data: _EmojiData) -> bool:
    """Whether the joiner or keycap at ``at`` sits in a fully qualified emoji sequence.

    The look is bounded by the longest sequence, so a long run of emoji costs no more per
    joiner than a short one; a cluster reaching the bound cannot be a known sequence.
    """
    reach = data.longest
    start = at
    while start > 0 and at - start < reach and text[start - 1] in data.sequence_chars:
        start -= 1
    if start > 0 and text[start] in (VS16, KEYCAP) and text[start - 1] in data.selector_bases:
        start -= 1  # the ASCII base of a keycap
    end = at + 1
    while end < len(text) and end - at < reach and text[end] in data.sequence_chars:
        end += 1
    cut_start = start > 0 and text[start - 1] in data.sequence_chars
    cut_end = end < len(text) and text[end] in data.sequence_chars
    return _window_ok(text[start:end], at - start, cut_start, cut_end)


@functools.lru_cache(maxsize=4096)
def _window_ok(window: str, at: int, cut_start: bool, cut_end: bool) -> bool:
    # Cached: a note repeats its few ZWJ sequences and keycaps many times.
    for m in _GRAPHEME.finditer(window):
        if m.start() <= at < m.end():
            if (cut_start and m.start() == 0) or (cut_end and m.end() == len(window)):
                return False
            return m.group() in _data().fully_qualified
    return False


def _nfc(text: str) -> str:
    # unicodedata2 rather than unicodedata: Python's own tables lag behind (14.0 on 3.11),
    # and characters it does not know would pass through unnormalized.
    composed: str = unicodedata2.normalize("NFC", text)
    return composed


def normalize(
    text: str,
    settings: Settings = DEFAULT,
    *,
    skip: Sequence[tuple[int, int]] | None = None,
) -> Repair:
    """Normalize ``text`` per ``settings``; every change is an explained Edit.

    ``skip`` lists spans to leave alone (start, end); when it is None and
    ``settings.normalize_code`` is off, the Markdown code spans of ``text`` are skipped.
    A U+FEFF at offset 0 is the file's byte order mark, which belongs to how the note is
    stored, so it is kept; anywhere else it is junk.

    >>> normalize("Cafe\\u0301 1\\u20e3").text == "Café 1\\ufe0f\\u20e3"
    True
    """
    if not settings.normalize or text.isascii():
        return Repair(text, ())
    qualify = settings.emoji_policy == "fully-qualified"
    emoji_on = settings.fix_emoji or qualify
    if _looks_clean(text, settings, emoji_on, qualify):
        return Repair(text, ())
    if skip is None:
        skip = () if settings.normalize_code else code_spans(text)
    edits: list[Edit] = []
    for start, end in _segments(len(text), skip):
        segment = text[start:end]
        found = _normalize_segment(segment, start, settings, emoji_on, qualify)
        if start:
            found = tuple(e.shifted(start) for e in found)
        edits.extend(found)
    edits_t = tuple(edits)
    return Repair(apply_edits(text, edits_t), edits_t)


def _looks_clean(text: str, settings: Settings, emoji_on: bool, qualify: bool) -> bool:
    """One C-speed screen per pass: most notes stop here."""
    if settings.remove_junk:
        found = _JUNK_CHAR.search(text)
        if found and not (found.start() == 0 and text[0] == BOM and not _JUNK_CHAR.search(text, 1)):
            return False
    if emoji_on and _suspicious(text, 0, _data(), qualify) >= 0:
        return False
    return not settings.nfc or _nfc(text) == text


def _segments(length: int, skip: Sequence[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    pos = 0
    for start, end in sorted(skip):
        start, end = max(start, 0), min(end, length)
        if start > pos:
            yield pos, start
        pos = max(pos, end)
    if pos < length:
        yield pos, length


def _normalize_segment(
    segment: str, offset: int, settings: Settings, emoji_on: bool, qualify: bool
) -> tuple[Edit, ...]:
    """The three passes over one segment, composed; junk first so that what it hid
    (a BOM inside an emoji sequence) is seen by the emoji pass, NFC last so that a
    removed selector cannot leave an uncomposed pair behind."""
    passes: list[Callable[[str], list[Edit]]] = []
    if settings.remove_junk:
        passes.append(lambda s: _junk_edits(s, keep_bom_at_start=offset == 0))
    if emoji_on:
        passes.append(lambda s: _emoji_edits(s, settings.fix_emoji, qualify))
    if settings.nfc:
        passes.append(_nfc_edits)
    result: tuple[Edit, ...] = ()
    current = segment
    for number, run in enumerate(passes, 1):
        more = run(current)
        if not more:
            continue
        result = compose(segment, result, more) if result else tuple(more)
        if number < len(passes):
            current = apply_edits(current, more)
    return result


# --- junk ---------------------------------------------------------------------------


def _junk_edits(text: str, *, keep_bom_at_start: bool) -> list[Edit]:
    edits: list[Edit] = []
    for m in _JUNK.finditer(text):
        found = m.group()
        start, end = m.span()
        if len(found) == 2:
            joined = chr(0x10000 + ((ord(found[0]) - 0xD800) << 10) + (ord(found[1]) - 0xDC00))
            edits.append(Edit(start, end, joined, "surrogate pair joined"))
        elif found == BOM:
            if start == 0 and keep_bom_at_start:
                continue
            edits.append(Edit(start, end, "", "stray BOM removed"))
        elif found <= "\x9f":
            edits.append(_c1_edit(start, found))
        else:
            edits.append(Edit(start, end, "", "lone surrogate removed"))
    return _widen_to_clusters(text, edits) if edits else edits


def _widen_to_clusters(text: str, edits: list[Edit]) -> list[Edit]:
    """The same changes as edits over whole grapheme clusters.

    A lone surrogate takes the combining marks after it into its cluster, and a
    surrogate pair is two clusters until it is joined, so a junk edit can start or end
    inside a cluster; widening keeps every edit on boundaries a reader can see.
    """
    out: list[Edit] = []
    k = 0
    while k < len(edits):
        line_start = text.rfind("\n", 0, edits[k].start) + 1
        line_end = text.find("\n", edits[k].start)
        line_end = len(text) if line_end < 0 else line_end + 1
        cuts = [m.start() for m in _GRAPHEME.finditer(text, line_start, line_end)]
        cuts.append(line_end)
        group: list[Edit] = []
        while k < len(edits) and edits[k].start < line_end:
            group.append(edits[k])
            k += 1
        out.extend(_regroup(text, group, cuts))
    return out


def _regroup(text: str, edits: list[Edit], cuts: list[int]) -> list[Edit]:
    spans: list[tuple[int, int, list[Edit]]] = []
    for edit in edits:
        start = cuts[bisect.bisect_right(cuts, edit.start) - 1]
        end = cuts[bisect.bisect_left(cuts, edit.end)]
        if spans and start < spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]), [*spans[-1][2], edit])
        else:
            spans.append((start, end, [edit]))
    out: list[Edit] = []
    for start, end, members in spans:
        if len(members) == 1 and members[0].span == (start, end):
            out.append(members[0])
            continue
        local = [e.shifted(-start) for e in members]
        alternatives = tuple(
            Alternative(
                apply_edits(text[start:end], [replace(local[0], replacement=alt.replacement)]),
                alt.confidence,
                alt.reason,
            )
            for alt in members[0].alternatives
            if len(members) == 1
        )
        out.append(
            Edit(
                start,
                end,
                apply_edits(text[start:end], local),
                "; ".join(dict.fromkeys(e.reason for e in members)),
                min(e.confidence for e in members),
                alternatives,
            )
        )
    return out


def _c1_edit(start: int, char: str) -> Edit:
    """A C1 control is almost always a Windows-1252 byte decoded as Latin-1 (0x93 is a
    curly quote there, 0x85 an ellipsis); where Windows-1252 has a character for the byte
    that is the faithful repair, and only the five undefined bytes are dropped."""
    try:
        meant = bytes([ord(char)]).decode("cp1252")
    except UnicodeDecodeError:
        return Edit(start, start + 1, "", "C1 control removed")
    return Edit(
        start,
        start + 1,
        meant,
        "C1 control read as windows-1252",
        0.9,
        (Alternative("", 0.1, "C1 control removed"),),
    )


# --- NFC ----------------------------------------------------------------------------


# Between two printable ASCII characters other than space there is always a grapheme
# boundary and an NFC boundary, and no emoji rule reaches across one (joins and emoji
# runs only bridge spaces); a line feed is another. Work is confined between such cuts,
# so one finding in a 20 MB line costs a small window, not the whole line.
_CUT = re.compile(r"(?<=[!-~])[!-~]|(?<=\n)")
_BLOCK = 1024


def _blocks(text: str) -> Iterator[tuple[int, int]]:
    """The text in pieces of about ``_BLOCK`` characters, split only at cuts."""
    start = 0
    while start < len(text):
        found = _CUT.search(text, min(start + _BLOCK, len(text)))
        end = found.start() if found and found.start() > start else len(text)
        yield start, end
        start = end


def _window(text: str, at: int) -> tuple[int, int]:
    """The stretch between the nearest cuts around ``at`` that ends lines too."""
    end_found = _CUT.search(text, at + 1)
    end = end_found.start() if end_found else len(text)
    if end > at + 1 and text[end - 1] == "\n":
        end -= 1
    reach = _BLOCK
    while True:
        low = max(0, at - reach)
        last = None
        for found in _CUT.finditer(text, low, at + 1):
            last = found
        if last is not None:
            return last.start(), end
        if low == 0:
            return 0, end
        reach *= 4


def _nfc_edits(text: str) -> list[Edit]:
    if _nfc(text) == text:
        return []
    edits: list[Edit] = []
    for start, end in _blocks(text):
        block = text[start:end]
        if _nfc(block) != block:
            edits.extend(_nfc_line(block, start))
    return edits


@functools.cache
def _composes_backward() -> frozenset[str]:
    """Starters that NFC can merge into the character before them (NFC_Quick_Check=Maybe
    with combining class 0: Hangul vowels and trailing consonants, some Indic vowel
    signs), found from the canonical decompositions of the current Unicode data."""
    found: set[str] = set()
    for cp in range(0x110000):
        char = chr(cp)
        decomposition = unicodedata2.decomposition(char)
        if not decomposition or decomposition.startswith("<"):
            continue
        parts = decomposition.split()
        if len(parts) == 2 and _nfc(char) == char:
            second = chr(int(parts[1], 16))
            if unicodedata2.combining(second) == 0:
                found.add(second)
    return frozenset(found)


def _nfc_line(line: str, base: int) -> list[Edit]:
    """NFC as one edit per run of grapheme clusters that composition ties together.

    A cluster starts a new run unless it can compose with the run before it (a Hangul
    vowel after a consonant, a mark after a control); NFC of the whole equals the runs'
    NFC joined exactly when no run reaches into the next.
    """
    backward = _composes_backward()
    runs: list[tuple[int, int]] = []
    for m in _GRAPHEME.finditer(line):
        start, end = m.span()
        first = line[start]
        # ASCII never composes with what precedes it, so only other starts are checked.
        if (
            runs
            and not first.isascii()
            and (unicodedata2.combining(first) or first in backward)
            and _ties(line[runs[-1][0] : start], line[start:end])
        ):
            runs[-1] = (runs[-1][0], end)
            continue
        runs.append((start, end))
    edits: list[Edit] = []
    out: list[str] = []
    for start, end in runs:
        piece = line[start:end]
        composed = _nfc(piece)
        out.append(composed)
        if composed != piece:
            edits.append(Edit(base + start, base + end, composed, "NFC"))
    if "".join(out) != _nfc(line):
        # Not expected from Unicode's stability rules; if it ever happens, one edit over
        # the whole changed stretch keeps the output right.
        return [_whole_line_nfc(line).shifted(base)]
    return edits


def _ties(before: str, piece: str) -> bool:
    return _nfc(before + piece) != _nfc(before) + _nfc(piece)


def _whole_line_nfc(line: str) -> Edit:
    composed = _nfc(line)
    head = 0
    while head < min(len(line), len(composed)) and line[head] == composed[head]:
        head += 1
    tail = 0
    while (
        tail < min(len(line), len(composed)) - head
        and line[len(line) - 1 - tail] == composed[len(composed) - 1 - tail]
    ):
        tail += 1
    bounds = [m.start() for m in _GRAPHEME.finditer(line)] + [len(line)]
    start = max(b for b in bounds if b <= head)
    end = min(b for b in bounds if b >= len(line) - tail)
    return Edit(start, end, _nfc(line[start:end]), "NFC")


# --- emoji --------------------------------------------------------------------------


def _emoji_edits(text: str, repair: bool, qualify: bool) -> list[Edit]:
    data = _data()
    edits: list[Edit] = []
    pos = 0
    while True:
        hit = _suspicious(text, pos, data, qualify)
        if hit < 0:
            return edits
        start, end = _window(text, hit)
        edits.extend(_emoji_line(text[start:end], start, data, repair, qualify))
        pos = end


def _is_space(cluster: str) -> bool:
    return cluster[0] == " " and all(c in SELECTORS for c in cluster[1:])


def _is_emoji(cluster: str, data: _EmojiData) -> bool:
    return cluster[0] in data.starters or KEYCAP in cluster


def _presents_as_emoji(cluster: str, data: _EmojiData) -> bool:
    """Shown as an emoji whatever the fixes do to it: chosen with FE0F, a sequence of
    several characters, or a character that is an emoji by default."""
    if VS15 in cluster:
        return False
    bare = cluster.replace(VS16, "")
    return VS16 in cluster or len(bare) > 1 or bare in data.fully_qualified


def _emoji_line(line: str, base: int, data: _EmojiData, repair: bool, qualify: bool) -> list[Edit]:
    matches = list(_GRAPHEME.finditer(line))
    spans = [(m.start() + base, m.end() + base) for m in matches]
    clusters = [m.group() for m in matches]
    allowed = _qualifiable(clusters, data, repair) if qualify else [False] * len(clusters)
    edits: list[Edit] = []
    i = 0
    while i < len(clusters):
        if repair and _is_emoji(clusters[i], data):
            joined = _best_join(clusters, i, data)
            if joined is not None:
                j, replacement, reason, confidence = joined
                alternatives = (
                    (
                        Alternative(
                            line[spans[i][0] - base : spans[j][1] - base],
                            round(1 - confidence, 6),
                            "as written",
                        ),
                    )
                    if confidence < 1
                    else ()
                )
                edits.append(
                    Edit(spans[i][0], spans[j][1], replacement, reason, confidence, alternatives)
                )
                i = j + 1
                continue
        fixed = _fix_cluster(clusters[i], data, repair, allowed[i])
        if fixed is not None:
            edits.append(Edit(spans[i][0], spans[i][1], fixed[0], fixed[1]))
        i += 1
    return edits


def _qualifiable(clusters: list[str], data: _EmojiData, repair: bool) -> list[bool]:
    """Which clusters the fully-qualified policy may change: those in a run of emoji
    (separated by spaces at most) that holds at least one emoji shown as emoji. A
    text-style symbol standing alone in prose (``© 2024``, ``A ↔ B``) is left as written.
    """
    result = [False] * len(clusters)
    i = 0
    while i < len(clusters):
        if not _is_emoji(clusters[i], data):
            i += 1
            continue
        members = [i]
        j = i + 1
        while j < len(clusters):
            if _is_emoji(clusters[j], data):
                members.append(j)
            elif not _is_space(clusters[j]):
                break
            j += 1
        # Judged on the repaired clusters, so that a second run sees the same runs.
        shown = (_clean_selectors(clusters[k], data)[0] if repair else clusters[k] for k in members)
        if any(_presents_as_emoji(cluster, data) for cluster in shown):
            for k in members:
                result[k] = True
        i = j
    return result


def _best_join(clusters: list[str], i: int, data: _EmojiData) -> tuple[int, str, str, float] | None:
    """The longest run of clusters from ``i`` that is a recognized sequence broken apart."""
    j = i + 1
    size = len(clusters[i])
    window: list[int] = []
    while j < len(clusters) and size <= 2 * data.longest:
        cluster = clusters[j]
        if not (_is_emoji(cluster, data) or _is_space(cluster) or cluster[0] in (" ", ZWJ)):
            break
        size += len(cluster)
        if _is_emoji(cluster, data):
            window.append(j)
        j += 1
    for last in reversed(window):
        found = _join(clusters[i : last + 1], data)
        if found is not None:
            return (last, *found)
    return None


def _join(parts: list[str], data: _EmojiData) -> tuple[str, str, float] | None:
    original = "".join(parts)
    notes: list[str] = []
    for number, part in enumerate(parts):
        parts[number], found = _clean_selectors(part, data)
        notes.extend(found)
    raw = "".join(parts)
    if VS15 in raw:
        return None
    # Spaces are only a break when they touch a surviving joiner: "👨\u200d 👩".
    kept: list[str] = []
    removed = 0
    k = 0
    while k < len(raw):
        if raw[k] != " ":
            kept.append(raw[k])
            k += 1
            continue
        run_end = k
        while run_end < len(raw) and raw[run_end] == " ":
            run_end += 1
        if not ((k > 0 and raw[k - 1] == ZWJ) or (run_end < len(raw) and raw[run_end] == ZWJ)):
            return None
        removed += run_end - k
        k = run_end
    cleaned = "".join(kept)
    target = data.by_skeleton.get(_skeleton(cleaned))
    if target is None or target == original:
        return None
    have = cleaned.replace(VS16, "")
    want = target.replace(VS16, "")
    if not _only_joiners_missing(have, want):
        return None
    added = want.count(ZWJ) - have.count(ZWJ)
    if added:
        # Emoji typed side by side ("👨👩👧") are not damage; a lost joiner is only
        # restored where a part is itself broken: a fragment of a ZWJ sequence or a
        # text-style component whose FE0F went missing with the joiner ("🏃♀").
        pieces = [p.replace(" ", "") for p in parts if p.strip(" ")]
        if all(p in data.well_formed for p in pieces):
            return None
        reason, confidence = "ZWJ sequence rejoined: lost joiner restored", 0.9
    elif removed:
        reason, confidence = "ZWJ sequence rejoined: stray space removed", 1.0
    else:
        reason, confidence = _selector_reason(cleaned, target), 1.0
    return target, "; ".join(dict.fromkeys([*notes, reason])), confidence


def _only_joiners_missing(have: str, want: str) -> bool:
    """Whether ``have`` is ``want`` with some of its ZWJs left out (and nothing else)."""
    k = 0
    for char in want:
        if k < len(have) and have[k] == char:
            k += 1
        elif char != ZWJ:
            return False
    return k == len(have)


def _selector_reason(before: str, after: str) -> str:
    if after.count(VS16) < before.count(VS16):
        return "variation selector removed inside emoji sequence"
    if ZWJ in after:
        return "FE0F added inside ZWJ sequence"
    if KEYCAP in after:
        return "FE0F added to keycap"
    return "FE0F added inside emoji sequence"


def _clean_selectors(cluster: str, data: _EmojiData) -> tuple[str, list[str]]:
    """The cluster without doubled selectors and selectors on characters that take none."""
    if VS15 not in cluster and VS16 not in cluster:
        return cluster, []
    reasons: list[str] = []
    out: list[str] = []
    for char in cluster:
        if char in SELECTORS:
            prev = out[-1] if out else ""
            if prev in SELECTORS:
                reasons.append("doubled variation selector")
                continue
            if prev not in data.selector_bases:
                reasons.append("variation selector on a character that takes none")
                continue
        out.append(char)
    return "".join(out), reasons


def _fix_cluster(
    cluster: str, data: _EmojiData, repair: bool, qualify: bool
) -> tuple[str, str] | None:
    cleaned, reasons = _clean_selectors(cluster, data) if repair else (cluster, [])
    if VS15 not in cleaned:
        bare = cleaned.replace(VS16, "")
        if len(bare) > 1 and cleaned not in data.fully_qualified:
            target = data.by_skeleton.get(_skeleton(cleaned))
            if repair and target is not None and target.replace(VS16, "") == bare:
                reasons.append(_selector_reason(cleaned, target))
                cleaned = target
        elif (
            qualify
            and cleaned in data.unqualified_singles
            and data.by_skeleton.get(cleaned) == cleaned + VS16
        ):
            reasons.append("emoji fully qualified (policy)")
            cleaned += VS16
    if cleaned == cluster:
        return None
    return cleaned, "; ".join(dict.fromkeys(reasons))
