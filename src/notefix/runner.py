"""Running the note pipeline over many files: one process for small runs, all cores for
large ones, results streamed back in a stable order.

Workers only read and compute; the parent is the single writer (through the journal).
A worker sends back a note's data only when the note changed, and at most a bounded
window of chunks is in flight, so memory follows the largest notes in the window rather
than the size of the vault.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from notefix import notes
from notefix.edits import Edit
from notefix.notes import NoteError, NoteFix
from notefix.report import edit_dict, offset_of
from notefix.settings import Settings
from notefix.vault import RenamePlan

Status = Literal["changed", "unchanged", "skipped", "error"]

# Below these a process pool costs more (start-up, pickling) than it saves.
PARALLEL_MIN_NOTES = 64
PARALLEL_MIN_BYTES = 2 << 20
CHUNK_BYTES = 1 << 20
CHUNK_NOTES = 256


class PickError(ValueError):
    """A ``--pick`` that names no uncertain repair, or an alternative that is not there."""


@dataclass(frozen=True, slots=True)
class Pick:
    """``FILE:LINE:COL=N``: at the repair starting there, take alternative N (0: none)."""

    path: str
    """Real path of the note, or ``-`` for standard input."""
    line: int
    column: int
    choice: int
    given: str = ""

    @classmethod
    def parse(cls, spec: str) -> Pick:
        head, eq, choice = spec.rpartition("=")
        parts = head.rsplit(":", 2)
        if not eq or len(parts) != 3 or not all(p.isdigit() for p in (*parts[1:], choice)):
            raise PickError(f"--pick {spec!r}: expected FILE:LINE:COL=N (N=0 keeps the original)")
        name, line, column = parts
        path = name if name == "-" else os.path.realpath(name)
        return cls(path, int(line), int(column), int(choice), spec)


@dataclass(frozen=True, slots=True)
class NoteResult:
    path: Path
    """Real path of the note."""
    rel: str
    """Relative to the run's root, ``/``-separated."""
    status: Status
    reason: str | None = None
    """Why skipped, or the error message."""
    fix: NoteFix | None = None
    """Kept only for changed notes."""
    held_back: tuple[dict[str, Any], ...] = ()
    """Repairs found but not applied (in a URL, in code...), as ``report.edit_dict``."""
    unsure: tuple[dict[str, Any], ...] = ()
    """Lost-byte runs left as written for want of a sure reading, as ``report.edit_dict``."""


@dataclass(frozen=True, slots=True)
class Context:
    """What every worker needs, sent once per worker rather than with every chunk."""

    root: Path
    settings: Settings
    picks: Mapping[str, tuple[Pick, ...]] = field(default_factory=dict)
    renames: RenamePlan | None = None
    """The vault's renames (possibly none); with ``all_paths``, every note's links are
    checked so that they still resolve after the run. None: links are not checked."""
    all_paths: tuple[str, ...] = ()
    """Every file under the root (before renames), for resolving links."""


_CTX: Context | None = None


def _init(ctx: Context) -> None:
    global _CTX
    _CTX = ctx


def _fix_note(data: bytes, settings: Settings) -> NoteFix:
    return notes.fix_note(data, settings)


def apply_picks(fix: NoteFix, picks: Iterable[Pick]) -> NoteFix:
    """``fix`` with each picked alternative (or the original text) in place of the chosen
    replacement, as one more edit over ``fix.text_after``."""
    extra: list[Edit] = []
    for pick in picks:
        where = f"--pick at {pick.line}:{pick.column}"
        offset = offset_of(fix.text_before, pick.line, pick.column)
        delta = 0
        target: Edit | None = None
        for edit in fix.edits:
            if edit.start == offset and edit.alternatives:
                target = edit
                break
            delta += len(edit.replacement) - (edit.end - edit.start)
        if target is None:
            raise PickError(f"{where}: no repair with alternatives starts here")
        if pick.choice > len(target.alternatives):
            raise PickError(
                f"{where}: there are {len(target.alternatives)} alternatives, not {pick.choice}"
            )
        start = target.start + delta
        if pick.choice == 0:
            new = fix.text_before[target.start : target.end]
            reason, confidence = "picked: left as it was", 1.0
        else:
            alt = target.alternatives[pick.choice - 1]
            new = alt.replacement
            reason = f"picked alternative {pick.choice}" + (f": {alt.reason}" if alt.reason else "")
            confidence = alt.confidence
        extra.append(Edit(start, start + len(target.replacement), new, reason, confidence))
    return fix.with_edits(extra) if extra else fix


