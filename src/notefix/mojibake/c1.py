"""C1 control characters: bytes 80-9F of a single-byte code page, decoded as Latin-1.

Nobody writes a C1 control. One left in a text is a byte of the page the text was
written in, read by a decoder that took it for Latin-1. The page is usually
Windows-1252 (0x93 is “), but MacRoman and DOS pages keep letters there (0x92 is í in
MacRoman, Æ in cp437). A text is damaged by one path, so one page explains all of its
C1 controls: the page whose reading makes the words around them most plausible in the
document's language. Windows-1252 stays unless another page reads clearly better.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

import unicodedata2 as unicodedata

from notefix import lossy_data
from notefix.edits import Alternative, Edit
from notefix.mojibake import words
from notefix.mojibake.codepages import CODEPAGES

DEFAULT_PAGE = "windows-1252"

PAGE_PRIOR = 3.0
"""How much more likely (log10) the words must be under another page than under
Windows-1252, the page C1 controls nearly always come from: the engine's mangling prior
(``engine.MANGLE_PRIOR``), the margin by which any unusual reading must win."""

MIN_SHARE = 0.01
"""Readings of other pages less likely than this are not listed as alternatives."""

_C1 = re.compile("[\x80-\x9f]")


@cache
def page_c1() -> dict[str, dict[str, str]]:
    """Per code page, what each C1 control it defines stands for there (from Python's
    codecs): bytes the page leaves undefined, or maps to controls itself (iso-8859-2),
    are not there."""
    table: dict[str, dict[str, str]] = {}
    for cp in CODEPAGES:
        chars: dict[str, str] = {}
        for b in range(0x80, 0xA0):
            if b in cp.undefined:
                continue
            ch = bytes([b]).decode(cp.codec)
            if unicodedata.category(ch) != "Cc":
                chars[chr(b)] = ch
        if chars:
            table[cp.name] = chars
    return table


@cache
def page_scripts() -> frozenset[str]:
    """The scripts the code pages write letters in: words around a C1 control in any
    other script are no text of such a page."""
    return frozenset(
        script
        for cp in CODEPAGES
        for ch in cp.byte_of
        if ch.isalpha() and (script := lossy_data.script_of(ch))
    )


@dataclass(frozen=True, slots=True)
class Reading:
    page: str
    cost: float
    """-log10 of how likely the words around the C1 controls are under this page."""


def readings(text: str) -> list[Reading]:
    """Every page that explains all of the text's C1 controls, by how well the words
    around them read (best first); empty when the words cannot tell pages apart (no
    letters beside the controls, or letters of a script no page writes)."""
    controls = set(_C1.findall(text))
    touching = {
        m.group()
        for m in _C1.finditer(text)
        if text[m.start() - 1 : m.start()].isalpha() or text[m.end() : m.end() + 1].isalpha()
    }
    spans: list[tuple[int, int]] = []
    for m in _C1.finditer(text):
        if spans and m.start() < spans[-1][1]:
            continue
        spans.append(words.stretch_around(text, m.start(), m.end()))
    stretches = Counter(text[a:b] for a, b in spans)
    scripts = Counter(
        script
        for s in stretches
        for ch in s
        if ch.isalpha() and (script := lossy_data.script_of(ch)) in page_scripts()
    )
    if not scripts:
        return []
    lang = words.language(text, scripts.most_common(1)[0][0])
    if lang is None:
        return []
    # Imported here: the engine imports this module.
    from notefix.mojibake.engine import _rare

    out: list[Reading] = []
    for page, chars in page_c1().items():
        # Another page must explain every control, as characters people write (a
        # modifier symbol, "˛" in windows-1257, is not what a control stood for), and
        # as a letter wherever the control touches one: a page is preferred to
        # Windows-1252 for the letters it gives the words, a symbol ("₧ili") would
        # only hide part of a word.
        if page != DEFAULT_PAGE and (
            not controls <= chars.keys()
            or any(_rare(chars[c]) for c in controls)
            or any(not chars[c].isalpha() for c in touching)
        ):
            continue
        table = str.maketrans(chars)
        cost = sum(n * words.cost(s.translate(table), lang) for s, n in stretches.items())
        out.append(Reading(page, cost))
    out.sort(key=lambda r: (r.cost, r.page != DEFAULT_PAGE))
    return out


def c1_edits(text: str) -> list[Edit]:
    """Read every C1 control of the text through one code page: Windows-1252, unless
    another page makes the words around them more likely by more than ``PAGE_PRIOR``."""
    ranked = readings(text)
    default = next((r for r in ranked if r.page == DEFAULT_PAGE), None)
    best = ranked[0] if ranked else None
    if best is None or default is None or best.cost + PAGE_PRIOR >= default.cost:
        return _edits_for(text, DEFAULT_PAGE, "C1 control read as windows-1252")
    # Each page's share of the evidence, Windows-1252 favoured by its prior.
    weight = {
        r.page: 10 ** -(r.cost - best.cost + (0.0 if r.page == DEFAULT_PAGE else PAGE_PRIOR))
        for r in ranked
    }
    total = math.fsum(weight.values())
    share = {page: w / total for page, w in weight.items()}
    edits: list[Edit] = []
    for e in _edits_for(text, best.page, f"{best.page} text read as latin-1"):
        ch = text[e.start]
        alternatives: list[Alternative] = []
        seen = {e.replacement}
        for r in ranked[1:]:
            other = page_c1()[r.page].get(ch)
            if other is None or other in seen:
                continue
            if share[r.page] < MIN_SHARE and r.page != DEFAULT_PAGE:
                continue
            seen.add(other)
            reason = (
                "C1 control read as windows-1252"
                if r.page == DEFAULT_PAGE
                else f"{r.page} text read as latin-1"
            )
            alternatives.append(Alternative(other, share[r.page], reason))
        edits.append(
            Edit(e.start, e.end, e.replacement, e.reason, share[best.page], tuple(alternatives))
        )
    return edits


def _edits_for(text: str, page: str, reason: str) -> list[Edit]:
    chars = page_c1()[page]
    return [
        Edit(m.start(), m.end(), chars[m.group()], reason)
        for m in _C1.finditer(text)
        if m.group() in chars
    ]
