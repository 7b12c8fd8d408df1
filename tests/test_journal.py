"""The run journal: apply-then-undo is byte-exact, the journal round-trips, and a bad
journal can neither write outside its root nor crash with a traceback."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notefix import files
from notefix.edits import Alternative, Edit, apply_edits
from notefix.journal import (
    FileChange,
    JournalError,
    Rename,
    RunJournal,
    commit_run,
    list_runs,
    load_object,
    read_run,
    undo,
)
from notefix.settings import DEFAULT, Settings
from strategies import note_text

ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "cp1254", "cp1251", "utf-16", "latin-1")


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and folder (None) under root, except the journal."""
    out: dict[str, bytes | None] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel == ".notefix" or rel.startswith(".notefix/"):
            continue
        out[rel] = None if path.is_dir() and not path.is_symlink() else path.read_bytes()
    return out


def put(root: Path, rel: str, data: bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def change(rel: str, before: bytes, after: bytes, enc: str = "utf-8") -> FileChange:
    return FileChange(rel, before, after, enc, "utf-8", (Edit(0, 1, "x", "test"),))


@contextmanager
def scratch_vault() -> Iterator[Path]:
    """A temporary root for one hypothesis example. fsync is skipped there: durability
    is what test_kill.py checks, and hundreds of examples would otherwise wait on disk."""
    with tempfile.TemporaryDirectory() as tmp, mock.patch("os.fsync"):
        yield Path(tmp)


@st.composite
def edit_plans(draw: st.DrawFn) -> tuple[str, tuple[Edit, ...]]:
    text = draw(note_text())
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8, unique=True)))
    edits = []
    for a, b in zip(cuts[::2], cuts[1::2], strict=False):
        replacement = draw(note_text()) if draw(st.booleans()) else ""
        edits.append(
            Edit(a, b, replacement, draw(st.sampled_from(["NFC", "utf-8 read as cp1254"])))
        )
    return text, tuple(edits)


@st.composite
def vault_changes(draw: st.DrawFn) -> list[FileChange]:
    count = draw(st.integers(1, 4))
    out = []
    for i in range(count):
        if draw(st.booleans()):
            before = draw(st.binary(max_size=200))
            after = draw(st.binary(max_size=200))
            out.append(FileChange(f"d{i % 2}/n{i}.md", before, after, "unknown", "utf-8"))
            continue
        text, edits = draw(edit_plans())
        encoding = draw(st.sampled_from(ENCODINGS))
        before = text.encode(encoding, errors="replace")
        after = apply_edits(text, edits).encode("utf-8")
        out.append(FileChange(f"d{i % 2}/n{i}.md", before, after, encoding, "utf-8", edits))
    return out


@given(vault_changes())
def test_apply_then_undo_gives_back_every_original_byte(changes: list[FileChange]) -> None:
    with scratch_vault() as root:
        for c in changes:
            put(root, c.rel, c.before)
        original = snapshot(root)
        record = commit_run(root, changes, DEFAULT)
        for c in changes:
            assert (root / c.rel).read_bytes() == c.after
        assert set(record.written) == {c.rel for c in changes if c.before != c.after}
        report = undo(root)
        assert report.complete
        assert snapshot(root) == original


@given(vault_changes(), st.sampled_from([DEFAULT, Settings(emoji_policy="fully-qualified")]))
def test_the_journal_round_trips(changes: list[FileChange], settings: Settings) -> None:
    with scratch_vault() as root:
        for c in changes:
            put(root, c.rel, c.before)
        record = commit_run(root, changes, settings)
        journal = read_run(root, record.run_id)
        assert RunJournal.from_dict(journal.to_dict()) == journal
        assert Settings.from_dict(journal.settings) == settings
        real = [c for c in changes if c.before != c.after]
        assert [f.path for f in journal.files] == [c.rel for c in real]
        assert [f.edits for f in journal.files] == [c.edits for c in real]
        for c, f in zip(real, journal.files, strict=True):
            assert (f.encoding_before, f.size_before) == (c.encoding_before, len(c.before))
            assert load_object(root, f.sha256_before) == c.before


def test_edits_with_lone_surrogates_and_alternatives_survive_the_journal(tmp_path: Path) -> None:
    edit = Edit(0, 2, "\ud83d", "junk", 0.4, (Alternative("é", 0.3, "cp1252"),))
    put(tmp_path, "n.md", b"ab")
    record = commit_run(
        tmp_path, [FileChange("n.md", b"ab", b"cd", "utf-8", "utf-8", (edit,))], DEFAULT
    )
    assert read_run(tmp_path, record.run_id).files[0].edits == (edit,)


