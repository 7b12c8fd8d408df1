"""The notefix command: fix, check, undo, log, explain.

Thin by design: it parses options, finds each path's root and configuration, hands the
notes to ``notefix.runner`` and the results to ``notefix.report``, and writes only
through ``notefix.journal``. Data (diffs, JSON, filtered notes) goes to stdout;
messages, progress and the summary go to stderr.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import click

from notefix import __version__, files, journal, runner
from notefix.config import Config, ConfigError, find_config, find_root, load_config
from notefix.edits import compose
from notefix.mojibake import repair
from notefix.notes import NoteFix
from notefix.report import (
    EXIT_ERROR,
    PICK_HINT,
    SCHEMA_VERSION,
    Mode,
    RenameEntry,
    Report,
    ambiguity_lines,
    colorize,
    edit_dict,
    explain_dict,
    explain_lines,
    held_back_line,
    is_ambiguous,
    rename_header,
    unified_diff,
    unsure_line,
)
from notefix.settings import Settings
from notefix.unicode import normalize
from notefix.vault import RenamePlan, plan_renames

F = TypeVar("F", bound=Callable[..., Any])

# A run shorter than this finishes before a progress bar would be worth drawing.
PROGRESS_MIN_NOTES = 200


class UserError(click.ClickException):
    """A problem with what the user asked for: one line, exit 2, no traceback."""

    exit_code = EXIT_ERROR

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


@dataclass
class Output:
    color: bool | None
    """None: let click decide (colour only on a terminal)."""
    json: bool
    quiet: bool
    verbose: bool = False

    def data(self, text: str) -> None:
        click.echo(text, nl=False, color=self.color)

    def message(self, text: str) -> None:
        if not self.quiet:
            click.echo(text, err=True, color=self.color)

    def error(self, text: str) -> None:
        # Errors are shown even with --quiet: they decide the exit code.
        click.echo(click.style("error: ", fg="red", bold=True) + text, err=True, color=self.color)

    def warning(self, text: str) -> None:
        if not self.quiet:
            click.echo(click.style("warning: ", fg="yellow") + text, err=True, color=self.color)


def _color_choice(option: str) -> bool | None:
    if option == "always":
        return True
    if option == "never" or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return None


def _display(path: Path | str) -> str:
    """A path as the user would type it: relative to the current folder when below it."""
    text = os.fspath(path)
    try:
        rel = os.path.relpath(text, os.path.realpath(os.getcwd()))
    except (ValueError, OSError):  # another drive, or the current folder was deleted
        return text
    return text if rel.startswith("..") else rel


# --- options shared by fix and check --------------------------------------------------


def _settings_options(func: F) -> F:
    options = [
        click.option(
            "--threshold",
            type=click.FloatRange(0.0, 1.0),
            default=None,
            help="Lost-byte confidence below which a span is left as it is and reported "
            "(config: lost-byte-threshold).",
        ),
        click.option(
            "--no-normalize",
            "no_normalize",
            is_flag=True,
            help="Repair mojibake only; no NFC, emoji or junk normalization.",
        ),
        click.option(
            "--config",
            "config_file",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            help="Use this .notefix.toml or pyproject.toml instead of the nearest one.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _run_options(func: F) -> F:
    options = [
        click.argument("paths", nargs=-1, required=True, type=str),
        click.option(
            "--no-rename", "no_rename", is_flag=True, help="Leave file and folder names alone."
        ),
        click.option(
            "--pick",
            "picks",
            multiple=True,
            metavar="FILE:LINE:COL=N",
            help="At an uncertain repair, take alternative N instead (0 leaves the text "
            "as it was). Repeatable; the report prints the exact argument.",
        ),
        click.option(
            "--format",
            "fmt",
            type=click.Choice(["text", "json"]),
            default="text",
            show_default=True,
            help="json: one JSON object on stdout (schema in docs/cli.md).",
        ),
        click.option(
            "--color",
            type=click.Choice(["auto", "always", "never"]),
            default="auto",
            show_default=True,
            help="Colour diffs and messages; auto means on a terminal and NO_COLOR unset.",
        ),
        click.option(
            "-j",
            "--jobs",
            type=click.IntRange(min=1),
            default=None,
            help="Worker processes for large runs [default: all cores].",
        ),
        click.option("-q", "--quiet", is_flag=True, help="Only errors and data on the output."),
        click.option(
            "-v",
            "--verbose",
            is_flag=True,
            help="Also name each skipped file and each repair held back (in code, URLs...).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return _settings_options(func)


def _overrides(
    threshold: float | None, no_normalize: bool, no_rename: bool = False
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if threshold is not None:
        out["lost_byte_threshold"] = threshold
    if no_normalize:
        out["normalize"] = False
    if no_rename:
        out["rename"] = False
    return out


def _config_for(path: Path, config_file: Path | None) -> Config:
    return load_config(config_file) if config_file else find_config(path)


def _settings_for(path: Path, config_file: Path | None, overrides: dict[str, Any]) -> Settings:
    try:
        return _config_for(path, config_file).settings(overrides)
    except ConfigError as exc:
        raise UserError(str(exc)) from None


# --- the command group ------------------------------------------------------------------


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="notefix")
def main() -> None:
    """Repair mojibake and normalize Unicode in Markdown notes, in place, with undo.

    Exit codes: 0 nothing to do, 1 changes needed (check, fix --diff), 2 errors.
    """


@main.command()
@_run_options
@click.option("--diff", is_flag=True, help="Write nothing; print a unified diff of every change.")
@click.option(
    "--exit-non-zero-on-fix",
    is_flag=True,
    help="Exit 1 when notes were changed (as a pre-commit hook should).",
)
def fix(diff: bool, exit_non_zero_on_fix: bool, **kwargs: Any) -> None:
    """Fix the notes in PATH... (files or folders; '-' filters stdin to stdout)."""
    _run_command("diff" if diff else "fix", exit_non_zero_on_fix=exit_non_zero_on_fix, **kwargs)


@main.command()
@_run_options
def check(**kwargs: Any) -> None:
    """Report what fix would change. Exit 0: clean, 1: fixes needed, 2: errors."""
    _run_command("check", **kwargs)


@dataclass
class Group:
    """The paths of one command that share a root and a configuration: one run."""

    root: Path
    settings: Settings
    paths: list[Path] = field(default_factory=list)


def _run_command(
    mode: Mode,
    *,
    paths: tuple[str, ...],
    no_rename: bool,
    picks: tuple[str, ...],
    fmt: str,
    color: str,
    jobs: int | None,
    quiet: bool,
    verbose: bool,
    threshold: float | None,
    no_normalize: bool,
    config_file: Path | None,
    exit_non_zero_on_fix: bool = False,
) -> None:
    out = Output(_color_choice(color), fmt == "json", quiet or fmt == "json", verbose)
    report = Report(mode, exit_non_zero_on_fix=exit_non_zero_on_fix)
    overrides = _overrides(threshold, no_normalize, no_rename)
    try:
        parsed = [runner.Pick.parse(p) for p in picks]
    except runner.PickError as exc:
        raise UserError(str(exc)) from None

    if "-" in paths:
        if len(paths) > 1:
            raise UserError("'-' (standard input) cannot be combined with other paths")
        if mode == "fix" and out.json:
            raise UserError("fix - writes the note to stdout; use --diff or check for JSON")
        settings = _settings_for(Path.cwd(), config_file, overrides)
        _run_stdin(mode, settings, parsed, out, report)
        sys.exit(report.return_code)

    state = _JsonState(keep=out.json)
    groups: dict[tuple[Path, Path | None], Group] = {}
    for arg in paths:
        path = Path(arg)
        if not os.path.lexists(path):
            out.error(f"{arg}: no such file or folder")
            report.failed()
            if state.keep:
                state.files.append(_file_entry(arg, "error", reason="no such file or folder"))
            continue
        config = _config_for_user(path, config_file)
        root = find_root(path)
        key = (root, config.path)
        if key not in groups:
            try:
                settings = config.settings(overrides)
            except ConfigError as exc:
                raise UserError(str(exc)) from None
            groups[key] = Group(root, settings)
        groups[key].paths.append(path)

    known_picks = {p.path for p in parsed}
    for group in groups.values():
        known_picks -= _run_group(mode, group, parsed, jobs, out, report, state)
    for missing in sorted(known_picks):
        out.error(f"--pick {_display(missing)}: not among the notes of this run")
        report.failed()

    if out.json:
        payload = {
            "schema": SCHEMA_VERSION,
            "notefix": __version__,
            "mode": mode,
            "files": state.files,
            "renames": state.renames,
            "runs": state.runs,
            "summary": report.summary_dict(),
            "exit_code": report.return_code,
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    elif not quiet:
        if report.ambiguous:
            click.echo(PICK_HINT, err=True)
        click.echo(report.summary(), err=True)
    sys.exit(report.return_code)


def _config_for_user(path: Path, config_file: Path | None) -> Config:
    try:
        return _config_for(path, config_file)
    except ConfigError as exc:
        raise UserError(str(exc)) from None


@dataclass
class _JsonState:
    files: list[dict[str, Any]] = field(default_factory=list)
    renames: list[dict[str, Any]] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)
    keep: bool = True
    """Whether per-file entries are kept (for --format json only: otherwise a vault's
    worth of edits would stay in memory to the end of the run)."""


def _file_entry(
    display: str, status: str, fix: NoteFix | None = None, reason: str | None = None
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "path": display,
        "status": status,
        "reason": reason,
        "encoding_before": fix.encoding_before if fix else None,
        "encoding_after": fix.encoding_after if fix else None,
        "edits": [edit_dict(fix.text_before, e) for e in fix.edits] if fix else [],
    }
    return entry


def _skip_key(reason: str) -> str:
    # Summaries group skips by kind; the per-file message keeps the detail.
    if "symlink" in reason:
        return "symlink"
    return reason.split(";")[0].split(":")[0].strip() or "skipped"


def _run_group(
    mode: Mode,
    group: Group,
    picks: Sequence[runner.Pick],
    jobs: int | None,
    out: Output,
    report: Report,
    state: _JsonState,
) -> set[str]:
    """Run one root's notes; returns the paths of the picks that matched a note."""
    settings = group.settings

    def on_skip(path: Path, reason: str) -> None:
        display = _display(path)
        if reason.startswith(("no such", "cannot")):
            out.error(f"{display}: {reason}")
            report.failed()
            if state.keep:
                state.files.append(_file_entry(display, "error", reason=reason))
        else:
            report.skip(_skip_key(reason))
            if out.verbose:
                out.message(f"skipped {display}: {reason}")
            if state.keep:
                state.files.append(_file_entry(display, "skipped", reason=reason))

    notes = [
        nf.path
        for nf in files.find_notes(group.paths, settings.include, settings.exclude, on_skip=on_skip)
    ]
    matched = {p.path for p in picks} & {str(p) for p in notes}
    picks_by_path: dict[str, tuple[runner.Pick, ...]] = {}
    for pick in picks:
        if pick.path in matched:
            picks_by_path[pick.path] = (*picks_by_path.get(pick.path, ()), pick)

    plan, all_rel = _plan_renames(group, settings, out)
    ctx = runner.Context(
        root=group.root,
        settings=settings,
        picks=picks_by_path,
        renames=plan,
        all_paths=all_rel,
    )

    renames: list[journal.Rename] = []
    if plan.renames or plan.skipped:
        for r in plan.renames:
            renames.append(journal.Rename(r.old_rel, r.new_rel, r.reason, r.confidence))
            report.renamed += 1
            old, new = _display(group.root / r.old_rel), _display(group.root / r.new_rel)
            state.renames.append(RenameEntry(old, new, r.reason).to_dict())
            if mode == "diff" and not out.json:
                out.data(colorize(rename_header(old, new)))
            elif mode == "check":
                out.message(f"would rename {old} -> {new}")
        for s in plan.skipped:
            old, new = _display(group.root / s.old_rel), _display(group.root / s.wanted_rel)
            state.renames.append(RenameEntry(old, new, "", skipped=s.reason).to_dict())
            out.warning(f"not renaming {old} -> {new}: {s.reason}")

    changes: list[journal.FileChange] = []
    displays: dict[str, str] = {}
    jobs = jobs or runner.default_jobs()
    with _progress(len(notes), mode, out) as advance:
        for result in runner.run(notes, ctx, jobs):
            advance()
            display = _display(result.path)
            if result.status == "error":
                out.error(f"{display}: {result.reason}")
                report.failed()
                if state.keep:
                    state.files.append(_file_entry(display, "error", reason=result.reason))
                continue
            if result.status == "skipped":
                report.skip(_skip_key(result.reason or "skipped"))
                if out.verbose:
                    out.message(f"skipped {display}: {result.reason}")
                if state.keep:
                    state.files.append(_file_entry(display, "skipped", reason=result.reason))
                continue
            report.held_back += len(result.held_back)
            if out.verbose:
                for held in result.held_back:
                    out.message(held_back_line(display, held))
            report.unsure += len(result.unsure)
            for unsure in result.unsure:
                out.message(unsure_line(display, unsure))
            if result.status == "unchanged" or result.fix is None:
                report.done(False)
                if (result.held_back or result.unsure) and state.keep:
                    state.files.append(
                        {
                            **_file_entry(display, "unchanged"),
                            "held_back": list(result.held_back),
                            "unsure": list(result.unsure),
                        }
                    )
                continue
            fix = result.fix
            report.done(True)
            uncertain = [e for e in fix.edits if is_ambiguous(e)]
            report.ambiguous += len(uncertain)
            entry: dict[str, Any] = _file_entry(display, "changed", fix) if state.keep else {}
            if result.held_back:
                entry["held_back"] = list(result.held_back)
            if result.unsure:
                entry["unsure"] = list(result.unsure)
            new_display = display
            if plan.renames:
                new_rel = plan.new_path(result.rel)
                if new_rel != result.rel:
                    new_display = _display(group.root / new_rel)
                    entry["new_path"] = new_display
            if state.keep:
                state.files.append(entry)
            if mode == "diff":
                diff = unified_diff(
                    display,
                    new_display,
                    fix.text_before,
                    fix.text_after,
                    fix.encoding_before,
                    fix.encoding_after,
                )
                if out.json:
                    entry["diff"] = diff
                else:
                    out.data(colorize(diff))
            elif mode == "check":
                out.message(f"would fix {display} ({_edit_count(fix)})")
            else:
                changes.append(
                    journal.FileChange(
                        result.rel,
                        fix.original,
                        fix.data,
                        fix.encoding_before,
                        fix.encoding_after,
                        fix.edits,
                    )
                )
                displays[result.rel] = display
            for line in ambiguity_lines(display, fix.text_before, uncertain):
                out.message(line)

    if mode == "fix" and (changes or renames):
        _commit(group, changes, renames, displays, out, report, state)
    return matched