def fix_bytes(data: bytes, settings: Settings, picks: Sequence[Pick] = ()) -> NoteFix:
    """One note held in memory through the pipeline, picks included (no links)."""
    fix = _fix_note(data, settings)
    return apply_picks(fix, picks) if picks and not fix.skipped else fix


def fix_path(path: Path, ctx: Context) -> NoteResult:
    rel = _rel(path, ctx.root)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return NoteResult(path, rel, "error", f"cannot read: {exc.strerror or exc}")
    try:
        fix = _fix_note(data, ctx.settings)
        if fix.skipped:
            return NoteResult(path, rel, "skipped", fix.skipped)
        picks = ctx.picks.get(str(path), ())
        if picks:
            fix = apply_picks(fix, picks)
        if ctx.renames is not None:
            fix = _follow_renames(fix, rel, ctx)
    except PickError as exc:
        return NoteResult(path, rel, "error", str(exc))
    except NoteError as exc:
        return NoteResult(path, rel, "skipped", str(exc) or type(exc).__name__)
    except Exception as exc:  # a bug in one note's repair must not end a vault's run
        return NoteResult(path, rel, "error", f"internal error: {type(exc).__name__}: {exc}")
    held = tuple(edit_dict(fix.text_before, e) for e in getattr(fix, "held_back", ()))
    unsure = tuple(edit_dict(fix.text_before, e) for e in fix.unsure)
    if not fix.changed:
        return NoteResult(path, rel, "unchanged", held_back=held, unsure=unsure)
    return NoteResult(path, rel, "changed", fix=fix, held_back=held, unsure=unsure)


def _follow_renames(fix: NoteFix, rel: str, ctx: Context) -> NoteFix:
    from notefix import vault

    plan = ctx.renames
    assert isinstance(plan, vault.RenamePlan)
    if not plan.renames and not fix.edits:
        # No name moves and no text changed: every link resolves as it did.
        return fix
    more = vault.link_edits(fix.text_after, rel, plan, ctx.all_paths, fix.text_before, fix.edits)
    return fix.with_edits(more) if more else fix


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _fix_chunk(paths: Sequence[str]) -> list[NoteResult]:
    assert _CTX is not None, "worker started without its context"
    return [fix_path(Path(p), _CTX) for p in paths]


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _sizes(paths: Sequence[Path]) -> list[int]:
    out = []
    for p in paths:
        try:
            out.append(p.stat().st_size)
        except OSError:
            out.append(0)
    return out


def _chunks(paths: Sequence[Path], sizes: Sequence[int]) -> Iterator[list[str]]:
    chunk: list[str] = []
    weight = 0
    for path, size in zip(paths, sizes, strict=True):
        chunk.append(str(path))
        weight += size
        if weight >= CHUNK_BYTES or len(chunk) >= CHUNK_NOTES:
            yield chunk
            chunk, weight = [], 0
    if chunk:
        yield chunk


def worth_parallel(count: int, total_bytes: int, jobs: int) -> bool:
    return jobs > 1 and count >= PARALLEL_MIN_NOTES and total_bytes >= PARALLEL_MIN_BYTES


def run(
    paths: Sequence[Path],
    ctx: Context,
    jobs: int = 1,
) -> Iterator[NoteResult]:
    """Each note's result, in the order of ``paths``.

    Uses a process pool of ``jobs`` workers when the run is large enough to pay for it.
    """
    sizes = _sizes(paths)
    if not worth_parallel(len(paths), sum(sizes), jobs):
        for path in paths:
            yield fix_path(path, ctx)
        return
    chunks = _chunks(paths, sizes)
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init, initargs=(ctx,)) as pool:
        window: deque[Future[list[NoteResult]]] = deque()
        # A few chunks per worker keep every core busy while bounding what waits in memory.
        for chunk in chunks:
            window.append(pool.submit(_fix_chunk, chunk))
            if len(window) >= jobs * 3:
                break
        while window:
            results = window.popleft().result()
            nxt = next(chunks, None)
            if nxt is not None:
                window.append(pool.submit(_fix_chunk, nxt))
            yield from results
