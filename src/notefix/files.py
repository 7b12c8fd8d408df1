"""Finding notes and writing them safely: the only module that writes notes.

Every write is atomic (a temp file in the same folder, fsync, ``os.replace``, fsync of
the folder), keeps the file's permissions and refuses when the file's bytes are no
longer what the caller read. See docs/journal.md for the rules on symlinks, hard links
and read-only files:

- A symlinked note stays a symlink: its target is rewritten when the target is inside
  the root, and left alone (reported) when it is outside. Symlinked folders are never
  descended into (a target inside the root is visited anyway; one outside is reported).
- A file with more than one hard link is refused: replacing it would silently split the
  links, and rewriting it in place could leave it half-written after a crash.
- A read-only file (no write permission for its owner) is refused: it is read-only on
  purpose, and notefix does not change what its owner protected.
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import hashlib
import os
import secrets
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import NamedTuple

SKIPPED_DIRS = frozenset({".git", ".obsidian", ".notefix", ".trash"})
"""Folders never searched for notes (version control, app settings, notefix's journal)."""

TEMP_SUFFIX = ".notefix-tmp"
"""Suffix of the temporary files notefix creates next to a note while replacing it."""


class FileRefused(Exception):
    """A file notefix will not write; ``str()`` is a one-line reason for the user."""


class ChangedOnDisk(FileRefused):
    """The file's bytes are no longer the ones the caller read (edited meanwhile)."""


class HardLinked(FileRefused):
    """The file has several hard links; replacing it would split them."""


class ReadOnly(FileRefused):
    """The file (or its folder) is not writable."""


class TargetExists(FileRefused):
    """A rename's target already exists (and is not the same file)."""


class UnsafePath(FileRefused):
    """A relative path that would leave its root (``..``, absolute, via a symlink)."""


class NoteFile(NamedTuple):
    """A note found under ``root``; ``path`` is absolute, real and inside ``root``."""

    root: Path
    path: Path

    @property
    def rel(self) -> str:
        """The note's path relative to its root, POSIX style (as journaled)."""
        return self.path.relative_to(self.root).as_posix()


SkipHandler = Callable[[Path, str], None]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path | str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def _matches(rel: str, patterns: Iterable[str]) -> bool:
    # Case-insensitive because notes move between case-insensitive file systems
    # (macOS, Windows) where "Note.MD" and "note.md" are the same kind of file.
    name = rel.rsplit("/", 1)[-1].lower()
    low = rel.lower()
    for pattern in patterns:
        pat = pattern.lower().rstrip("/")
        if fnmatch.fnmatchcase(name, pat) or fnmatch.fnmatchcase(low, pat):
            return True
        if "/" in pat and (low.startswith(pat + "/")):
            return True
    return False


def is_inside(root: Path | str, path: Path | str) -> bool:
    """Whether ``path`` (resolved, symlinks followed) is ``root`` or below it."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    try:
        return os.path.commonpath([real_root, real]) == real_root
    except ValueError:  # different drives on Windows
        return False


def find_notes(
    paths: Iterable[Path | str],
    include: Iterable[str] = ("*.md",),
    exclude: Iterable[str] = (),
    *,
    on_skip: SkipHandler | None = None,
) -> Iterator[NoteFile]:
    """The notes under ``paths``, each once, in a stable (sorted) order.

    A folder argument is its own root; a file argument's root is its folder, and it is
    yielded whatever ``include`` says (the user named it). Inside a folder, files whose
    name or relative path matches ``include`` and no ``exclude`` pattern are yielded;
    folders in ``SKIPPED_DIRS`` or matching ``exclude`` are not searched. Patterns are
    shell globs matched case-insensitively against the name and the relative path.

    Symlinks: a symlinked note whose target is inside the root is yielded as its target
    (so the link stays a link and the target is fixed once); a target outside the root,
    a broken link, and a symlinked folder pointing outside are reported to ``on_skip``
    with a reason and left alone. A path that does not exist is reported too.
    """
    include = tuple(include)
    exclude = tuple(exclude)
    seen: set[str] = set()

    def skip(path: Path, reason: str) -> None:
        if on_skip is not None:
            on_skip(path, reason)

    def emit(root: Path, path: Path) -> Iterator[NoteFile]:
        real = os.path.realpath(path)
        if real not in seen:
            seen.add(real)
            yield NoteFile(root, Path(real))

    def walk(root: Path, folder: Path) -> Iterator[NoteFile]:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            skip(folder, f"cannot list folder: {exc.strerror or exc}")
            return
        for entry in entries:
            path = Path(entry.path)
            rel = path.relative_to(root).as_posix()
            if entry.name.endswith(TEMP_SUFFIX):
                continue
            if entry.is_symlink():
                if _matches(rel, exclude):
                    continue
                target_is_dir = os.path.isdir(path)
                if not target_is_dir and not _matches(rel, include):
                    continue
                if not os.path.exists(path):
                    skip(path, "broken symlink; left alone")
                elif not is_inside(root, path):
                    kind = "folder" if target_is_dir else "file"
                    skip(path, f"symlink to a {kind} outside {root}; left alone")
                elif not target_is_dir:
                    yield from emit(root, path)
                # A symlinked folder inside the root is visited through its real path.
                continue
            if entry.is_dir(follow_symlinks=False):
                if entry.name in SKIPPED_DIRS or _matches(rel, exclude):
                    continue
                yield from walk(root, path)
            elif (
                entry.is_file(follow_symlinks=False)
                and _matches(rel, include)
                and not _matches(rel, exclude)
            ):
                yield from emit(root, path)

    for arg in paths:
        given = Path(arg)
        if given.is_dir():
            root = Path(os.path.realpath(given))
            yield from walk(root, root)
        elif given.is_file():
            root = Path(os.path.realpath(given.parent if str(given.parent) else "."))
            if given.is_symlink() and not is_inside(root, given):
                skip(given, f"symlink to a file outside {root}; left alone")
                continue
            yield from emit(root, given)
        elif given.is_symlink():
            skip(given, "broken symlink; left alone")
        else:
            skip(given, "no such file or folder")


def check_rel(rel: str) -> PurePosixPath:
    """``rel`` as a relative POSIX path that cannot leave its root, or ``UnsafePath``."""
    if not isinstance(rel, str) or not rel:
        raise UnsafePath(f"not a relative path: {rel!r}")
    if "\x00" in rel or rel.startswith("/") or (os.sep != "/" and ("\\" in rel or ":" in rel)):
        raise UnsafePath(f"not a relative path inside the root: {rel!r}")
    parts = rel.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise UnsafePath(f"path leaves or skips its root: {rel!r}")
    if parts[0] == ".notefix":
        raise UnsafePath(f"path points into the journal: {rel!r}")
    return PurePosixPath(rel)


def resolve_inside(root: Path | str, rel: str) -> Path:
    """``root / rel`` after checking that it stays inside ``root``, symlinks included.

    The last component may not exist yet (a rename target). A symlink whose target is
    outside the root makes the path unsafe, so a crafted path cannot write elsewhere.
    """
    pure = check_rel(rel)
    path = Path(root, *pure.parts)
    if not is_inside(root, path):
        raise UnsafePath(f"{rel} resolves outside {root}")
    return path


def fsync_dir(folder: Path | str) -> None:
    """Make a folder's entries (a rename, a new file) durable; no-op where unsupported."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # Windows cannot open folders; NTFS journals metadata itself
        return
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


def _temp_path(target: Path, tag: str) -> Path:
    return target.with_name(f".{target.name}.{tag}{secrets.token_hex(4)}{TEMP_SUFFIX}")


def _write_temp(tmp: Path, data: bytes, mode: int) -> None:
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)
        os.fsync(fd)
    finally:
        os.close(fd)


