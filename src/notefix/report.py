"""What a run did, for people and for programs: counts, exit codes, diffs, JSON.

``Report`` counts outcomes and owns the exit code; the render functions turn a note's
fix into a unified diff, an explanation or JSON. Nothing here reads or writes notes.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import click

from notefix.edits import Edit

SCHEMA_VERSION = 1

Mode = Literal["fix", "diff", "check"]

# Exit codes, as ruff and black use them.
EXIT_CLEAN = 0
EXIT_CHANGES = 1
EXIT_ERROR = 2


@dataclass(frozen=True, slots=True)
class RenameEntry:
    old: str
    new: str
    reason: str
    skipped: str | None = None
    """Why the rename was not made (a collision, say); None when it was planned."""

    def to_dict(self) -> dict[str, Any]:
        return {"from": self.old, "to": self.new, "reason": self.reason, "skipped": self.skipped}


@dataclass(slots=True)
class Report:
    """Counts of one command's outcomes, across every root it touched."""

    mode: Mode
    changed: int = 0
    unchanged: int = 0
    errors: int = 0
    renamed: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    ambiguous: int = 0
    held_back: int = 0
    unsure: int = 0
    exit_non_zero_on_fix: bool = False

    def done(self, changed: bool) -> None:
        if changed:
            self.changed += 1
        else:
            self.unchanged += 1

    def skip(self, reason: str) -> None:
        self.skipped[reason] += 1

    def failed(self) -> None:
        self.errors += 1

    @property
    def return_code(self) -> int:
        """2 when anything failed; 1 when something would change (check, diff) or
        changed (fix, only with ``--exit-non-zero-on-fix``); else 0."""
        if self.errors:
            return EXIT_ERROR
        something = bool(self.changed or self.renamed)
        if something and (self.mode != "fix" or self.exit_non_zero_on_fix):
            return EXIT_CHANGES
        return EXIT_CLEAN

    def summary(self) -> str:
        """One line, e.g. ``3 notes fixed, 120 unchanged, 1 skipped: binary``."""
        verb = "fixed" if self.mode == "fix" else "would be fixed"
        parts = [f"{_count(self.changed, 'note')} {verb}"]
        if self.renamed:
            parts.append(f"{self.renamed} {'renamed' if self.mode == 'fix' else 'to rename'}")
        if self.unchanged:
            parts.append(f"{self.unchanged} unchanged")
        if self.skipped:
            total = sum(self.skipped.values())
            if len(self.skipped) == 1:
                parts.append(f"{total} skipped: {next(iter(self.skipped))}")
            else:
                each = ", ".join(f"{n} {why}" for why, n in sorted(self.skipped.items()))
                parts.append(f"{total} skipped ({each})")
        if self.ambiguous:
            parts.append(f"{self.ambiguous} uncertain {_plural(self.ambiguous, 'repair')}")
        if self.held_back:
            parts.append(f"{self.held_back} held back")
        if self.unsure:
            parts.append(f"{self.unsure} left as written")
        if self.errors:
            parts.append(_count(self.errors, "error"))
        return ", ".join(parts)

    def summary_dict(self) -> dict[str, Any]:
        return {
            "changed": self.changed,
            "unchanged": self.unchanged,
            "skipped": sum(self.skipped.values()),
            "skipped_reasons": dict(sorted(self.skipped.items())),
            "renamed": self.renamed,
            "ambiguous": self.ambiguous,
            "held_back": self.held_back,
            "unsure": self.unsure,
            "errors": self.errors,
        }


def _plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"


def _count(n: int, word: str) -> str:
    return f"{n} {_plural(n, word)}"


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in code points) of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    start = text.rfind("\n", 0, offset) + 1
    return line, offset - start + 1


def offset_of(text: str, line: int, column: int) -> int | None:
    """The inverse of ``line_col``; None when the position is not in ``text``."""
    if line < 1 or column < 1:
        return None
    start = 0
    for _ in range(line - 1):
        nl = text.find("\n", start)
        if nl < 0:
            return None
        start = nl + 1
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    offset = start + column - 1
    return offset if offset <= end else None


def is_ambiguous(edit: Edit) -> bool:
    return edit.confidence < 1.0 and bool(edit.alternatives)


def edit_dict(text: str, edit: Edit) -> dict[str, Any]:
    line, column = line_col(text, edit.start)
    return {
        "start": edit.start,
        "end": edit.end,
        "line": line,
        "column": column,
        "original": text[edit.start : edit.end],
        "replacement": edit.replacement,
        "reason": edit.reason,
        "confidence": edit.confidence,
        "alternatives": [a.to_dict() for a in edit.alternatives],
    }


# --- unified diffs -------------------------------------------------------------------


def _diff_lines(text: str) -> list[str]:
    # CR and CRLF are shown as LF: a reader compares the words, and the note's own line
    # endings are kept on disk whatever the diff shows.
    out = []
    for line in text.splitlines(keepends=True):
        stripped = line.rstrip("\r\n")
        out.append(stripped + "\n" if len(stripped) != len(line) else line)
    return out


def unified_diff(
    old_path: str,
    new_path: str,
    before: str,
    after: str,
    encoding_before: str = "utf-8",
    encoding_after: str = "utf-8",
    context: int = 3,
) -> str:
    """A unified diff of one note; its header says when the file changes encoding."""
    # git's a/ b/ prefixes read well on relative paths; an absolute one is shown as is.
    old_label = old_path if old_path.startswith("/") else f"a/{old_path}"
    new_label = new_path if new_path.startswith("/") else f"b/{new_path}"
    if encoding_before != encoding_after:
        old_label += f"\t({encoding_before})"
        new_label += f"\t({encoding_after}, converted from {encoding_before})"
    out: list[str] = []
    for line in difflib.unified_diff(
        _diff_lines(before), _diff_lines(after), old_label, new_label, n=context
    ):
        if line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n")
            out.append("\\ No newline at end of file\n")
    if not out and encoding_before != encoding_after:
        # The words are the same; only the bytes on disk change.
        out = [f"--- {old_label}\n", f"+++ {new_label}\n"]
    return "".join(out)


