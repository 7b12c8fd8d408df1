"""Finding mojibake in text and reversing it, as span edits."""

from __future__ import annotations

from notefix.mojibake.engine import fix_text, repair

__all__ = ["fix_text", "repair"]
