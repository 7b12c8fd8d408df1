"""The code pages UTF-8 gets misread as, built from Python's codecs at import.

For each code page we need, per character, the byte it stands for, and the characters
that stand for UTF-8 lead bytes (C2-F4) and continuation bytes (80-BF): text that is
UTF-8 read as that code page is made of exactly those shapes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-* codecs)

# name in reasons -> (Python codec used for the characters, strict codec or None)
# The windows-125x pages also accept C1 control characters for the bytes they leave
# undefined, as lenient decoders keep those bytes; windows-1252 accepts all of 80-9F,
# since it stands for Latin-1 too.
_PAGES: tuple[tuple[str, str, str | None], ...] = (
    ("windows-1252", "sloppy-windows-1252", "windows-1252"),
    ("windows-1254", "sloppy-windows-1254", "windows-1254"),
    ("windows-1250", "sloppy-windows-1250", "windows-1250"),
    ("windows-1251", "sloppy-windows-1251", "windows-1251"),
    ("windows-1253", "sloppy-windows-1253", "windows-1253"),
    ("windows-1257", "sloppy-windows-1257", "windows-1257"),
    ("iso-8859-2", "iso-8859-2", "iso-8859-2"),
    ("mac-roman", "mac-roman", "mac-roman"),
    ("cp437", "cp437", "cp437"),
)


@dataclass(frozen=True, slots=True)
class CodePage:
    name: str
    codec: str
    """A Python codec that encodes every character of ``byte_of`` but C1 fallbacks."""
    byte_of: dict[str, int]
    """Non-ASCII character -> byte value."""
    undefined: frozenset[int]
    """Bytes the strict code page has no character for (lossy tools drop them)."""
    lead2: str
    lead3: str
    lead4: str
    cont: str

    @property
    def lead(self) -> str:
        return self.lead2 + self.lead3 + self.lead4

    def encode(self, text: str) -> bytes | None:
        """The bytes ``text`` stands for, or None if some character has none."""
        try:
            return bytes(map(_encoding_table(self.name).__getitem__, text))
        except KeyError:
            return None


@cache
def _encoding_table(name: str) -> dict[str, int]:
    """Every character a page's text may hold, with its byte: ASCII as itself, the
    page's characters, and U+FFFD, a byte a lossy decoder replaced, as 0x1A (the hole
    mark, as in ftfy)."""
    table = dict(BY_NAME[name].byte_of)
    table["\ufffd"] = 0x1A
    table.update((chr(b), b) for b in range(0x80))
    return table


def _build(name: str, codec: str, strict: str | None) -> CodePage:
    byte_of: dict[str, int] = {}
    for b in range(0x80, 0x100):
        ch = bytes([b]).decode(codec, errors="replace")
        if ch != "\ufffd":
            byte_of[ch] = b
    undefined: set[int] = set()
    if strict is not None:
        for b in range(0x80, 0x100):
            try:
                bytes([b]).decode(strict)
            except UnicodeDecodeError:
                undefined.add(b)
    if name == "windows-1252":
        # Latin-1 is windows-1252 with C1 controls in 80-9F: one page serves both.
        for b in range(0x80, 0xA0):
            byte_of.setdefault(chr(b), b)
    else:
        # Elsewhere a C1 control only stands for a byte the page leaves undefined; a
        # C1 control where the page has a character means another decoder was at work.
        for b in undefined:
            byte_of.setdefault(chr(b), b)

    def chars(lo: int, hi: int) -> str:
        return "".join(sorted(ch for ch, b in byte_of.items() if lo <= b <= hi))

    return CodePage(
        name=name,
        codec=codec,
        byte_of=byte_of,
        undefined=frozenset(undefined),
        lead2=chars(0xC2, 0xDF),
        lead3=chars(0xE0, 0xEF),
        lead4=chars(0xF0, 0xF4),
        cont=chars(0x80, 0xBF),
    )


CODEPAGES: tuple[CodePage, ...] = tuple(_build(*page) for page in _PAGES)
BY_NAME = {cp.name: cp for cp in CODEPAGES}
# Runs are looked for line by line, which is exact only while no character of a run can
# be a line break.
if any("\n" in cp.lead + cp.cont for cp in CODEPAGES):
    raise RuntimeError("a code page maps a byte above 0x7F to a line break")


def char_class(chars: str, negate: bool = False) -> str:
    """A regex character class of ``chars`` (with ``negate``, of every other character)."""
    return "[" + ("^" if negate else "") + "".join(re.escape(c) for c in sorted(set(chars))) + "]"


@cache
def screen() -> re.Pattern[str]:
    """Matches wherever any code page has a lead character followed by something that
    could continue it (or a windows-1252 lead before a space); text with no match holds
    no mojibake of the kinds we reverse."""
    patterns = [pair_pattern(cp.name).pattern for cp in CODEPAGES]
    # A windows-1252 lead before a space: a no-break space may have been flattened.
    patterns.append(nbsp_pattern("windows-1252").pattern)
    return re.compile("|".join(patterns))


_C1 = "".join(map(chr, range(0x80, 0xA0)))


def _all_leads() -> str:
    return "".join(cp.lead for cp in CODEPAGES)


def _all_conts() -> str:
    return "".join(cp.cont for cp in CODEPAGES) + "\ufffd"


@cache
def scan_pattern() -> re.Pattern[str]:
    """Every place in a text the engine must look at, found in one pass. A match is one
    character, at ``i``, and at least one of these holds there:

    - ``text[i]`` is some page's continuation character (or U+FFFD) and ``text[i - 1]``
      some page's lead character: a page may pair at ``i - 1`` (``pair_masks`` say
      which). Every match of every ``pair_pattern`` is found this way, one later; or
      ``text[i - 1]`` is a '?' and ``text[i - 2]`` a lead (a pair with a replaced byte);
    - ``text[i]`` and ``text[i - 1]`` are '?' and ``text[i - 2]`` a three-byte lead
      (both its continuation bytes replaced);
    - ``text[i]`` is a C1 control;
    - ``nbsp_pattern("windows-1252")`` matches at ``i``.

    The pattern starts with one character class, which lets the regex engine skip to the
    next candidate in C; the class is of continuation characters, not lead characters,
    as they are the rarer in writing (every lowercase Cyrillic letter from а to ф is a
    windows-1251 lead)."""
    nbsp_leads = BY_NAME["windows-1252"].lead2
    any_lead, any_cont = char_class(_all_leads()), char_class(_all_conts())
    # Each page pairs its own leads with its own continuations: a lead of one page
    # before a continuation of another ("——", "üğü") is no pair. The union of all
    # pages is tried first, as a gate that most characters fail at once.
    pages = [(char_class(cp.lead), char_class(cp.cont + "\ufffd")) for cp in CODEPAGES]
    pair = "|".join(f"(?<={lead}{cont})" for lead, cont in pages)
    # A lead, a '?' standing for a replaced byte, a continuation: a pair with a hole.
    holed = "|".join(f"(?<={lead}[ ?]{cont})" for lead, cont in pages)
    # A three-byte lead and two '?': both continuation bytes replaced.
    lead3 = char_class("".join(cp.lead3 for cp in CODEPAGES))
    return re.compile(
        char_class(_all_conts() + _C1 + nbsp_leads + "?")
        + f"(?:(?<={any_lead}{any_cont})(?:{pair})"
        + f"|(?<={any_lead}[ ?]{any_cont})(?:{holed})"
        + f"|(?<={lead3}\\?\\?)"
        + f"|(?<={char_class(_C1)})|(?<={char_class(nbsp_leads)})[ ?])"
    )


@cache
def lead3_masks() -> dict[str, int]:
    """Per character, the pages it is a three-byte lead character of."""
    lead: dict[str, int] = {}
    for i, cp in enumerate(CODEPAGES):
        for ch in cp.lead3:
            lead[ch] = lead.get(ch, 0) | 1 << i
    return lead


@cache
def pair_masks() -> tuple[dict[str, int], dict[str, int]]:
    """Per character, the pages (bit ``i`` for ``CODEPAGES[i]``) it is a lead character
    of, and the pages it is a continuation character of (U+FFFD: all of them). Page
    ``i``'s ``pair_pattern`` matches at ``at`` exactly when bit ``i`` is set in
    ``lead[text[at]] & cont[text[at + 1]]``."""
    lead: dict[str, int] = {}
    cont: dict[str, int] = {}
    for i, cp in enumerate(CODEPAGES):
        for ch in cp.lead:
            lead[ch] = lead.get(ch, 0) | 1 << i
        for ch in cp.cont + "\ufffd":
            cont[ch] = cont.get(ch, 0) | 1 << i
    return lead, cont


@cache
def page_patterns() -> tuple[tuple[int, CodePage, re.Pattern[str]], ...]:
    """Every code page with its bit in ``pair_masks`` and its ``run_pattern``, in
    ``CODEPAGES`` order."""
    return tuple((1 << i, cp, run_pattern(cp.name)) for i, cp in enumerate(CODEPAGES))


@cache
def pair_pattern(page: str) -> re.Pattern[str]:
    """A lead character of ``page`` followed by one of its continuation characters (or
    U+FFFD standing for one): the least that UTF-8 read as ``page`` leaves behind."""
    cp = BY_NAME[page]
    return re.compile(char_class(cp.lead) + char_class(cp.cont + "\ufffd"))


@cache
def run_pattern(page: str) -> re.Pattern[str]:
    """Maximal stretches of lead characters each followed by continuation characters
    (or U+FFFD) or standing alone before more of them, with one following space or '?'
    that may stand for a lost byte."""
    cp = BY_NAME[page]
    lead, conts = char_class(cp.lead), char_class(cp.cont + "\ufffd")
    # A lead whose continuation bytes were all dropped stands alone ("Ñ" for с, D1 81,
    # with 81 dropped); it belongs to the run when leads and then a complete pair follow,
    # or, after the run's first step, two-byte leads and then what ends the run: a space
    # or '?', ASCII punctuation, a line end ("ÑÑ " ending "является", "ВремÑ:").
    # A '?' between continuation characters stands for a byte replaced there.
    filled = "(?:" + conts + "|[ ?](?=" + conts + "))"

    def step(alone_before: str) -> str:
        return (
            lead
            + "(?:"
            # A three-byte lead whose two continuation bytes were replaced by '?' (tried
            # before a lone lead, which would take the lead alone).
            + "(?<="
            + char_class(cp.lead3)
            + ")\\?\\?|"
            + conts
            + filled
            + "*|[ ?](?="
            + conts
            + ")"
            + filled
            + "+|(?="
            + char_class(cp.lead2)
            + "*(?:"
            + lead
            + conts
            + alone_before
            + ")))"
        )

    # Written to start with a character class (not a group), which lets the regex engine
    # skip to the next lead character in C. Only a later step may be a lone lead before
    # what ends the run (a run starts at a pair, or at lone leads right before one).
    return re.compile(step("") + "(?:" + step("|[ ?]|[!-/:-@\\[-`{-~\\n]|$") + ")*[ ?]?")


@cache
def nbsp_pattern(page: str) -> re.Pattern[str]:
    """A two-byte lead character followed by a space or '?': its second byte may have
    been a no-break space flattened to a space, or a byte replaced by '?'."""
    cp = BY_NAME[page]
    return re.compile(char_class(cp.lead2) + "[ ?]")
