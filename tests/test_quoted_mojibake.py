"""Mojibake quoted on purpose inside code is left alone; damage is repaired everywhere."""

from __future__ import annotations

from pathlib import Path

from notefix import fix_note


def test_a_clean_note_quoting_mojibake_in_code_is_left_alone(corpus: Path) -> None:
    # The real note explains the damage with examples in inline code (`â€”`); its human
    # "fix" wrongly changed them. Nothing else in it is broken.
    data = (corpus / "pairs" / "deftai-directive-meta_lessons-0de0d69.broken.md").read_bytes()
    fix = fix_note(data)
    assert not fix.changed
    assert fix.held_back and all("inside code" in e.reason for e in fix.held_back)


def test_code_is_repaired_when_the_prose_shows_the_same_damage() -> None:
    text = "Prose with cafÃ© broken.\n\nThe command: `echo naÃ¯ve`\n"
    fix = fix_note(text.encode("utf-8"))
    assert fix.text_after == "Prose with café broken.\n\nThe command: `echo naïve`\n"


def test_only_code_with_mojibake_keeps_its_bytes() -> None:
    data = "# Notes\n\n```\nprint('cafÃ©')\n```\n".encode()
    fix = fix_note(data)
    assert fix.data == data
