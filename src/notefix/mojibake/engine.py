"""The repair engine: find text that is UTF-8 read as a code page, and undo it.

How it decides, in one paragraph: for every code page, runs of its characters that
stand for UTF-8 lead and continuation bytes are *proposals*. A proposal whose bytes
decode as UTF-8 is lossless; one with a byte missing goes to ``notefix.lossy``. A
proposal is taken when the decoded text reads better than the mojibake (ftfy's badness
measure plus script changes inside words), and weak proposals (a single two-byte
sequence) only when the rest of the document supports the same code page and nothing
in the document contradicts it. Documents are usually broken by one path, so the
evidence of the whole text decides between code pages. Layers are peeled one at a time.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache

import emoji
import ftfy
import regex
import unicodedata2 as unicodedata
from fontTools import unicodedata as unicode_scripts
from ftfy.badness import badness

from notefix import lossy, lossy_context, lossy_data
from notefix.edits import Alternative, Edit, Repair, apply_edits, compose
from notefix.mojibake import c1, legacy, words
from notefix.mojibake.codepages import (
    BY_NAME,
    CODEPAGES,
    CodePage,
    char_class,
    lead3_masks,
    nbsp_pattern,
    page_patterns,
    pair_masks,
    scan_pattern,
    screen,
)
from notefix.settings import DEFAULT, Settings

MAX_LAYERS = 4
CONTEXT = 3
"""Characters of context on each side when comparing how a fix reads."""
LOSSY_CONTEXT = 24

_SEQ_LEN = [0] * 0xC2 + [2] * (0xE0 - 0xC2) + [3] * 16 + [4] * 5 + [0] * 11


@dataclass(frozen=True, slots=True)
class Proposal:
    page: str
    start: int
    end: int
    replacement: str
    nbytes: int
    nseq: int
    lossless: bool

    def shifted_edit(self, offset: int) -> Edit:
        return Edit(self.start + offset, self.end + offset, self.replacement, self.page)

    c1: bool = False
    """The run holds a C1 control character, which nobody writes on purpose."""

    @property
    def strong(self) -> bool:
        return self.nbytes >= 3 or self.nseq >= 2 or self.c1


def _plausible(decoded: str, layered: bool = False) -> bool:
    """Decoded text a person could have written: no controls, unassigned, private-use
    or surrogate code points. With ``layered``, C1 controls are allowed: a middle layer
    of double mojibake holds them (Latin-1's reading of Windows-1252 bytes). A middle
    layer is what a single-byte page wrote, though: a reading with C1 controls beside
    characters no one page has ("\x89㢋ľՋ≢") is no layer of mojibake."""
    layer = False
    for ch in decoded:
        cat = unicodedata.category(ch)
        if layered and "\x80" <= ch <= "\x9f":
            layer = True
            continue
        if cat in ("Cn", "Co", "Cs") or (cat == "Cc" and ch not in "\t\n\r"):
            return False
    if not layer:
        return True
    # The controls are that page's bytes as Latin-1 reads them; the rest its characters.
    written = _C1.sub("", decoded)
    return any(page.encode(written) is not None for page in CODEPAGES)


@cache
def _script(ch: str) -> str:
    """The Unicode script of a character (Scripts.txt, through fontTools); cached, as
    the same letters are asked about for every candidate reading of every run."""
    return str(unicode_scripts.script(ch))


@functools.lru_cache(maxsize=1 << 15)
def _script_breaks(text: str) -> int:
    """Adjacent letters of different scripts with nothing between them: rare in writing,
    common in mojibake decoded the wrong way (a Hangul syllable inside a Cyrillic word)."""
    breaks = 0
    prev = ""
    for ch in text:
        if ch.isalpha():
            script = _script(ch)
            # Common and inherited characters (modifier letters, combining marks) take
            # the script of their neighbours.
            if script in ("Zyyy", "Zinh"):
                continue
            if prev and script != prev:
                breaks += 1
            prev = script
        else:
            prev = ""
    return breaks


_RARE = frozenset({"Lm", "No", "Sk", "Mn", "Me", "Cf"})
_COMMON_OTHER = frozenset({"Pd", "Pi", "Pf", "Po", "Ps", "Pe", "Zs", "Sc", "So", "Sm"})


@functools.lru_cache(maxsize=1 << 15)
def _rare(text: str) -> int:
    """Characters of categories rarely written on their own (modifier letters,
    superscripts, combining marks, format characters), outside emoji sequences, where
    joiners, variation selectors and skin tones belong."""
    if not text.isascii():
        text = emoji.replace_emoji(text, "")
    return sum(1 for ch in text if ord(ch) >= 0x80 and unicodedata.category(ch) in _RARE)


def _rare_in_place(text: str, p: Proposal) -> int:
    """``_rare`` of the reading where it stands: a selector and a keycap mark after "#"
    complete the emoji "#️⃣", and are no rare characters there."""
    prev = text[p.start - 1 : p.start]
    if not prev:
        return _rare(p.replacement)
    return _rare(prev + p.replacement) - _rare(prev)


def _cost(text: str) -> int:
    """How unlike writing a stretch of text is: ftfy's badness, plus letters of two
    scripts run together."""
    return int(badness(text)) + _script_breaks(text)


UNSEEN_LETTER = 7.5
UNSEEN_OTHER = 5.0
MANGLE_PRIOR = 3.0
"""How much less likely (log10) text is to be mojibake than to be as written, before
the document says otherwise."""


@functools.lru_cache(maxsize=1 << 15)
def _surprisal(text: str) -> float:
    """-log10 of how often these characters are written (wordfreq's data, casefolded; a
    digit of any script as often as the ASCII one); ASCII costs nothing, as it is the
    same under every reading."""
    table = lossy_data.char_surprisals()
    total = 0.0
    for ch in text:
        if ord(ch) < 0x80:
            continue
        # Casefolding can add a combining mark (İ -> i + U+0307): the letter decides.
        cost = table.get(ch.casefold()[0])
        if cost is None and ch.isdecimal():
            # wordfreq counts numbers in ASCII digits, whatever digits wrote them.
            cost = table.get(str(unicodedata.decimal(ch)))
        if cost is None:
            common = unicodedata.category(ch) in _COMMON_OTHER
            cost = UNSEEN_OTHER if common else UNSEEN_LETTER
        total += cost
    return total


_ENDS_A_WORD = frozenset(b"!\"#$%&'()*+,-./:;<=>@[\\]^_`{|}~\n")
"""ASCII punctuation (and a line end) after which a two-byte lead stands alone at the
end of its word: its continuation byte was dropped ("ВремÑ:" for "Время:")."""


def _parse(page: CodePage, text: str, start: int, end: int) -> list[Proposal]:
    """Split one run into proposals: stretches of complete UTF-8 sequences, and
    stretches of incomplete ones (bytes lost)."""
    pieces = _pieces(page.name, text[start:end], text[start - 1 : start].isalpha())
    return [
        Proposal(page.name, start + lo, start + hi, decoded, nbytes, nseq, lossless, c1=has_c1)
        for lo, hi, decoded, nbytes, nseq, lossless, has_c1 in pieces
    ]


_Piece = tuple[int, int, str, int, int, bool, bool]
"""A proposal's fields, its offsets counted from the start of its run."""


@functools.lru_cache(maxsize=1 << 12)
def _pieces(page_name: str, run: str, letter_before: bool) -> tuple[_Piece, ...]:
    """``_parse`` of a run, which depends on nothing but the run and whether a letter
    stands before it: the same short runs recur in clean text ("а — " in Russian)."""
    page = BY_NAME[page_name]
    data = page.encode(run)
    if data is None:
        return ()
    out: list[_Piece] = []
    i = 0
    n = len(data)
    group_start = -1
    group_bytes = 0
    group_seq = 0
    lossy_start = -1

    def flush_group(upto: int) -> None:
        nonlocal group_start, group_bytes, group_seq
        if group_start >= 0:
            decoded = _decode(data[group_start:upto])
            has_c1 = _C1.search(run, group_start, upto) is not None
            out.append((group_start, upto, decoded, group_bytes, group_seq, True, has_c1))
        group_start, group_bytes, group_seq = -1, 0, 0

    def flush_lossy(upto: int) -> None:
        nonlocal lossy_start
        if lossy_start >= 0:
            out.append((lossy_start, upto, "", upto - lossy_start, 1, False, False))
        lossy_start = -1

    while i < n:
        b = data[i]
        need = _SEQ_LEN[b] if b >= 0x80 else 0
        if need:
            k = 1
            while k < need and i + k < n and 0x80 <= data[i + k] <= 0xBF:
                k += 1
            if k == need and _is_cesu_pair(data, i):
                flush_lossy(i)
                if group_start < 0:
                    group_start = i
                group_bytes += 6
                group_seq += 1
                i += 6
                continue
            if k == need:
                try:
                    data[i : i + need].decode("utf-8")
                except UnicodeDecodeError:
                    flush_group(i)
                    flush_lossy(i)
                    i += 1
                    continue
                flush_lossy(i)
                if group_start < 0:
                    group_start = i
                group_bytes += need
                group_seq += 1
                i += need
                continue
            # Incomplete: a byte was lost. Holes (U+FFFD as 0x1A, '?') and a trailing
            # space may stand for the lost bytes.
            flush_group(i)
            j = i + k
            while j < n and data[j] in (0x1A, 0x3F, 0x20) and j - i < need:
                j += 1
            # A hole may stand between continuation bytes too (E2 ? 92): the sequence is
            # whole, with a byte marked.
            m = j
            while m < n and m - i < need and (data[m] in (0x1A, 0x3F) or 0x80 <= data[m] <= 0xBF):
                m += 1
            # A space there is a flattened no-break space (A0): "â €" is E2 A0 80, ⠀. Only
            # after a lead that starts a word: "в –" ends a Russian word and is no "⠖".
            filled = (
                m > j
                and m - i == need
                and (
                    data[j - 1] in (0x1A, 0x3F)
                    or (data[j - 1] == 0x20 and not (run[i - 1].isalpha() if i else letter_before))
                )
            )
            if filled:
                j = m
            # One missing piece at most: a lead with continuation bytes, or a two-byte
            # lead whose second byte is marked (hole) or was a flattened no-break space.
            # A two-byte lead right before another lead: its continuation was dropped.
            lone = (
                need in (2, 3)
                and k == 1
                and j == i + 1
                and (i + 1 == n or data[i + 1] >= 0xC2 or data[i + 1] in _ENDS_A_WORD)
            )
            # A lead of three or four bytes whose every continuation byte was replaced
            # ("å??" for 名, E5 90 8D, neither 90 nor 8D in windows-1252).
            replaced = (
                k == 1
                and need > 2
                and j == i + need
                and all(b in (0x1A, 0x3F) for b in data[i + 1 : j])
            )
            if k > 1 or (j > i + k and need == 2) or lone or filled or replaced:
                if lossy_start < 0:
                    lossy_start = i
                i = j
                # A lossy stretch ends at a space/'?' it swallowed.
                if data[j - 1] in (0x20, 0x3F):
                    flush_lossy(j)
                continue
            flush_lossy(i)
            i += 1
            continue
        flush_group(i)
        if lossy_start >= 0 and b in (0x1A,) and i - lossy_start < 4:
            i += 1
            continue
        flush_lossy(i)
        i += 1
    flush_group(n)
    flush_lossy(n)
    return tuple(out)


def _is_cesu_pair(data: bytes, i: int) -> bool:
    """A UTF-16 surrogate pair written as two three-byte sequences (CESU-8), as
    Java and some databases do for emoji."""
    return (
        data[i] == 0xED
        and i + 5 < len(data)
        and 0xA0 <= data[i + 1] <= 0xAF
        and 0x80 <= data[i + 2] <= 0xBF
        and data[i + 3] == 0xED
        and 0xB0 <= data[i + 4] <= 0xBF
        and 0x80 <= data[i + 5] <= 0xBF
    )


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        units = data.decode("utf-8", errors="surrogatepass")
        return units.encode("utf-16", errors="surrogatepass").decode("utf-16")


@dataclass(slots=True)
class _Scan:
    """What one pass over a text found: every page's proposals (in text order, for the
    pages that have some), whether a C1 control occurs, and where windows-1252's
    ``nbsp_pattern`` matches."""

    found: dict[str, list[Proposal]]
    c1: bool
    nbsp: list[int]


_NBSP_LEADS = frozenset(BY_NAME["windows-1252"].lead2)

_last_scan: tuple[str, _Scan] | None = None
"""The text scanned last, with its scan: the layer that scanned it asks again for its
no-break spaces, and repair for its C1 controls. The text itself is kept, not its id, so
a match is never another text at the same address (and another thread's scan only
costs a second pass)."""


def _pair_before(text: str, i: int) -> tuple[int, int]:
    """Where the pair that ends at ``text[i]`` (a continuation character) starts, and the
    pages (``pair_masks`` bits) it is a pair of: a lead right before it, or a lead and a
    byte replaced by '?' ("å?—") or a no-break space flattened to a space ("â €");
    no pages if neither."""
    if not i:
        return i, 0
    if text[i] == "?":
        # Both continuation bytes of a three-byte lead replaced ("å??").
        if i > 1 and text[i - 1] == "?":
            return i - 2, _LEAD3.get(text[i - 2], 0)
        return i, 0
    cont = _CONT.get(text[i], 0)
    pages = _LEAD.get(text[i - 1], 0) & cont
    if not pages and i > 1 and text[i - 1] in "? ":
        return i - 2, _LEAD.get(text[i - 2], 0) & cont
    return i - 1, pages


def _scan(text: str) -> _Scan:
    """One pass of ``scan_pattern`` over the text. A run starts where its page's
    ``pair_pattern`` matches and holds no line break (codepages checks that its
    characters cannot be one). So ``pair_masks`` tell, at each hit, which pages pair
    there, and a line where some do is read for those pages' runs, from those places
    only; the pass goes on after the line. Clean text is crossed once, not once per page
    and once more for each other question."""
    global _last_scan
    by_page: dict[str, list[Proposal]] = {}
    search = _SCAN_SEARCH
    c1 = False
    nbsp: list[int] = []
    size = len(text)
    pos = 0
    while (hit := search(text, pos)) is not None:
        i = hit.start()
        ch = text[i]
        if ch <= "\x9f":
            c1 = True
        elif ch in _NBSP_LEADS and text.startswith((" ", "?"), i + 1):
            nbsp.append(i)
        at, pages = _pair_before(text, i)
        if not pages:
            pos = i + 1
            continue
        end = text.find("\n", i)
        if end < 0:
            end = size
        # Where pages pair on the rest of the line (a run starts only at such a place).
        pairs = [(at, pages)]
        more = i + 1
        while (hit := search(text, more, end)) is not None:
            j = hit.start()
            ch = text[j]
            if ch <= "\x9f":
                c1 = True
            elif ch in _NBSP_LEADS and text.startswith((" ", "?"), j + 1):
                nbsp.append(j)
            at, mask = _pair_before(text, j)
            if mask:
                pairs.append((at, mask))
                pages |= mask
            more = j + 1
        for bit, page, run in _PAGE_RUNS:
            if not pages & bit:
                continue
            done = 0
            props = by_page.get(page.name, [])
            for at, mask in pairs:
                # A place inside the run just read is not the start of another: the
                # runs found are those a left-to-right search of the line finds.
                if not mask & bit or at < done:
                    continue
                # Two-byte leads that lost their continuation may stand before the pair,
                # and before them one lead of any length (as ``run_pattern`` reads it);
                # the run starts at the first of them it matches from (a pair with a
                # '?' hole only matches from its own lead).
                pair_at = at
                while at > done and text[at - 1] in page.lead2:
                    at -= 1
                if at > done and text[at - 1] in page.lead:
                    at -= 1
                m = None
                while at <= pair_at and (m := run.match(text, at, end)) is None:
                    at += 1
                if m is not None:
                    props.extend(_parse(page, text, at, m.end()))
                    done = m.end()
            if props:
                by_page[page.name] = props
        pos = end + 1
    if len(by_page) > 1:
        by_page = {cp.name: by_page[cp.name] for cp in CODEPAGES if cp.name in by_page}
    scan = _Scan(by_page, c1, nbsp)
    _last_scan = (text, scan)
    return scan


def _scanned(text: str) -> _Scan | None:
    """The scan of this very text, if it was the last one made."""
    last = _last_scan
    return last[1] if last is not None and last[0] is text else None


def _proposals(text: str) -> dict[str, list[Proposal]]:
    return _scan(text).found


def _has_nbsp_1252(text: str) -> bool:
    scan = _scanned(text)
    if scan is not None:
        return bool(scan.nbsp)
    return nbsp_pattern("windows-1252").search(text) is not None


def _nbsp_proposals(text: str, page: CodePage, taken: bytearray) -> list[Proposal]:
    """Two-byte leads before a space or '?' that no run covered: only worth a look in
    a document that already shows this code page at work. The lead must be a letter:
    punctuation before a space ("– " in mac-roman) is ordinary writing."""
    scan = _scanned(text) if page.name == "windows-1252" else None
    if scan is not None:
        starts = scan.nbsp
    else:
        starts = [m.start() for m in nbsp_pattern(page.name).finditer(text)]
    out: list[Proposal] = []
    # A match is a lead and the space or '?' after it.
    for at in starts:
        if text[at].isalpha() and taken.find(1, at, at + 2) < 0:
            out.extend(_parse(page, text, at, at + 2))
    return out


def _lone_lead_proposals(text: str, page: CodePage, taken: bytearray) -> list[Proposal]:
    """Two-byte leads standing alone, as a word of one letter, before a digit, ASCII
    punctuation or the end of the line, that no run covered: the letter whose
    continuation byte was dropped ("Ð7" for "А7", D0 90; "Ñ." for "я."). Only worth a
    look in a document that shows this code page at work; the lead must be a letter."""
    out: list[Proposal] = []
    for m in _lone_lead_pattern(page.name).finditer(text):
        at = m.start()
        if text[at].isalpha() and not taken[at]:
            out.append(Proposal(page.name, at, at + 1, "", 1, 1, False))
    return out


FOREIGN_LETTER = 1e-4
"""A letter written less often than this in the text's language (per letter of its
words) is foreign to it."""


def _letter_of_the_text(letter: str, repaired: str) -> bool:
    """Whether ``letter`` is one the text's language writes (``repaired``: the text with
    its certain repairs): alone before punctuation it may be an initial or an
    abbreviation as written ("Ä." in German), not the lead of a lost byte, which it is in
    Russian text ("Ð7")."""
    script, lang = _text_language(repaired)
    if lang is None or lossy_data.script_of(letter) != script:
        return False
    return lossy_data.letter_frequencies(lang).get(letter.casefold(), 0.0) >= FOREIGN_LETTER


@cache
def _lone_lead_pattern(page: str) -> re.Pattern[str]:
    lead2 = char_class(BY_NAME[page].lead2)
    # Not before '?': that may be the byte, replaced (read with the holes).
    return re.compile(f"(?<![^\\W\\d_]){lead2}(?=[0-9!-/:->@\\[-`{{-~\\n]|\\Z)")


def _window(text: str, p: Proposal, replacement: str) -> tuple[str, str]:
    before = text[max(0, p.start - CONTEXT) : p.start]
    after = text[p.end : p.end + CONTEXT]
    return before + text[p.start : p.end] + after, before + replacement + after


def _delta(text: str, p: Proposal, replacement: str) -> int:
    orig, fixed = _window(text, p, replacement)
    return _cost(orig) - _cost(fixed) - _rare(replacement)


def _one_layer(
    text: str,
    settings: Settings,
    within: list[tuple[int, int]] | None = None,
    shown: dict[str, int] | None = None,
    declined: list[Edit] | None = None,
) -> list[Edit]:
    """One layer of repair. ``within``: for a deeper layer, the spans the last layer
    wrote; mojibake nests inside what was just decoded, nowhere else. ``shown``: per
    page, the bytes the layers before repaired; given on the last pass, once nothing
    else changes, to mark with U+FFFD the '?' holes that no reading could fill (until
    then, a repaired neighbour may still settle them). ``declined`` receives the lost-byte
    runs left as written for want of a sure reading."""
    _SCORES.clear()
    _COVER.clear()
    _LANGUAGES.clear()
    _SCRIPT_LANGUAGES.clear()
    try:
        return _decide_layer(text, settings, within, shown, declined)
    finally:
        _SCORES.clear()
        _COVER.clear()
        _LANGUAGES.clear()
        _SCRIPT_LANGUAGES.clear()


def _decide_layer(
    text: str,
    settings: Settings,
    within: list[tuple[int, int]] | None,
    shown: dict[str, int] | None,
    declined: list[Edit] | None = None,
) -> list[Edit]:
    found = _proposals(text)
    for name, props in found.items():
        _COVER[(id(text), name)] = _Cover.of(props)
    deeper = within is not None
    if within is not None:
        found = {
            name: kept
            for name, props in found.items()
            if (kept := [p for p in props if _inside(p, within)])
        }
    if not found and (deeper or not _has_nbsp_1252(text)):
        return []
    if (deeper or not _has_nbsp_1252(text)) and not any(
        p.lossless
        or _lossy_may_be_read(text, p, deeper, shown.get(p.page, 0) if shown is not None else 0)
        for props in found.values()
        for p in props
    ):
        # Only lost-byte runs, none of which may be guessed with nothing backing its
        # page (a lossless run is what backs one): what follows would set each aside.
        return []
    strong: dict[str, int] = {}
    weak_good: dict[str, int] = {}
    good: set[int] = set()
    letters = _Letters(text)
    for name, props in found.items():
        strong[name] = 0
        for p in props:
            if (
                p.lossless
                and p.strong
                and _plausible(p.replacement, layered=p.nseq > 1)
                and _score(text, p) > 0
                and not _ends_a_word_as_written(text, p)
            ):
                strong[name] += 1
                good.add(id(p))
    ftfy_lines = _FtfyLines(text, deeper)
    # Of each page, the bytes its believable readings explain (filled below), and the
    # non-ASCII text it could have written (counted only if asked: it encodes the
    # document, which costs more than the scan in a large clean note).
    explained_by: dict[str, int] = {}
    # Of each page, the weak runs believed for its strong ones.
    leaning: dict[str, list[Proposal]] = {}
    writable = _Writable(text)
    lines = _LineShares(text)
    for name, props in found.items():
        weak_good[name] = 0
        # Mojibake is unlikely until the document shows it: with strong evidence of the
        # same code page elsewhere, a weak run needs less to be believed. Without it,
        # ftfy's whole-line judgement (its heuristics are tuned on text from the wild)
        # has to agree.
        weak = [p for p in props if p.lossless and not p.strong and _plausible(p.replacement)]
        gains = {id(p): _surprisal(text[p.start : p.end]) - _surprisal(p.replacement) for p in weak}
        backed = strong[name] > 0
        # The more of the document's non-ASCII text this page explains, the less a weak
        # run must gain to be believed: in a wholly mangled note even a small loss will do,
        # since clean text there would be the odd one out.
        explained = sum(p.end - p.start for p in props if id(p) in good)
        # The same, line by line: a line the page explains all else of is broken by it,
        # whatever clean text of its script other lines hold (a pasted line of mojibake).
        if weak:
            for p in props:
                if id(p) in good:
                    lines.explain(p)
        # Most convincing first, so that each accepted run lowers the bar for the next.
        for p in sorted(weak, key=lambda q: -gains[id(q)]):
            if backed:
                prior = min(_weak_prior(writable(name), explained, p.end - p.start), lines.prior(p))
                ok = _score(text, p) > prior
            else:
                # Cheapest first: ftfy reads the line, the letters test reads the text.
                ok = (
                    not _ends_a_capital_word(text, p)
                    and (
                        ftfy_lines.agrees(p, props)
                        or (
                            _score(text, p) > 0
                            and _joins_words(text, p, props)
                            and not _takes_a_letter_from_a_word(text, p)
                        )
                    )
                    and not (
                        (_never_written(p.replacement) or not _touches_letters(text, p))
                        and _lone_foreign_letter(p, letters)
                    )
                )
            if ok and _mark_on_nothing(text, p):
                ok = False
            if ok and _inside_a_word(text, p):
                # Part of a word people write as it stands ("Рі" in Ukrainian "Рік"):
                # kept as written below, and no evidence for its page meanwhile.
                ok = False
            if ok:
                explained += p.end - p.start
                lines.explain(p)
                weak_good[name] += 1
                good.add(id(p))
                if backed:
                    leaning.setdefault(name, []).append(p)
        explained_by[name] = explained
    # Evidence for a page: how many bytes its believable proposals explain.
    # The same run written again is the same evidence again: of each page, the bytes
    # explained by copies of one run tell whether anything else backs it.
    evidence = {name: 0 for name in found}
    copies: Counter[tuple[str, str]] = Counter()
    for props in found.values():
        for p in props:
            if id(p) in good:
                evidence[p.page] += p.nbytes
                copies[p.page, text[p.start : p.end]] += p.nbytes

    # The bytes of weak runs believed only because a strong run backs them: no evidence
    # for that run itself.
    leaned_on = {name: sum(q.nbytes for q in leaning.get(name, ())) for name in found}

    # Mojibake of mojibake is rarer than mojibake: a deeper layer asks for more.
    prior_alone = MANGLE_PRIOR * (2 if deeper else 1)

    def unbelieved(p: Proposal) -> bool:
        """Nothing else in the document backs this code page: the run must read much
        better decoded ("діє" is a Ukrainian word, not one CJK character), and not
        decode to a character rarely written alone (unless it holds C1 controls: then
        it is a middle layer, still mojibake, judged when that layer is peeled). Nor to
        letters of two scripts run together ("ľՋ≢"): the page's only evidence would be a
        reading unlike writing. Nor to one letter of a script the text never writes,
        even where the run itself is written again: its copies are the same chance
        again, not other evidence."""
        return p.strong and (
            (
                evidence[p.page] - leaned_on[p.page] == p.nbytes
                and (
                    _score(text, p) <= prior_alone
                    or (
                        2 * _rare_in_place(text, p) >= len(p.replacement)
                        and not _still_mojibake(p.replacement)
                    )
                    or _lone_foreign_letter(p, letters)
                    or _ends_a_capital_word(text, p)
                    or _letters_for_an_unwritten_symbol(text, p)
                    or _breaks_words(text, p)
                )
            )
            or (
                evidence[p.page] == copies[p.page, text[p.start : p.end]]
                and _lone_foreign_letter(p, letters)
            )
        )

    # Such a run is kept as written, and backs nothing either: no lost byte, no
    # flattened no-break space is guessed on its word ("её…" in Russian text, which
    # windows-1251 would read as "е帅", does not make "в – " a "⠖").
    for p in [p for props in found.values() for p in props if id(p) in good and unbelieved(p)]:
        good.discard(id(p))
        evidence[p.page] -= p.nbytes
        copies[p.page, text[p.start : p.end]] -= p.nbytes
        strong[p.page] -= 1
        if not strong[p.page]:
            # Nothing backs the weak runs believed for it any more.
            for q in leaning.pop(p.page, ()):
                good.discard(id(q))
                evidence[q.page] -= q.nbytes
                copies[q.page, text[q.start : q.end]] -= q.nbytes

    # How well each page's believable readings read, all together: between pages that
    # explain as many bytes, the document's page is the one whose whole reading is
    # best, not a different one run by run ("ĹĄ" is ť in windows-1250 and š in
    # iso-8859-2; a 0x8F elsewhere, Ź, says windows-1250).
    quality = {name: 0.0 for name in found}
    for props in found.values():
        for p in props:
            if id(p) in good:
                quality[p.page] += _score(text, p)
    order = {cp.name: i for i, cp in enumerate(CODEPAGES)}
    # Pages the bytes cannot tell apart (windows-1250 and iso-8859-2 read "Ăź" as ß and
    # as ü) explain as much of the document: the one whose readings spell words wins.
    pages_with = Counter(evidence.values())
    spelled = {
        name: _words_spelled(text, [p for p in props if id(p) in good and p.lossless])
        if evidence[name] and pages_with[evidence[name]] > 1
        else 0
        for name, props in found.items()
    }
    ranked = sorted(
        (p for props in found.values() for p in props),
        # Where pages compete for the same run, the one the document backs most wins,
        # then the one whose readings spell words, then the page that reads best all
        # together, then the reading that reads best ("ÀÀÀ" over "ƀƀƀ").
        key=lambda p: (
            -evidence[p.page],
            -spelled[p.page],
            -quality[p.page],
            -_score(text, p) if p.lossless else 0.0,
            order[p.page],
        ),
    )
    taken = bytearray(len(text))
    edits: list[Edit] = []

    def free(p: Proposal) -> bool:
        return taken.find(1, p.start, p.end) < 0

    def take(p: Proposal) -> None:
        taken[p.start : p.end] = b"\x01" * (p.end - p.start)

    lossy_later: list[Proposal] = []
    for p in ranked:
        if not free(p):
            continue
        if (
            p.lossless
            and not _has_c1(p.replacement)
            and _is_a_word(text, p)
            # A weak run is short: as written and decoded may both be words ("РІ" and
            # "в"); it stays only where the word as written is the more frequent one
            # ("Рік", not "гк").
            and (
                p.strong
                or _frequency(_word_around(text, p.start, p.end))
                > _frequency(_word_around(text, p.start, p.end, p.replacement))
            )
        ):
            continue
        if not p.lossless:
            # Hold the span for this page's reconstruction, so that a page the
            # document backs less cannot read it another way in the meantime.
            # A real word is not a lost-byte run either ("Українська" holds "аї", which
            # is E0 BF and a lost byte in windows-1251).
            backing = evidence[p.page] + (shown.get(p.page, 0) if shown is not None else 0)
            if _is_a_word(text, p) or _word_before_its_space(text, p):
                continue
            if _lossy_may_be_read(text, p, deeper, backing):
                take(p)
                lossy_later.append(p)
            continue
        if id(p) not in good:
            continue
        take(p)
        edits.append(Edit(p.start, p.end, p.replacement, f"utf-8 read as {p.page}"))

    ask_ftfy: set[int] = set()
    # The text with the certain repairs: its language says which letters are words.
    certain = sorted(edits, key=lambda e: e.start)
    repaired = apply_edits(text, certain) if certain else text
    # Flattened no-break spaces read only if their reading spells a word.
    spell: set[int] = set()
    # The page the document backs most reads them first (a '?' after "Ñ" is a lost byte
    # of windows-1254 in a Turkish-page document, not of windows-1252, listed earlier).
    by_backing = sorted(CODEPAGES, key=lambda cp: -evidence.get(cp.name, 0))
    for page in by_backing if not deeper else ():
        at_work = evidence.get(page.name, 0)
        backed = at_work >= 3
        # Without evidence for its page, a flattened no-break space is only guessed for
        # windows-1252 (where it is common) and only where ftfy agrees, or where the
        # page is at work in the text and the lead is a letter foreign to the text,
        # alone or ending a word ("Г " in French text that shows "mГ©dicament").
        if not backed and page.name != "windows-1252" and not at_work:
            continue
        if backed:
            for p in _lone_lead_proposals(text, page, taken):
                if _letter_of_the_text(text[p.start], repaired):
                    continue
                if not _lead_is_a_word(text, p.start, repaired):
                    take(p)
                    lossy_later.append(p)
        for p in _nbsp_proposals(text, page, taken):
            if _lead_is_a_word(text, p.start, repaired) or not free(p):
                continue
            if backed:
                take(p)
                lossy_later.append(p)
            elif at_work and _foreign_lead(text, p.start, repaired):
                take(p)
                lossy_later.append(p)
                spell.add(id(p))
            elif page.name == "windows-1252" and badness(text[max(0, p.start - 2) : p.end + 2]) > 0:
                take(p)
                lossy_later.append(p)
                ask_ftfy.add(id(p))
    # A letter alone before its space that is a word of the text's language ("в" in
    # Russian, "η" in Greek) is no lead whose next byte was lost or flattened, whatever
    # follows the space ("в – " is no "⠖", E2 A0 96): as for a flattened no-break space.
    lossy_later = [
        p
        for p in lossy_later
        if text[p.start + 1 : p.start + 2] != " " or not _lead_is_a_word(text, p.start, repaired)
    ]
    if lossy_later:
        # The reconstruction sees its neighbours as repaired, so that an FE0F or a
        # word next to the run reads as what it is.
        starts = [e.start for e in certain]
        shifts = list(itertools.accumulate(len(e.replacement) - (e.end - e.start) for e in certain))

        def page_prior(name: str) -> float:
            """What a lost-byte reading must gain over the run as written, on this page:
            less the more of the document's non-ASCII text the page explains."""
            if name not in explained_by:
                return 0.0
            non_ascii, explained = writable(name), explained_by[name]
            return MANGLE_PRIOR * (non_ascii - 2 * explained) / max(1, non_ascii)

        def position(raw: int, closing: bool = False) -> int:
            """Where a raw offset falls in ``repaired`` (an end: after edits before it)."""
            i = (bisect.bisect_left if closing else bisect.bisect_right)(starts, raw)
            return raw + (shifts[i - 1] if i else 0)

        # The document's evidence leaves out what stands right beside a run still to be
        # read: "➡" before every "ï¸" whose selector was lost is no bare arrow written.
        ev = lossy.Evidence(
            text=repaired,
            unsure=tuple((position(p.start), position(p.end, closing=True)) for p in lossy_later),
        )

        def around(p: Proposal) -> tuple[int, str, str]:
            """Where the run starts in ``repaired``, and the text either side of it."""
            at, end = position(p.start), position(p.end, closing=True)
            before = repaired[max(0, at - LOSSY_CONTEXT) : at]
            # At least LOSSY_CONTEXT characters, and on to the end of the line (within
            # CONTEXT_CHARS), whose words the context scorer reads.
            line_end = repaired.find("\n", end, end + lossy_context.CONTEXT_CHARS)
            stop = end + lossy_context.CONTEXT_CHARS if line_end < 0 else line_end + 1
            return at, before, repaired[end : max(stop, end + LOSSY_CONTEXT)]

        def decide(p: Proposal, unsure: list[Edit] | None) -> Edit | None:
            at, before, after = around(p)
            accept = None
            if id(p) in spell:
                accept = functools.partial(_spells_a_word, before, after)
            elif id(p) in ask_ftfy:
                # Without evidence for the page, ftfy's reading of the line decides.
                line_start, view = ftfy_lines.view(p, [])
                accept = functools.partial(
                    _ftfy_reads, view, p.start - line_start, before[-2:], after[:2]
                )
            # A reading that spells a word where a letter foreign to the text stood needs
            # no further gain: character frequencies, taken over all languages, do not
            # say that a Cyrillic "г" is out of place in French.
            prior = -math.inf if id(p) in spell else min(0.0, page_prior(p.page))
            pairs = pairs_at(at, after)
            left, right = touching(p)
            prefer = functools.partial(_continues_a_layer, left, right) if left or right else None
            return _lossy_edit(
                text,
                p,
                before,
                after,
                ev,
                settings,
                prior,
                accept,
                evidence.get(p.page, 0),
                shown.get(p.page, 0) if shown is not None else (0 if deeper else None),
                unsure,
                pairs,
                written,
                prefer,
            )

        def touching(p: Proposal) -> tuple[str, str]:
            """What this layer's certain repairs wrote right before and right after the
            run, where they touch it."""
            i = bisect.bisect_left(starts, p.end)
            right = certain[i].replacement if i < len(certain) and starts[i] == p.end else ""
            j = bisect.bisect_left(starts, p.start) - 1
            left = certain[j].replacement if j >= 0 and certain[j].end == p.start else ""
            return left, right

        # The scripts the text writes, with its certain repairs: a guessed byte that
        # makes letters of another script makes them out of nothing.
        written_letters = _Letters(repaired)

        def written(reading: str) -> bool:
            return all(written_letters.writes(script) for script in _letter_scripts(reading))

        # Every page's lost-byte reading of each span, for the pages tried in turn.
        lossy_at: dict[tuple[int, int], list[Proposal]] = {}
        for q in ranked:
            if not q.lossless:
                lossy_at.setdefault((q.start, q.end), []).append(q)

        def pairs_at(at: int, after: str) -> tuple[int, int]:
            line_start = repaired.rfind("\n", 0, at) + 1
            return lossy.pairs_around(
                repaired[max(line_start, at - lossy_context.CONTEXT_CHARS) : at],
                after.split("\n", 1)[0],
            )

        def likelihood(q: Proposal, edit: Edit) -> float:
            """The lost-byte scorer's log-probability of the edit's reading in its place:
            the same text either side for every page, so pages compare on it (the
            reconstruction is remembered from ``decide``)."""
            at, before, after = around(q)
            rec = lossy.reconstruct(
                text[q.start : q.end], BY_NAME[q.page].codec, before, after, ev, pairs_at(at, after)
            )
            scores = [c.score for c in rec.candidates if c.text == edit.replacement] if rec else []
            return max(scores, default=-math.inf)

        def decide_on_an_equal_page(q: Proposal, current: Edit | None) -> Edit | None:
            """The reading of a run its own page reads badly or doubtfully (``current``,
            below an even chance), through another page that explains the document's
            other runs alike. Such pages (windows-1252 and -1254 in text without Turkish
            letters) differ in the bytes they lack: "æ?œ" is 果, E6 9E 9C, only where 9E
            was lost, and "â¡ï¸" is ➡️ only where 9E and 8F were. Against a doubtful
            reading, the other page's must be the likelier in the same place. Not for a
            run holding C1 controls: that is a layer still to peel."""
            if _has_c1(text[q.start : q.end]):
                return None
            doubtful = current is not None and "marked" not in current.reason
            for other in lossy_at.get((q.start, q.end), ()):
                backing = evidence.get(other.page, 0)
                if other.page == q.page or not backing or backing != evidence.get(q.page):
                    continue
                edit = decide(other, None)
                if edit is None or "marked" in edit.reason:
                    continue
                if not doubtful or (
                    current is not None and likelihood(other, edit) > likelihood(q, current)
                ):
                    return edit
            return None

        joined_away: set[int] = set()
        for group in _same_word_groups(text, lossy_later, certain, ask_ftfy):
            if len(group) > 1:
                # Runs in one word are read together: each run's letters decide the
                # others' ("ÑÐ²Ð»ÑÐµÑ‚ÑÑ" is one word with four lost bytes, "является"),
                # with the certain letters between them as the fixed part of the run.
                first, last = group[0], group[-1]
                lo = bisect.bisect_left(starts, first.end)
                hi = bisect.bisect_left(starts, last.start)
                inner = certain[lo:hi]
                joined = Proposal(
                    first.page,
                    first.start,
                    last.end,
                    "",
                    sum(q.nbytes for q in group) + sum(len(e.replacement.encode()) for e in inner),
                    len(group) + sum(len(e.replacement) for e in inner),
                    False,
                )
                unsure: list[Edit] = []
                edit = decide(joined, unsure)
                if edit is not None and "marked" not in edit.reason:
                    joined_away.update(id(e) for e in inner)
                    edits.append(edit)
                    continue
            for q in group:
                edit = decide(q, declined)
                if not deeper and (
                    edit is None or "marked" in edit.reason or edit.confidence < EVEN_CHANCE
                ):
                    better = decide_on_an_equal_page(q, edit)
                    edit = better if better is not None else edit
                if edit is not None:
                    edits.append(edit)
        if joined_away:
            edits = [e for e in edits if id(e) not in joined_away]
    return edits


EVEN_CHANCE = 0.5
"""A lost-byte reading less likely than this is doubtful: another page that the document
backs as much may read the run better."""


GROUP_REACH = 64
"""Characters a group of runs read together may span: a word (or an emoji sequence),
not a line of runs that each join the next ("ï¸ ï¸ ï¸ …"), whose joint reading would cost
the square of its length."""


def _same_word_groups(
    text: str, runs: list[Proposal], certain: list[Edit], apart: set[int]
) -> list[list[Proposal]]:
    """The lost-byte runs in text order, those of one page that only certain letters of
    that page separate (one word; not Chinese or Japanese, whose letters run on for a
    whole sentence) grouped together. A run ending in a space ends a group
    (a '?' does not: with letters right after it, it is a byte replaced inside the
    word), as do runs ftfy is asked about."""
    by_start = {e.start: e for e in certain}
    groups: list[list[Proposal]] = []
    for p in sorted(runs, key=lambda q: q.start):
        if groups:
            prev = groups[-1][-1]
            if (
                p.end - groups[-1][0].start <= GROUP_REACH
                and _letters_between(text, prev, p, by_start)
                and not {id(prev), id(p)} & apart
            ):
                groups[-1].append(p)
                continue
        groups.append([p])
    return groups


def _letters_between(text: str, prev: Proposal, p: Proposal, by_start: dict[int, Edit]) -> bool:
    if prev.page != p.page or prev.end > p.start:
        return False
    # A space the run ends with parts two words, unless the run is a lone two-byte lead
    # and the space: then the space may be the no-break space flattened out of that
    # letter ("Ð ÑƒÑ�Ñ�ÐºÐ¸Ð¹", "Русский"), and the reading of the whole word decides.
    # A run right after the space that joins what is before it (a variation selector,
    # a joiner, a skin tone) makes one sequence with it: the space may be the byte that
    # completes the character before it ("âš ï¸�" is ⚠️, E2 9A A0 EF B8 8F).
    if (
        text[prev.end - 1 : prev.end] == " "
        and (prev.end != p.start or not _joins_before(text[p.start : p.end], p.page))
        and (prev.end - prev.start != 2 or text[prev.start] not in BY_NAME[p.page].lead2)
    ):
        return False
    reason = f"utf-8 read as {p.page}"
    # Between two runs that may each be a joiner, certain emoji are one emoji sequence
    # with them ("ðŸ§‘â€ðŸ§‘â€ðŸ§’": each 8D of a ZWJ lost), which only a joint reading
    # spells; alone, each joiner would join a sequence the emoji data does not list.
    # (A selector or a skin tone completes the emoji before it alone: only a joiner
    # needs the one after it too.)
    left, right = text[prev.start : prev.end], text[p.start : p.end]
    joiners = (
        _joins_before(left, p.page)
        and _joins_before(right, p.page)
        and (_may_be_a_joiner(left, p.page) or _may_be_a_joiner(right, p.page))
    )
    at = prev.end
    while at < p.start:
        e = by_start.get(at)
        if (
            e is None
            or e.reason != reason
            or e.end > p.start
            or not (
                (
                    e.replacement.isalpha()
                    and not any(
                        lossy_data.script_of(c) in lossy_data.UNSPACED_SCRIPTS
                        for c in e.replacement
                    )
                )
                or (joiners and _EMOJI_ALONE.fullmatch(e.replacement) is not None)
            )
        ):
            return False
        at = e.end
    return True


_EMOJI_ALONE = regex.compile(r"\p{Extended_Pictographic}\p{Emoji_Modifier}?")


@functools.lru_cache(maxsize=1 << 10)
def _first_characters(run: str, page: str) -> frozenset[str]:
    """The characters the lost-byte run's readings start with."""
    found = lossy.completions(run, BY_NAME[page].codec)
    return frozenset(t[:1] for t in found or ())


def _joins_before(run: str, page: str) -> bool:
    """Whether a reading of the lost-byte run starts with a character that joins the one
    before it: a mark, a format character (joiner) or an emoji modifier (skin tone)."""
    return any(_JOINS_BEFORE.match(c) for c in _first_characters(run, page))


def _may_be_a_joiner(run: str, page: str) -> bool:
    """Whether a reading of the lost-byte run starts with a zero-width joiner."""
    return "\u200d" in _first_characters(run, page)


_JOINS_BEFORE = regex.compile(r"[\p{Mn}\p{Me}\p{Cf}\p{Emoji_Modifier}]")


DELTA_WEIGHT = 2.0
"""One point of ftfy's badness (or one script break) against log10 frequency."""


def _breaks_words(text: str, p: Proposal) -> bool:
    """Whether the decoded run puts letters of two scripts together: inside itself, or
    against a neighbouring letter that is not itself mojibake of the same page."""
    if _has_c1(p.replacement):
        # A middle layer of double mojibake: judged when that layer is peeled.
        return False
    if _script_breaks(p.replacement) > _script_breaks(text[p.start : p.end]):
        return True
    # A neighbour inside another run of the same page is mojibake too, and says nothing.
    cover = _COVER.get((id(text), p.page))
    before = text[p.start - 1 : p.start]
    after = text[p.end : p.end + 1]
    left = before if before and not (cover is not None and p.start - 1 in cover) else ""
    right = after if after and not (cover is not None and p.end in cover) else ""
    return _script_breaks(left + p.replacement + right) > _script_breaks(p.replacement)


@dataclass(frozen=True, slots=True)
class _Cover:
    """The characters a page's proposals cover, as sorted disjoint spans: a few per
    candidate line, where a flag per character of the text would cost memory in
    proportion to the whole text for every page."""

    starts: list[int]
    ends: list[int]

    @classmethod
    def of(cls, props: list[Proposal]) -> _Cover:
        starts: list[int] = []
        ends: list[int] = []
        for p in sorted(props, key=lambda q: q.start):
            if p.start >= p.end:
                continue
            if ends and p.start <= ends[-1]:
                ends[-1] = max(ends[-1], p.end)
            else:
                starts.append(p.start)
                ends.append(p.end)
        return cls(starts, ends)

    def __contains__(self, i: int) -> bool:
        k = bisect.bisect_right(self.starts, i)
        return k > 0 and self.ends[k - 1] > i


_COVER: dict[tuple[int, str], _Cover] = {}
"""Per page, the characters its proposals cover, for the layer being decided (kept and
cleared with the score memo)."""


def _score(text: str, p: Proposal) -> float:
    # Memoized for the layer being decided (cleared when a layer starts, while its
    # text is alive, so the id cannot be reused).
    key = (id(text), p.start, p.end, p.replacement)
    cached = _SCORES.get(key)
    if cached is None:
        cached = _SCORES[key] = _score_uncached(text, p)
    return cached


_SCORES: dict[tuple[int, int, int, str], float] = {}


def _score_uncached(text: str, p: Proposal) -> float:
    """How much better the decoded run reads than the run as written: the gain in
    character frequency plus the drop in badness around it. A decoding that puts two
    scripts together inside a word ("Brontë…”" as a Hangul syllable) is never better."""
    # A decoding that puts two scripts together in a word pays twice the mangling prior:
    # alone it cannot be believed, but a document that is plainly mojibake of this page
    # may carry it ("Cрпски" with a Latin C, as its author typed it).
    penalty = 2 * MANGLE_PRIOR if _breaks_words(text, p) else 0.0
    # C1 controls in a decoded run are the bytes of a layer still to peel, not text.
    decoded = _C1.sub("", p.replacement) if p.nseq > 1 else p.replacement
    gain = _surprisal(text[p.start : p.end]) - _surprisal(decoded)
    return gain + DELTA_WEIGHT * _delta(text, p, p.replacement) - penalty


@dataclass(slots=True)
class _LineView:
    """ftfy's reading of one line next to ours (this page's proposals applied), with
    the shifts needed to find a position of the line in ours."""

    line: str
    fixed: str
    ours: str
    ends: list[int]
    shifts: list[int]


def _ftfy_reads(view: _LineView, at: int, before: str, after: str, candidate: str) -> bool:
    """Whether ftfy's line has ``candidate`` between these neighbours, near ``at``."""
    return _find_near(view.fixed, before + candidate + after, at, len(view.line))


NEAR = 256
"""How far from where it is expected a matching stretch of ftfy's line may be."""


def _find_near(fixed: str, local: str, at: int, length: int) -> bool:
    """Whether ``local`` occurs in ``fixed`` near the place that corresponds to ``at`` in
    a line of ``length`` (positions scale with the lines' lengths; a bounded search keeps
    a long line linear)."""
    if len(fixed) <= 2 * NEAR:
        return local in fixed
    guess = at * len(fixed) // max(1, length)
    return fixed.find(local, max(0, guess - NEAR), guess + len(local) + NEAR) >= 0


LINE_LOOK = 4096
"""How far around a proposal its line's ends are looked for before the text's line
breaks are listed."""


class _FtfyLines:
    """ftfy's whole-line judgement, computed once per line and page of a layer."""

    def __init__(self, text: str, deeper: bool) -> None:
        self.text = text
        self.deeper = deeper
        self._breaks: list[int] | None = None
        self.views: dict[tuple[int, str], _LineView] = {}

    def _line(self, at: int) -> tuple[int, int]:
        """Where the line holding ``at`` starts and ends (at its line break). Most lines
        are short: a look around ``at`` finds both ends; only a long line needs the list
        of every line break in the text, made once, which keeps many proposals on one long
        line linear."""
        text = self.text
        lo = max(0, at - LINE_LOOK)
        hi = min(len(text), at + LINE_LOOK)
        start = text.rfind("\n", lo, at)
        end = text.find("\n", at, hi)
        if (start >= 0 or lo == 0) and (end >= 0 or hi == len(text)):
            return start + 1, end if end >= 0 else len(text)
        if self._breaks is None:
            self._breaks = [m.start() for m in re.finditer("\n", text)]
        i = bisect.bisect_left(self._breaks, at)
        start = self._breaks[i - 1] + 1 if i else 0
        return start, self._breaks[i] if i < len(self._breaks) else len(text)

    def view(self, p: Proposal, props: list[Proposal]) -> tuple[int, _LineView]:
        line_start, line_end = self._line(p.start)
        key = (line_start, p.page)
        if key not in self.views:
            line = self.text[line_start:line_end]
            explained = ftfy.fix_encoding_and_explain(line)
            fixed = explained.text
            if self.deeper and any(
                step[1] == "decode_inconsistent_utf8" for step in explained.explanation or ()
            ):
                # Under a layer already peeled, ftfy's run-by-run pass guesses on text
                # that is now mostly clean ("ÀßŒ" would lose "ßŒ" to one NKo letter).
                fixed = line
            # A page's proposals are in text order: those of the line are one slice.
            first = bisect.bisect_left(props, line_start, key=lambda q: q.start)
            last = bisect.bisect_right(props, line_end, lo=first, key=lambda q: q.start)
            same_page = [
                q.shifted_edit(-line_start)
                for q in props[first:last]
                if q.lossless and q.end <= line_end and _plausible(q.replacement)
            ]
            same_page.sort(key=lambda e: e.start)
            ours = apply_edits(line, same_page)
            ends = [e.end for e in same_page]
            shifts = list(
                itertools.accumulate(len(e.replacement) - (e.end - e.start) for e in same_page)
            )
            self.views[key] = _LineView(line, fixed, ours, ends, shifts)
        return line_start, self.views[key]

    def agrees(self, p: Proposal, props: list[Proposal]) -> bool:
        """Whether ftfy, fixing the whole line, makes the same change at this place:
        its line equals ours, or the change appears in its line, near where it stands
        in ours, with the same neighbours."""
        line_start, v = self.view(p, props)
        if v.fixed == v.line:
            return False
        if v.fixed == v.ours:
            return True
        a = p.start - line_start
        k = bisect.bisect_right(v.ends, a)
        at = a + (v.shifts[k - 1] if k else 0)
        local = v.ours[max(0, at - 2) : at + len(p.replacement) + 2]
        return _find_near(v.fixed, local, at, len(v.ours))


WORD_FREQUENCY = 1e-6
"""How often (wordfreq's frequency; zipf 3) a word must be written for a run spelling it
to be taken as that word rather than as mojibake."""


def _is_a_word(text: str, p: Proposal) -> bool:
    """Whether the run, with its letters on either side, spells a word people write in a
    language of its script ("діє" in Ukrainian is a word, not mojibake of one CJK
    character). Only letter-only runs are checked: mojibake is rarely all letters of
    one script, and most of it holds symbols."""
    if not text[p.start : p.end].isalpha():
        return False
    return _common_word(_word_around(text, p.start, p.end))


def _ends_a_word_as_written(text: str, p: Proposal) -> bool:
    """Whether the run's leading letters end a word written often as it stands, the run
    going on with punctuation, and the reading spelling no word: Ukrainian
    "взагалі…" holds "лі…", which windows-1251 reads as the Hangul 볅 (and "неї…" holds
    "ї…", 必)."""
    run = text[p.start : p.end]
    head = 0
    while head < len(run) and run[head].isalpha():
        head += 1
    if not head or head == len(run):
        return False
    if not all(unicodedata.category(ch).startswith("P") for ch in run[head:]):
        return False  # a C1 control ("PieniÄ\x99dzy": Finnish "pieniä" is a word) is no writing
    if not _ends_a_written_word(text, p.start, head):
        return False
    # The reading may be a word too: Portuguese and Vietnamese "chá" end "Chá»‰", which is
    # Vietnamese "chỉ" in windows-1252; Vietnamese "phá" ends "Phá»•", "phổ" in -1250.
    return not _common_word(_word_around(text, p.start, p.end, p.replacement))


def _letters_for_an_unwritten_symbol(text: str, p: Proposal) -> bool:
    """Whether a run of letters only decodes to one symbol that no word list writes and
    that is no emoji: "вЁЁ" (windows-1251 E2 A8 A8) is letters of the text's own kind,
    "⨨" a mathematical operator. Emoji and punctuation are read ("вљЎ" is ⚡)."""
    rep = p.replacement
    return (
        len(rep) == 1
        and unicodedata.category(rep)[0] == "S"
        and rep not in lossy_data.char_surprisals()
        and not emoji.is_emoji(rep)
        and text[p.start : p.end].isalpha()
    )


def _mark_on_nothing(text: str, p: Proposal) -> bool:
    """Whether the reading starts with a combining mark where it has nothing to combine
    with, at the start of the text or after a space: "Ů°" is windows-1250 for D9 B0, the
    Arabic mark U+0670, and no one writes a mark alone."""
    return unicodedata.category(p.replacement[:1] or "a").startswith("M") and (
        p.start == 0 or text[p.start - 1].isspace()
    )


def _word_before_its_space(text: str, p: Proposal) -> bool:
    """Whether a run that swallowed a space holds, before it, the end of a word written
    often as it stands: Czech "Náš " is no "NṠ" (iso-8859-2 E1 B9 and a flattened A0)."""
    run = text[p.start : p.end]
    cut = run.find(" ")
    return cut > 0 and run[:cut].isalpha() and _ends_a_written_word(text, p.start, cut)


def _ends_a_written_word(text: str, start: int, head: int) -> bool:
    """Whether the letters before ``start`` and the ``head`` characters from it make a
    word of three letters or more, written often as it stands."""
    # Lowercased, not casefolded: "ß" (cp437's E1) would fold to "ss", and "Tiß║┐" (cp437
    # for "Tiế") would end the word "tiss".
    word = text[_word_start(text, start) : start + head].lower()
    return len(word) >= 3 and _common_word(word)


def _inside_a_word(text: str, p: Proposal) -> bool:
    """Whether the run is letters inside a longer word that is written often as it
    stands (the run alone may be a mojibake word itself: "РІ" is "в")."""
    if not text[p.start : p.end].isalpha():
        return False
    word = _word_around(text, p.start, p.end)
    return len(word) > p.end - p.start and _common_word(word)


def _common_word(word: str) -> bool:
    """Whether ``word`` is written often enough to be taken for itself; a single letter
    only as often as Russian "в" is (wordfreq lists stray letters split off other words
    too: "ñ", "ã")."""
    return _frequency(word) >= (WORD_FREQUENCY if len(word) > 1 else LETTER_WORD_FREQUENCY)


def _lone_foreign_letter(p: Proposal, letters: _Letters) -> bool:
    """Whether the run decodes to one letter of a script the rest of the text never
    uses ("áĽŞ" as the Greek Ἢ, "Â¢â" as one Han character in English): with nothing
    else of its page in the text, that is no more likely mojibake than what it says.
    ``letters``: the text's letters, kept for the layer (a large note is asked often)."""
    if p.nseq != 1 or not p.replacement.isalpha():
        return False
    script = _script(p.replacement[0])
    if script in ("Zyyy", "Zinh"):
        return False
    return not letters.elsewhere(script, p.start, p.end)


class _Letters:
    """Where a text's letters of each script first stand, found on first use."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._first: dict[str, int] = {}

    def _find(self, script: str, pos: int) -> int:
        """The first letter of ``script`` at or after ``pos``, or -1. The regex engine
        finds the script's characters in C (a note may be megabytes); the letters among
        them are told apart here."""
        found = -1
        for pattern in _script_patterns(script):
            for m in pattern.finditer(self._text, pos, found if found >= 0 else len(self._text)):
                ch = m.group()
                if ch.isalpha() and _script(ch) == script:
                    found = m.start()
                    break
        return found

    def writes(self, script: str) -> bool:
        """Whether the text holds a letter of ``script``; the scripts of Chinese and
        Japanese writing, which run together in one sentence, count as one."""
        family = _UNSPACED if script in _UNSPACED else (script,)
        return any(self.elsewhere(member, 0, 0) for member in family)

    def elsewhere(self, script: str, start: int, end: int) -> bool:
        """Whether a letter of ``script`` stands outside ``text[start:end]``."""
        if script not in self._first:
            self._first[script] = self._find(script, 0)
        first = self._first[script]
        if first < 0:
            return False
        return first < start or first >= end or self._find(script, end) >= 0


_UNSPACED = tuple(sorted(lossy_data.UNSPACED_SCRIPTS))


def _letter_scripts(text: str) -> set[str]:
    """The scripts of the letters of ``text`` (common and inherited ones aside)."""
    return {
        script for ch in text if ch.isalpha() and (script := _script(ch)) not in ("Zyyy", "Zinh")
    }


@cache
def _script_patterns(script: str) -> tuple[re.Pattern[str], ...]:
    """Where ``_script`` may find ``script``: its ranges in the Basic Multilingual Plane
    (from the same Scripts.txt data), which the regex engine tests by table, and the
    span of its ranges above that plane, tested by one comparison (a class of many
    ranges there is tested range by range: an order slower)."""
    starts, values = unicode_scripts.Scripts.RANGES, unicode_scripts.Scripts.VALUES
    ranges = [
        (lo, starts[i + 1] - 1 if i + 1 < len(starts) else 0x10FFFF)
        for i, (lo, value) in enumerate(zip(starts, values, strict=True))
        if value == script
    ]
    bmp = [(lo, min(hi, 0xFFFF)) for lo, hi in ranges if lo <= 0xFFFF]
    above = [(max(lo, 0x10000), hi) for lo, hi in ranges if hi > 0xFFFF]
    parts = [bmp] if bmp else []
    if above:
        parts.append([(above[0][0], above[-1][1])])
    return tuple(
        re.compile("[" + "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in part) + "]")
        for part in parts
    )


def _ends_a_capital_word(text: str, p: Proposal) -> bool:
    """Whether the run reads as a space alone and takes it from the last letter of a word
    written in capitals ("MISUTÂ\xa0AJIKKO"): a capital there keeps the word's case, where
    the mojibake of a space after a word in small letters breaks it ("wordÂ\xa0")."""
    if not p.replacement.isspace() or not text[p.start].isupper():
        return False
    word = text[_word_start(text, p.start) : p.start]
    return len(word) >= 2 and word.isupper()


def _in_a_capital_word(text: str, p: Proposal) -> bool:
    """Whether the run is letters inside a word written wholly in capitals ("АРЁ"):
    capitals spell names and abbreviations, which word lists, kept in small letters,
    cannot judge; and the mojibake of capitals is mostly punctuation ("Ð¨" is "Ш" in
    Latin-1), so a word of capital letters alone is likelier written as it stands."""
    lo = _word_start(text, p.start)
    hi = p.end
    while hi < len(text) and text[hi].isalpha():
        hi += 1
    word = text[lo:hi]
    return len(word) >= 2 and word.isalpha() and word.isupper()


def _takes_a_letter_from_a_word(text: str, p: Proposal) -> bool:
    """Whether the run starts with a letter that continues a word of the same script and
    decodes to no letter ("ΔΓ— " in Greek: Γ— would be ×, leaving Δ alone). With
    nothing backing its page, that letter is more likely the word's than mojibake's."""
    first = text[p.start]
    if p.start == 0 or not first.isalpha() or any(ch.isalpha() for ch in p.replacement):
        return False
    before = text[p.start - 1]
    script = _script(first)
    return before.isalpha() and script not in ("Zyyy", "Zinh") and _script(before) == script


def _touches_letters(text: str, p: Proposal) -> bool:
    """Whether a letter stands right before or after the run."""
    return text[p.start - 1 : p.start].isalpha() or text[p.end : p.end + 1].isalpha()


def _never_written(text: str) -> bool:
    """Whether a character of ``text`` is one word lists never show (an NKo letter
    such as ߪ, unlike γ, which science writes in Latin text)."""
    table = lossy_data.char_surprisals()
    return any(table.get(ch.casefold()[0]) is None for ch in text if ch.isalpha())


def _lead_is_a_word(text: str, at: int, repaired: str) -> bool:
    """Whether the letter at ``at``, alone before its space, is a word of the text's
    language ("В " in Russian): then it is not the lead of a no-break space flattened to
    a space. Only a letter of the text's main script counts (in French text, a Cyrillic
    "Г " is mojibake, whatever Russian says of it), in its language, both read from
    ``repaired``, the text with its certain repairs."""
    if at > 0 and text[at - 1].isalpha():
        return False
    letter = text[at]
    script, lang = _text_language(repaired)
    if lossy_data.script_of(letter) != script:
        # Or a letter of a script whose words the text writes too ("Что Может … The
        # World , В " is Russian as much as English), in their language.
        lang = _written_language(repaired, lossy_data.script_of(letter))
    if lang is None:
        return False
    freq = lossy_data.frequency_dict(lang, "small").get(letter.casefold(), 0.0)
    return freq >= LETTER_WORD_FREQUENCY


def _foreign_lead(text: str, at: int, repaired: str) -> bool:
    """Whether the letter at ``at``, before its space, is of a script other than the
    text's main one (read from ``repaired``) and either stands alone ("Г bien" in French)
    or ends a word of the main script ("voilГ "): no word is written so."""
    script, _ = _text_language(repaired)
    if not script or lossy_data.script_of(text[at]) == script:
        return False
    return all(lossy_data.script_of(ch) == script for ch in text[_word_start(text, at) : at])


def _spells_a_word(before: str, after: str, candidate: str) -> bool:
    """Whether the reading, with the letters it touches, is a word people write (a
    single letter as often as one that is a word on its own)."""
    local = before + candidate + after
    word = _word_around(local, len(before), len(before) + len(candidate.rstrip(" ")))
    return bool(word) and _common_word(word)


LETTER_WORD_FREQUENCY = 1e-4
"""A letter that is a word on its own: Russian в, с, к, г (1e-3 and more), Swedish å.
Below it wordfreq lists stray letters split off other words (Portuguese ã, 3e-6)."""


def _text_language(text: str) -> tuple[str, str | None]:
    """The script most of the text's words (of one script each) are written in, and
    the language they point to."""
    key = id(text)
    if key not in _LANGUAGES:
        script = words.main_script(text)
        lang = lossy_data.guess_language(script, words.sample(text, script)) if script else None
        _LANGUAGES[key] = (script, lang)
    return _LANGUAGES[key]


_LANGUAGES: dict[int, tuple[str, str | None]] = {}
"""Per text, its main script and language (kept and cleared with the score memo: the
text is alive while its layer is decided)."""


WRITTEN_WORDS = 2
"""Words of a script other than the text's main one, each written in a language of that
script, that make the text write that language too."""


def _written_language(text: str, script: str) -> str | None:
    """The language of ``script`` the text writes words in (``WRITTEN_WORDS`` of them,
    of two letters or more, frequent in a language of the script), or None: mojibake left
    as written ("ГЁ") spells none."""
    key = (id(text), script)
    if key not in _SCRIPT_LANGUAGES:
        sample = [w for w in words.sample(text, script) if len(w) > 1]
        enough = sum(1 for w in sample if _is_written(w.casefold())) >= WRITTEN_WORDS
        _SCRIPT_LANGUAGES[key] = lossy_data.guess_language(script, sample) if enough else None
    return _SCRIPT_LANGUAGES[key]


_SCRIPT_LANGUAGES: dict[tuple[int, str], str | None] = {}
"""Per text and script, ``_written_language`` (cleared with ``_LANGUAGES``)."""


def _words_spelled(text: str, props: list[Proposal]) -> int:
    """How many of a page's readings, applied all together (a word may hold several
    runs), spell a word people write in a language of its script, with the letters on
    either side ("KĂźĂ§Ăźk" as "küçük", not "kßçßk")."""
    edits: list[Edit] = []
    for p in sorted(props, key=lambda q: q.start):
        if not edits or edits[-1].end <= p.start:
            edits.append(p.shifted_edit(0))
    repaired = apply_edits(text, edits)
    count = 0
    shift = 0
    for e in edits:
        start = e.start + shift
        end = start + len(e.replacement)
        shift += len(e.replacement) - (e.end - e.start)
        if _is_written(_word_around(repaired, start, end)):
            count += 1
    return count


def _word_start(text: str, at: int) -> int:
    """Where the letters that end right before ``at`` begin (``at`` itself if none do)."""
    while at > 0 and text[at - 1].isalpha():
        at -= 1
    return at


def _word_around(text: str, start: int, end: int, replacement: str | None = None) -> str:
    """The letters on either side of ``text[start:end]`` (or of ``replacement`` put in
    its place) with it, casefolded."""
    lo, hi = _word_start(text, start), end
    while hi < len(text) and text[hi].isalpha():
        hi += 1
    middle = text[start:end] if replacement is None else replacement
    return (text[lo:start] + middle + text[end:hi]).casefold()


def _is_written(word: str) -> bool:
    """Whether ``word`` is written at least ``WORD_FREQUENCY`` in a language of its
    script."""
    return _frequency(word) >= WORD_FREQUENCY


def _frequency(word: str) -> float:
    """How often ``word`` (casefolded) is written in the language of its script that
    writes it most (wordfreq); 0 for no word of one script."""
    if not word.isalpha():
        return 0.0
    script = _script(word[0])
    if any(_script(ch) != script for ch in word):
        return 0.0
    return max(
        (
            lossy_data.frequency_dict(lang, "small").get(word, 0.0)
            for lang in lossy_data.script_languages().get(script, ())
        ),
        default=0.0,
    )


def _joins_words(text: str, p: Proposal, props: list[Proposal] | None = None) -> bool:
    """Whether the decoded run, with the characters it touches up to whitespace, spells
    words of the document's language that are much likelier than the text as written:
    "pi√π" is no Italian, "più" is; "┬┐que" is box drawing glued to a word, "¿que" a
    question. The run must touch a letter (mojibake sits in words; drawings and symbols
    stand apart from them), every token of the decoded stretch must be a word people
    write, and the decoded stretch must beat the written one by the mangling prior.
    The page's other lossless runs in the stretch (``props``, in text order) are read
    decoded with it: "Г©tГ©" is "été" only with both its runs read."""
    touching = [ch for ch in text[p.start - 1 : p.start] + text[p.end : p.end + 1] if ch.isalpha()]
    if not touching or _in_a_capital_word(text, p):
        return False
    lang = words.language(text, lossy_data.script_of(touching[0]))
    if lang is None:
        return False
    lo, hi = words.stretch_around(text, p.start, p.end)
    runs = [p]
    if props:
        first = bisect.bisect_left(props, lo, key=lambda q: q.start)
        for q in itertools.islice(props, first, None):
            if q.start >= hi:
                break
            if q.lossless and q.end <= hi and (q.end <= p.start or q.start >= p.end):
                runs.append(q)
        runs.sort(key=lambda q: q.start)
    pieces: list[str] = []
    at = lo
    for q in runs:
        if q.start < at:
            continue  # overlaps the run before it
        pieces.append(text[at : q.start])
        pieces.append(q.replacement)
        at = q.end
    pieces.append(text[at:hi])
    decoded = "".join(pieces)
    tokens = words.tokens(decoded, lang)
    vocab = lossy_data.frequency_dict(lang)
    if not tokens or any(vocab.get(t, 0.0) < WORD_FREQUENCY for t in tokens):
        return False
    return words.cost(text[lo:hi], lang) - words.cost(decoded, lang) > MANGLE_PRIOR


def _invisible(text: str, before: str = "", after: str = "") -> bool:
    """Whether a reconstruction holds an odd space or a format character outside an
    emoji sequence (EM QUAD, a bidi mark): a lost byte is far more often part of a
    visible character, and an invisible guess cannot be seen to be wrong. The sequence
    may run on into the neighbours: a joiner between "🧑" and "🔬" is inside one."""
    odd = [
        i
        for i, ch in enumerate(text)
        if (unicodedata.category(ch) == "Zs" and ch not in " \xa0")
        or unicodedata.category(ch) == "Cf"
    ]
    if not odd:
        return False
    head, tail = before[-_SEQUENCE_REACH:], after[:_SEQUENCE_REACH]
    covered = [
        (m["match_start"] - len(head), m["match_end"] - len(head))
        for m in emoji.emoji_list(head + text + tail)
    ]
    return any(not any(lo <= i < hi for lo, hi in covered) for i in odd)


_SEQUENCE_REACH = 16
"""Characters of context either side in which an emoji sequence a reconstruction joins
is looked for (the longest sequences, families with skin tones, are about ten)."""


def _has_letter(text: str) -> bool:
    # unicodedata2: letters newer than this Python's Unicode data count too.
    return any(unicodedata.category(ch)[0] == "L" for ch in text)


def _continues_a_layer(left: str, right: str, reading: str) -> bool:
    """Whether ``reading``, between what repairs of its layer wrote either side of it,
    is part of mojibake still to peel, through some page: a run that lost a byte inside
    double mojibake is a character of the layer below ("â" and "’" either side of "â€�"
    make "â”’", E2 94 92, with the 9D restored; not "â‐’", with 90)."""
    stretch = left + reading + right
    for page in CODEPAGES:
        data = page.encode(stretch)
        if data is None or data.isascii():
            continue
        try:
            if len(data.decode("utf-8")) < len(stretch):
                return True
        except UnicodeDecodeError:
            continue
    return False


def _still_mojibake(text: str) -> bool:
    """Whether decoded text is itself a layer still to peel (double mojibake)."""
    return _has_c1(text) or screen().search(text) is not None


def _lossy_may_be_read(text: str, p: Proposal, deeper: bool, backing: int) -> bool:
    """Whether ``_decide_layer`` takes this lost-byte run for reading: in a deeper layer
    only a hole the last layer marked, inside what it decoded (the character it stood in
    is lost too, and is marked: mojibake of mojibake gives too little to go on); else
    what ``_may_guess`` allows with ``backing`` bytes of evidence for its page."""
    if deeper:
        return "\ufffd" in text[p.start : p.end]
    return _may_guess(text, p, backing)


def _may_guess(text: str, p: Proposal, evidence: int) -> bool:
    """Lost bytes are only guessed where the document shows this code page at work,
    where the run is a four-byte sequence (an emoji) short of one byte, or where the
    text marks the hole with U+FFFD."""
    run = text[p.start : p.end]
    if "\ufffd" in run:
        return True  # the decoder itself marked the lost byte
    # A space the run swallowed may stand for a flattened no-break space or end the run:
    # it is no byte of the sequence ("š… " in Lithuanian is a four-byte lead and one
    # continuation in windows-1257, two bytes short of 😅).
    return evidence >= 3 or (p.nbytes - run.count(" ") >= 3 and run[0] in page_leads4(p.page))


def _lossy_edit(
    text: str,
    p: Proposal,
    before: str,
    after: str,
    ev: lossy.Evidence,
    settings: Settings,
    prior: float = 0.0,
    accept: Callable[[str], bool] | None = None,
    evidence: int = 0,
    shown: int | None = None,
    declined: list[Edit] | None = None,
    pairs: tuple[int, int] | None = None,
    written: Callable[[str], bool] | None = None,
    prefer: Callable[[str], bool] | None = None,
) -> Edit | None:
    """The edit for a lossy run: the reconstruction's best candidate (that ``accept``
    takes, if given) when it reads better than the run by more than ``prior``; else
    a U+FFFD where the text marked the hole (a '?' only with ``shown``: the bytes
    earlier layers repaired on this page, which count as evidence then); else nothing.
    Without ``evidence`` for the page, a marked hole or ftfy's agreement (``accept``),
    only an emoji or symbol is guessed (a four-byte sequence short of a byte), never
    letters: "рії" in Ukrainian is a word. The last pass (``shown``) only marks. A run
    that is mojibake but whose best reading is below the confidence floor is left as
    written and, with ``declined``, added there as the edit it would have been. With
    ``written``, a reading whose letters it rejects (a script the text does not write)
    is not taken either. With ``prefer``, the best reading it takes is the one applied,
    if any is (its confidence is still its share of all the readings)."""
    run = text[p.start : p.end]
    page = BY_NAME[p.page]
    rec = None
    if settings.lost_bytes:
        rec = lossy.reconstruct(run, page.codec, before, after, ev, pairs)
    marked = "\ufffd" in run or "?" in run
    # Where the text marks the hole, a doubtful guess is worse than the mark.
    floor = max(settings.lost_byte_threshold, 0.5 if marked else 0.0)
    if rec is not None and shown is None:
        # The best candidate, or with ``accept`` the best one it accepts.
        eligible = [
            (accept is None or accept(c.text)) and not _invisible(c.text, before, after)
            for c in rec.candidates
        ]
        pool = [c for c, ok in zip(rec.candidates, eligible, strict=True) if ok]
        if prefer is not None:
            pool = [c for c in pool if prefer(c.text)] or pool
        pool = pool[:1]
        best = pool[0] if pool else rec.best
        # Readings set aside are no part of the odds: those of the rest are what they are
        # given that none of those is the one ("” " against a joiner before a space).
        aside = sum(
            _share(rec, c.score) for c, ok in zip(rec.candidates, eligible, strict=True) if not ok
        )
        kept = 1.0 - aside if 0.0 < aside < 1.0 else 1.0
        decoded = Proposal(p.page, p.start, p.end, best.text, p.nbytes, p.nseq, False)
        # The floor holds for the candidate applied, not for one set aside.
        if (
            pool
            and best.text != run
            and _plausible(best.text)
            and _reads_better(run, before, after, decoded) > prior
            and (
                evidence >= 3 or "\ufffd" in run or accept is not None or not _has_letter(best.text)
            )
            and (written is None or written(best.text))
        ):
            restored = " ".join(f"0x{b:02X}" for b in best.restored)
            detail = best.reason or (
                f"lost byte {restored} restored" if restored else "lost bytes restored"
            )
            reason = f"utf-8 read as {p.page}, {detail}"
            alternatives = tuple(
                Alternative(
                    c.text,
                    min(1.0, _share(rec, c.score) / kept),
                    f"utf-8 read as {p.page}, {c.reason}",
                )
                for c, ok in zip(rec.candidates, eligible, strict=True)
                if c is not best and ok
            )
            confidence = min(1.0, _share(rec, best.score) / kept)
            # Where the text marks the hole, an even chance is no better than the mark.
            if confidence > floor if marked else confidence >= floor:
                return Edit(p.start, p.end, best.text, reason, confidence, alternatives)
            if declined is not None and not marked:
                # Mojibake, but no reading is sure enough: left as written, and said.
                declined.append(
                    Edit(
                        p.start,
                        p.end,
                        best.text,
                        f"{reason}; below the threshold {floor:g}, left as written",
                        confidence,
                        alternatives,
                    )
                )
    tail = " " if run.endswith(" ") else ""
    if "\ufffd" in run:
        # The text itself says a byte was lost here and nothing better can be said:
        # one U+FFFD for the one character, as the decoder should have written. What
        # every reading agrees on is no guess and is kept ("ðŸ“�Â " is a lost emoji and
        # a no-break space: "�\xa0").
        head, lost, end = _agreed(rec) if rec is not None and shown is None else ("", "", "")
        return Edit(
            p.start,
            p.end,
            head + "\ufffd" * max(1, len(_GRAPHEMES.findall(lost))) + end
            if lost
            else "\ufffd" * p.nseq + tail,
            f"utf-8 read as {p.page}, lost byte marked U+FFFD",
            1.0,
        )
    if (
        shown is not None
        and rec is not None
        and evidence + shown >= 3
        and (held := _question_held(rec, run, written)) > 0.5
    ):
        # In a document that shows this page at work, a '?' where UTF-8 needs a byte is
        # the mark a lossy decoder left, as the readings say: mark the character the
        # decoder should have, rather than leave mojibake or guess one nobody can tell.
        return Edit(
            p.start,
            p.end,
            "\ufffd" * p.nseq + tail,
            f"utf-8 read as {p.page}, lost byte marked '?' (now U+FFFD)",
            held,
        )
    return None


_GRAPHEMES = regex.compile(r"\X")


def _common_start(texts: list[str]) -> str:
    first = min(texts)
    last = max(texts)
    n = 0
    while n < len(first) and first[n] == last[n]:
        n += 1
    return first[:n]


def _agreed(rec: lossy.Reconstruction) -> tuple[str, str, str]:
    """The start and end every listed reading shares, and the best reading's part between
    them (all empty where the readings share nothing, or one reading is all shared)."""
    # A reading and the same with a space kept after it are one reading here.
    texts = [c.text.removesuffix(" ") for c in rec.candidates]
    if len(texts) < 2:
        return "", "", ""
    head = _common_start(texts)
    end = _common_start([t[len(head) :][::-1] for t in texts])[::-1]
    middle = texts[0][len(head) : len(texts[0]) - len(end)]
    if not (head or end) or any(len(t) <= len(head) + len(end) for t in texts):
        return "", "", ""
    return head, middle, end + rec.candidates[0].text[len(texts[0]) :]


def _reads_better(run: str, before: str, after: str, decoded: Proposal) -> float:
    """``_score`` of a lost-byte reading among its neighbours as repaired, not as found:
    a Cyrillic letter between two runs still to be decoded would otherwise break
    scripts with their Latin mojibake ("ÐžсÐ½" for "Осн")."""
    local = before + run + after
    at = len(before)
    placed = Proposal(
        decoded.page, at, at + len(run), decoded.replacement, decoded.nbytes, decoded.nseq, False
    )
    # Not memoized: the memo is keyed by the id of the layer's text.
    return _score_uncached(local, placed)


def _question_held(
    rec: lossy.Reconstruction, run: str, written: Callable[[str], bool] | None = None
) -> float:
    """The share of the readings that take a '?' of the run for a lost byte (of those
    ``written`` accepts: a reading in letters of a script the text never writes is no
    lost character, and "på??" in Danish is a question)."""
    marks = run.count("?")
    return min(
        1.0,
        sum(
            _share(rec, c.score)
            for c in rec.candidates
            if c.text.count("?") < marks and (written is None or written(c.text))
        ),
    )


@cache
def page_leads4(page: str) -> str:
    return BY_NAME[page].lead4


def _share(rec: lossy.Reconstruction, score: float) -> float:
    """An alternative's confidence, scaled like the best one's."""
    best = rec.best.score
    if best == score:
        return rec.confidence
    return max(0.0, min(1.0, rec.confidence * math.exp(score - best)))


def _c1_edits(text: str) -> list[Edit]:
    """C1 control characters are never written on purpose: they are bytes of a
    single-byte page (Windows-1252, unless the words around them read clearly better
    through another) decoded as Latin-1."""
    return c1.c1_edits(text)


def _suspect(text: str, pos: int = 0) -> bool:
    """Whether ``text`` holds a C1 control or a place where ``screen`` matches (given
    none before ``pos``): what any repair starts from. One pass of ``scan_pattern``,
    stopping at the first hit that is one of those."""
    search = _SCAN_SEARCH
    lead, cont = _LEAD, _CONT
    while (hit := search(text, pos)) is not None:
        i = hit.start()
        ch = text[i]
        if (
            ch <= "\x9f"
            or (ch in _NBSP_LEADS and text.startswith((" ", "?"), i + 1))
            or (i and lead.get(text[i - 1], 0) & cont.get(ch, 0))
        ):
            return True
        pos = i + 1
    return False


def repair(text: str, settings: Settings = DEFAULT) -> Repair:
    """Find and reverse mojibake in ``text``; every change is an explained Edit."""
    if _clean(text):
        return Repair(text, ())
    return _repair(text, settings)


def _clean(text: str) -> bool:
    """Whether ``text`` holds nothing any repair starts from: no place where UTF-8 may
    have been misread, and no words that windows-1252 showed for another page."""
    if text.isascii():
        return True
    if (hit := _SCAN_SEARCH(text)) is not None and _suspect(text, hit.start()):
        return False
    # legacy.suspect's screen, asked here for a short text (a line): most lines beyond
    # ASCII hold a character that windows-1252 does not write, and stop at it at once.
    if len(text) < legacy.LONG:
        hit = _LEGACY_SCREEN(text)
        if hit is not None and text[hit.start()] not in _TELLTALES:
            return True
        return not legacy.screened(text, hit) or not legacy.read_through(text)
    return not legacy.suspect(text) or not legacy.read_through(text)


def _repair(text: str, settings: Settings) -> Repair:
    # A note in another single-byte page shown as windows-1252 is read through its page
    # first: UTF-8 mojibake in it (if any) is made of that page's characters.
    total: tuple[Edit, ...] = tuple(legacy.edits(text))
    current = apply_edits(text, total) if total else text
    # Runs left as written for want of a sure reading, as found by the last full layer,
    # over the input.
    unsure: tuple[Edit, ...] = ()
    # Peel layers, then read C1 controls through their page. What that reveals, and the
    # clearer evidence of a text partly repaired, may settle more runs: go round until
    # nothing changes, so that repair is idempotent.
    for _ in range(MAX_LAYERS):
        before = current
        within: list[tuple[int, int]] | None = None
        for _ in range(MAX_LAYERS):
            declined: list[Edit] | None = [] if within is None else None
            edits = _one_layer(current, settings, within, None, declined)
            if declined is not None:
                unsure = _over_input(total, declined)
            if not edits:
                break
            within = _written_spans(edits)
            total = compose(text, total, edits) if total else tuple(edits)
            current = apply_edits(current, edits)
        controls = _c1_edits(current) if _text_has_c1(current) else []
        if controls:
            total = compose(text, total, controls) if total else tuple(controls)
            current = apply_edits(current, controls)
        if current == before:
            break
    if "?" in current and total:
        marks = _one_layer(current, settings, None, _repaired_bytes(total))
        if marks:
            total = compose(text, total, marks) if total else tuple(marks)
            current = apply_edits(current, marks)
    _forget_scan()
    words.forget()
    if unsure and total:
        # Only those that are still as they were: a later layer may have settled one.
        unsure = tuple(u for u in unsure if not _overlaps_any(u, total))
    return Repair(current, total, unsure)


def _overlaps_any(span: Edit, edits: tuple[Edit, ...]) -> bool:
    """Whether ``span`` overlaps one of ``edits`` (sorted, apart: as a Repair's are)."""
    i = bisect.bisect_right(edits, span.start, key=lambda e: e.start)
    return (i > 0 and edits[i - 1].end > span.start) or (
        i < len(edits) and edits[i].start < span.end
    )


def _over_input(done: tuple[Edit, ...], found: list[Edit]) -> tuple[Edit, ...]:
    """``found`` (spans of the text that ``done`` made, none inside what an edit of
    ``done`` wrote) as spans of the input ``done`` applies to."""
    out: list[Edit] = []
    ordered = sorted(done, key=lambda e: e.start)
    outputs: list[tuple[int, int, int]] = []  # output start, output end, shift after
    shift = 0
    for e in ordered:
        start = e.start + shift
        shift += len(e.replacement) - (e.end - e.start)
        outputs.append((start, start + len(e.replacement), shift))
    ends = [o[1] for o in outputs]
    for f in sorted(found, key=lambda e: e.start):
        i = bisect.bisect_right(ends, f.start)
        if i < len(outputs) and outputs[i][0] < f.end:
            continue  # inside what an edit wrote
        before = outputs[i - 1][2] if i else 0
        out.append(replace(f, start=f.start - before, end=f.end - before))
    return tuple(out)


def _repaired_bytes(edits: tuple[Edit, ...]) -> dict[str, int]:
    """Per code page, the UTF-8 bytes that these edits decoded through it."""
    out: dict[str, int] = {}
    for e in edits:
        if e.reason.startswith("utf-8 read as "):
            page = e.reason.removeprefix("utf-8 read as ").split(",", 1)[0]
            out[page] = out.get(page, 0) + len(e.replacement.encode("utf-8", "surrogatepass"))
    return out


def _text_has_c1(text: str) -> bool:
    scan = _scanned(text)
    return scan.c1 if scan is not None else _has_c1(text)


def _forget_scan() -> None:
    """Let the last scanned text go: it may be large."""
    global _last_scan
    _last_scan = None


_C1 = re.compile("[\x80-\x9f]")
_SCAN_SEARCH = scan_pattern().search
_LEGACY_SCREEN, _TELLTALES = legacy.SCREEN, legacy.TELLTALES
_LEAD, _CONT = pair_masks()
_LEAD3 = lead3_masks()
_PAGE_RUNS = page_patterns()


class _Writable:
    """Per code page, the non-ASCII characters of a text that the page could have
    written, counted on first use. Letters of a script the page has no bytes for (Greek
    beside windows-1251 mojibake) are clean text of their own, no sign that the page's
    mojibake is rare there. C1 controls are what a decoder leaves of any page's bytes:
    every page counts them."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._counts: dict[str, int] = {}
        self._base: tuple[str, int] | None = None

    def __call__(self, page: str) -> int:
        if page not in self._counts:
            if self._base is None:
                text = self._text
                without_c1 = _C1.sub("", text) if _text_has_c1(text) else text
                c1_count = len(text) - len(without_c1)
                ascii_count = len(text) - _count_non_ascii(text)
                self._base = without_c1, c1_count - ascii_count
            without_c1, offset = self._base
            self._counts[page] = len(without_c1.encode(BY_NAME[page].codec, "ignore")) + offset
        return self._counts[page]


class _LineShares:
    """Per line of a text (found on first use), the non-ASCII characters each page could
    have written there and those its believed proposals explain: a weak run's prior as
    ``_decide_layer`` sets it for the document, over its line."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._breaks: list[int] | None = None
        self._writable: dict[int, _Writable] = {}
        self._explained: Counter[tuple[str, int]] = Counter()

    def _line(self, at: int) -> tuple[int, int]:
        if self._breaks is None:
            self._breaks = [m.start() for m in _NEWLINE.finditer(self._text)]
        i = bisect.bisect_left(self._breaks, at)
        start = self._breaks[i - 1] + 1 if i else 0
        end = self._breaks[i] if i < len(self._breaks) else len(self._text)
        return start, end

    def explain(self, p: Proposal) -> None:
        self._explained[p.page, self._line(p.start)[0]] += p.end - p.start

    def prior(self, p: Proposal) -> float:
        start, end = self._line(p.start)
        if start not in self._writable:
            self._writable[start] = _Writable(self._text[start:end])
        non_ascii = self._writable[start](p.page)
        return _weak_prior(non_ascii, self._explained[p.page, start], p.end - p.start)


def _weak_prior(non_ascii: int, explained: int, length: int) -> float:
    """What a weak run of ``length`` characters must gain to be believed, where its page
    explains ``explained`` of ``non_ascii`` characters it could have written: from
    +MANGLE_PRIOR (nothing else explained) to -MANGLE_PRIOR (all else explained)."""
    rest = max(0, non_ascii - explained - length)
    return MANGLE_PRIOR * (rest - explained) / max(1, non_ascii)


_NEWLINE = re.compile("\n")


def _count_non_ascii(text: str) -> int:
    # Dropping what ASCII cannot encode runs in C, an order faster than a regex.
    return len(text) - len(text.encode("ascii", "ignore"))


def _inside(p: Proposal, spans: list[tuple[int, int]]) -> bool:
    """Whether the proposal lies within what the last layer wrote. A middle layer of
    mojibake is all characters of one page standing for UTF-8 bytes, none of them ASCII,
    so the layer before decoded all of it: a run that reaches into text it left as it was
    ("ãƒ" before a decoded "‚") is no deeper layer."""
    i = bisect.bisect_right(spans, (p.start, len(spans) and spans[-1][1]))
    return i > 0 and spans[i - 1][0] <= p.start and p.end <= spans[i - 1][1]


def _written_spans(edits: list[Edit]) -> list[tuple[int, int]]:
    """Where the edits' replacements land in the text after all of them, those that
    touch as one span."""
    spans: list[tuple[int, int]] = []
    delta = 0
    for e in sorted(edits, key=lambda e: e.start):
        start = e.start + delta
        end = start + len(e.replacement)
        if spans and spans[-1][1] == start:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
        delta += len(e.replacement) - (e.end - e.start)
    return spans


def _has_c1(text: str) -> bool:
    return _C1.search(text) is not None


def fix_text(text: str, *, normalize: bool = False, settings: Settings = DEFAULT) -> str:
    """Repair mojibake in ``text`` and nothing else (a drop-in for the encoding part of
    ``ftfy.fix_text``: quotes, ligatures, widths and line breaks stay as written).

    With ``normalize=True``, the Unicode normalization of ``notefix.normalize`` (NFC,
    emoji sequences, junk characters, per ``settings``) follows the repair.
    """
    # Screened here rather than in repair(): called once per line, building a Repair
    # for clean text would cost as much as the screen.
    fixed = text if _clean(text) else _repair(text, settings).text
    if normalize:
        from notefix.unicode import normalize as normalize_text

        fixed = normalize_text(fixed, settings).text
    return fixed
