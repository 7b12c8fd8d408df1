"""Notes as bytes on disk <-> text the engine repairs, byte-exact outside the edits.

A note's regions (frontmatter scalars, prose, code, link targets) tell the fixers where
they may act.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from notefix.edits import Edit
from notefix.settings import DEFAULT, Settings


class NoteError(ValueError):
    """A note that cannot be handled (binary, undecodable, unparsable after a fix)."""


@dataclass(frozen=True, slots=True)
class NoteFix:
    original: bytes
    data: bytes
    """The new bytes; equal to ``original`` when nothing changed or the note was skipped."""
    text_before: str
    text_after: str
    edits: tuple[Edit, ...]
    """Over ``text_before``; applying them gives ``text_after``."""
    encoding_before: str
    encoding_after: str
    skipped: str | None = None
    """Why the note was left alone, if it was."""

    @property
    def changed(self) -> bool:
        return self.data != self.original

    def with_edits(self, more: Sequence[Edit]) -> NoteFix:
        """This fix followed by ``more`` (edits over ``text_after``, e.g. link updates)."""
        raise NotImplementedError


def fix_note(data: bytes, settings: Settings = DEFAULT) -> NoteFix:
    """Repair and normalize one note held in memory."""
    raise NotImplementedError