def test_a_renamed_folder_with_a_changed_and_renamed_note_is_undone(tmp_path: Path) -> None:
    put(tmp_path, "CafÃ©/Sub/NotÃ©.md", b"caf\xc3\x83\xc2\xa9")
    put(tmp_path, "CafÃ©/other.md", b"keep")
    put(tmp_path, "top.md", b"top")
    original = snapshot(tmp_path)
    record = commit_run(
        tmp_path,
        [change("CafÃ©/Sub/NotÃ©.md", b"caf\xc3\x83\xc2\xa9", "café".encode())],
        DEFAULT,
        renames=[
            Rename("CafÃ©", "Café", "utf-8 read as cp1252"),
            Rename("CafÃ©/Sub/NotÃ©.md", "Café/Sub/Noté.md", "utf-8 read as cp1252"),
        ],
    )
    assert record.skipped == ()
    assert (tmp_path / "Café/Sub/Noté.md").read_bytes() == "café".encode()
    assert (tmp_path / "Café/other.md").read_bytes() == b"keep"
    assert not (tmp_path / "CafÃ©").exists()
    journal = read_run(tmp_path)
    assert journal.files[0].path_after == "Café/Sub/Noté.md"
    report = undo(tmp_path)
    assert report.complete and len(report.renamed_back) == 2
    assert snapshot(tmp_path) == original


def test_a_rename_may_name_its_folder_before_or_after_the_folders_rename(tmp_path: Path) -> None:
    put(tmp_path, "Ã©/Ã¨.md", b"n")
    commit_run(
        tmp_path,
        [],
        DEFAULT,
        renames=[Rename("Ã©/Ã¨.md", "Ã©/è.md", "r"), Rename("Ã©", "é", "r")],
    )
    assert (tmp_path / "é/è.md").read_bytes() == b"n"
    assert read_run(tmp_path).renames[0].new == "é/è.md"


def test_a_rename_that_moves_across_folders_is_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    put(tmp_path, "a/n.md", b"old")
    with pytest.raises(ValueError, match="only the last part"):
        commit_run(
            tmp_path,
            [change("a/n.md", b"old", b"new")],
            DEFAULT,
            renames=[Rename("a/n.md", "b/n.md", "r")],
        )
    assert (tmp_path / "a/n.md").read_bytes() == b"old"
    assert list_runs(tmp_path) == []


def test_a_rename_onto_an_existing_name_is_skipped_and_undo_leaves_both(tmp_path: Path) -> None:
    put(tmp_path, "CafÃ©.md", b"mangled name")
    put(tmp_path, "Café.md", b"someone else")
    record = commit_run(tmp_path, [], DEFAULT, renames=[Rename("CafÃ©.md", "Café.md", "r")])
    assert record.renamed == () and record.skipped[0][0] == "CafÃ©.md"
    before = snapshot(tmp_path)
    assert undo(tmp_path).complete
    assert snapshot(tmp_path) == before


def test_a_note_changed_during_the_run_is_not_overwritten(tmp_path: Path) -> None:
    put(tmp_path, "a.md", b"a-old")
    put(tmp_path, "b.md", b"b-old")

    def someone_edits_b(step: str, rel: str) -> None:
        if (step, rel) == ("write", "a.md"):
            (tmp_path / "b.md").write_bytes(b"b-edited")

    record = commit_run(
        tmp_path,
        [change("a.md", b"a-old", b"a-new"), change("b.md", b"b-old", b"b-new")],
        DEFAULT,
        on_progress=someone_edits_b,
    )
    assert record.written == ("a.md",)
    assert record.skipped[0][0] == "b.md" and "changed" in record.skipped[0][1]
    assert (tmp_path / "b.md").read_bytes() == b"b-edited"
    assert read_run(tmp_path).files[1].result.startswith("skipped")
    assert undo(tmp_path).complete
    assert (tmp_path / "a.md").read_bytes() == b"a-old"
    assert (tmp_path / "b.md").read_bytes() == b"b-edited"


def test_a_note_that_differs_from_what_was_read_is_skipped_up_front(tmp_path: Path) -> None:
    put(tmp_path, "a.md", b"on disk")
    record = commit_run(tmp_path, [change("a.md", b"what was read", b"new")], DEFAULT)
    assert record.written == () and (tmp_path / "a.md").read_bytes() == b"on disk"


