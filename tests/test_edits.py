"""Properties of the Edit model: apply, invert and compose agree with each other."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notefix.edits import Edit, OverlapError, apply_edits, compose, invert, plan


@st.composite
def text_and_edits(draw: st.DrawFn, alphabet: str = "abcdé🙂\n") -> tuple[str, list[Edit]]:
    text = draw(st.text(alphabet=alphabet, max_size=30))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8)))
    edits: list[Edit] = []
    pos = 0
    for a, b in zip(cuts[::2], cuts[1::2], strict=False):
        if a < pos or (edits and a == edits[-1].start == edits[-1].end == b):
            continue
        edits.append(Edit(a, b, draw(st.text(alphabet=alphabet, max_size=4)), "test"))
        pos = b
    return text, edits


@given(text_and_edits())
def test_invert_restores_the_original_text(case: tuple[str, list[Edit]]) -> None:
    text, edits = case
    new = apply_edits(text, edits)
    assert apply_edits(new, invert(text, edits)) == text


@given(text_and_edits(), st.data())
def test_compose_equals_applying_both_in_turn(
    case: tuple[str, list[Edit]], data: st.DataObject
) -> None:
    text, first = case
    middle = apply_edits(text, first)
    _, second = data.draw(text_and_edits().filter(lambda c: True).map(lambda c: (middle, c[1])))
    second = [e for e in second if e.end <= len(middle)]
    combined = compose(text, first, second)
    assert apply_edits(text, combined) == apply_edits(middle, second)


def test_overlapping_edits_are_refused() -> None:
    with pytest.raises(OverlapError):
        plan([Edit(0, 3, "x", "a"), Edit(2, 4, "y", "b")])


def test_edit_round_trips_through_dict() -> None:
    edit = Edit(1, 4, "🎮", "lost byte 0x8E restored", 0.5)
    assert Edit.from_dict(edit.to_dict()) == edit


def test_compose_merges_a_second_edit_inside_a_first_edits_output() -> None:
    text = "xcafÃ©y"
    first = [Edit(4, 6, "é", "utf-8 read as cp1252")]
    middle = apply_edits(text, first)
    second = [Edit(1, 5, "CAFÉ", "upper")]
    combined = compose(text, first, second)
    assert apply_edits(text, combined) == apply_edits(middle, second) == "xCAFÉy"
    assert len(combined) == 1 and "utf-8 read as cp1252" in combined[0].reason