def write_durable(path: Path | str, data: bytes) -> None:
    """Create or replace ``path`` with ``data`` atomically and durably (no checks).

    For notefix's own files (journal, stored originals); notes go through
    ``atomic_write``.
    """
    target = Path(path)
    tmp = _temp_path(target, "")
    try:
        _write_temp(tmp, data, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(target.parent)


def _identity(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def check_writable(path: Path | str) -> os.stat_result:
    """The stat of the file ``atomic_write`` would replace, or why it is refused."""
    target = os.path.realpath(path)
    try:
        st = os.stat(target)
    except FileNotFoundError:
        raise ChangedOnDisk(f"{path}: no longer exists") from None
    except OSError as exc:
        raise FileRefused(f"{path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise FileRefused(f"{path}: not a regular file")
    if st.st_nlink > 1:
        raise HardLinked(
            f"{path}: has {st.st_nlink} hard links; replacing it would break them (left alone)"
        )
    if not st.st_mode & stat.S_IWUSR:
        raise ReadOnly(f"{path}: read-only; left alone (make it writable to fix it)")
    return st


def atomic_write(
    path: Path | str, data: bytes, *, expected_sha256: str | None, tag: str = ""
) -> None:
    """Replace the note at ``path`` with ``data``, atomically, durably, safely.

    ``expected_sha256`` is the hash of the bytes the caller read; if the file's bytes
    differ now (edited meanwhile) it raises ``ChangedOnDisk`` and writes nothing.
    ``None`` skips that check (only for undo with force). A symlink is kept: its target
    is replaced. Permissions (and owner, where allowed) are copied to the new file.
    Hard-linked and read-only files raise ``HardLinked`` / ``ReadOnly``. ``tag`` goes into
    the temporary file's name so leftovers of an interrupted run can be recognized.
    """
    target = Path(os.path.realpath(path))
    before = check_writable(target)
    tmp = _temp_path(target, tag)
    try:
        _write_temp(tmp, data, stat.S_IMODE(before.st_mode))
        if hasattr(os, "chown") and hasattr(os, "getuid") and before.st_uid != os.getuid():
            with contextlib.suppress(OSError):
                os.chown(tmp, before.st_uid, before.st_gid)
        # Checked as late as possible, right before the replace, to keep the window in
        # which another program's edit could be lost as small as the OS allows.
        if expected_sha256 is not None:
            current = file_sha256(target)
            after = os.stat(target)
            if current != expected_sha256 or _identity(after) != _identity(before):
                raise ChangedOnDisk(f"{path}: changed on disk since it was read; not overwritten")
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, PermissionError):
            raise ReadOnly(f"{path}: cannot write in its folder ({exc.strerror})") from None
        raise
    fsync_dir(target.parent)


def same_file(a: Path | str, b: Path | str) -> bool:
    """Whether two paths name one directory entry's file (case/normalization aliases)."""
    try:
        sa = os.stat(a, follow_symlinks=False)
        sb = os.stat(b, follow_symlinks=False)
    except OSError:
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def atomic_rename(old: Path | str, new: Path | str, *, via: str | None = None) -> None:
    """Rename ``old`` to ``new`` (file or folder, same parent or not) and make it durable.

    Refuses (``TargetExists``) when ``new`` exists and is another file: nothing is ever
    overwritten. When ``new`` is the same file under another spelling (a case-only or
    Unicode-normalization-only rename on a case- or normalization-insensitive file
    system), the rename goes through a temporary name so the new spelling sticks;
    ``via`` names that temporary (in ``old``'s folder) so an interrupted rename can be
    found and finished or reverted; by default a random name is used. A symlink is
    renamed as a link. The existence check and the rename are two steps: a file created
    at ``new`` in between by another program would be replaced (POSIX offers no portable
    no-replace rename).
    """
    old_p = Path(old)
    new_p = Path(new)
    if str(old_p) == str(new_p):
        return
    if not os.path.lexists(old_p):
        raise ChangedOnDisk(f"{old_p}: no longer exists; not renamed")
    # On a case- or normalization-insensitive file system the new spelling finds the old
    # entry: same file, but the folder lists only the old spelling. A second hard link
    # is listed under its own name and is a real, distinct target.
    alias = (
        os.path.lexists(new_p)
        and same_file(old_p, new_p)
        and new_p.name not in os.listdir(new_p.parent)
    )
    if os.path.lexists(new_p) and not alias:
        raise TargetExists(f"{new_p}: already exists; {old_p.name} not renamed")
    try:
        if alias:
            tmp = old_p.with_name(via or f".{old_p.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}")
            if os.path.lexists(tmp):
                raise TargetExists(f"{tmp}: temporary name in use; {old_p.name} not renamed")
            os.rename(old_p, tmp)
            fsync_dir(old_p.parent)
            os.rename(tmp, new_p)
        else:
            os.rename(old_p, new_p)
    except PermissionError as exc:
        raise ReadOnly(f"{old_p}: cannot rename ({exc.strerror})") from None
    fsync_dir(new_p.parent)
    if new_p.parent != old_p.parent:
        fsync_dir(old_p.parent)