def test_read_only_and_hard_linked_notes_are_skipped_with_a_reason(tmp_path: Path) -> None:
    put(tmp_path, "ro.md", b"ro").chmod(0o444)
    os.link(put(tmp_path, "hl.md", b"hl"), tmp_path / "twin.md")
    record = commit_run(
        tmp_path, [change("ro.md", b"ro", b"RO"), change("hl.md", b"hl", b"HL")], DEFAULT
    )
    reasons = dict(record.skipped)
    assert "read-only" in reasons["ro.md"] and "hard links" in reasons["hl.md"]
    assert (tmp_path / "ro.md").read_bytes() == b"ro"
    assert (tmp_path / "twin.md").read_bytes() == b"hl"
    assert list_runs(tmp_path)[0].skipped == 2


def test_a_symlinked_note_inside_the_root_is_fixed_through_its_target(tmp_path: Path) -> None:
    put(tmp_path, "real/n.md", b"old")
    (tmp_path / "link.md").symlink_to(tmp_path / "real/n.md")
    (note,) = files.find_notes([tmp_path])
    commit_run(note.root, [change(note.rel, b"old", b"new")], DEFAULT)
    assert (tmp_path / "link.md").is_symlink()
    assert (tmp_path / "link.md").read_bytes() == b"new"
    undo(tmp_path)
    assert (tmp_path / "real/n.md").read_bytes() == b"old"


def test_a_change_through_a_symlink_to_outside_the_root_is_refused(tmp_path: Path) -> None:
    put(tmp_path, "outside/n.md", b"old")
    (tmp_path / "vault").mkdir()
    (tmp_path / "vault/door").symlink_to(tmp_path / "outside", target_is_directory=True)
    record = commit_run(tmp_path / "vault", [change("door/n.md", b"old", b"new")], DEFAULT)
    assert record.written == () and "outside" in record.skipped[0][1]
    assert (tmp_path / "outside/n.md").read_bytes() == b"old"


def test_undo_refuses_a_note_edited_since_the_run_unless_forced(tmp_path: Path) -> None:
    put(tmp_path, "a.md", b"a-old")
    put(tmp_path, "b.md", b"b-old")
    commit_run(
        tmp_path, [change("a.md", b"a-old", b"a-new"), change("b.md", b"b-old", b"b-new")], DEFAULT
    )
    (tmp_path / "b.md").write_bytes(b"b-new plus my edit")
    report = undo(tmp_path)
    assert report.restored == ["a.md"]
    assert report.refused and report.refused[0][0] == "b.md" and not report.complete
    assert (tmp_path / "b.md").read_bytes() == b"b-new plus my edit"
    assert list_runs(tmp_path)[0].status == "complete"

    forced = undo(tmp_path, force=True)
    assert forced.complete and forced.restored == ["b.md"]
    assert (tmp_path / "a.md").read_bytes() == b"a-old"
    assert (tmp_path / "b.md").read_bytes() == b"b-old"
    # What force overwrote is kept, so even that can be recovered.
    assert load_object(tmp_path, forced.forced[0][1]) == b"b-new plus my edit"
    assert list_runs(tmp_path)[0].status == "undone"


def test_undo_goes_back_one_run_at_a_time(tmp_path: Path) -> None:
    put(tmp_path, "n.md", b"v1")
    first = commit_run(tmp_path, [change("n.md", b"v1", b"v2")], DEFAULT)
    second = commit_run(tmp_path, [change("n.md", b"v2", b"v3")], DEFAULT)
    assert [r.run_id for r in list_runs(tmp_path)] == [first.run_id, second.run_id]
    assert undo(tmp_path).run_id == second.run_id
    assert (tmp_path / "n.md").read_bytes() == b"v2"
    assert undo(tmp_path).run_id == first.run_id
    assert (tmp_path / "n.md").read_bytes() == b"v1"
    with pytest.raises(JournalError, match="no run to undo"):
        undo(tmp_path)


def test_undoing_an_older_run_leaves_notes_a_later_run_changed(tmp_path: Path) -> None:
    put(tmp_path, "n.md", b"v1")
    first = commit_run(tmp_path, [change("n.md", b"v1", b"v2")], DEFAULT)
    commit_run(tmp_path, [change("n.md", b"v2", b"v3")], DEFAULT)
    with pytest.raises(JournalError, match="ambiguous"):
        undo(tmp_path, first.run_id[:8])
    report = undo(tmp_path, first.run_id)
    assert report.refused and (tmp_path / "n.md").read_bytes() == b"v3"


def test_undo_where_nothing_was_journaled_says_so_and_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="no runs journaled"):
        undo(tmp_path)
    assert list(tmp_path.iterdir()) == []
    assert list_runs(tmp_path) == []


