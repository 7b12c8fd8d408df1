"""notefix: repair mojibake (lost bytes included) and normalize Unicode in notes.

Public API::

    fix_text(text) -> str          # the encoding part of ftfy.fix_text, nothing else
    repair(text) -> Repair         # .text and .edits (span edits with reasons)
    normalize(text) -> Repair      # NFC, emoji sequences, junk characters
    fix_note(data: bytes) -> NoteFix
"""

from __future__ import annotations

from notefix.edits import Alternative, Edit, Repair, apply_edits, invert
from notefix.mojibake import fix_text, repair
from notefix.notes import NoteError, NoteFix, fix_note
from notefix.settings import Settings
from notefix.unicode import normalize

__version__ = "0.1.0"

__all__ = [
    "Alternative",
    "Edit",
    "NoteError",
    "NoteFix",
    "Repair",
    "Settings",
    "__version__",
    "apply_edits",
    "fix_note",
    "fix_text",
    "invert",
    "normalize",
    "repair",
]
