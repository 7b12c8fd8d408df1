"""Finding notes and the safe writer: symlinks, hard links, read-only files, races."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from notefix import files
from notefix.files import (
    ChangedOnDisk,
    HardLinked,
    ReadOnly,
    TargetExists,
    UnsafePath,
    atomic_rename,
    atomic_write,
    find_notes,
    resolve_inside,
    sha256,
)


def write(path: Path, data: bytes = b"x\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def rels(found: list[files.NoteFile]) -> list[str]:
    return [n.rel for n in found]


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*") if p.name.endswith(files.TEMP_SUFFIX)]


def test_find_notes_recurses_and_skips_tool_folders(tmp_path: Path) -> None:
    for rel in ["a.md", "sub/b.md", "sub/deeper/c.MD", "x.txt", ".git/d.md", ".obsidian/e.md"]:
        write(tmp_path / rel)
    write(tmp_path / ".notefix" / "runs" / "f.md")
    assert rels(list(find_notes([tmp_path]))) == ["a.md", "sub/b.md", "sub/deeper/c.MD"]


def test_find_notes_honours_include_and_exclude(tmp_path: Path) -> None:
    for rel in ["a.md", "b.txt", "templates/t.md", "sub/draft-1.md", "sub/ok.md"]:
        write(tmp_path / rel)
    found = find_notes([tmp_path], include=("*.md", "*.txt"), exclude=("templates", "draft-*"))
    assert rels(list(found)) == ["a.md", "b.txt", "sub/ok.md"]


def test_a_named_file_is_found_whatever_include_says_and_missing_paths_are_reported(
    tmp_path: Path,
) -> None:
    note = write(tmp_path / "n.txt")
    skipped: list[tuple[Path, str]] = []
    found = list(find_notes([note, tmp_path / "nope"], on_skip=lambda p, r: skipped.append((p, r))))
    assert [(n.root, n.rel) for n in found] == [(tmp_path.resolve(), "n.txt")]
    assert skipped == [(tmp_path / "nope", "no such file or folder")]


def test_symlink_inside_the_root_yields_its_target_once(tmp_path: Path) -> None:
    target = write(tmp_path / "real" / "note.md")
    (tmp_path / "alias.md").symlink_to(target)
    (tmp_path / "linked-folder").symlink_to(tmp_path / "real", target_is_directory=True)
    assert rels(list(find_notes([tmp_path]))) == ["real/note.md"]


def test_symlinks_leading_outside_the_root_are_reported_and_left_alone(tmp_path: Path) -> None:
    outside = write(tmp_path / "outside" / "secret.md")
    vault = tmp_path / "vault"
    write(vault / "mine.md")
    (vault / "escape.md").symlink_to(outside)
    (vault / "escape-folder").symlink_to(outside.parent, target_is_directory=True)
    (vault / "broken.md").symlink_to(vault / "gone.md")
    skipped: list[tuple[str, str]] = []
    found = list(find_notes([vault], on_skip=lambda p, r: skipped.append((p.name, r))))
    assert rels(found) == ["mine.md"]
    reasons = dict(skipped)
    assert set(reasons) == {"escape.md", "escape-folder", "broken.md"}
    assert "outside" in reasons["escape.md"] and "outside" in reasons["escape-folder"]
    assert "broken" in reasons["broken.md"]


def test_atomic_write_replaces_bytes_and_keeps_permissions(tmp_path: Path) -> None:
    note = write(tmp_path / "n.md", b"old\n")
    note.chmod(0o640)
    atomic_write(note, b"new\n", expected_sha256=sha256(b"old\n"))
    assert note.read_bytes() == b"new\n"
    assert stat.S_IMODE(note.stat().st_mode) == 0o640
    assert leftovers(tmp_path) == []


def test_atomic_write_refuses_a_file_changed_since_it_was_read(tmp_path: Path) -> None:
    note = write(tmp_path / "n.md", b"edited by someone else\n")
    with pytest.raises(ChangedOnDisk):
        atomic_write(note, b"new\n", expected_sha256=sha256(b"what we read\n"))
    assert note.read_bytes() == b"edited by someone else\n"
    assert leftovers(tmp_path) == []


def test_atomic_write_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    target = write(tmp_path / "target.md", b"old")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    atomic_write(link, b"new", expected_sha256=sha256(b"old"))
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_bytes() == b"new"


def test_hard_linked_files_are_refused_so_links_are_never_split(tmp_path: Path) -> None:
    note = write(tmp_path / "n.md", b"old")
    os.link(note, tmp_path / "other.md")
    with pytest.raises(HardLinked):
        atomic_write(note, b"new", expected_sha256=sha256(b"old"))
    assert note.read_bytes() == b"old" and (tmp_path / "other.md").read_bytes() == b"old"
    assert os.stat(note).st_nlink == 2


def test_read_only_files_are_refused_and_left_as_they_are(tmp_path: Path) -> None:
    note = write(tmp_path / "n.md", b"old")
    note.chmod(0o444)
    with pytest.raises(ReadOnly):
        atomic_write(note, b"new", expected_sha256=sha256(b"old"))
    assert note.read_bytes() == b"old"
    assert stat.S_IMODE(note.stat().st_mode) == 0o444


def test_atomic_rename_never_overwrites(tmp_path: Path) -> None:
    a = write(tmp_path / "a.md", b"a")
    b = write(tmp_path / "b.md", b"b")
    with pytest.raises(TargetExists):
        atomic_rename(a, b)
    assert a.read_bytes() == b"a" and b.read_bytes() == b"b"


def test_atomic_rename_moves_folders_and_files(tmp_path: Path) -> None:
    write(tmp_path / "CafÃ©" / "n.md", b"n")
    atomic_rename(tmp_path / "CafÃ©", tmp_path / "Café")
    assert (tmp_path / "Café" / "n.md").read_bytes() == b"n"
    assert not (tmp_path / "CafÃ©").exists()


def test_another_hard_link_is_a_distinct_target_and_is_not_replaced(tmp_path: Path) -> None:
    old = write(tmp_path / "note.md", b"n")
    os.link(old, tmp_path / "Note.md")
    with pytest.raises(TargetExists):
        atomic_rename(old, tmp_path / "Note.md")
    assert sorted(os.listdir(tmp_path)) == ["Note.md", "note.md"]


def _case_insensitive(folder: Path) -> bool:
    probe = write(folder / "probe.md")
    try:
        return (folder / "PROBE.md").exists()
    finally:
        probe.unlink()


def test_a_case_only_rename_sticks_on_a_case_insensitive_file_system(tmp_path: Path) -> None:
    if not _case_insensitive(tmp_path):
        pytest.skip("the temporary folder's file system is case-sensitive")
    old = write(tmp_path / "note.md", b"n")
    atomic_rename(old, tmp_path / "Note.md", via=".tmp-name")
    assert sorted(os.listdir(tmp_path)) == ["Note.md"]
    assert (tmp_path / "Note.md").read_bytes() == b"n"


@pytest.mark.parametrize(
    "rel", ["../../etc/x", "/etc/x", "a/../../x", "", "a//b", "./a", ".notefix/objects/x"]
)
def test_paths_that_could_leave_the_root_are_unsafe(tmp_path: Path, rel: str) -> None:
    with pytest.raises(UnsafePath):
        resolve_inside(tmp_path, rel)


def test_a_path_through_a_symlink_to_outside_is_unsafe(tmp_path: Path) -> None:
    (tmp_path / "outside").mkdir()
    (tmp_path / "vault").mkdir()
    (tmp_path / "vault" / "door").symlink_to(tmp_path / "outside", target_is_directory=True)
    with pytest.raises(UnsafePath):
        resolve_inside(tmp_path / "vault", "door/x.md")
    assert resolve_inside(tmp_path / "vault", "sub/x.md") == tmp_path / "vault" / "sub" / "x.md"
