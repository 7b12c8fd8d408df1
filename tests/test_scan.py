"""The engine's one pass over a text finds exactly what a search per code page finds.

The pass (``engine._scan``) reads only the lines where some page pairs, from the places
where it pairs; these tests hold it to the plain reading: every page's ``run_pattern``
over the whole text, C1 controls anywhere, and windows-1252's ``nbsp_pattern``.
"""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st
from tests.strategies import CYRILLIC

from notefix.mojibake import engine
from notefix.mojibake.codepages import (
    BY_NAME,
    CODEPAGES,
    nbsp_pattern,
    run_pattern,
    scan_pattern,
    screen,
)

_C1 = re.compile("[\x80-\x9f]")

# Characters that make pages pair, stand alone, or sit next to them in writing.
_GROUPS = [
    *(cp.lead for cp in CODEPAGES),
    *(cp.cont for cp in CODEPAGES),
    "".join(map(chr, range(0x80, 0xA0))),
    BY_NAME["windows-1252"].lead2,
    " ?\n\ufffd",
    "abc.",
    CYRILLIC,
]


@st.composite
def page_text(draw: st.DrawFn) -> str:
    """Text drawn from a few of the groups at once, so that pairs, runs, lone leads and
    line breaks meet often."""
    groups = draw(st.lists(st.sampled_from(_GROUPS), min_size=1, max_size=4))
    alphabet = st.sampled_from("".join(groups))
    return draw(st.text(alphabet=alphabet, max_size=40))


def _per_page(text: str) -> dict[str, list[engine.Proposal]]:
    found: dict[str, list[engine.Proposal]] = {}
    for cp in CODEPAGES:
        props: list[engine.Proposal] = []
        for m in run_pattern(cp.name).finditer(text):
            props.extend(engine._parse(cp, text, m.start(), m.end()))
        if props:
            found[cp.name] = props
    return found


@settings(max_examples=400)
@given(text=page_text())
# A lone lead before a pair whose byte was replaced by '?': the run starts at the pair.
@example(text="ÂÂ?\xa0")
@example(text="Èƒ¢")
def test_one_pass_finds_the_proposals_a_search_per_page_finds(text: str) -> None:
    scan = engine._scan(text)
    assert scan.found == _per_page(text)
    assert list(scan.found) == [cp.name for cp in CODEPAGES if cp.name in scan.found]


@settings(max_examples=400)
@given(text=page_text())
def test_one_pass_notes_c1_controls_and_flattened_no_break_spaces(text: str) -> None:
    scan = engine._scan(text)
    assert scan.c1 == (_C1.search(text) is not None)
    assert scan.nbsp == [m.start() for m in nbsp_pattern("windows-1252").finditer(text)]


@settings(max_examples=400)
@given(text=page_text())
def test_text_is_suspect_exactly_where_the_screen_or_a_c1_control_says(text: str) -> None:
    expected = screen().search(text) is not None or _C1.search(text) is not None
    assert engine._suspect(text) == expected


def _asks_a_look(text: str, i: int) -> bool:
    """Whether the scan has a reason to stop at ``text[i]``: a C1 control, a windows-1252
    lead before a space or '?', or one page's lead before that page's continuation
    (directly, or with a '?' or space for a byte between them)."""
    if text[i] <= "\x9f" or (
        text[i] in BY_NAME["windows-1252"].lead2 and text[i + 1 : i + 2] in (" ", "?")
    ):
        return True
    for cp in CODEPAGES:
        if text[i] not in cp.cont + "\ufffd":
            continue
        if i >= 1 and text[i - 1] in cp.lead:
            return True
        if i >= 2 and text[i - 1] in " ?" and text[i - 2] in cp.lead:
            return True
    return False


@settings(max_examples=400)
@given(text=page_text())
# A lead of one page before a continuation of another: mac-roman's "—" (D1) before
# windows-1252's "—" (97); windows-1254's "ğ" (F0) before mac-roman's "ü" (9F).
@example(text=" ——")
@example(text="üğü")
def test_the_scan_stops_only_where_a_page_pairs(text: str) -> None:
    for m in scan_pattern().finditer(text):
        assert _asks_a_look(text, m.start()), (text, m.start())


# Letters of several scripts, some beyond the Basic Multilingual Plane (Adlam, Cuneiform,
# CJK Extension B), with the characters that belong to none (digits, marks, emoji).
_SCRIPT_LETTERS = "aéЖжΩαאبت中あ\U0001e900\U0001e922\U00012000\U00020000\U0001ee00 1،🙂\u0301"


@settings(max_examples=300)
@given(
    text=st.text(alphabet=st.sampled_from(_SCRIPT_LETTERS), max_size=30),
    start=st.integers(0, 30),
    width=st.integers(0, 4),
    letter=st.sampled_from(_SCRIPT_LETTERS),
)
def test_letters_of_a_script_elsewhere_are_found_as_a_walk_over_the_text_finds_them(
    text: str, start: int, width: int, letter: str
) -> None:
    # _Letters searches by character class built from the script data: it must agree
    # with asking every character outside the run for its script.
    start = min(start, len(text))
    end = min(len(text), start + width)
    script = engine._script(letter)
    walked = any(ch.isalpha() and engine._script(ch) == script for ch in text[:start] + text[end:])
    letters = engine._Letters(text)
    assert letters.elsewhere(script, start, end) == walked
    # Asked again (the answer for the first letter is kept), and for another run.
    assert letters.elsewhere(script, start, end) == walked
    assert letters.elsewhere(script, 0, 0) == any(
        ch.isalpha() and engine._script(ch) == script for ch in text
    )


def test_script_classes_cover_exactly_the_characters_of_their_script() -> None:
    # Every 97th code point, each script's classes against the per-character lookup.
    for cp in range(0, 0x110000, 97):
        ch = chr(cp)
        script = engine._script(ch)
        patterns = engine._script_patterns(script)
        assert any(p.fullmatch(ch) for p in patterns), (hex(cp), script)
        if cp <= 0xFFFF:
            # In the Basic Multilingual Plane the first class is exact.
            other = engine._script_patterns("Latn" if script != "Latn" else "Cyrl")
            assert not other[0].fullmatch(ch), (hex(cp), script)
