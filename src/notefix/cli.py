"""The notefix command (work in progress)."""

from __future__ import annotations

import click


@click.group()
def main() -> None:
    """Repair mojibake and normalize Unicode in Markdown notes."""
