"""Kill a run with SIGKILL at many points: every note is its old or its new bytes, never
half-written, and undo brings back the vault exactly as it was.

Two writers are killed: ``commit_run`` driven by a small script (the plan is known in
advance, and a pause between steps spreads the kills over every step), and the
``notefix fix`` command itself on a vault with mangled contents and names.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from notefix.journal import JournalError, list_runs, undo
from strategies import mangle

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

WORDS = ["café", "naïve", "Ağaç", "şeker", "Übergröße", "crème brûlée", "façade", "jalapeño"]

# Prints each durable step of commit_run as it happens, then pauses, so the test can
# kill it right after any step or inside the next one.
HELPER = """
import json, sys, time
from pathlib import Path
from notefix.journal import FileChange, Rename, commit_run
from notefix.settings import DEFAULT

plan = json.loads(Path(sys.argv[2]).read_text())
pause = float(sys.argv[3])
changes = [
    FileChange(c["rel"], bytes.fromhex(c["before"]), bytes.fromhex(c["after"]), "cp1252", "utf-8")
    for c in plan["changes"]
]
renames = [Rename(old, new, "utf-8 read as cp1252") for old, new in plan["renames"]]

def step(name, rel):
    print(name, flush=True)
    time.sleep(pause)

print("start", flush=True)
commit_run(sys.argv[1], changes, DEFAULT, renames=renames, on_progress=step)
"""


def build_vault(root: Path) -> dict[str, object]:
    """Notes whose text and some of whose folder and file names are UTF-8 read as
    cp1252, and the plan that repairs them (what the note pipeline would produce)."""
    changes = []
    renames: list[tuple[str, str]] = []
    for f, folder in enumerate(["Notes", WORDS[0], WORDS[2], WORDS[4]]):
        bad_folder = mangle(folder, "sloppy-windows-1252")
        if bad_folder != folder:
            renames.append((bad_folder, folder))
        for i in range(3):
            name = f"{WORDS[(f + i) % len(WORDS)]} {i}.md"
            bad_name = mangle(name, "sloppy-windows-1252")
            text = f"# {name}\n\n" + " ".join(WORDS[i:] + WORDS[:i]) * (i + 1) + f"\n{f}-{i}\n"
            before = mangle(text, "sloppy-windows-1252").encode("utf-8")
            rel = f"{bad_folder}/{bad_name}"
            (root / bad_folder).mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(before)
            changes.append({"rel": rel, "before": before.hex(), "after": text.encode().hex()})
            if bad_name != name:
                renames.append((rel, f"{folder}/{name}"))
    (root / "clean.md").write_bytes("untouched ✓\n".encode())
    return {"changes": changes, "renames": renames}


def snapshot(root: Path) -> dict[str, bytes | None]:
    out: dict[str, bytes | None] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if not rel.startswith(".notefix"):
            out[rel] = None if path.is_dir() else path.read_bytes()
    return out


def note_contents(root: Path) -> list[bytes]:
    """The bytes of every file under root outside the journal, leftover temporaries
    of an interrupted write excluded (they are not notes, and undo removes them)."""
    return sorted(
        v for k, v in snapshot(root).items() if v is not None and not k.endswith(".notefix-tmp")
    )


def kill_after_line(cmd: list[str], line: int, jitter: float) -> None:
    """Start ``cmd``, read ``line`` lines of its output, wait ``jitter`` seconds, SIGKILL."""
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True
    )
    assert proc.stdout is not None
    try:
        for _ in range(line):
            if not proc.stdout.readline():
                break
        time.sleep(jitter)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()


def kill_after(cmd: list[str], root: Path, delay: float) -> None:
    """Start ``cmd``; once its run's journal is on disk (the notes' writes begin), wait
    ``delay`` seconds and SIGKILL it (and any worker it started); negative: from the
    start."""
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        if delay < 0:
            time.sleep(-delay)
        else:
            wait_for_journal(proc, root)
            time.sleep(delay)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def wait_for_journal(proc: subprocess.Popen[bytes], root: Path) -> None:
    """Wait until the run's journal file exists: the originals are stored and the notes
    are about to be written (write-ahead), or the process ended."""
    runs = root / ".notefix" / "runs"
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        if runs.is_dir() and any(p.suffix == ".json" for p in runs.iterdir()):
            return
        time.sleep(0.0002)


def state(root: Path, old: list[bytes]) -> tuple[str, int]:
    """The journal's status after a kill and how many notes hold new bytes."""
    runs = list_runs(root)
    return (runs[0].status if runs else "none", sum(c not in old for c in note_contents(root)))


