"""The run journal: write-ahead change log of every run, and byte-exact undo.

Layout under ``ROOT/.notefix/`` (see docs/journal.md)::

    runs/<run id>.json        one journal per run: what changed, why, hashes, status
    objects/<sha[:2]>/<sha>   every note's original bytes, stored by their sha256
    lock                      held (flock) while a run or an undo is writing

Protocol of ``commit_run``: the originals and then the journal (status ``pending``) are
made durable before any note is replaced; then contents are written (``atomic_write``),
then renames are made deepest first; then the journal is rewritten with each step's
result and status ``complete``. Each step is atomic, and the disk itself says which
steps happened (a note's hash is its before or after hash; a rename's old or new name
exists), so after a crash at any moment every note is old or new and ``undo`` works.

Paths in the journal are POSIX and relative to the root. A ``FileChange`` names the
note by its path *before* the run. A ``Rename`` gives the old path (before the run) and
the new path (after the run); renaming a folder is one ``Rename``, and renaming a file
inside a renamed folder is another whose new path has the folder's new name.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from notefix import files
from notefix.edits import Edit
from notefix.edits import Rename as Rename  # journaled renames are edits of paths
from notefix.settings import Settings

FORMAT = "notefix-journal"
FORMAT_VERSION = 1
JOURNAL_DIR = ".notefix"

_RUN_ID = re.compile(r"\d{8}T\d{6}\.\d{6}Z")
_SHA = re.compile(r"[0-9a-f]{64}")

# Results a step can have in a journal.
PENDING = "pending"
WRITTEN = "written"
RENAMED = "renamed"


class JournalError(Exception):
    """A journal that cannot be used (corrupt, truncated, unsafe, missing); one line."""


@dataclass(frozen=True, slots=True)
class FileChange:
    """New content for one note: ``rel`` is its path before the run, relative to the root."""

    rel: str
    before: bytes
    after: bytes
    encoding_before: str
    encoding_after: str
    edits: tuple[Edit, ...] = ()


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One note as journaled."""

    path: str
    """Relative path before the run."""
    path_after: str
    """Relative path after the run's renames."""
    sha256_before: str
    sha256_after: str
    size_before: int
    size_after: int
    encoding_before: str
    encoding_after: str
    edits: tuple[Edit, ...]
    result: str
    """``pending``, ``written``, or why it was skipped."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "path_after": self.path_after,
            "sha256_before": self.sha256_before,
            "sha256_after": self.sha256_after,
            "size_before": self.size_before,
            "size_after": self.size_after,
            "encoding_before": self.encoding_before,
            "encoding_after": self.encoding_after,
            "result": self.result,
            "edits": [e.to_dict() for e in self.edits],
        }

    @classmethod
    def from_dict(cls, data: Any) -> FileEntry:
        d = _obj(data, "file entry")
        entry = cls(
            path=_str(d, "path"),
            path_after=_str(d, "path_after"),
            sha256_before=_sha(d, "sha256_before"),
            sha256_after=_sha(d, "sha256_after"),
            size_before=_int(d, "size_before"),
            size_after=_int(d, "size_after"),
            encoding_before=_str(d, "encoding_before"),
            encoding_after=_str(d, "encoding_after"),
            edits=tuple(_edit(e) for e in _list(d, "edits")),
            result=_str(d, "result"),
        )
        _checked_rel(entry.path)
        _checked_rel(entry.path_after)
        return entry


@dataclass(frozen=True, slots=True)
class RenameEntry:
    """One rename as journaled; ``via`` is the temporary name used for case-only renames."""

    old: str
    new: str
    reason: str
    confidence: float
    via: str
    result: str
    """``pending``, ``renamed``, or why it was skipped."""

    @property
    def old_name(self) -> str:
        return PurePosixPath(self.old).name

    @property
    def new_name(self) -> str:
        return PurePosixPath(self.new).name

    @property
    def parent(self) -> str:
        """The parent folder in before-run coordinates ("" for the root)."""
        parent = PurePosixPath(self.old).parent.as_posix()
        return "" if parent == "." else parent

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "reason": self.reason,
            "confidence": self.confidence,
            "via": self.via,
            "result": self.result,
        }

    @classmethod
    def from_dict(cls, data: Any) -> RenameEntry:
        d = _obj(data, "rename entry")
        entry = cls(
            old=_str(d, "old"),
            new=_str(d, "new"),
            reason=_str(d, "reason"),
            confidence=_float(d, "confidence"),
            via=_str(d, "via"),
            result=_str(d, "result"),
        )
        _checked_rel(entry.old)
        _checked_rel(entry.new)
        if "/" in entry.via or entry.via in ("", ".", ".."):
            raise JournalError(f"bad temporary name {entry.via!r}")
        return entry


@dataclass(frozen=True, slots=True)
class RunJournal:
    """The full journal of one run (what ``runs/<id>.json`` holds)."""

    run_id: str
    started: str
    finished: str | None
    status: str
    """``pending`` (interrupted or in progress), ``complete`` or ``undone``."""
    notefix_version: str
    settings: dict[str, Any]
    files: tuple[FileEntry, ...]
    renames: tuple[RenameEntry, ...]
    undo: dict[str, Any] | None = None
    """When and how the run was undone (``forced`` overwrites keep a backup hash)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "run_id": self.run_id,
            "started": self.started,
            "finished": self.finished,
            "status": self.status,
            "notefix_version": self.notefix_version,
            "settings": self.settings,
            "files": [f.to_dict() for f in self.files],
            "renames": [r.to_dict() for r in self.renames],
            "undo": self.undo,
        }

    @classmethod
    def from_dict(cls, data: Any) -> RunJournal:
        d = _obj(data, "journal")
        if d.get("format") != FORMAT:
            raise JournalError("not a notefix journal")
        if d.get("version") != FORMAT_VERSION:
            raise JournalError(f"journal format version {d.get('version')!r} is not supported")
        run_id = _str(d, "run_id")
        if not _RUN_ID.fullmatch(run_id):
            raise JournalError(f"bad run id {run_id!r}")
        finished = d.get("finished")
        if finished is not None and not isinstance(finished, str):
            raise JournalError("'finished' is not a time")
        undo = d.get("undo")
        if undo is not None and not isinstance(undo, dict):
            raise JournalError("'undo' is not an object")
        return cls(
            run_id=run_id,
            started=_str(d, "started"),
            finished=finished,
            status=_str(d, "status"),
            notefix_version=_str(d, "notefix_version"),
            settings=_obj(d.get("settings"), "settings"),
            files=tuple(FileEntry.from_dict(f) for f in _list(d, "files")),
            renames=tuple(RenameEntry.from_dict(r) for r in _list(d, "renames")),
            undo=undo,
        )


