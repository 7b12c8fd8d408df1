"""A legacy single-byte text read as windows-1252 (or Latin-1): ftfy issue #18.

A note saved in windows-1251 and opened as windows-1252 shows "Ïðèâåò, ìèð" for
"Привет, мир"; Greek in windows-1253 shows "ÊáëçìÝñá" for "Καλημέρα", Czech in
windows-1250 "Pøíliš" for "Příliš". No UTF-8 structure gives this away: every byte is one
character either way. What does is the words: read back through the right page, the
note's words are words people write (wordfreq), and as they stand they are not.

The whole note is judged at once, as it is broken at once (a tool read the file through
the wrong page): only a text that windows-1252 or Latin-1 can write whole is a candidate,
and a page is taken only when several distinct words of the text spell frequent words
through it and few that are words as written would be lost. Then every character the
page reads otherwise is read through it.
"""

from __future__ import annotations

import collections
import functools
import re
import unicodedata

import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-* codecs)
import regex

from notefix import lossy_data
from notefix.edits import Edit
from notefix.mojibake.codepages import BY_NAME, char_class

SHOWN = "sloppy-windows-1252"
"""How the text was read: windows-1252, its undefined bytes kept as C1 controls (and
Latin-1's C1 reading of any byte is taken too)."""

PAGES = ("windows-1251", "windows-1253", "windows-1250", "windows-1257", "windows-1254")
"""The pages a note may really be in, tried in this order (ties go to the first)."""

EVIDENCE_FREQUENCY = 1e-5
"""How often (wordfreq; zipf 4) a word read through a page must be written to count for
that page."""

MIN_LETTERS = 3
"""Letters a word needs to count as evidence, for a page or against it: short words are
too easily spelled by chance ("íà" is Russian "на", "È" is Italian "è")."""

MIN_WORDS = 2
"""Distinct words that must spell frequent words through a page."""

LONE_WORD_LETTERS = 5
"""One word is enough when it has this many letters and the page turns it into another
script (Cyrillic, Greek): no Latin text spells a long frequent word of another alphabet
by chance, and a title ("ÑÅÊÐÅÒ - Áåñïå÷íûé Åçäîê") may hold only one listed word."""

AGAINST_RATIO = 4
"""A page must have this many words for it per word it would spoil (a word as written
that reads no better through the page)."""

TRIES_PER_WORD = 16
"""Distinct candidate words looked at per word found for the page (plus one) before the
page is given up: mojibake of another kind is read quickly and set aside."""


@functools.cache
def _table(page: str) -> dict[int, str]:
    """For ``str.translate``: each character windows-1252 (or Latin-1) shows for a byte
    that ``page`` reads as another character, and that character."""
    out: dict[int, str] = {}
    for b in range(0x80, 0x100):
        raw = bytes([b])
        try:
            meant = raw.decode(page)
        except UnicodeDecodeError:
            continue
        for shown in {raw.decode(SHOWN), raw.decode("latin-1")}:
            if shown != meant:
                out[ord(shown)] = meant
    return out


@functools.cache
def _word_pattern() -> regex.Pattern[str]:
    """Words: letters and marks, and the characters that some page reads as a letter
    ("¸" is windows-1251's ё), so that a word is not cut where the page would join it."""
    extra = sorted(
        {chr(k) for page in PAGES for k, v in _table(page).items() if v.isalpha()}
        - {c for c in map(chr, range(0x80, 0x100)) if c.isalpha()}
    )
    escaped = "".join(regex.escape(c) for c in extra)
    return regex.compile(rf"[\p{{L}}\p{{M}}{escaped}]+")


@functools.cache
def _changed_pattern(page: str) -> regex.Pattern[str]:
    """Stretches of characters that ``page`` reads otherwise."""
    chars = "".join(regex.escape(chr(k)) for k in sorted(_table(page)))
    return regex.compile(f"[{chars}]+")


def _fold(word: str) -> str:
    # Turkish İ casefolds to i and a combining dot; the word lists spell it i.
    return word.casefold().replace("i\u0307", "i")