def _edit_count(fix: NoteFix) -> str:
    n = len(fix.edits)
    return f"{n} edit{'s' if n != 1 else ''}"


def _plan_renames(
    group: Group, settings: Settings, out: Output
) -> tuple[RenamePlan, tuple[str, ...]]:
    """The renames of the vault, and every file path under its root (for links).

    Names are repaired only when the vault's root itself is given: every note of the vault
    is then in the run, so every link to a renamed file follows it."""
    all_rel = tuple(
        sorted(
            {
                nf.path.relative_to(group.root).as_posix()
                for nf in files.find_notes([group.root], ("*",), settings.exclude)
                if nf.path.is_relative_to(group.root)
            }
        )
    )
    folders = [p for p in group.paths if p.is_dir()]
    if not settings.rename or not folders:
        return RenamePlan(), all_rel
    if any(Path(os.path.realpath(p)) == group.root for p in folders):
        return plan_renames(all_rel, settings), all_rel
    inside = tuple(
        rel
        for rel in all_rel
        if any((group.root / rel).is_relative_to(os.path.realpath(p)) for p in folders)
    )
    if plan_renames(inside, settings).renames:
        out.warning(
            f"names under {', '.join(_display(p) for p in folders)} need repair; they are "
            f"renamed only in a run over the whole vault: notefix fix {_display(group.root)}"
        )
    return RenamePlan(), all_rel


