"""Settings shared by the library, the note pipeline and the command.

One frozen value so that a run's settings can be journaled and compared. The command
reads them from ``[tool.notefix]`` in pyproject.toml or from ``.notefix.toml``
(see ``notefix.config``); library callers build them directly.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

EmojiPolicy = Literal["keep", "fully-qualified"]


@dataclass(frozen=True, slots=True)
class Settings:
    # Repair
    repair: bool = True
    repair_code: bool = True
    """Repair mojibake inside code blocks and inline code too (mojibake is never intended
    there either, except when quoted on purpose; turn off for notes that quote it)."""
    lost_bytes: bool = True
    """Reconstruct bytes that were dropped or replaced (U+FFFD, '?')."""
    lost_byte_threshold: float = 0.0
    """Below this confidence a lost-byte span is not guessed: it is left as it is and reported."""

    # Normalization
    normalize: bool = True
    nfc: bool = True
    remove_junk: bool = True
    """Stray BOMs inside text, C1 controls, lone surrogates."""
    fix_emoji: bool = True
    """Repair malformed emoji sequences (missing FE0F in ZWJ sequences and keycaps, ...)."""
    emoji_policy: EmojiPolicy = "keep"
    normalize_code: bool = False

    # Files and vaults
    include: tuple[str, ...] = ("*.md",)
    exclude: tuple[str, ...] = ()
    rename: bool = True
    convert_to_utf8: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        known = set(cls.__dataclass_fields__)
        clean: dict[str, Any] = {}
        for key, value in data.items():
            name = key.replace("-", "_")
            if name not in known:
                raise ValueError(f"unknown setting {key!r}")
            clean[name] = tuple(value) if isinstance(value, list) else value
        return cls(**clean)


DEFAULT = Settings()