@functools.lru_cache(maxsize=1 << 14)
def _frequency(word: str) -> float:
    """How often ``word`` is written in the language of its letters' script that writes
    it most; 0 for a word of several scripts or of a script with no word list."""
    scripts = {lossy_data.script_of(c) for c in word if c.isalpha()}
    if len(scripts) != 1:
        return 0.0
    (script,) = scripts
    folded = _fold(word)
    return max(
        (
            lossy_data.frequency_dict(lang, "small").get(folded, 0.0)
            for lang in lossy_data.script_languages().get(script, ())
        ),
        default=0.0,
    )


def _letters(word: str) -> int:
    return sum(1 for c in word if c.isalpha())


_SAME, _NEUTRAL, _FOUND, _LONE, _SPOILED, _BETTER = range(6)


@functools.lru_cache(maxsize=1 << 15)
def _verdict(word: str, page: str) -> int:
    """What one word says of ``page``: nothing (it reads the same, or no better or worse),
    that it spells a frequent word through the page and none as written (``_LONE``: a
    long one, of another script than Latin), that it is a word either way but a more
    frequent one through the page (``_BETTER``: Slovak "takým", Turkish "takım"), or that
    it is a word the page would spoil."""
    meant = word.translate(_table(page))
    if meant == word:
        return _SAME
    as_written = _frequency(word)
    through = _frequency(meant)
    letters = _letters(meant)
    if letters >= MIN_LETTERS and through >= EVIDENCE_FREQUENCY and through > 100 * as_written:
        if letters >= LONE_WORD_LETTERS and _script(meant) not in ("Latn", ""):
            return _LONE
        return _FOUND
    if letters >= MIN_LETTERS and as_written > 0 and through <= as_written:
        return _SPOILED  # short words are words by chance either way ("À", "è")
    if letters >= MIN_LETTERS and through >= EVIDENCE_FREQUENCY and through > as_written:
        return _BETTER
    return _NEUTRAL


def _judge(words: list[str], page: str) -> tuple[int, int, int, int]:
    """Of the text's distinct words that ``page`` reads otherwise, in text order: how
    many spell frequent words through it (and are none as written), how many of those
    are long words of another script than Latin, how many are words as written that
    read no better through it, and how many are words either way that read better."""
    found = lone = spoiled = better = tried = 0
    for i, word in enumerate(words):
        verdict = _verdict(word, page)
        if verdict == _SAME:
            continue
        tried += 1
        if tried > TRIES_PER_WORD * (found + 1) or spoiled * AGAINST_RATIO > found + len(words) - i:
            break  # mojibake of another kind, or too many words spoiled to be outweighed
        if verdict in (_FOUND, _LONE):
            found += 1
            lone += verdict == _LONE
        elif verdict == _SPOILED:
            spoiled += 1
        elif verdict == _BETTER:
            better += 1
    return found, lone, spoiled, better


def _script(word: str) -> str:
    return lossy_data.script_of(next((c for c in word if c.isalpha()), ""))


def _taken(found: int, lone: int, spoiled: int, better: int) -> bool:
    """Whether the counts of ``_judge`` take the page: ``MIN_WORDS`` words for it, of
    which one may be a word either way that reads better through it ("Deðil Takým Sýra"
    is Turkish "Değil Takım Sıra", though Slovak writes "takým" and Czech "sýra"), and
    at least ``AGAINST_RATIO`` for each it would spoil; or one long word of another
    script and none spoiled."""
    if spoiled * AGAINST_RATIO > found:
        return False
    return found + min(better, 1) >= MIN_WORDS or (lone > 0 and not spoiled)


_WRITTEN = set(map(chr, range(0x100))) | {bytes([b]).decode(SHOWN) for b in range(0x80, 0x100)}
"""Every character windows-1252 or Latin-1 writes."""

