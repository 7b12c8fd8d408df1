"""Unicode and emoji normalization as edits (NFC, malformed emoji sequences, junk)."""

from __future__ import annotations

from notefix.edits import Repair
from notefix.settings import DEFAULT, Settings


def normalize(text: str, settings: Settings = DEFAULT) -> Repair:
    """Normalize ``text`` per ``settings``; every change is an explained Edit."""
    return Repair(text, ())