def _commit(
    group: Group,
    changes: list[journal.FileChange],
    renames: list[journal.Rename],
    displays: dict[str, str],
    out: Output,
    report: Report,
    state: _JsonState,
) -> None:
    try:
        record = journal.commit_run(group.root, changes, group.settings, renames=renames)
    except (journal.JournalError, ValueError) as exc:
        out.error(f"{_display(group.root)}: nothing written: {exc}")
        report.failed()
        report.changed -= len(changes)
        report.renamed -= len(renames)
        return
    state.runs.append({"root": _display(group.root), "run_id": record.run_id})
    skipped = dict(record.skipped)
    for rel, reason in record.skipped:
        out.error(f"{displays.get(rel, _display(group.root / rel))}: not written: {reason}")
        report.failed()
    report.changed -= sum(1 for c in changes if c.rel in skipped)
    report.renamed -= sum(1 for r in renames if r.old_rel in skipped)
    written = {displays.get(rel) for rel in record.written}
    for entry in state.files:
        if entry["status"] == "changed" and entry["path"] in displays.values():
            entry["written"] = entry["path"] in written
    if record.written or record.renamed:
        out.message(
            f"run {record.run_id} journaled; to take it back: notefix undo {_display(group.root)}"
        )


@contextmanager
def _progress(total: int, mode: Mode, out: Output) -> Iterator[Callable[[], None]]:
    """A progress bar on stderr for long runs on a terminal; otherwise nothing."""
    stdout_busy = mode == "diff" and sys.stdout.isatty()
    if out.quiet or total < PROGRESS_MIN_NOTES or not sys.stderr.isatty() or stdout_busy:
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    console = Console(stderr=True, no_color=out.color is False)
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        redirect_stdout=False,
    ) as bar:
        task = bar.add_task("notes", total=total)
        yield lambda: bar.advance(task)


