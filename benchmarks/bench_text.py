"""Throughput of notefix.fix_text against ftfy.fix_encoding and a plain UTF-8 decode.

Run: python benchmarks/bench_text.py [--mb 2] [--repeats 3] [--budget 20] [--timeout 300]
     [--inputs clean,mangled]

Inputs (the same for every tool):
  clean    the clean-notes corpus concatenated and repeated to ~MB megabytes of UTF-8
  mangled  that text as UTF-8 read as Windows-1252 with undefined bytes dropped, plus the
           seed note as found

Each tool is fed two ways:
  whole    one call on the whole document
  lines    one call per line (keeping line ends), results joined

MB/s is UTF-8 bytes of the input divided by the best wall time of up to ``--repeats``
runs (fewer when a cell has already spent ``--budget`` seconds). A call running longer
than ``--timeout`` seconds is stopped and reported as a lower bound on its time. Every
tool gets one untimed warm-up call first so that one-time table loading is not counted.
"""

from __future__ import annotations

import argparse
import cProfile
import platform
import pstats
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType

import ftfy

import notefix
from _corpus import clean_notes, corpus_dir, cp1252_lossy, repeat_to, seed_note

MB = 1_000_000
WARMUP_CHARS = 20_000


class TimedOut(Exception):
    pass


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise TimedOut


@dataclass
class Cell:
    input: str
    mode: str
    tool: str
    nbytes: int
    best: float
    runs: int
    timed_out: bool
    right: str

    @property
    def mbps(self) -> float:
        return self.nbytes / self.best / MB


def _decode_floor(text: str) -> Callable[[], object]:
    data = text.encode("utf-8")
    return lambda: data.decode("utf-8")


def _decode_lines_floor(text: str) -> Callable[[], object]:
    chunks = [line.encode("utf-8") for line in text.splitlines(keepends=True)]
    return lambda: "".join(chunk.decode("utf-8") for chunk in chunks)


def _whole(fn: Callable[[str], str], text: str) -> Callable[[], str]:
    return lambda: fn(text)


def _lines(fn: Callable[[str], str], text: str) -> Callable[[], str]:
    lines = text.splitlines(keepends=True)
    return lambda: "".join(fn(line) for line in lines)


def _lines_right(output: str, expected: str) -> str:
    """How many lines of the output equal the text as it was written."""
    got = output.splitlines()
    want = expected.splitlines()
    same = sum(1 for a, b in zip(got, want, strict=False) if a == b)
    return f"{same}/{len(want)}"


def _measure(
    call: Callable[[], object], repeats: int, budget: float, timeout: float
) -> tuple[float, int, bool, object]:
    best = float("inf")
    spent = 0.0
    runs = 0
    output: object = None
    for _ in range(repeats):
        signal.setitimer(signal.ITIMER_REAL, timeout)
        start = time.perf_counter()
        try:
            output = call()
        except TimedOut:
            return timeout, runs + 1, True, None
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        elapsed = time.perf_counter() - start
        best = min(best, elapsed)
        spent += elapsed
        runs += 1
        if spent >= budget:
            break
    return best, runs, False, output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--mb", type=float, default=2.0, help="megabytes per input")
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per cell")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per call")
    parser.add_argument(
        "--inputs",
        default="clean,mangled",
        help="comma-separated inputs to time (clean, mangled); clean alone takes seconds",
    )
    parser.add_argument(
        "--profile",
        choices=("whole", "lines"),
        help="instead of timing, profile notefix fed this way on the input --inputs names "
        "(mangled when it names both)",
    )
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.inputs.split(",") if name.strip()]
    unknown = sorted(set(chosen) - {"clean", "mangled"})
    if unknown or not chosen:
        parser.error(f"--inputs takes clean and/or mangled, not {', '.join(unknown) or 'nothing'}")

    corpus = corpus_dir()
    clean = repeat_to(clean_notes(corpus), int(args.mb * MB))
    seed_broken, seed_expected = seed_note(corpus)
    texts = {
        "clean": (clean, clean),
        "mangled": (cp1252_lossy(clean) + seed_broken, clean + seed_expected),
    }
    # Warm up on the mangled text whatever is timed: it loads every table a run may use.
    warmup = texts["mangled"][0][:WARMUP_CHARS]
    # Profiled: the one input chosen, else the mangled one.
    profiled = chosen[0] if len(chosen) == 1 else "mangled"
    inputs = {name: texts[name] for name in chosen}
    tools: dict[str, Callable[[str], str]] = {
        "notefix": notefix.fix_text,
        "ftfy": ftfy.fix_encoding,
    }
    signal.signal(signal.SIGALRM, _alarm)
    if args.profile:
        notefix.fix_text(warmup)
        feed = _whole if args.profile == "whole" else _lines
        _profile(feed(tools["notefix"], texts[profiled][0]))
        return 0

    print(f"python {platform.python_version()} on {platform.machine()}, ftfy {ftfy.__version__}")
    for name, (text, _) in inputs.items():
        nbytes = len(text.encode("utf-8"))
        print(f"{name}: {nbytes / MB:.2f} MB UTF-8, {len(text.splitlines())} lines")
    print()

    print(HEADER)
    cells: list[Cell] = []
    for fn in tools.values():
        fn(warmup)
    for name, (text, expected) in inputs.items():
        nbytes = len(text.encode("utf-8"))
        for mode in ("whole", "lines"):
            calls: dict[str, Callable[[], object]] = {
                tool: (_whole if mode == "whole" else _lines)(fn, text)
                for tool, fn in tools.items()
            }
            floor = _decode_floor if mode == "whole" else _decode_lines_floor
            calls["utf-8 decode"] = floor(text)
            for tool, call in calls.items():
                best, runs, timed_out, output = _measure(
                    call, args.repeats, args.budget, args.timeout
                )
                right = "-"
                if isinstance(output, str) and tool != "utf-8 decode":
                    right = _lines_right(output, expected)
                cell = Cell(name, mode, tool, nbytes, best, runs, timed_out, right)
                cells.append(cell)
                print(_row(cell), flush=True)
    print()
    _ratios(cells, list(inputs))
    return 0


def _profile(call: Callable[[], object]) -> None:
    profiler = cProfile.Profile()
    profiler.runcall(call)
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(15)
    stats.sort_stats("tottime").print_stats(10)


HEADER = (
    f"{'input':<8} {'mode':<6} {'tool':<13} {'MB/s':>10} {'best s':>9} {'runs':>4}  lines right"
)


def _row(cell: Cell) -> str:
    mark = "<" if cell.timed_out else " "
    best = f"{'>' if cell.timed_out else ' '}{cell.best:9.4f}"
    return (
        f"{cell.input:<8} {cell.mode:<6} {cell.tool:<13} {mark}{cell.mbps:9.2f} {best} "
        f"{cell.runs:>4}  {cell.right}"
    )


def _ratios(cells: list[Cell], names: list[str]) -> None:
    by = {(c.input, c.mode, c.tool): c for c in cells}
    print("ratios of throughput (above 1: notefix faster)")
    for name in names:
        for mode in ("whole", "lines"):
            nf = by[(name, mode, "notefix")]
            ft = by[(name, mode, "ftfy")]
            dec = by[(name, mode, "utf-8 decode")]
            bound = "<" if nf.timed_out else ""
            print(
                f"  {name:<8} {mode:<6} notefix/ftfy {bound}{nf.mbps / ft.mbps:8.3f}   "
                f"notefix/decode {bound}{nf.mbps / dec.mbps:10.5f}"
            )


if __name__ == "__main__":
    sys.exit(main())
