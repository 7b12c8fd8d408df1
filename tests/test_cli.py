"""The notefix command through click's CliRunner (and a real process where a terminal
or the entry point matters): every command, exit code, output format and option."""

from __future__ import annotations

import dataclasses
import json
import os
import pty
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st
from tests.strategies import mangle

from notefix import __version__, runner
from notefix.cli import PROGRESS_MIN_NOTES, main
from notefix.edits import Alternative, Edit
from notefix.notes import NoteFix
from notefix.report import Report, line_col, offset_of, unified_diff

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-9;]*m")

CLEAN = "Café crème brûlée, déjà vu.\n"
BROKEN = mangle(CLEAN, "sloppy-windows-1252")  # "CafÃ© crÃ¨me ..."


def invoke(
    *args: str, input: bytes | str | None = None, env: dict[str, str] | None = None
) -> Result:
    return CliRunner().invoke(main, list(args), input=input, env=env)


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".notefix" not in p.parts
    }


@pytest.fixture
def vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "vault"
    write(root / "broken.md", BROKEN)
    write(root / "clean.md", CLEAN)
    write(root / "sub" / "also-broken.md", "# Notes\n\n" + BROKEN)
    monkeypatch.chdir(tmp_path)
    return root


# --- version, help ----------------------------------------------------------------------


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert __version__ in result.stdout


