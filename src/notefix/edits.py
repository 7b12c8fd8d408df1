"""The Edit: one explained change to a span of text, and plans of them.

Every fixer in notefix produces ``Edit`` values over the text it was given; the plan
merges and validates them, ``apply_edits`` turns them into new text, ``invert`` turns
them into the edits that take the new text back, and the journal and the reports
store and render them. Offsets are indices into a Python ``str`` (code points).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any


class OverlapError(ValueError):
    """Two edits of one plan cover the same part of the text."""


@dataclass(frozen=True, slots=True)
class Alternative:
    """A replacement that was considered for an edit's span but ranked lower."""

    replacement: str
    confidence: float
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "replacement": self.replacement,
            "confidence": self.confidence,
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Alternative:
        return cls(str(data["replacement"]), float(data["confidence"]), str(data.get("reason", "")))


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``text[start:end]`` with ``replacement``, because of ``reason``.

    ``confidence`` is in [0, 1]: 1.0 means the information in the text determines the
    replacement; lower values mean it was chosen among ``alternatives`` (best first,
    the chosen one excluded).
    """

    start: int
    end: int
    replacement: str
    reason: str
    confidence: float = 1.0
    alternatives: tuple[Alternative, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"bad edit span {self.start}..{self.end}")

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)

    def shifted(self, offset: int) -> Edit:
        """The same edit with its span moved by ``offset`` (to lift a region's edit to its note)."""
        return Edit(
            self.start + offset,
            self.end + offset,
            self.replacement,
            self.reason,
            self.confidence,
            self.alternatives,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "replacement": self.replacement,
            "reason": self.reason,
            "confidence": self.confidence,
            "alternatives": [a.to_dict() for a in self.alternatives],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Edit:
        return cls(
            int(data["start"]),
            int(data["end"]),
            str(data["replacement"]),
            str(data["reason"]),
            float(data.get("confidence", 1.0)),
            tuple(Alternative.from_dict(a) for a in data.get("alternatives", ())),
        )


def plan(edits: Iterable[Edit]) -> tuple[Edit, ...]:
    """Sort edits by position and check that no two overlap.

    Two insertions at the same point are ambiguous in order and so count as overlapping;
    an insertion at the boundary of a replacement is fine.
    """
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    for before, after in pairwise(ordered):
        if after.start < before.end or (
            after.start == before.start and before.start == before.end == after.end
        ):
            raise OverlapError(f"edits overlap: {before.span} and {after.span}")
    return tuple(ordered)


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """The text with every edit applied; ``edits`` must form a valid plan."""
    checked = plan(edits)
    if checked and checked[-1].end > len(text):
        raise ValueError(f"edit {checked[-1].span} is past the end of a text of {len(text)}")
    parts: list[str] = []
    pos = 0
    for edit in checked:
        parts.append(text[pos : edit.start])
        parts.append(edit.replacement)
        pos = edit.end
    parts.append(text[pos:])
    return "".join(parts)


def invert(text: str, edits: Sequence[Edit]) -> tuple[Edit, ...]:
    """The edits over ``apply_edits(text, edits)`` that give ``text`` back."""
    out: list[Edit] = []
    delta = 0
    for edit in plan(edits):
        start = edit.start + delta
        undo = Edit(
            start,
            start + len(edit.replacement),
            text[edit.start : edit.end],
            f"undo: {edit.reason}",
        )
        if out and out[-1].end == start and (out[-1].start == start or undo.start == undo.end):
            # Two insertions at one point would be ambiguous in order: make them one edit.
            prev = out.pop()
            undo = Edit(prev.start, undo.end, prev.replacement + undo.replacement, prev.reason)
        out.append(undo)
        delta += len(edit.replacement) - (edit.end - edit.start)
    return tuple(out)


def compose(text: str, first: Sequence[Edit], second: Sequence[Edit]) -> tuple[Edit, ...]:
    """Edits over ``text`` equal to applying ``first``, then ``second`` to that result.

    Where a second edit touches the output of a first one, the two become one edit whose
    reason names both steps, so every edit still explains itself.
    """
    first = plan(first)
    second = plan(second)
    middle = apply_edits(text, first)
    # Each first edit's span in the middle text, with the shift in effect after it.
    placed: list[tuple[int, int, Edit]] = []
    delta = 0
    for edit in first:
        out_start = edit.start + delta
        delta += len(edit.replacement) - (edit.end - edit.start)
        placed.append((out_start, out_start + len(edit.replacement), edit))

    # Sweep every span in middle coordinates; spans that meet (closed intervals) cluster.
    items: list[tuple[int, int, int, Edit]] = [(s, e, 0, ed) for s, e, ed in placed]
    items += [(ed.start, ed.end, 1, ed) for ed in second]
    items.sort(key=lambda it: (it[0], it[1], it[2]))
    clusters: list[list[tuple[int, int, int, Edit]]] = []
    cluster_end = -1
    for item in items:
        if clusters and item[0] <= cluster_end:
            clusters[-1].append(item)
            cluster_end = max(cluster_end, item[1])
        else:
            clusters.append([item])
            cluster_end = item[1]

    def to_input(pos: int) -> int:
        # Only called for positions outside every first edit's output.
        shift = 0
        for out_start, out_end, edit in placed:
            if out_end < pos or (out_end == pos and out_start < pos):
                shift = out_end - edit.end
        return pos - shift

    result: list[Edit] = []
    for members in clusters:
        firsts = [ed for _, _, kind, ed in members if kind == 0]
        seconds = [ed for _, _, kind, ed in members if kind == 1]
        if not seconds:
            result.extend(firsts)
            continue
        mid_start = min(it[0] for it in members)
        mid_end = max(it[1] for it in members)
        starts = [ed.start for s, _, kind, ed in members if kind == 0 and s == mid_start]
        ends = [ed.end for _, e, kind, ed in members if kind == 0 and e == mid_end]
        in_start = min(starts) if starts else to_input(mid_start)
        in_end = max(ends) if ends else to_input(mid_end)
        replacement = apply_edits(
            middle[mid_start:mid_end], [ed.shifted(-mid_start) for ed in seconds]
        )
        steps = [*firsts, *seconds]
        alternatives: tuple[Alternative, ...] = ()
        for ed in steps:
            alternatives = alternatives or ed.alternatives
        result.append(
            Edit(
                in_start,
                in_end,
                replacement,
                "; ".join(dict.fromkeys(ed.reason for ed in steps)),
                min(ed.confidence for ed in steps),
                alternatives,
            )
        )
    return plan(result)


@dataclass(frozen=True, slots=True)
class Repair:
    """The result of a fixer over one text: the new text and the edits that made it.

    ``apply_edits(original, edits) == text`` always holds.
    """

    text: str
    edits: tuple[Edit, ...] = ()
    unsure: tuple[Edit, ...] = ()
    """Spans left as written though they are mojibake, because no reading of their lost
    bytes reached the confidence floor (``Settings.lost_byte_threshold``): each is the
    edit it would have been, with its confidence and alternatives, never applied."""

    @property
    def changed(self) -> bool:
        return bool(self.edits)


@dataclass(frozen=True, slots=True)
class Rename:
    """An edit of a path: rename the file or folder ``old_rel`` to ``new_rel`` (POSIX
    paths relative to the vault root). Only the last component changes; a folder rename
    moves everything under it. The planner writes ``new_rel`` with its parent as it is
    before the run; the journal accepts the parent spelled before or after its own
    renames."""

    old_rel: str
    new_rel: str
    reason: str
    confidence: float = 1.0