def rename_header(old_path: str, new_path: str) -> str:
    return f"rename {old_path} -> {new_path}\n"


def colorize(diff: str) -> str:
    """The diff with ANSI styles; ``click.echo`` strips them when not on a terminal."""
    lines: list[str] = []
    for line in diff.splitlines():
        if line.startswith(("+++", "---")):
            lines.append(click.style(line, bold=True))
        elif line.startswith("@@"):
            lines.append(click.style(line, fg="cyan"))
        elif line.startswith("+"):
            lines.append(click.style(line, fg="green"))
        elif line.startswith("-"):
            lines.append(click.style(line, fg="red"))
        elif line.startswith("rename "):
            lines.append(click.style(line, fg="yellow", bold=True))
        else:
            lines.append(line)
    return "\n".join(lines) + ("\n" if diff.endswith("\n") else "")


# --- ambiguous repairs and explanations ---------------------------------------------


def _show(s: str) -> str:
    # repr shows invisible characters (ZWJ, VS16, controls) that a plain print would hide.
    return repr(s)


# The rest are rarely right; JSON lists them all and --pick takes any of them.
SHOWN_ALTERNATIVES = 3


def held_back_line(path: str, edit: dict[str, Any]) -> str:
    return (
        f"{path}:{edit['line']}:{edit['column']}: held back: {_show(edit['original'])} -> "
        f"{_show(edit['replacement'])} ({edit['reason']})"
    )


def unsure_line(path: str, edit: dict[str, Any]) -> str:
    """A run left as written: where, the best reading and how sure, the next readings."""
    alternatives = _listed(
        [(alt["replacement"], alt["confidence"]) for alt in edit["alternatives"]], numbered=False
    )
    return (
        f"{path}:{edit['line']}:{edit['column']}: left as written: {_show(edit['original'])} "
        f"(best reading {_show(edit['replacement'])}, confidence {edit['confidence']:.2f}"
        + (f"; then {alternatives}" if alternatives else "")
        + ")"
    )


def _listed(alternatives: Sequence[tuple[str, float]], numbered: bool) -> str:
    """The first ``SHOWN_ALTERNATIVES`` readings with their confidence, numbered from 1
    as ``--pick`` takes them where ``numbered``."""
    return ", ".join(
        f"{f'{n}: ' if numbered else ''}{_show(text)} {confidence:.2f}"
        for n, (text, confidence) in enumerate(alternatives[:SHOWN_ALTERNATIVES], 1)
    )


def ambiguity_lines(path: str, text: str, edits: Iterable[Edit]) -> Iterator[str]:
    """One line per uncertain repair: where, what was chosen and why, and the numbered
    alternatives that ``--pick PATH:LINE:COL=N`` takes instead (0 keeps the original)."""
    for edit in edits:
        if not is_ambiguous(edit):
            continue
        line, col = line_col(text, edit.start)
        alternatives = _listed(
            [(alt.replacement, alt.confidence) for alt in edit.alternatives], numbered=True
        )
        more = len(edit.alternatives) - SHOWN_ALTERNATIVES
        if more > 0:
            alternatives += f" (+{more} more in --format json)"
        yield (
            f"{path}:{line}:{col}: uncertain: {_show(text[edit.start : edit.end])} -> "
            f"{_show(edit.replacement)} ({edit.reason}; confidence {edit.confidence:.2f}); "
            f"alternatives {alternatives}"
        )


PICK_HINT = (
    "to take an alternative: --pick PATH:LINE:COL=N (N from the list; 0 keeps the text as it was)"
)


def explain_lines(
    text: str, edits: Sequence[Edit], fixed: str, unsure: Sequence[Edit] = ()
) -> Iterator[str]:
    """A numbered account of every broken run and the path chosen for it, then of the
    runs left as written because no reading was sure enough (``unsure``)."""
    if not edits and not unsure:
        yield "nothing to repair"
        return
    for n, edit in enumerate(edits, 1):
        line, col = line_col(text, edit.start)
        yield f"{n}. {line}:{col} {_show(text[edit.start : edit.end])} -> {_show(edit.replacement)}"
        yield from _explained(edit)
    for n, edit in enumerate(unsure, len(edits) + 1):
        line, col = line_col(text, edit.start)
        yield (
            f"{n}. {line}:{col} {_show(text[edit.start : edit.end])} left as written "
            f"(best reading {_show(edit.replacement)})"
        )
        yield from _explained(edit)
    yield ""
    yield "fixed:"
    yield fixed


def _explained(edit: Edit) -> Iterator[str]:
    yield f"   {edit.reason}"
    yield f"   confidence {edit.confidence:.2f}"
    for k, alt in enumerate(edit.alternatives, 1):
        why = f" ({alt.reason})" if alt.reason else ""
        shown = _show(alt.replacement)
        yield f"   alternative {k}: {shown} confidence {alt.confidence:.2f}{why}"


def explain_dict(
    text: str, edits: Sequence[Edit], fixed: str, unsure: Sequence[Edit] = ()
) -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION,
        "text": text,
        "fixed": fixed,
        "edits": [edit_dict(text, e) for e in edits],
        "unsure": [edit_dict(text, e) for e in unsure],
    }