def undo_all(root: Path) -> None:
    try:
        report = undo(root)
    except JournalError as exc:
        assert "no run" in str(exc)  # killed before its journal existed
        return
    assert report.complete, report.refused


def check_kill_and_undo(
    root: Path, original: dict[str, bytes | None], old: list[bytes], new: list[bytes]
) -> None:
    # Each note is old or new: the file contents, as a multiset, pick one of the two
    # per note (notes are told apart by their contents, which are all distinct).
    contents = note_contents(root)
    assert len(contents) == len(old)
    for data in contents:
        assert data in old or data in new
    undo_all(root)
    assert snapshot(root) == original


def test_killing_commit_run_at_any_step_leaves_notes_whole_and_undoable(
    tmp_path: Path,
) -> None:
    template = tmp_path / "template"
    template.mkdir()
    plan = build_vault(template)
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(plan))
    original = snapshot(template)
    old = note_contents(template)
    new_texts = [bytes.fromhex(c["after"]) for c in plan["changes"]]  # type: ignore[attr-defined]
    new = [*old, *new_texts]

    # start, a store per note, journal, a write per note, a rename each, done.
    lines = 1 + 2 * len(new_texts) + 1 + len(plan["renames"]) + 1  # type: ignore[arg-type]
    pause = 0.003

    def one(line: int) -> tuple[str, int]:
        root = tmp_path / f"v{line}"
        shutil.copytree(template, root, symlinks=True)
        # Spread over the pause after the step and into the next step, so kills land
        # between steps and inside them.
        jitter = pause * ((line * 0.618) % 1.0) * 2
        cmd = [sys.executable, "-c", HELPER, str(root), str(plan_file), str(pause)]
        kill_after_line(cmd, line, jitter)
        seen = state(root, old)
        check_kill_and_undo(root, original, old, new)
        return seen

    with ThreadPoolExecutor(max_workers=4) as pool:
        seen = list(pool.map(one, range(lines + 1)))
    # The kills did land during the run: interrupted with some notes old and some new.
    assert any(status == "pending" and 0 < count < len(new_texts) for status, count in seen)
    assert seen[-1] == ("complete", len(new_texts))


def test_killing_notefix_fix_leaves_notes_whole_and_undo_restores_them(tmp_path: Path) -> None:
    template = tmp_path / "template"
    template.mkdir()
    build_vault(template)
    original = snapshot(template)
    old = note_contents(template)

    done = tmp_path / "done"
    shutil.copytree(template, done, symlinks=True)
    cmd = [sys.executable, "-m", "notefix", "fix", "-q", "--jobs", "1"]
    proc = subprocess.Popen([*cmd, str(done)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    start = time.monotonic()
    wait_for_journal(proc, done)
    writing_from = time.monotonic()
    _, err = proc.communicate(timeout=120)
    whole_run = time.monotonic() - start
    # How long the note and rename writes take here, measured, not assumed.
    window = max(time.monotonic() - writing_from, 0.001)
    assert proc.returncode in (0, 1), err.decode(errors="replace")
    new = note_contents(done)
    if new == old:
        pytest.skip("notefix fix changes nothing in this vault yet")
    undo_all(done)
    assert snapshot(done) == original

    # A kill from the start (before or while planning), then kills spread over the
    # writes. The writes take milliseconds, so a round whose kills all missed them (the
    # machine was busy) is tried again with the window halved.
    seen: list[tuple[str, int]] = []
    n = 0
    for _ in range(4):
        delays = [-whole_run * 0.7] + [window * k / 8 for k in range(9)]
        for delay in delays:
            root = tmp_path / f"v{n}"
            n += 1
            shutil.copytree(template, root, symlinks=True)
            kill_after([*cmd, str(root)], root, delay)
            seen.append(state(root, old))
            check_kill_and_undo(root, original, old, [*old, *new])
        if any(status == "pending" for status, _ in seen):
            break
        window /= 2
    assert any(status == "pending" for status, _ in seen), seen