_TURKISH = {chr(k) for k, v in _table("windows-1254").items() if v.isalpha()}
"""What windows-1252 shows for letters of windows-1254 (Ð Ý Þ ð ý þ: Turkish ğ İ ş ı;
windows-1257's š and ž land there too). Of windows-1252's own languages only Icelandic
writes them."""

_SIGNS = {
    chr(k)
    for page in PAGES
    for k, v in _table(page).items()
    if v.isalpha() and not chr(k).isalpha()
}
"""Characters that are no letters in windows-1252 but letters in some page (Polish ł and
ą are windows-1250's ³ and ¹): telltale next to a letter."""

SCREEN = re.compile(char_class("".join(_WRITTEN - _TURKISH - _SIGNS), negate=True)).search
"""The first character that windows-1252 does not write, or that is a telltale
(in ``TELLTALES``): one pass answers both questions of a clean text."""

TELLTALES = frozenset(_TURKISH | _SIGNS)

DENSE = 0.15
"""Share of a text's characters beyond ASCII from which it may be Cyrillic or Greek
shown as windows-1252: such a text is made of non-ASCII letters, while the languages
windows-1252 writes use few (French about 4% of its characters, Icelandic 15% at most,
and Icelandic shows the telltale letters anyway)."""


LONG = 4096
"""From this length on, ``suspect`` looks at the text's bytes in windows-1252 first."""


def suspect(text: str) -> bool:
    """Cheap first look: windows-1252 or Latin-1 can write the whole text, as they can
    any text they have shown, and it either shows a telltale (a windows-1254 letter, or
    a sign that some page reads as a letter, next to a letter) or is dense with
    characters beyond ASCII. A note in windows-1250 with neither (Czech, whose ř and č
    windows-1252 shows as ø and è) is not looked at."""
    if len(text) >= LONG:
        # A long Western text is Latin-1 (its encoding a copy) or windows-1252: its bytes
        # say in C whether a telltale occurs at all, and how dense it is.
        found = _bytes(text)
        if found is None:
            return screened(text, SCREEN(text))
        data, untelling = found
        if not data.translate(None, untelling):
            return len(data.translate(None, _ASCII)) >= DENSE * len(data)
    return screened(text, SCREEN(text))


_ASCII = bytes(range(0x80))
_UNTELLING = {
    codec: bytes(b for b in range(0x100) if bytes([b]).decode(codec) not in TELLTALES)
    for codec in ("latin-1", SHOWN)
}
"""Per codec, the bytes that stand for no telltale."""


def _bytes(text: str) -> tuple[bytes, bytes] | None:
    """``text`` in Latin-1, else in windows-1252, with the bytes of that codec that
    stand for no telltale; None if neither writes it all."""
    try:
        return text.encode("latin-1"), _UNTELLING["latin-1"]
    except UnicodeEncodeError:
        pass
    for codec in ("windows-1252", SHOWN):  # the first is the faster codec
        try:
            return text.encode(codec), _UNTELLING[SHOWN]
        except UnicodeEncodeError:
            continue
    return None


def dense(text: str) -> bool:
    """Whether at least ``DENSE`` of the text's characters are beyond ASCII."""
    return len(text) - len(text.encode("ascii", "ignore")) >= DENSE * len(text) > 0


def screened(text: str, hit: re.Match[str] | None) -> bool:
    """``suspect``, one character at a time where it matters, from ``hit``: the first
    match of ``SCREEN`` in ``text`` (None if there is none)."""
    telltale = False
    while hit is not None:
        at = hit.start()
        ch = text[at]
        if ch not in TELLTALES:
            return False  # neither windows-1252 nor Latin-1 writes it
        if not telltale and (
            ch in _TURKISH or text[at - 1 : at].isalpha() or text[at + 1 : at + 2].isalpha()
        ):
            telltale = True
        hit = SCREEN(text, at + 1)
    return telltale or dense(text)


MAX_WORDS = 1024
"""Distinct words looked at for the verdict: a note read through the wrong page shows it
in every word, so the first thousand tell as much as the whole of a large note."""