def _run_stdin(
    mode: Mode, settings: Settings, picks: Sequence[runner.Pick], out: Output, report: Report
) -> None:
    data = sys.stdin.buffer.read()
    own = [p for p in picks if p.path == "-"]
    if len(own) != len(picks):
        raise UserError("with '-' as the path, --pick takes the form -:LINE:COL=N")
    try:
        fix = runner.fix_bytes(data, settings, own)
    except runner.PickError as exc:
        raise UserError(f"-: {exc}") from None
    entry: dict[str, Any]
    if fix.skipped:
        report.skip(_skip_key(fix.skipped))
        out.message(f"skipped -: {fix.skipped}")
        entry = _file_entry("-", "skipped", reason=fix.skipped)
    elif fix.changed:
        report.done(True)
        uncertain = [e for e in fix.edits if is_ambiguous(e)]
        report.ambiguous += len(uncertain)
        entry = _file_entry("-", "changed", fix)
        for line in ambiguity_lines("-", fix.text_before, uncertain):
            out.message(line)
        if uncertain:
            out.message(PICK_HINT.replace("PATH", "-"))
    else:
        report.done(False)
        entry = _file_entry("-", "unchanged", fix)
    if not fix.skipped and fix.unsure:
        unsure = [edit_dict(fix.text_before, e) for e in fix.unsure]
        report.unsure += len(unsure)
        entry["unsure"] = unsure
        for item in unsure:
            out.message(unsure_line("-", item))
    diff = ""
    if mode == "diff" and fix.changed:
        diff = unified_diff(
            "-", "-", fix.text_before, fix.text_after, fix.encoding_before, fix.encoding_after
        )
        entry["diff"] = diff
    if mode == "fix":
        sys.stdout.buffer.write(fix.data if fix.changed else data)
        sys.stdout.buffer.flush()
    elif out.json:
        payload = {
            "schema": SCHEMA_VERSION,
            "notefix": __version__,
            "mode": mode,
            "files": [entry],
            "renames": [],
            "runs": [],
            "summary": report.summary_dict(),
            "exit_code": report.return_code,
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    elif diff:
        out.data(colorize(diff))
    elif mode == "check" and fix.changed:
        out.message(f"would fix - ({_edit_count(fix)})")


# --- explain ----------------------------------------------------------------------------


@main.command()
@click.argument("text")
@_settings_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def explain(
    text: str, threshold: float | None, no_normalize: bool, config_file: Path | None, fmt: str
) -> None:
    """Show each broken run in TEXT ('-' reads stdin), the repair chosen for it, its
    confidence and the alternatives."""
    if text == "-":
        raw = sys.stdin.buffer.read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UserError(
                f"standard input is not UTF-8 ({exc.reason} at byte {exc.start})"
            ) from None
    settings = _settings_for(Path.cwd(), config_file, _overrides(threshold, no_normalize))
    fixed, edits, unsure = explain_text(text, settings)
    if fmt == "json":
        payload = explain_dict(text, edits, fixed, unsure)
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        for line in explain_lines(text, edits, fixed, unsure):
            click.echo(line)


def explain_text(text: str, settings: Settings) -> tuple[str, tuple[Any, ...], tuple[Any, ...]]:
    """The repaired (and normalized) text, the edits over ``text`` that make it, and the
    runs left as written for want of a sure reading."""
    repaired = repair(text, settings) if settings.repair else None
    middle = repaired.text if repaired else text
    edits = repaired.edits if repaired else ()
    unsure = repaired.unsure if repaired else ()
    if settings.normalize:
        normalized = normalize(middle, settings)
        if normalized.edits:
            edits = compose(text, edits, normalized.edits)
            middle = normalized.text
    return middle, tuple(edits), tuple(unsure)


# --- undo and log ---------------------------------------------------------------------


@main.command()
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option("--run", "run_id", default=None, help="Undo this run (see notefix log).")
@click.option("--force", is_flag=True, help="Also restore notes edited since the run.")
def undo(path: Path, run_id: str | None, force: bool) -> None:
    """Revert the last run under PATH (or --run ID), byte for byte."""
    if not path.exists():
        raise UserError(f"{path}: no such file or folder")
    root = find_root(path)
    try:
        result = journal.undo(root, run_id, force=force)
    except journal.JournalError as exc:
        raise UserError(str(exc)) from None
    for new, old in result.renamed_back:
        click.echo(f"renamed {new} -> {old}", err=True)
    for rel in result.restored:
        click.echo(f"restored {_display(root / rel)}", err=True)
    for rel, sha in result.forced:
        click.echo(f"overwrote {_display(root / rel)} (its bytes are kept as {sha[:12]})", err=True)
    for rel, reason in result.refused:
        click.echo(click.style("error: ", fg="red") + f"{_display(root / rel)}: {reason}", err=True)
    done = len(result.restored)
    click.echo(
        f"run {result.run_id}: {done} note{'s' if done != 1 else ''} restored"
        + (f", {len(result.renamed_back)} renamed back" if result.renamed_back else "")
        + (f", {len(result.refused)} not restored" if result.refused else ""),
        err=True,
    )
    sys.exit(0 if result.complete else EXIT_ERROR)


@main.command(name="log")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def log_command(path: Path, fmt: str) -> None:
    """List the runs journaled under PATH, oldest first."""
    if not path.exists():
        raise UserError(f"{path}: no such file or folder")
    root = find_root(path)
    try:
        runs = journal.list_runs(root)
    except journal.JournalError as exc:
        raise UserError(str(exc)) from None
    if fmt == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "run_id": r.run_id,
                        "started": r.started,
                        "status": r.status,
                        "notefix_version": r.notefix_version,
                        "files": r.files,
                        "renames": r.renames,
                        "skipped": r.skipped,
                        "error": r.error,
                    }
                    for r in runs
                ],
                indent=2,
            )
        )
        return
    if not runs:
        click.echo(f"no runs under {_display(root)}", err=True)
        return
    for r in runs:
        if r.status == "corrupt":
            click.echo(f"{r.run_id}  corrupt: {r.error}")
            continue
        extra = f", {r.renames} renamed" if r.renames else ""
        extra += f", {r.skipped} skipped" if r.skipped else ""
        click.echo(f"{r.run_id}  {r.status:<8}  {r.files} notes{extra}  {r.started}")
