"""Mojibake in file and folder names, and the link edits that keep a vault connected.

A vault is the tree of files under a root (notes and attachments). Paths here are
relative to the root, ``/``-separated, as ``str``. Everything in this module is pure:
the command lists the paths and reads the notes, this module plans, and the journal
performs and records the renames.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from notefix.edits import Edit
from notefix.settings import DEFAULT, Settings


@dataclass(frozen=True, slots=True)
class Rename:
    """Rename the last component of ``old_rel`` so that the path becomes ``new_rel``.

    Only the last component changes. A folder rename moves everything under it.
    """

    old_rel: str
    new_rel: str
    reason: str
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class SkippedRename:
    """A repair of a name that was found but not planned, and why (collision, doubt...)."""

    old_rel: str
    wanted_rel: str
    reason: str


@dataclass(frozen=True, slots=True)
class RenamePlan:
    """The renames of one vault, in an order that can be applied one after the other.

    Children come before their parents, so every ``old_rel`` names an existing path at
    the moment its rename is applied (its parent folders still carry their old names).
    Undo applies the inverse renames in reverse order.
    """

    renames: tuple[Rename, ...] = ()
    skipped: tuple[SkippedRename, ...] = ()
    evidence: Mapping[str, int] = field(default_factory=dict)
    """How many names of the vault each code path explains (codec name -> count)."""

    def new_path(self, old_rel: str) -> str:
        """Where the file or folder at ``old_rel`` (a path before any rename) ends up."""
        raise NotImplementedError


class NoteTexts(Protocol):
    """What ``plan_vault`` needs of a note's content fix (``notefix.notes.NoteFix`` fits)."""

    @property
    def text_before(self) -> str: ...

    @property
    def text_after(self) -> str: ...

    @property
    def edits(self) -> tuple[Edit, ...]: ...


@dataclass(frozen=True, slots=True)
class VaultPlan:
    renames: RenamePlan
    link_edits: Mapping[str, tuple[Edit, ...]]
    """Per note (keyed by its path before the renames): edits over the note's
    ``text_after``, for ``NoteFix.with_edits``. Notes that need none are absent."""


def plan_renames(rel_paths: Sequence[str], settings: Settings = DEFAULT) -> RenamePlan:
    """Repair mojibake (and NFD) in every file and folder name of ``rel_paths``.

    ``rel_paths`` lists the files (and optionally folders) under the root; folders are
    also taken from the files' parents. Nothing when ``settings.rename`` is off.
    """
    raise NotImplementedError


def link_edits(
    note_text: str,
    note_rel: str,
    renames: RenamePlan,
    all_paths: Sequence[str],
    text_before: str | None = None,
    content_edits: Sequence[Edit] = (),
) -> tuple[Edit, ...]:
    """Edits over ``note_text`` so every link that resolved before still resolves after.

    ``note_text`` is the note after content repair; ``text_before`` and
    ``content_edits`` (edits over ``text_before`` that made ``note_text``) tell which
    file each link pointed at before the repair. ``note_rel`` and ``all_paths`` are paths
    before the renames.
    """
    raise NotImplementedError


def plan_vault(
    rel_paths: Sequence[str],
    notes: Mapping[str, NoteTexts],
    settings: Settings = DEFAULT,
) -> VaultPlan:
    """The renames of the vault and, per note in ``notes``, the link edits they need."""
    raise NotImplementedError