def test_entry_point_runs_as_a_program(tmp_path: Path) -> None:
    write(tmp_path / "n.md", BROKEN)
    proc = subprocess.run(
        [sys.executable, "-m", "notefix", "check", str(tmp_path)], capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert "would fix" in proc.stderr
    assert "Traceback" not in proc.stderr


# --- check ------------------------------------------------------------------------------


def test_check_clean_exits_0(tmp_path: Path) -> None:
    write(tmp_path / "a.md", CLEAN)
    result = invoke("check", str(tmp_path))
    assert result.exit_code == 0
    assert result.stderr.strip().splitlines()[-1] == "0 notes would be fixed, 1 unchanged"


def test_check_broken_exits_1_and_writes_nothing(vault: Path) -> None:
    before = snapshot(vault)
    result = invoke("check", "vault")
    assert result.exit_code == 1
    assert "would fix vault/broken.md" in result.stderr
    assert "would fix vault/sub/also-broken.md" in result.stderr
    assert "would fix vault/clean.md" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == "2 notes would be fixed, 1 unchanged"
    assert snapshot(vault) == before
    assert not (vault / ".notefix").exists()


def test_missing_path_is_one_line_and_the_run_goes_on(vault: Path) -> None:
    result = invoke("check", "nope.md", "vault")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == ["error: nope.md: no such file or folder"]
    assert "would fix vault/broken.md" in result.stderr  # the rest of the run went on
    assert result.stderr.strip().endswith("1 error")


def test_unreadable_note_is_reported_and_the_run_goes_on(
    vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "broken.md":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = invoke("fix", "vault")
    assert result.exit_code == 2
    assert "error: vault/broken.md: cannot read: Permission denied" in result.stderr
    assert "Traceback" not in result.output
    # The other broken note was still fixed.
    assert (vault / "sub" / "also-broken.md").read_text(encoding="utf-8").endswith(CLEAN)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_permission_denied_on_disk(vault: Path) -> None:
    (vault / "broken.md").chmod(0)
    try:
        result = invoke("check", "vault")
    finally:
        (vault / "broken.md").chmod(0o644)
    assert result.exit_code == 2
    assert "vault/broken.md" in result.stderr and "Permission denied" in result.stderr


def test_binary_and_empty_notes_are_skipped_or_unchanged(tmp_path: Path) -> None:
    write(tmp_path / "image.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00")
    write(tmp_path / "empty.md", b"")
    write(tmp_path / "n.md", BROKEN)
    result = invoke("fix", str(tmp_path))
    assert result.exit_code == 0
    summary = result.stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"1 note fixed, 1 unchanged, 1 skipped: binary.*", summary), summary
    assert (tmp_path / "empty.md").read_bytes() == b""


# --- fix --diff ---------------------------------------------------------------------------


def test_diff_writes_nothing_and_shows_the_change(vault: Path) -> None:
    before = snapshot(vault)
    result = invoke("fix", "--diff", "vault")
    assert result.exit_code == 1
    assert snapshot(vault) == before
    assert not (vault / ".notefix").exists()
    out = result.stdout
    assert "--- a/vault/broken.md\n+++ b/vault/broken.md\n" in out
    assert f"-{BROKEN}" in out and f"+{CLEAN}" in out
    assert "clean.md" not in out
    assert not ANSI.search(out)  # not a terminal: plain


def test_diff_with_nothing_to_do_exits_0_and_prints_no_diff(tmp_path: Path) -> None:
    write(tmp_path / "a.md", CLEAN)
    result = invoke("fix", "--diff", str(tmp_path))
    assert result.exit_code == 0
    assert result.stdout == ""


def test_diff_colour_always_and_no_color(vault: Path) -> None:
    coloured = invoke("fix", "--diff", "--color", "always", "vault")
    assert ANSI.search(coloured.stdout)
    assert ANSI.sub("", coloured.stdout) == invoke("fix", "--diff", "vault").stdout
    forced = invoke("fix", "--diff", "vault", env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert ANSI.search(forced.stdout)
    plain = invoke("fix", "--diff", "vault", env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert not ANSI.search(plain.stdout)


def _on_terminal(args: list[str], env: dict[str, str], cwd: Path) -> str:
    """Run notefix with stdout on a pseudo-terminal and return what it printed there."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "notefix", *args],
        stdout=slave,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=cwd,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal closes when the program ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait()
    os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.skipif(os.name != "posix", reason="needs a pseudo-terminal")
def test_colour_on_a_terminal_unless_no_color(vault: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    on_tty = _on_terminal(["fix", "--diff", "vault"], env, vault.parent)
    assert ANSI.search(on_tty)
    no_color = _on_terminal(["fix", "--diff", "vault"], {**env, "NO_COLOR": "1"}, vault.parent)
    assert "+++ b/vault/broken.md" in no_color
    assert not ANSI.search(no_color)


@pytest.mark.skipif(os.name != "posix", reason="needs a pseudo-terminal")
def test_progress_bar_on_a_terminal_for_long_runs_only(tmp_path: Path) -> None:
    for i in range(PROGRESS_MIN_NOTES):
        write(tmp_path / "v" / f"n{i}.md", CLEAN)
    write(tmp_path / "few" / "n.md", CLEAN)
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}

    def stderr_on_terminal(folder: str) -> str:
        master, slave = pty.openpty()
        proc = subprocess.Popen(
            [sys.executable, "-m", "notefix", "check", folder],
            stdout=subprocess.DEVNULL,
            stderr=slave,
            env=env,
            cwd=tmp_path,
        )
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        proc.wait()
        os.close(master)
        return ANSI.sub("", b"".join(chunks).decode("utf-8", "replace"))

    long_run = stderr_on_terminal("v")
    assert re.search(rf"notes\b.*\d+/{PROGRESS_MIN_NOTES}", long_run)
    assert f"{PROGRESS_MIN_NOTES} unchanged" in long_run
    short_run = stderr_on_terminal("few")
    assert "/1" not in short_run and "1 unchanged" in short_run


def test_diff_piped_is_plain(vault: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    proc = subprocess.run(
        [sys.executable, "-m", "notefix", "fix", "--diff", "vault"],
        capture_output=True,
        cwd=vault.parent,
        env=env,
    )
    assert proc.returncode == 1
    assert b"+++ b/vault/broken.md" in proc.stdout
    assert b"\x1b[" not in proc.stdout


def test_diff_header_says_when_a_note_is_converted_to_utf8(tmp_path: Path) -> None:
    # A cp1252 file (é as one byte) that also holds a UTF-8-read-as-cp1252 run.
    text = "Le café de la gare est fermé le dimanche. Réouverture prévue lundi.\n" * 3
    text += mangle("Une crème brûlée", "sloppy-windows-1252") + "\n"
    write(tmp_path / "legacy.md", text.encode("cp1252"))
    result = invoke("fix", "--diff", str(tmp_path))
    assert result.exit_code == 1
    header = result.stdout.splitlines()[:2]
    assert "converted from" in header[1] and "utf-8" in header[1], header
    assert "+Une crème brûlée" in result.stdout


# --- fix ----------------------------------------------------------------------------------


def test_fix_writes_journals_and_then_nothing_is_left(vault: Path) -> None:
    result = invoke("fix", "vault")
    assert result.exit_code == 0
    assert (vault / "broken.md").read_text(encoding="utf-8") == CLEAN
    assert (vault / "clean.md").read_text(encoding="utf-8") == CLEAN
    assert result.stderr.strip().splitlines()[-1] == "2 notes fixed, 1 unchanged"
    assert len(list((vault / ".notefix" / "runs").iterdir())) == 1
    again = invoke("check", "vault")
    assert again.exit_code == 0


def test_fix_exit_non_zero_on_fix_for_pre_commit(vault: Path) -> None:
    first = invoke("fix", "--exit-non-zero-on-fix", "vault/broken.md", "vault/clean.md")
    assert first.exit_code == 1
    second = invoke("fix", "--exit-non-zero-on-fix", "vault/broken.md", "vault/clean.md")
    assert second.exit_code == 0


def test_fix_accepts_many_file_paths_in_several_folders(vault: Path) -> None:
    files = ["vault/broken.md", "vault/clean.md", "vault/sub/also-broken.md"]
    result = invoke("fix", *files)
    assert result.exit_code == 0
    assert all(CLEAN in (vault.parent / f).read_text(encoding="utf-8") for f in files)
    assert "2 notes fixed, 1 unchanged" in result.stderr


def test_quiet_prints_only_errors(vault: Path) -> None:
    result = invoke("check", "-q", "vault", "missing")
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: missing: no such file or folder"


def test_skipped_dirs_and_non_notes_are_not_touched(vault: Path) -> None:
    for folder in (".git", ".obsidian", ".notefix-not"):
        write(vault / folder / "n.md", BROKEN)
    write(vault / "n.txt", BROKEN)
    invoke("fix", "vault")
    assert (vault / ".git" / "n.md").read_text(encoding="utf-8") == BROKEN
    assert (vault / ".obsidian" / "n.md").read_text(encoding="utf-8") == BROKEN
    assert (vault / "n.txt").read_text(encoding="utf-8") == BROKEN
    # Only the exact names are skipped: a folder that merely starts with one is searched.
    assert (vault / ".notefix-not" / "n.md").read_text(encoding="utf-8") == CLEAN


# --- JSON -----------------------------------------------------------------------------------

EDIT_KEYS = {
    "start": int,
    "end": int,
    "line": int,
    "column": int,
    "original": str,
    "replacement": str,
    "reason": str,
    "confidence": float,
    "alternatives": list,
}
FILE_KEYS = {
    "path": str,
    "status": str,
    "reason": (str, type(None)),
    "encoding_before": (str, type(None)),
    "encoding_after": (str, type(None)),
    "edits": list,
}
SUMMARY_KEYS = {
    "changed": int,
    "unchanged": int,
    "skipped": int,
    "skipped_reasons": dict,
    "renamed": int,
    "ambiguous": int,
    "held_back": int,
    "unsure": int,
    "errors": int,
}
TOP_KEYS = {
    "schema": int,
    "notefix": str,
    "mode": str,
    "files": list,
    "renames": list,
    "runs": list,
    "summary": dict,
    "exit_code": int,
}


def check_keys(obj: dict[str, Any], spec: dict[str, Any], optional: dict[str, Any] = {}) -> None:  # noqa: B006
    assert set(spec) <= set(obj) <= set(spec) | set(optional), sorted(obj)
    for key, kind in {**spec, **optional}.items():
        if key in obj:
            assert isinstance(obj[key], kind), (key, obj[key])


def check_report_schema(payload: dict[str, Any]) -> None:
    check_keys(payload, TOP_KEYS)
    assert payload["schema"] == 1
    assert payload["mode"] in ("fix", "diff", "check")
    check_keys(payload["summary"], SUMMARY_KEYS)
    for entry in payload["files"]:
        check_keys(
            entry,
            FILE_KEYS,
            {"new_path": str, "written": bool, "diff": str, "held_back": list, "unsure": list},
        )
        assert entry["status"] in ("changed", "skipped", "error", "unchanged")
        assert entry["status"] != "unchanged" or entry["held_back"] or entry["unsure"]
        assert ("diff" in entry) == (payload["mode"] == "diff" and entry["status"] == "changed")
        for held in entry.get("held_back", []):
            check_keys(held, EDIT_KEYS)
        for edit in entry["edits"]:
            check_keys(edit, EDIT_KEYS)
            for alt in edit["alternatives"]:
                check_keys(alt, {"replacement": str, "confidence": float, "reason": str})
    for rename in payload["renames"]:
        check_keys(rename, {"from": str, "to": str, "reason": str, "skipped": (str, type(None))})
    for run in payload["runs"]:
        check_keys(run, {"root": str, "run_id": str})


@pytest.mark.parametrize("args", [["check"], ["fix", "--diff"], ["fix"]])
def test_json_schema(vault: Path, args: list[str]) -> None:
    write(vault / "bin.md", b"\x00\x01binary")
    result = invoke(*args, "--format", "json", "vault", "missing.md")
    payload = json.loads(result.stdout)
    check_report_schema(payload)
    assert payload["exit_code"] == result.exit_code == 2
    by_path = {f["path"]: f for f in payload["files"]}
    assert by_path["missing.md"]["status"] == "error"
    assert by_path["vault/bin.md"]["status"] == "skipped"
    broken = by_path["vault/broken.md"]
    assert broken["status"] == "changed"
    assert "vault/clean.md" not in by_path  # unchanged notes are only counted
    text = BROKEN
    for edit in broken["edits"]:
        assert text[edit["start"] : edit["end"]] == edit["original"]
        assert (edit["line"], edit["column"]) == line_col(text, edit["start"])
    assert payload["summary"]["changed"] == 2 and payload["summary"]["unchanged"] == 1
    if args == ["fix"]:
        assert broken["written"] is True
        assert len(payload["runs"]) == 1
    else:
        assert payload["runs"] == []


def test_json_edits_rebuild_the_fixed_text(vault: Path) -> None:
    payload = json.loads(invoke("check", "--format", "json", "vault/broken.md").stdout)
    (entry,) = payload["files"]
    text = BROKEN
    for edit in sorted(entry["edits"], key=lambda e: -e["start"]):
        text = text[: edit["start"]] + edit["replacement"] + text[edit["end"] :]
    assert text == CLEAN


def test_json_clean_run(tmp_path: Path) -> None:
    write(tmp_path / "a.md", CLEAN)
    result = invoke("check", "--format", "json", str(tmp_path))
    payload = json.loads(result.stdout)
    check_report_schema(payload)
    assert payload["files"] == [] and payload["exit_code"] == 0 == result.exit_code


def test_held_back_repairs_are_counted_listed_with_verbose_and_in_json(tmp_path: Path) -> None:
    # A frontmatter key is syntax: mojibake there is found but never changed.
    write(tmp_path / "n.md", f"---\n{BROKEN.strip().split()[0]}: x\n---\nbody\n")
    plain = invoke("check", str(tmp_path))
    assert plain.exit_code == 0
    assert "held back" in plain.stderr.splitlines()[-1]
    verbose = invoke("check", "-v", str(tmp_path))
    assert re.search(r"n\.md:2:\d+: held back: ", verbose.stderr)
    payload = json.loads(invoke("check", "--format", "json", str(tmp_path)).stdout)
    check_report_schema(payload)
    (entry,) = payload["files"]
    assert entry["status"] == "unchanged" and entry["held_back"]
    assert payload["summary"]["held_back"] == len(entry["held_back"])


# --- standard input -----------------------------------------------------------------------


def test_stdin_is_filtered_to_stdout() -> None:
    result = invoke("fix", "-", input=BROKEN.encode("utf-8"))
    assert result.exit_code == 0
    assert result.stdout_bytes == CLEAN.encode("utf-8")


def test_stdin_clean_and_binary_pass_through_byte_for_byte() -> None:
    for data in (CLEAN.encode("utf-8"), b"\x00\xff\xfe binary", b""):
        result = invoke("fix", "-", input=data)
        assert result.exit_code == 0
        assert result.stdout_bytes == data


def test_stdin_check_diff_and_json() -> None:
    data = BROKEN.encode("utf-8")
    assert invoke("check", "-", input=data).exit_code == 1
    assert invoke("check", "-", input=CLEAN.encode("utf-8")).exit_code == 0
    diff = invoke("fix", "--diff", "-", input=data)
    assert diff.exit_code == 1 and f"+{CLEAN}" in diff.stdout
    payload = json.loads(invoke("check", "--format", "json", "-", input=data).stdout)
    check_report_schema(payload)
    assert payload["files"][0]["path"] == "-"


def test_stdin_cannot_mix_with_paths(vault: Path) -> None:
    result = invoke("fix", "-", "vault", input=b"")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")


# --- explain ------------------------------------------------------------------------------


def test_explain_names_each_run_its_path_and_confidence() -> None:
    result = invoke("explain", BROKEN)
    assert result.exit_code == 0
    out = result.stdout
    assert "'Ã©' -> 'é'" in out
    assert "confidence 1.00" in out
    assert re.search(r"utf-8 read as \S+", out)
    assert out.rstrip("\n").endswith(CLEAN.rstrip("\n"))


def test_explain_json_and_stdin() -> None:
    payload = json.loads(invoke("explain", "--format", "json", "-", input=BROKEN).stdout)
    assert set(payload) == {"schema", "text", "fixed", "edits", "unsure"}
    assert payload["text"] == BROKEN and payload["fixed"] == CLEAN
    for edit in payload["edits"]:
        check_keys(edit, EDIT_KEYS)
        assert BROKEN[edit["start"] : edit["end"]] == edit["original"]


def test_explain_shows_a_run_left_as_written_with_its_readings() -> None:
    broken = "ğŸ† The prize for the winner\n"
    result = invoke("explain", "--threshold", "1", broken)
    assert result.exit_code == 0
    out = result.stdout
    assert "'ğŸ† ' left as written" in out
    assert "below the threshold 1," in out
    assert "alternative 1:" in out
    assert out.rstrip("\n").endswith(broken.rstrip("\n"))
    payload = json.loads(invoke("explain", "--threshold", "1", "--format", "json", broken).stdout)
    assert payload["edits"] == [] and payload["fixed"] == broken
    [unsure] = payload["unsure"]
    assert broken[unsure["start"] : unsure["end"]] == unsure["original"] == "ğŸ† "
    assert unsure["alternatives"]


def test_check_lists_runs_left_as_written_below_the_threshold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "v" / "games.md", "ğŸ® Games and ğŸ¤– robots\n")
    result = invoke("check", "--threshold", "1", "v")
    assert "games.md:1:1: left as written: 'ğŸ® ' (best reading '🎮 '" in result.stderr
    # The next readings follow, unnumbered: --pick takes only repairs made.
    [line] = [line for line in result.stderr.splitlines() if "left as written:" in line]
    assert re.search(r"confidence \d\.\d\d; then '[^']+' \d\.\d\d", line), line
    assert ": " not in line.split("; then ", 1)[1]
    assert result.stderr.rstrip().endswith("1 note would be fixed, 1 left as written")
    payload = json.loads(invoke("check", "--threshold", "1", "--format", "json", "v").stdout)
    assert payload["summary"]["unsure"] == 1
    [entry] = payload["files"]
    [unsure] = entry["unsure"]
    assert unsure["original"] == "ğŸ® " and unsure["replacement"] == "🎮 "
    # The robot lost no byte: it is repaired; the game controller is not guessed.
    assert [e["replacement"] for e in entry["edits"]] == ["🤖"]


def test_explain_clean_text() -> None:
    result = invoke("explain", CLEAN)
    assert result.exit_code == 0
    assert result.stdout.strip() == "nothing to repair"


def test_explain_stdin_not_utf8_is_a_clear_error() -> None:
    result = invoke("explain", "-", input=b"\xff\xfe\xfa")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: standard input is not UTF-8")


# --- undo and log -------------------------------------------------------------------------


def test_undo_restores_and_log_lists(vault: Path) -> None:
    before = snapshot(vault)
    assert invoke("fix", "vault").exit_code == 0
    log = invoke("log", "vault")
    assert log.exit_code == 0
    (line,) = log.stdout.splitlines()
    run_id = line.split()[0]
    assert "complete" in line and "2 notes" in line
    undone = invoke("undo", "vault")
    assert undone.exit_code == 0, undone.output
    assert snapshot(vault) == before
    assert "undone" in invoke("log", "vault").stdout
    runs = json.loads(invoke("log", "--format", "json", "vault").stdout)
    assert [r["run_id"] for r in runs] == [run_id] and runs[0]["status"] == "undone"


def test_undo_an_older_run_by_id(vault: Path) -> None:
    original = (vault / "broken.md").read_bytes()
    invoke("fix", "vault/broken.md")
    write(vault / "late.md", BROKEN)
    invoke("fix", "vault/late.md")
    first = invoke("log", "vault").stdout.splitlines()[0].split()[0]
    result = invoke("undo", "vault", "--run", first)
    assert result.exit_code == 0
    assert (vault / "broken.md").read_bytes() == original
    assert (vault / "late.md").read_text(encoding="utf-8") == CLEAN


def test_undo_refuses_an_edited_note_unless_forced(vault: Path) -> None:
    original = (vault / "broken.md").read_bytes()
    invoke("fix", "vault")
    write(vault / "broken.md", "edited by hand\n")
    refused = invoke("undo", "vault")
    assert refused.exit_code == 2
    assert "vault/broken.md" in refused.stderr and "edited since the run" in refused.stderr
    assert (vault / "broken.md").read_text(encoding="utf-8") == "edited by hand\n"
    forced = invoke("undo", "vault", "--force")
    assert forced.exit_code == 0
    assert (vault / "broken.md").read_bytes() == original


def test_undo_with_nothing_to_undo_is_a_clear_error(vault: Path) -> None:
    result = invoke("undo", "vault")
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: ") and "vault" in line
    assert "Traceback" not in result.output
    assert invoke("undo", "missing").exit_code == 2


def test_undo_corrupt_journal_is_a_clear_error(vault: Path) -> None:
    invoke("fix", "vault")
    (run,) = (vault / ".notefix" / "runs").iterdir()
    run.write_text(run.read_text(encoding="utf-8")[:50], encoding="utf-8")
    result = invoke("undo", "vault")
    assert result.exit_code == 2
    assert "Traceback" not in result.output and result.stderr.startswith("error: ")
    assert "corrupt" in invoke("log", "vault").stdout


# --- uncertain repairs and --pick -----------------------------------------------------------

ALTERNATIVES = (Alternative("ALT-ONE", 0.25, "another byte"), Alternative("ALT-TWO", 0.05, ""))


@pytest.fixture
def uncertain(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The real pipeline, with its first edit of each note made uncertain (as a lost-byte
    repair is), so the listing and picking do not depend on which damage the engine
    finds ambiguous."""
    real: Callable[..., NoteFix] = runner._fix_note

    def fake(data: bytes, settings: Any) -> NoteFix:
        fix = real(data, settings)
        if not fix.edits:
            return fix
        first = dataclasses.replace(fix.edits[0], confidence=0.7, alternatives=ALTERNATIVES)
        return dataclasses.replace(fix, edits=(first, *fix.edits[1:]))

    monkeypatch.setattr(runner, "_fix_note", fake)
    yield


def _first_edit(path: str) -> dict[str, Any]:
    payload = json.loads(invoke("check", "--format", "json", path).stdout)
    return payload["files"][0]["edits"][0]  # type: ignore[no-any-return]


def test_uncertain_repairs_are_listed_with_pick_arguments(vault: Path, uncertain: None) -> None:
    result = invoke("check", "vault/broken.md")
    edit = _first_edit("vault/broken.md")
    where = f"vault/broken.md:{edit['line']}:{edit['column']}"
    (line,) = [x for x in result.stderr.splitlines() if "uncertain:" in x]
    assert line.startswith(f"{where}: uncertain: {edit['original']!r} -> ")
    assert "confidence 0.70" in line
    assert line.endswith("alternatives 1: 'ALT-ONE' 0.25, 2: 'ALT-TWO' 0.05")
    assert "--pick PATH:LINE:COL=N" in result.stderr
    assert "1 uncertain repair" in result.stderr.splitlines()[-1]


def test_pick_an_alternative(vault: Path, uncertain: None) -> None:
    edit = _first_edit("vault/broken.md")
    spec = f"vault/broken.md:{edit['line']}:{edit['column']}=1"
    result = invoke("fix", "--pick", spec, "vault")
    assert result.exit_code == 0, result.output
    expected = BROKEN[: edit["start"]] + "ALT-ONE" + CLEAN[edit["start"] + 1 :]
    assert (vault / "broken.md").read_text(encoding="utf-8") == expected
    # The other note was fixed as usual.
    assert (vault / "sub" / "also-broken.md").read_text(encoding="utf-8").endswith(CLEAN)


def test_pick_zero_leaves_the_span_as_it_was(vault: Path, uncertain: None) -> None:
    edit = _first_edit("vault/broken.md")
    spec = f"vault/broken.md:{edit['line']}:{edit['column']}=0"
    diff = invoke("fix", "--diff", "--pick", spec, "vault/broken.md").stdout
    kept = edit["original"]
    assert f"+{BROKEN[: edit['start']]}{kept}" in diff


def test_pick_errors(vault: Path, uncertain: None) -> None:
    bad_form = invoke("fix", "--pick", "vault/broken.md=1", "vault")
    assert bad_form.exit_code == 2 and "expected FILE:LINE:COL=N" in bad_form.stderr
    nowhere = invoke("fix", "--pick", "vault/broken.md:1:1=1", "vault")
    assert nowhere.exit_code == 2
    assert (
        "error: vault/broken.md: --pick at 1:1: no repair with alternatives starts here"
        in nowhere.stderr
    )
    assert (vault / "broken.md").read_text(encoding="utf-8") == BROKEN  # not written
    edit = _first_edit("vault/broken.md")
    too_far = invoke("fix", "--pick", f"vault/broken.md:{edit['line']}:{edit['column']}=3", "vault")
    assert too_far.exit_code == 2 and "there are 2 alternatives, not 3" in too_far.stderr
    elsewhere = invoke("check", "--pick", "vault/clean.md:1:1=1", "vault/broken.md")
    assert elsewhere.exit_code == 2 and "not among the notes of this run" in elsewhere.stderr


# --- settings flags -------------------------------------------------------------------------


def _journaled_settings(root: Path) -> dict[str, Any]:
    (run,) = (root / ".notefix" / "runs").iterdir()
    return json.loads(run.read_text(encoding="utf-8"))["settings"]  # type: ignore[no-any-return]


def test_threshold_and_flags_reach_the_settings(vault: Path) -> None:
    result = invoke("fix", "--threshold", "0.35", "--no-normalize", "--no-rename", "vault")
    assert result.exit_code == 0
    settings = _journaled_settings(vault)
    assert settings["lost_byte_threshold"] == 0.35
    assert settings["normalize"] is False and settings["rename"] is False


def test_threshold_out_of_range_is_a_usage_error(vault: Path) -> None:
    result = invoke("check", "--threshold", "1.5", "vault")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_no_normalize_leaves_decomposed_text(tmp_path: Path) -> None:
    decomposed = "Cafe\u0301 on the corner.\n"
    write(tmp_path / "n.md", decomposed)
    assert invoke("check", "--no-normalize", str(tmp_path)).exit_code == 0
    assert invoke("check", str(tmp_path)).exit_code == 1


# --- renames ----------------------------------------------------------------------------------


def test_renames_are_shown_in_the_diff_and_skipped_with_no_rename(tmp_path: Path) -> None:
    vault = tmp_path / "v"
    name = mangle("Café", "sloppy-windows-1252")
    write(vault / f"{name}.md", CLEAN)
    write(vault / "index.md", f"See [[{name}]].\n")
    diff = invoke("fix", "--diff", str(vault))
    assert f"rename {vault}/{name}.md -> {vault}/Café.md" in ANSI.sub("", diff.stdout)
    assert diff.exit_code == 1
    assert invoke("fix", "--diff", "--no-rename", str(vault)).exit_code == 0


def test_fix_renames_links_follow_and_undo_puts_names_back(tmp_path: Path) -> None:
    vault = tmp_path / "v"
    name = mangle("Café", "sloppy-windows-1252")
    write(vault / f"{name}.md", CLEAN)
    write(vault / "index.md", f"See [[{name}]] and [it]({name}.md).\n")
    before = snapshot(vault)
    result = invoke("fix", str(vault))
    assert result.exit_code == 0, result.output
    assert (vault / "Café.md").read_text(encoding="utf-8") == CLEAN
    assert not (vault / f"{name}.md").exists()
    assert (vault / "index.md").read_text(encoding="utf-8") == "See [[Café]] and [it](Café.md).\n"
    assert "1 renamed" in result.stderr
    assert invoke("undo", str(vault)).exit_code == 0
    assert snapshot(vault) == before


def test_no_rename_keeps_links_leading_to_the_old_name(tmp_path: Path) -> None:
    vault = tmp_path / "v"
    name = mangle("Café", "sloppy-windows-1252")
    write(vault / f"{name}.md", CLEAN)
    write(vault / "index.md", f"See [[{name}]]. {BROKEN}")
    assert invoke("fix", "--no-rename", str(vault)).exit_code == 0
    assert (vault / f"{name}.md").exists()
    assert (vault / "index.md").read_text(encoding="utf-8") == f"See [[{name}]]. {CLEAN}"


def test_a_subfolder_run_does_not_rename_and_says_where_to_run(tmp_path: Path) -> None:
    vault = tmp_path / "v"
    (vault / ".obsidian").mkdir(parents=True)
    name = mangle("Café", "sloppy-windows-1252")
    write(vault / "sub" / f"{name}.md", CLEAN)
    write(vault / "index.md", f"See [[{name}]].\n")
    result = invoke("fix", str(vault / "sub"))
    assert result.exit_code == 0
    assert (vault / "sub" / f"{name}.md").exists()
    assert f"renamed only in a run over the whole vault: notefix fix {vault}" in result.stderr
    assert not (vault / "sub" / ".notefix").exists()  # one journal, at the vault's top


# --- pre-commit -------------------------------------------------------------------------------


def test_pre_commit_hook_definition() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = [h for h in hooks if h["id"] == "notefix"]
    assert hook["entry"].split()[:2] == ["notefix", "fix"]
    assert "--exit-non-zero-on-fix" in hook["entry"].split() + hook.get("args", [])
    assert hook["language"] == "python"
    assert re.search(hook["files"], "notes/a.md") and not re.search(hook["files"], "a.py")
    check = [h for h in hooks if h["id"] == "notefix-check"]
    assert check and check[0]["entry"].split()[:2] == ["notefix", "check"]


# --- many notes on all cores --------------------------------------------------------------------


def test_process_pool_gives_the_same_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(40):
        write(tmp_path / f"d{i % 4}" / f"n{i}.md", BROKEN if i % 3 == 0 else CLEAN)
    write(tmp_path / "bin.md", b"\x00")
    serial = invoke("check", "--format", "json", "-j", "1", str(tmp_path))
    monkeypatch.setattr(runner, "PARALLEL_MIN_NOTES", 2)
    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(runner, "CHUNK_NOTES", 3)
    assert runner.worth_parallel(41, 1000, 2)
    parallel = invoke("check", "--format", "json", "-j", "2", str(tmp_path))
    assert parallel.exit_code == serial.exit_code == 1
    assert json.loads(parallel.stdout) == json.loads(serial.stdout)
    fixed = invoke("fix", "-j", "2", str(tmp_path))
    assert fixed.exit_code == 0
    assert "14 notes fixed, 26 unchanged, 1 skipped" in fixed.stderr
    assert all(p.read_text(encoding="utf-8") == CLEAN for p in tmp_path.rglob("n*.md"))


def test_small_runs_stay_in_one_process() -> None:
    assert not runner.worth_parallel(10, 10_000, 8)
    assert not runner.worth_parallel(10_000, 100 << 20, 1)
    assert runner.worth_parallel(10_000, 100 << 20, 2)


# --- report pieces ----------------------------------------------------------------------------


@given(st.text(alphabet="ab\nc\u00e9", max_size=40), st.data())
def test_line_col_and_offset_of_are_inverse(text: str, data: st.DataObject) -> None:
    offset = data.draw(st.integers(0, len(text)))
    line, col = line_col(text, offset)
    assert offset_of(text, line, col) == offset


@given(st.text(max_size=60), st.text(max_size=60))
def test_unified_diff_is_empty_exactly_when_the_texts_are_equal(a: str, b: str) -> None:
    diff = unified_diff("n.md", "n.md", a, b)
    same_lines = a.replace("\r\n", "\n").replace("\r", "\n") == b.replace("\r\n", "\n").replace(
        "\r", "\n"
    )
    assert (diff == "") == same_lines


def test_unified_diff_marks_a_missing_final_newline() -> None:
    diff = unified_diff("n.md", "n.md", "a\nb", "a\nc")
    marker = "\\ No newline at end of file\n"
    assert diff.endswith(f"-b\n{marker}+c\n{marker}")


def test_unified_diff_shows_crlf_notes_line_by_line() -> None:
    diff = unified_diff("n.md", "n.md", "a\r\nb\r\n", "a\r\nc\r\n")
    assert "\r" not in diff
    assert diff.endswith(" a\n-b\n+c\n")


@pytest.mark.parametrize(
    ("counts", "mode", "expected"),
    [
        (
            {"changed": 3, "unchanged": 120, "skip": ["binary"]},
            "fix",
            "3 notes fixed, 120 unchanged, 1 skipped: binary",
        ),
        ({"changed": 1}, "check", "1 note would be fixed"),
        ({"unchanged": 2, "errors": 1}, "check", "0 notes would be fixed, 2 unchanged, 1 error"),
        (
            {"changed": 1, "skip": ["binary", "binary", "yaml"]},
            "fix",
            "1 note fixed, 3 skipped (2 binary, 1 yaml)",
        ),
    ],
)
def test_summary_line(counts: dict[str, Any], mode: Any, expected: str) -> None:
    report = Report(mode)
    report.changed = counts.get("changed", 0)
    report.unchanged = counts.get("unchanged", 0)
    report.errors = counts.get("errors", 0)
    for reason in counts.get("skip", []):
        report.skip(reason)
    assert report.summary() == expected


def test_exit_codes() -> None:
    report = Report("check")
    assert report.return_code == 0
    report.changed = 1
    assert report.return_code == 1
    report.errors = 1
    assert report.return_code == 2
    fix = Report("fix", changed=1)
    assert fix.return_code == 0
    assert Report("fix", changed=1, exit_non_zero_on_fix=True).return_code == 1
    assert Report("diff", renamed=1).return_code == 1


def test_uncertain_edit_is_what_has_alternatives_and_doubt() -> None:
    from notefix.report import is_ambiguous

    assert not is_ambiguous(Edit(0, 1, "x", "r"))
    assert not is_ambiguous(Edit(0, 1, "x", "r", 0.5))
    assert is_ambiguous(Edit(0, 1, "x", "r", 0.5, ALTERNATIVES))