@dataclass(frozen=True, slots=True)
class RunRecord:
    """What ``commit_run`` did."""

    run_id: str
    journal: Path
    written: tuple[str, ...]
    """Notes rewritten (paths before the run)."""
    renamed: tuple[tuple[str, str], ...]
    skipped: tuple[tuple[str, str], ...] = field(default=())
    """(path, one-line reason) for notes and renames left alone."""


@dataclass(slots=True)
class UndoReport:
    """What ``undo`` did; ``complete`` when nothing of the run is left to revert."""

    run_id: str
    restored: list[str] = field(default_factory=list)
    renamed_back: list[tuple[str, str]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    """Notes already holding their original bytes (never written, or reverted by hand)."""
    refused: list[tuple[str, str]] = field(default_factory=list)
    """(path, reason): edited since the run (use force), missing, conflicting, ..."""
    forced: list[tuple[str, str]] = field(default_factory=list)
    """(path, sha256 of the overwritten bytes, kept in the object store)."""

    @property
    def complete(self) -> bool:
        return not self.refused


@dataclass(frozen=True, slots=True)
class RunSummary:
    """One line of ``notefix log``."""

    run_id: str
    started: str
    status: str
    """``complete``, ``pending`` (interrupted), ``undone`` or ``corrupt``."""
    notefix_version: str
    files: int
    """Notes rewritten."""
    renames: int
    skipped: int
    error: str | None = None
    """For a corrupt journal: why it cannot be read."""


Progress = Callable[[str, str], None]
"""``on_progress(step, path)`` after each durable step: ``"store"`` (an original saved),
``"journal"`` (the write-ahead journal is durable; path ""), ``"write"``, ``"rename"``,
``"skip"`` (a note or rename left alone), ``"done"`` (journal complete; path "")."""


# --- JSON validation helpers: every malformed journal becomes one JournalError ---------


def _obj(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise JournalError(f"{what} is not an object")
    return value


def _get(d: dict[str, Any], key: str) -> Any:
    if key not in d:
        raise JournalError(f"missing field {key!r}")
    return d[key]


def _str(d: dict[str, Any], key: str) -> str:
    value = _get(d, key)
    if not isinstance(value, str):
        raise JournalError(f"field {key!r} is not a string")
    return value


def _int(d: dict[str, Any], key: str) -> int:
    value = _get(d, key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise JournalError(f"field {key!r} is not a size")
    return value


def _float(d: dict[str, Any], key: str) -> float:
    value = _get(d, key)
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise JournalError(f"field {key!r} is not a number")
    return float(value)


def _list(d: dict[str, Any], key: str) -> list[Any]:
    value = _get(d, key)
    if not isinstance(value, list):
        raise JournalError(f"field {key!r} is not a list")
    return value


def _sha(d: dict[str, Any], key: str) -> str:
    value = _str(d, key)
    if not _SHA.fullmatch(value):
        raise JournalError(f"field {key!r} is not a sha256")
    return value


def _edit(value: Any) -> Edit:
    try:
        return Edit.from_dict(_obj(value, "edit"))
    except (KeyError, TypeError, ValueError) as exc:
        raise JournalError(f"bad edit: {exc}") from None


def _checked_rel(rel: str) -> str:
    try:
        files.check_rel(rel)
    except files.UnsafePath as exc:
        raise JournalError(f"unsafe path in journal: {exc}") from None
    return rel


# --- Paths and renames ------------------------------------------------------------------


def _depth(rel: str) -> int:
    return rel.count("/")


def _map_path(rel: str, renames: Sequence[RenameEntry]) -> str:
    """Where ``rel`` (before-run path) is once ``renames`` are applied (deepest first)."""
    for r in sorted(renames, key=lambda r: -_depth(r.old)):
        if rel == r.old or rel.startswith(r.old + "/"):
            rel = _join(r.parent, r.new_name) + rel[len(r.old) :]
    return rel


def _join(parent: str, name: str) -> str:
    return f"{parent}/{name}" if parent else name


# --- Storage ------------------------------------------------------------------------------


def journal_dir(root: Path | str) -> Path:
    return Path(root) / JOURNAL_DIR


def _ensure_dirs(root: Path) -> Path:
    base = journal_dir(root)
    if base.is_symlink() or (base.exists() and not base.is_dir()):
        raise JournalError(f"{base} is not a folder; refusing to use it")
    for folder in (base, base / "runs", base / "objects"):
        if not folder.exists():
            folder.mkdir()
            files.fsync_dir(folder.parent)
    return base


def _object_path(root: Path, sha: str) -> Path:
    return journal_dir(root) / "objects" / sha[:2] / sha


def store_object(root: Path | str, data: bytes) -> str:
    """Store ``data`` durably under its sha256 (once) and return the hash."""
    root = Path(root)
    sha = files.sha256(data)
    path = _object_path(root, sha)
    if path.exists():
        with contextlib.suppress(OSError):
            if files.file_sha256(path) == sha:
                return sha
    if not path.parent.exists():
        path.parent.mkdir()
        files.fsync_dir(path.parent.parent)
    files.write_durable(path, data)
    return sha


def load_object(root: Path | str, sha: str) -> bytes:
    """The stored bytes whose sha256 is ``sha``; ``JournalError`` if missing or damaged."""
    if not _SHA.fullmatch(sha):
        raise JournalError(f"bad object name {sha!r}")
    path = _object_path(Path(root), sha)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise JournalError(f"stored original {sha[:12]} is missing: {exc.strerror}") from None
    if files.sha256(data) != sha:
        raise JournalError(f"stored original {sha[:12]} is damaged (hash mismatch)")
    return data


def _dump(journal: RunJournal) -> bytes:
    data = journal.to_dict()
    try:
        return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates (junk a fixer removed) cannot be UTF-8: escape them instead.
        return (json.dumps(data, ensure_ascii=True, indent=2) + "\n").encode("ascii")


def _journal_path(root: Path, run_id: str) -> Path:
    return journal_dir(root) / "runs" / f"{run_id}.json"


def _save(root: Path, journal: RunJournal) -> Path:
    path = _journal_path(root, journal.run_id)
    files.write_durable(path, _dump(journal))
    return path


def _load(path: Path) -> RunJournal:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise JournalError(f"{path}: cannot read journal: {exc.strerror}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise JournalError(f"{path}: journal is truncated or corrupt (not valid JSON)") from None
    try:
        journal = RunJournal.from_dict(data)
    except JournalError as exc:
        raise JournalError(f"{path}: corrupt journal: {exc}") from None
    if path.stem != journal.run_id:
        raise JournalError(f"{path}: journal names another run ({journal.run_id})")
    return journal


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    base = _ensure_dirs(root)
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; runs are not serialized
        yield
        return
    fd = os.open(base / "lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise JournalError(f"another notefix run is writing under {root}") from None
        yield
    finally:
        os.close(fd)


def _now() -> datetime:
    return datetime.now(UTC)


def _new_run_id(root: Path) -> str:
    while True:
        now = _now()
        run_id = f"{now:%Y%m%dT%H%M%S}.{now.microsecond:06d}Z"
        if not _journal_path(root, run_id).exists():
            return run_id


def _version() -> str:
    from notefix import __version__

    return __version__


# --- Committing a run -----------------------------------------------------------------------


class RenameLike(Protocol):
    """Anything shaped like ``Rename`` (``notefix.vault.Rename`` fits)."""

    @property
    def old_rel(self) -> str: ...

    @property
    def new_rel(self) -> str: ...

    @property
    def reason(self) -> str: ...

    @property
    def confidence(self) -> float: ...


def _rename_entries(renames: Sequence[RenameLike], run_id: str) -> list[RenameEntry]:
    entries: list[RenameEntry] = []
    olds: set[str] = set()
    for i, r in enumerate(renames):
        files.check_rel(r.old_rel)
        files.check_rel(r.new_rel)
        if r.old_rel == r.new_rel:
            continue
        if r.old_rel in olds:
            raise ValueError(f"{r.old_rel} is renamed twice")
        olds.add(r.old_rel)
        via = f".{PurePosixPath(r.old_rel).name}.{run_id}-{i}{files.TEMP_SUFFIX}"
        entries.append(RenameEntry(r.old_rel, r.new_rel, r.reason, r.confidence, via, PENDING))
    # new_rel's folder may be given before or after its ancestors' renames; the journal
    # keeps the after-run path, which is what a person looking at the vault sees.
    for k, e in enumerate(entries):
        before = e.parent
        after = _map_path(before, entries) if before else ""
        given = PurePosixPath(e.new).parent.as_posix()
        given = "" if given == "." else given
        if given not in (before, after):
            raise ValueError(f"rename {e.old} -> {e.new}: only the last part may change")
        entries[k] = dataclasses.replace(e, new=_join(after, e.new_name))
    finals = [e.new for e in entries]
    if len(set(finals)) != len(finals):
        raise ValueError("two renames have the same target")
    return entries


def commit_run(
    root: Path | str,
    changes: Sequence[FileChange],
    settings: Settings,
    *,
    renames: Sequence[RenameLike] = (),
    on_progress: Progress | None = None,
) -> RunRecord:
    """Apply ``changes`` then ``renames`` under ``root``, journaled so they can be undone.

    Write-ahead: the originals and the journal are durable before any note is replaced.
    A note whose bytes are no longer ``before``, or that is hard-linked, read-only, or
    not writable, is skipped and reported; so is a rename whose target exists or whose
    source is gone. Changes with ``before == after`` are ignored. Raises ``ValueError``
    for an invalid plan (unsafe or duplicate paths, a rename that moves across folders)
    before touching anything, and ``JournalError`` if the journal cannot be written.
    """
    root = Path(os.path.realpath(root))
    progress = on_progress or (lambda step, path: None)
    real = [c for c in changes if c.before != c.after]
    seen: set[str] = set()
    for c in real:
        files.check_rel(c.rel)
        if c.rel in seen:
            raise ValueError(f"{c.rel} is changed twice")
        seen.add(c.rel)

    with _locked(root):
        run_id = _new_run_id(root)
        rename_entries = _rename_entries(renames, run_id)
        entries: list[FileEntry] = []
        for c in real:
            reason = PENDING
            try:
                path = files.resolve_inside(root, c.rel)
                files.check_writable(path)
                if files.file_sha256(path) != files.sha256(c.before):
                    raise files.ChangedOnDisk(f"{c.rel}: changed on disk since it was read")
            except (files.FileRefused, OSError) as exc:
                reason = f"skipped: {_reason(exc)}"
            entries.append(
                FileEntry(
                    path=c.rel,
                    path_after=_map_path(c.rel, rename_entries),
                    sha256_before=files.sha256(c.before),
                    sha256_after=files.sha256(c.after),
                    size_before=len(c.before),
                    size_after=len(c.after),
                    encoding_before=c.encoding_before,
                    encoding_after=c.encoding_after,
                    edits=tuple(c.edits),
                    result=reason,
                )
            )
        started = _now().isoformat()
        journal = RunJournal(
            run_id=run_id,
            started=started,
            finished=None,
            status=PENDING,
            notefix_version=_version(),
            settings=settings.to_dict(),
            files=tuple(entries),
            renames=tuple(rename_entries),
        )
        try:
            for c, entry in zip(real, entries, strict=True):
                if entry.result == PENDING:
                    store_object(root, c.before)
                    progress("store", c.rel)
            path = _save(root, journal)
        except OSError as exc:
            raise JournalError(f"cannot write the journal under {root}: {_reason(exc)}") from None
        progress("journal", "")

        written: list[str] = []
        skipped: list[tuple[str, str]] = []
        for i, (c, entry) in enumerate(zip(real, entries, strict=True)):
            if entry.result != PENDING:
                skipped.append((c.rel, entry.result.removeprefix("skipped: ")))
                progress("skip", c.rel)
                continue
            try:
                files.atomic_write(
                    files.resolve_inside(root, c.rel),
                    c.after,
                    expected_sha256=entry.sha256_before,
                    tag=f"{run_id}-",
                )
            except (files.FileRefused, OSError) as exc:
                entries[i] = _with_result(entry, f"skipped: {_reason(exc)}")
                skipped.append((c.rel, _reason(exc)))
                progress("skip", c.rel)
            else:
                entries[i] = _with_result(entry, WRITTEN)
                written.append(c.rel)
                progress("write", c.rel)

        renamed: list[tuple[str, str]] = []
        order = sorted(range(len(rename_entries)), key=lambda k: -_depth(rename_entries[k].old))
        for k in order:
            e = rename_entries[k]
            try:
                src = files.resolve_inside(root, e.old)
                dst = files.resolve_inside(root, _join(e.parent, e.new_name))
                files.atomic_rename(src, dst, via=e.via)
            except (files.FileRefused, OSError) as exc:
                rename_entries[k] = _with_rename_result(e, f"skipped: {_reason(exc)}")
                skipped.append((e.old, _reason(exc)))
                progress("skip", e.old)
            else:
                rename_entries[k] = _with_rename_result(e, RENAMED)
                renamed.append((e.old, e.new))
                progress("rename", e.old)

        final = RunJournal(
            run_id=run_id,
            started=started,
            finished=_now().isoformat(),
            status="complete",
            notefix_version=journal.notefix_version,
            settings=journal.settings,
            files=tuple(entries),
            renames=tuple(rename_entries),
        )
        _save(root, final)
        progress("done", "")
    return RunRecord(run_id, path, tuple(written), tuple(renamed), tuple(skipped))


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return str(exc)


def _with_result(entry: FileEntry, result: str) -> FileEntry:
    return dataclasses.replace(entry, result=result)


def _with_rename_result(entry: RenameEntry, result: str) -> RenameEntry:
    return dataclasses.replace(entry, result=result)


# --- Reading runs ---------------------------------------------------------------------------


def _run_files(root: Path) -> list[Path]:
    folder = journal_dir(root) / "runs"
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix == ".json" and _RUN_ID.fullmatch(p.stem))


def read_run(root: Path | str, run_id: str | None = None) -> RunJournal:
    """The journal of ``run_id`` (a unique prefix is enough), or of the last run not undone."""
    root = Path(os.path.realpath(root))
    paths = _run_files(root)
    if run_id is None:
        for path in reversed(paths):
            journal = _load(path)
            if journal.status != "undone":
                return journal
        raise JournalError(f"no run to undo under {root}")
    matches = [p for p in paths if p.stem.startswith(run_id)]
    if not matches:
        raise JournalError(f"no run {run_id!r} under {root}")
    if len(matches) > 1:
        raise JournalError(f"run id {run_id!r} is ambiguous ({len(matches)} runs match)")
    return _load(matches[0])


def list_runs(root: Path | str) -> list[RunSummary]:
    """Every run under ``root``, oldest first; unreadable journals are listed as corrupt."""
    root = Path(os.path.realpath(root))
    out: list[RunSummary] = []
    for path in _run_files(root):
        try:
            j = _load(path)
        except JournalError as exc:
            out.append(RunSummary(path.stem, "", "corrupt", "", 0, 0, 0, str(exc)))
            continue
        out.append(
            RunSummary(
                run_id=j.run_id,
                started=j.started,
                status=j.status,
                notefix_version=j.notefix_version,
                files=sum(f.result in (WRITTEN, PENDING) for f in j.files),
                renames=sum(r.result in (RENAMED, PENDING) for r in j.renames),
                skipped=sum(f.result.startswith("skipped") for f in j.files)
                + sum(r.result.startswith("skipped") for r in j.renames),
            )
        )
    return out


# --- Undo -----------------------------------------------------------------------------------


def _entry_names(folder: Path) -> set[str]:
    try:
        return set(os.listdir(folder))
    except OSError:
        return set()


def undo(root: Path | str, run_id: str | None = None, *, force: bool = False) -> UndoReport:
    """Revert the last run not yet undone under ``root`` (or ``run_id``), byte-exact.

    Renames are reverted first (shallowest first), then each note that holds the run's
    output gets its stored original back. A note edited since the run is left alone and
    reported in ``refused`` unless ``force``, which overwrites it after storing its
    current bytes in the object store (listed in ``forced``). A conflicting rename
    (both names exist) is never forced. Every journal path is checked to stay inside
    ``root`` before anything is written. The run is marked undone when nothing was refused.
    """
    root = Path(os.path.realpath(root))
    if not journal_dir(root).is_dir():
        raise JournalError(f"no runs journaled under {root}")
    with _locked(root):
        journal = read_run(root, run_id)
        report = UndoReport(journal.run_id)
        # Validate every path against the real disk before changing anything.
        try:
            for f in journal.files:
                files.resolve_inside(root, f.path)
                files.resolve_inside(root, f.path_after)
            for r in journal.renames:
                files.resolve_inside(root, r.old)
                files.resolve_inside(root, r.new)
        except files.UnsafePath as exc:
            raise JournalError(f"journal {journal.run_id} is unsafe: {exc}") from None

        applied = [r for r in journal.renames if r.result in (RENAMED, PENDING)]
        for r in sorted(applied, key=lambda r: _depth(r.old)):
            _undo_rename(root, r, applied, report)

        for f in journal.files:
            if f.result not in (WRITTEN, PENDING):
                continue
            _undo_file(root, journal.run_id, f, _map_path(f.path, applied), force, report)

        undo_info = {"at": _now().isoformat(), "forced": [list(x) for x in report.forced]}
        if report.complete:
            status = "undone"
        else:
            status = journal.status
            undo_info["refused"] = [list(x) for x in report.refused]
        updated = RunJournal(
            run_id=journal.run_id,
            started=journal.started,
            finished=journal.finished,
            status=status,
            notefix_version=journal.notefix_version,
            settings=journal.settings,
            files=journal.files,
            renames=journal.renames,
            undo=undo_info,
        )
        _save(root, updated)
    return report


def _undo_rename(
    root: Path, r: RenameEntry, applied: list[RenameEntry], report: UndoReport
) -> None:
    # Ancestors that could not be reverted still carry their new names.
    parent_rel = _map_path(r.parent, applied) if r.parent else ""
    try:
        parent = files.resolve_inside(root, parent_rel) if parent_rel else root
        src = files.resolve_inside(root, _join(parent_rel, r.new_name))
        dst = files.resolve_inside(root, _join(parent_rel, r.old_name))
    except files.UnsafePath as exc:
        report.refused.append((r.new, str(exc)))
        return
    names = _entry_names(parent)
    # Listing the folder tells the spelling apart even on case-insensitive file systems.
    has_new, has_old, has_via = r.new_name in names, r.old_name in names, r.via in names
    try:
        if has_via and not has_new and not has_old:
            files.atomic_rename(parent / r.via, dst)
        elif has_new and not has_old:
            files.atomic_rename(src, dst, via=r.via)
        elif has_old and (not has_new or r.result == PENDING):
            applied.remove(r)  # never renamed: nothing to revert
            return
        elif has_old and has_new:
            report.refused.append((r.new, f"both {r.old} and {r.new} exist; not renamed back"))
            return
        else:
            report.refused.append((r.new, "missing; not renamed back"))
            return
    except (files.FileRefused, OSError) as exc:
        report.refused.append((r.new, _reason(exc)))
        return
    applied.remove(r)
    report.renamed_back.append((r.new, r.old))


def _undo_file(
    root: Path, run_id: str, f: FileEntry, current_rel: str, force: bool, report: UndoReport
) -> None:
    try:
        path = files.resolve_inside(root, current_rel)
    except files.UnsafePath as exc:
        report.refused.append((current_rel, str(exc)))
        return
    _remove_leftovers(path, run_id)
    try:
        current = files.file_sha256(path)
    except FileNotFoundError:
        report.refused.append((current_rel, "missing; not restored"))
        return
    except OSError as exc:
        report.refused.append((current_rel, _reason(exc)))
        return
    if current == f.sha256_before:
        report.unchanged.append(current_rel)
        return
    if current != f.sha256_after and not force:
        report.refused.append((current_rel, "edited since the run; not restored (use force)"))
        return
    try:
        original = load_object(root, f.sha256_before)
        if current != f.sha256_after:
            store_object(root, path.read_bytes())
        files.atomic_write(path, original, expected_sha256=current, tag=f"{run_id}-")
    except (JournalError, files.FileRefused, OSError) as exc:
        report.refused.append((current_rel, _reason(exc)))
        return
    if current != f.sha256_after:
        report.forced.append((current_rel, current))
    report.restored.append(current_rel)


def _remove_leftovers(path: Path, run_id: str) -> None:
    """Delete temp files an interrupted write of this run left next to ``path``."""
    prefix = f".{path.name}.{run_id}-"
    with contextlib.suppress(OSError):
        for name in os.listdir(path.parent):
            if name.startswith(prefix) and name.endswith(files.TEMP_SUFFIX):
                os.unlink(path.parent / name)