@functools.cache
def _sequence_pattern() -> re.Pattern[str]:
    """A UTF-8 sequence of two to four bytes as windows-1252 (or Latin-1) shows it."""
    cp = BY_NAME["windows-1252"]
    cont = char_class(cp.cont)
    return re.compile(
        f"{char_class(cp.lead2)}{cont}|{char_class(cp.lead3)}{cont}{{2}}"
        f"|{char_class(cp.lead4)}{cont}{{3}}"
    )


class _Sequences:
    """The UTF-8 sequences of written characters in a text as windows-1252 shows it
    (Ukrainian "ñ³¿…" in windows-1251 is F1 B3 BF 85, U+73FC5: no character, and no
    mojibake), read only as far as the words asked about, which come in text order."""

    def __init__(self, text: str) -> None:
        self._found = (
            m.span() for m in _sequence_pattern().finditer(text) if _written_character(m.group())
        )
        self._near: collections.deque[tuple[int, int]] = collections.deque()

    def cut(self, start: int, end: int) -> bool:
        """Whether a sequence runs across ``start`` or ``end``; ``start`` never goes
        back from one call to the next."""
        near = self._near
        while not near or near[-1][0] < end:
            span = next(self._found, None)
            if span is None:
                break
            near.append(span)
        while near and near[0][1] <= start:
            near.popleft()
        return any(s < start < e or s < end < e for s, e in near)


@functools.lru_cache(maxsize=1 << 12)
def _written_character(shown: str) -> bool:
    """Whether the bytes windows-1252 shows as ``shown`` are UTF-8 for an assigned
    character that is written: a sign, or a letter that some word list writes (Czech
    "áš…" in windows-1250, E1 9A 85, is the Ogham letter ᚅ: no mojibake of anything)."""
    raw = BY_NAME["windows-1252"].encode(shown)
    try:
        meant = raw.decode("utf-8") if raw is not None else ""
    except UnicodeDecodeError:
        return False
    if len(meant) != 1 or unicodedata.category(meant) in ("Cn", "Co", "Cs"):
        return False
    return not meant.isalpha() or meant.casefold()[0] in lossy_data.char_surprisals()


def _words(text: str) -> list[str]:
    """The text's distinct words that hold a character other than ASCII, in text order,
    up to ``MAX_WORDS``. A word that a UTF-8 sequence runs across an end of is a piece of
    UTF-8 mojibake cut at a sign ("ByÃ" of "ByÃ…â€šy", Polish "był" read twice as
    windows-1252), no word of the text: windows-1257 would read it as Polish "być"."""
    seen: dict[str, None] = {}
    # Pieces are looked at too, and count toward the bound: in a note of UTF-8 mojibake
    # nearly every word is one, and the first thousand tell as much as the rest.
    pieces: set[str] = set()
    sequences = _Sequences(text)
    for m in _word_pattern().finditer(text):
        word = m.group()
        if not word.isascii() and word not in seen:
            if sequences.cut(m.start(), m.end()):
                pieces.add(word)
            else:
                seen[word] = None
                pieces.discard(word)
            if len(seen) + len(pieces) == MAX_WORDS:
                break
    return list(seen)


def edits(text: str) -> list[Edit]:
    """The edits that read ``text`` through the page it was written in, if the words
    show one; else none."""
    return read_through(text) if suspect(text) else []


def read_through(text: str) -> list[Edit]:
    """``edits`` of a text that ``suspect`` has let through already."""
    words = _words(text)
    best: tuple[int, int, str] | None = None
    for page in PAGES:
        found, lone, spoiled, better = _judge(words, page)
        if not _taken(found, lone, spoiled, better):
            continue
        if best is None or (found, -spoiled) > (best[0], -best[1]):
            best = (found, spoiled, page)
    if best is None:
        return []
    found, spoiled, page = best
    confidence = found / (found + spoiled + 1)
    table = _table(page)
    reason = f"{page} read as windows-1252"
    return [
        Edit(m.start(), m.end(), m.group().translate(table), reason, confidence)
        for m in _changed_pattern(page).finditer(text)
    ]
