"""Recovering bytes that mojibake lost: dropped, replaced by U+FFFD or '?', or a
no-break space flattened to a space.

Interface used by the repair engine (``notefix.mojibake``):

    reconstruct(run, codec, before, after, evidence) -> Reconstruction | None

``run`` is a stretch of mangled text that the engine found (for example ``"ğŸ®"``
under ``codec="sloppy-windows-1254"``), possibly ending in a space, '?' or U+FFFD that
may stand for a lost byte. Every candidate's ``text`` replaces the whole run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the whole document says, for priors: its text with every certain repair
    applied, and the characters (graphemes) it already uses with their counts."""

    text: str = ""
    counts: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True, slots=True)
class Candidate:
    text: str
    score: float
    """Higher is better; comparable only among one run's candidates."""
    restored: tuple[int, ...] = ()
    """The byte values put back, in order."""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Reconstruction:
    candidates: tuple[Candidate, ...]
    """Best first; never empty."""
    confidence: float
    """Of the best candidate, in [0, 1]; 1.0 when it is the only one."""

    @property
    def best(self) -> Candidate:
        return self.candidates[0]


def reconstruct(
    run: str, codec: str, before: str, after: str, evidence: Evidence
) -> Reconstruction | None:
    """Candidates for a run whose bytes are not valid UTF-8 as they stand, or None."""
    return None
