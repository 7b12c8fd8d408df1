"""Wall time and peak memory of `notefix check` on a generated vault.

Run: python benchmarks/bench_vault.py [--notes 20000] [--kb 5] [--broken 0.1] [--jobs N]

The vault is generated in a temporary folder and removed afterwards. Notes are runs of
whole lines cut from the clean-notes corpus at seeded random places and lengths (so the
same arguments give the same vault byte for byte); a ``--broken`` share of them is
damaged as UTF-8 read as Windows-1252 with the undefined bytes dropped. Notes sit in
folders of 500, as in a large vault.

Peak memory is ``ru_maxrss`` of the waited-for children: the largest single process
among `notefix check` and its workers, not their sum. CPU time is theirs summed (user
and system): against the wall time, how many cores the run kept busy.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _corpus import clean_notes, corpus_dir, cp1252_lossy

MB = 1_000_000
PER_FOLDER = 500


def generate(root: Path, notes: int, kb: float, broken: float, seed: int) -> tuple[int, int]:
    """Write the vault; returns (bytes written, notes broken)."""
    lines = clean_notes(corpus_dir()).splitlines(keepends=True)
    rng = random.Random(seed)
    target = kb * 1000
    written = 0
    nbroken = 0
    for i in range(notes):
        folder = root / f"folder-{i // PER_FOLDER:03d}"
        if i % PER_FOLDER == 0:
            folder.mkdir()
        # Sizes spread around the mean as real notes do: many short, a few long.
        size = rng.expovariate(1 / target)
        start = rng.randrange(len(lines))
        parts: list[str] = []
        length = 0
        j = start
        while length < size or not parts:
            parts.append(lines[j % len(lines)])
            length += len(parts[-1].encode("utf-8"))
            j += 1
        text = "".join(parts)
        if rng.random() < broken:
            text = cp1252_lossy(text)
            nbroken += 1
        data = text.encode("utf-8")
        (folder / f"note-{i:05d}.md").write_bytes(data)
        written += len(data)
    return written, nbroken


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--notes", type=int, default=20_000, help="notes in the vault")
    parser.add_argument("--kb", type=float, default=5.0, help="mean note size in kB")
    parser.add_argument("--broken", type=float, default=0.1, help="share of broken notes")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=None, help="passed to notefix -j")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="notefix-bench-") as tmp:
        root = Path(tmp) / "vault"
        root.mkdir()
        start = time.perf_counter()
        written, nbroken = generate(root, args.notes, args.kb, args.broken, args.seed)
        made = time.perf_counter() - start
        print(
            f"vault: {args.notes} notes, {written / MB:.1f} MB, {nbroken} broken "
            f"(generated in {made:.1f} s)"
        )
        command = [sys.executable, "-m", "notefix", "check", "--quiet", "--color", "never"]
        if args.jobs:
            command += ["--jobs", str(args.jobs)]
        command.append(str(root))
        print("command:", " ".join(command[1:]).replace(str(root), "VAULT"))
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_kib = usage.ru_maxrss
    cpu = usage.ru_utime + usage.ru_stime
    print(f"exit code {done.returncode} (0 clean, 1 fixes needed, 2 errors)")
    if done.returncode not in (0, 1):
        print(done.stderr[-2000:], file=sys.stderr)
    print(f"wall time {wall:.1f} s on {os.cpu_count()} cores")
    print(f"CPU time {cpu:.1f} s (all processes; {cpu / wall:.2f} cores busy on average)")
    print(f"peak memory {peak_kib / 1024:.0f} MiB (largest single process)")
    print(f"throughput {written / MB / wall:.2f} MB/s")
    return 0 if done.returncode in (0, 1) else 1


if __name__ == "__main__":
    sys.exit(main())
