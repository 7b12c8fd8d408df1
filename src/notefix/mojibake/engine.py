"""The repair engine (work in progress)."""

from __future__ import annotations

from notefix.edits import Repair
from notefix.settings import DEFAULT, Settings


def repair(text: str, settings: Settings = DEFAULT) -> Repair:
    return Repair(text, ())


def fix_text(text: str) -> str:
    return repair(text).text