def test_an_interrupted_run_can_be_undone(tmp_path: Path) -> None:
    for i in range(4):
        put(tmp_path, f"n{i}.md", b"old%d" % i)
    original = snapshot(tmp_path)

    def crash(step: str, rel: str) -> None:
        if (step, rel) == ("write", "n1.md"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        commit_run(
            tmp_path,
            [change(f"n{i}.md", b"old%d" % i, b"new%d" % i) for i in range(4)],
            DEFAULT,
            on_progress=crash,
        )
    assert list_runs(tmp_path)[0].status == "pending"
    assert [(tmp_path / f"n{i}.md").read_bytes() for i in range(4)] == [
        b"new0",
        b"new1",
        b"old2",
        b"old3",
    ]
    assert undo(tmp_path).complete
    assert snapshot(tmp_path) == original


def _tamper(root: Path, edit: object) -> Path:
    (path,) = (root / ".notefix" / "runs").iterdir()
    data = json.loads(path.read_text())
    edit(data)  # type: ignore[operator]
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize("bad", ["../../etc/x", "/etc/x", "a/../../../x"])
def test_a_crafted_journal_cannot_make_undo_write_outside_the_root(
    tmp_path: Path, bad: str
) -> None:
    vault = tmp_path / "vault"
    put(vault, "n.md", b"old")
    victim = put(tmp_path, "etc/x", b"precious")
    commit_run(vault, [change("n.md", b"old", b"new")], DEFAULT)

    def redirect(data: dict[str, list[dict[str, str]]]) -> None:
        data["files"][0]["path"] = bad
        data["files"][0]["path_after"] = bad

    _tamper(vault, redirect)
    with pytest.raises(JournalError, match="unsafe path"):
        undo(vault)
    assert victim.read_bytes() == b"precious"
    assert (vault / "n.md").read_bytes() == b"new"


def test_a_journal_path_through_a_symlink_leading_outside_is_refused(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    put(vault, "sub/n.md", b"old")
    commit_run(vault, [change("sub/n.md", b"old", b"new")], DEFAULT)
    victim = put(tmp_path, "outside/n.md", b"new")
    (vault / "sub/n.md").unlink()
    (vault / "sub").rmdir()
    (vault / "sub").symlink_to(tmp_path / "outside", target_is_directory=True)
    with pytest.raises(JournalError, match="unsafe"):
        undo(vault)
    assert victim.read_bytes() == b"new"


def test_a_truncated_journal_gives_a_one_line_error(tmp_path: Path) -> None:
    put(tmp_path, "n.md", b"old")
    record = commit_run(tmp_path, [change("n.md", b"old", b"new")], DEFAULT)
    data = record.journal.read_bytes()
    record.journal.write_bytes(data[: len(data) // 2])
    with pytest.raises(JournalError) as info:
        undo(tmp_path)
    assert "truncated or corrupt" in str(info.value) and "\n" not in str(info.value)
    (summary,) = list_runs(tmp_path)
    assert summary.status == "corrupt" and summary.error
    assert (tmp_path / "n.md").read_bytes() == b"new"


@pytest.mark.parametrize(
    ("field", "value"),
    [("sha256_before", "../../../../etc/passwd"), ("size_before", -1), ("edits", "x")],
)
def test_a_corrupt_journal_field_gives_a_clear_error(
    tmp_path: Path, field: str, value: object
) -> None:
    put(tmp_path, "n.md", b"old")
    commit_run(tmp_path, [change("n.md", b"old", b"new")], DEFAULT)

    def corrupt(data: dict[str, list[dict[str, object]]]) -> None:
        data["files"][0][field] = value

    _tamper(tmp_path, corrupt)
    with pytest.raises(JournalError, match=field):
        undo(tmp_path)


def test_a_damaged_stored_original_is_refused_not_written(tmp_path: Path) -> None:
    put(tmp_path, "n.md", b"old")
    commit_run(tmp_path, [change("n.md", b"old", b"new")], DEFAULT)
    obj = tmp_path / ".notefix/objects" / files.sha256(b"old")[:2] / files.sha256(b"old")
    obj.write_bytes(b"olx")
    report = undo(tmp_path)
    assert not report.complete and "damaged" in report.refused[0][1]
    assert (tmp_path / "n.md").read_bytes() == b"new"


def test_list_runs_counts_changes_renames_and_skips(tmp_path: Path) -> None:
    put(tmp_path, "a.md", b"a")
    put(tmp_path, "b.md", b"b").chmod(0o444)
    put(tmp_path, "Ã©.md", b"c")
    commit_run(
        tmp_path,
        [change("a.md", b"a", b"A"), change("b.md", b"b", b"B")],
        DEFAULT,
        renames=[Rename("Ã©.md", "é.md", "r")],
    )
    (summary,) = list_runs(tmp_path)
    assert (summary.files, summary.renames, summary.skipped) == (1, 1, 1)
    assert summary.status == "complete"
