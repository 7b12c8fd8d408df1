"""Markdown structure the fixers need to know: frontmatter, code, links.

Pure functions over a note's text; offsets are ``str`` indices.
"""

from __future__ import annotations


def code_spans(text: str) -> list[tuple[int, int]]:
    """Spans of fenced code blocks, indented code blocks and inline code, sorted."""
    return []
