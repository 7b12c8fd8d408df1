"""Mojibake in file and folder names, and the link edits that keep a vault connected.

A vault is the tree of files under a root (notes and attachments). Paths here are
relative to the root, ``/``-separated, as ``str``. Everything in this module is pure:
the command lists the paths and reads the notes, this module plans, and the journal
performs and records the renames.
"""

from __future__ import annotations

import contextlib
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-windows-* codecs)
import unicodedata2

from notefix.edits import Edit, Rename, plan
from notefix.links import Link, VaultIndex, find_links, fold, rewrite_target
from notefix.mojibake import repair
from notefix.settings import DEFAULT, Settings


@dataclass(frozen=True, slots=True)
class SkippedRename:
    """A repair of a name that was found but not planned, and why (collision, doubt...)."""

    old_rel: str
    wanted_rel: str
    reason: str


@dataclass(frozen=True, slots=True)
class RenamePlan:
    """The renames of one vault, in an order that can be applied one after the other.

    Children come before their parents, so every ``old_rel`` names an existing path at
    the moment its rename is applied (its parent folders still carry their old names).
    Undo applies the inverse renames in reverse order.
    """

    renames: tuple[Rename, ...] = ()
    skipped: tuple[SkippedRename, ...] = ()
    evidence: Mapping[str, int] = field(default_factory=dict)
    """How many names of the vault each code path explains (codec name -> count)."""
    majority: str | None = None
    """The code path that explains a clear majority of the vault's mangled names."""

    def new_path(self, old_rel: str) -> str:
        """Where the file or folder at ``old_rel`` (a path before any rename) ends up."""
        names = {r.old_rel: r.new_rel.rsplit("/", 1)[-1] for r in self.renames}
        parts = old_rel.split("/")
        return "/".join(names.get("/".join(parts[: i + 1]), part) for i, part in enumerate(parts))

    def mapping(self, old_paths: Iterable[str]) -> dict[str, str]:
        """Each of ``old_paths`` and where it ends up."""
        return {p: self.new_path(p) for p in old_paths}


class NoteTexts(Protocol):
    """What ``plan_vault`` needs of a note's content fix (``notefix.notes.NoteFix`` fits)."""

    @property
    def text_before(self) -> str: ...

    @property
    def text_after(self) -> str: ...

    @property
    def edits(self) -> tuple[Edit, ...]: ...


@dataclass(frozen=True, slots=True)
class VaultPlan:
    renames: RenamePlan
    link_edits: Mapping[str, tuple[Edit, ...]]
    """Per note (keyed by its path before the renames): edits over the note's
    ``text_after``, for ``NoteFix.with_edits``. Notes that need none are absent."""


# --- names ---------------------------------------------------------------------------

# Code pages names are misread as: the UTF-8 bytes of a name decoded by one of these.
# The OEM pages are what unzip tools use for ZIP entries without the UTF-8 flag; the
# Windows pages are what sync tools and old APIs use. Order breaks ties in evidence.
NAME_CODECS = (
    "sloppy-windows-1252",
    "cp437",
    "cp850",
    "cp866",
    "sloppy-windows-1251",
    "sloppy-windows-1250",
    "sloppy-windows-1253",
    "sloppy-windows-1254",
    "sloppy-windows-1257",
    "latin-1",
    "iso-8859-2",
    "mac-roman",
)
_MAX_LAYERS = 3
# Characters Windows forbids in names; '/' and NUL are forbidden everywhere.
_FORBIDDEN = frozenset('<>:"/\\|?*')
_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)]
)
_MAX_NAME_BYTES = 255
# A majority is clear when it explains this share of the names any code path explains.
_CLEAR_SHARE = 0.6


def _script(ch: str) -> str:
    """A character's script, as the first word of its Unicode name (LATIN, CYRILLIC, ...)."""
    return str(unicodedata2.name(ch, "?")).split(" ", 1)[0]


def oddness(name: str) -> int:
    """How much ``name`` looks like mojibake: symbols, punctuation and controls outside
    ASCII, letters of one word switching script, and case flipping inside a word at a
    non-ASCII letter (``StraÃŸe``, ``Ãœber``, ``РїСЂРёРІРµС‚``). Clean names score 0 or
    close; a code page's reading of a UTF-8 name scores about one per character it
    mangled."""
    score = 0
    prev: str | None = None
    prev_case = ""
    prev_ascii = True
    for ch in name:
        cat = unicodedata2.category(ch)
        if ch.isascii() and not ch.isalpha():
            prev, prev_case = None, ""
            continue
        if ch.isascii() or cat[0] == "L":
            script = "LATIN" if ch.isascii() else _script(ch)
            if prev is not None and script != prev:
                score += 1
            case = cat if cat in ("Lu", "Ll") else ""
            # Lowercase to uppercase inside a word, or an uppercase non-ASCII letter before
            # a lowercase one, with a non-ASCII letter involved: the shape of byte pairs.
            flip = (prev_case, case) == ("Ll", "Lu") or (
                (prev_case, case) == ("Lu", "Ll") and not ch.isascii() and not prev_ascii
            )
            if flip and not (ch.isascii() and prev_ascii):
                score += 1
            prev, prev_case, prev_ascii = script, case, ch.isascii()
        elif cat[0] == "M":
            continue
        elif cat[0] == "C":
            score += 2
            prev, prev_case = None, ""
        elif cat != "Nd":
            score += 1
            prev, prev_case = None, ""
    return score


def explanations(name: str) -> dict[str, str]:
    """For each code path that explains ``name`` exactly (its characters encode in the
    code page, and those bytes are valid UTF-8), the name it gives back. Layers of the
    same misreading are peeled while they keep explaining."""
    out: dict[str, str] = {}
    for codec in NAME_CODECS:
        text = name
        for _ in range(_MAX_LAYERS):
            try:
                peeled = text.encode(codec).decode("utf-8")
            except UnicodeError:
                break
            if peeled == text:
                break
            text = peeled
        if text != name:
            out[codec] = unicodedata.normalize("NFC", text)
    return out


def name_problem(old: str, new: str) -> str | None:
    """Why ``new`` cannot replace ``old`` on some file system, if it cannot."""
    for ch in set(new):
        if (ch in _FORBIDDEN or unicodedata2.category(ch) == "Cc") and ch not in old:
            return f"{new!r} would contain {ch!r}, which some file systems forbid"
    if new.endswith((".", " ")) and not old.endswith((".", " ")):
        return f"{new!r} would end with a dot or space, which Windows drops"
    stem = new.split(".", 1)[0].upper()
    if stem in _RESERVED and old.split(".", 1)[0].upper() != stem:
        return f"{new!r} is a reserved name on Windows"
    if len(new.encode("utf-8")) > _MAX_NAME_BYTES:
        return f"{new!r} is longer than {_MAX_NAME_BYTES} bytes"
    if not new.strip():
        return "the repaired name is empty"
    return None


@dataclass(frozen=True, slots=True)
class _Choice:
    name: str
    reason: str
    confidence: float


def _hidden(path: str) -> bool:
    # Dot folders hold app state (.obsidian, .git, .trash): never renamed, never entered.
    return any(part.startswith(".") for part in path.split("/"))


def _nodes(rel_paths: Iterable[str]) -> set[str]:
    nodes: set[str] = set()
    for path in rel_paths:
        parts = [p for p in path.strip("/").split("/") if p]
        for i in range(len(parts)):
            nodes.add("/".join(parts[: i + 1]))
    return nodes


def _vote(names: Iterable[str]) -> tuple[dict[str, int], str | None, bool]:
    """Which code path explains the vault's names: counts, the majority, whether clear."""
    votes: dict[str, int] = dict.fromkeys(NAME_CODECS, 0)
    voters = 0
    for name in names:
        found = {
            codec for codec, fixed in explanations(name).items() if oddness(fixed) < oddness(name)
        }
        if found:
            voters += 1
            for codec in found:
                votes[codec] += 1
    counts = {c: n for c, n in votes.items() if n}
    if not counts:
        return counts, None, False
    best = max(NAME_CODECS, key=lambda c: (votes[c], -NAME_CODECS.index(c)))
    clear = votes[best] >= 2 and votes[best] >= _CLEAR_SHARE * voters
    return counts, best, clear


def _choose(
    name: str, majority: str | None, clear: bool, evidence: Mapping[str, int], settings: Settings
) -> _Choice | SkippedRename | None:
    """The repaired name for ``name``, weighing the engine's verdict on the name alone
    against the code path that explains the rest of the vault.

    A reading must make the name look less like mojibake (``oddness``), unless the
    engine and a clear vault majority both choose it: a short clean word is often valid
    UTF-8 by accident under some code page (Russian ``сан`` under cp866), and a short
    name gives the engine little to judge by."""
    odd = oddness(name)
    readings = explanations(name)
    better = {c: fixed for c, fixed in readings.items() if oddness(fixed) < odd}
    fixed_by_engine: str | None = None
    engine_confidence = 1.0
    result = repair(name, settings)
    if result.changed:
        fixed_by_engine = unicodedata.normalize("NFC", result.text)
        engine_confidence = min(e.confidence for e in result.edits)
    share = f"{evidence.get(majority or '', 0)} names in the vault"
    by_majority = readings.get(majority) if majority else None
    if by_majority is not None:
        if by_majority == fixed_by_engine and (clear or majority in better):
            return _Choice(by_majority, f"utf-8 read as {majority} ({share})", 1.0)
        if clear and majority in better:
            return _Choice(by_majority, f"utf-8 read as {majority} (vault evidence: {share})", 0.9)
    distinct = set(better.values())
    if fixed_by_engine is not None and oddness(fixed_by_engine) < odd:
        engine_paths = [c for c, fixed in better.items() if fixed == fixed_by_engine]
        if engine_paths:
            if clear and len(distinct) > 1:
                return SkippedRename(
                    name,
                    fixed_by_engine,
                    f"reads as {engine_paths[0]}, but most names of the vault read as "
                    f"{majority} and that reading is not the only one",
                )
            confidence = 0.8 if clear else 0.9
            return _Choice(fixed_by_engine, f"utf-8 read as {engine_paths[0]}", confidence)
        reasons = "; ".join(dict.fromkeys(e.reason for e in result.edits))
        if engine_confidence >= 0.9:
            return _Choice(fixed_by_engine, reasons, engine_confidence * 0.9)
        return SkippedRename(
            name, fixed_by_engine, f"uncertain repair ({reasons}, {engine_confidence:.2f})"
        )
    if len(distinct) == 1:
        (only,) = distinct
        codec = next(iter(better))
        # With no majority to lean on, one reading alone must be striking: it removes
        # several mojibake marks and leaves none.
        if oddness(only) == 0 and odd >= 2:
            return _Choice(only, f"utf-8 read as {codec} (the only reading)", 0.8)
    return None


def plan_renames(rel_paths: Sequence[str], settings: Settings = DEFAULT) -> RenamePlan:
    """Repair mojibake (and NFD) in every file and folder name of ``rel_paths``.

    ``rel_paths`` lists the files (and optionally folders) under the root; folders are
    also taken from the files' parents. Nothing when ``settings.rename`` is off.
    """
    if not settings.rename:
        return RenamePlan()
    nodes = _nodes(rel_paths)
    visible = sorted(n for n in nodes if not _hidden(n))
    evidence, majority, clear = _vote(n.rsplit("/", 1)[-1] for n in visible)

    wanted: dict[str, _Choice] = {}
    skipped: list[SkippedRename] = []
    for node in visible:
        parent, _, name = node.rpartition("/")
        choice = _choose(name, majority, clear, evidence, settings)
        if choice is None and settings.nfc and unicodedata.normalize("NFC", name) != name:
            choice = _Choice(unicodedata.normalize("NFC", name), "NFC", 1.0)
        if choice is None:
            continue
        if isinstance(choice, SkippedRename):
            wanted_rel = f"{parent}/{choice.wanted_rel}" if parent else choice.wanted_rel
            skipped.append(SkippedRename(node, wanted_rel, choice.reason))
            continue
        new_rel = f"{parent}/{choice.name}" if parent else choice.name
        if problem := name_problem(name, choice.name):
            skipped.append(SkippedRename(node, new_rel, problem))
            continue
        wanted[node] = choice

    # Collisions, judged the way a case-insensitive, normalizing file system would.
    siblings: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for node in nodes:
        parent, _, name = node.rpartition("/")
        siblings[parent][fold(name)].append(node)
    claims: dict[tuple[str, str], list[str]] = defaultdict(list)
    for node, choice in wanted.items():
        claims[(node.rpartition("/")[0], fold(choice.name))].append(node)
    renames: list[Rename] = []
    for node, choice in wanted.items():
        parent, _, name = node.rpartition("/")
        new_rel = f"{parent}/{choice.name}" if parent else choice.name
        key = fold(choice.name)
        there = [n for n in siblings[parent].get(key, ()) if n != node]
        rivals = [n for n in claims[(parent, key)] if n != node]
        if there:
            skipped.append(SkippedRename(node, new_rel, f"{there[0]} already exists"))
        elif rivals:
            skipped.append(
                SkippedRename(node, new_rel, f"{rivals[0]} would be renamed to the same name")
            )
        else:
            renames.append(Rename(node, new_rel, choice.reason, choice.confidence))
    renames.sort(key=lambda r: (-r.old_rel.count("/"), r.old_rel))
    skipped.sort(key=lambda s: s.old_rel)
    return RenamePlan(tuple(renames), tuple(skipped), evidence, majority if clear else None)


# --- links ---------------------------------------------------------------------------


_Span = tuple[int, int, int, Edit]
"""An edit's replacement's start and end in the repaired text, how far the text before
it has moved (repaired minus original), and the edit."""


def _spans_after(edits: Sequence[Edit]) -> tuple[list[_Span], int]:
    """The ``_Span`` of each edit in order, and how far the text after the last one has
    moved."""
    out = []
    delta = 0
    for edit in plan(edits):
        out_start = edit.start + delta
        out.append((out_start, out_start + len(edit.replacement), delta, edit))
        delta += len(edit.replacement) - (edit.end - edit.start)
    return out, delta


def _before_offset(pos: int, shifts: tuple[list[_Span], int], *, end: bool) -> int:
    """Where offset ``pos`` of the repaired text was in the text before the edits
    (``shifts``: ``_spans_after`` of them)."""
    spans, moved = shifts
    for out_start, out_end, delta, edit in spans:
        if pos < out_start or (pos == out_start and not end):
            return pos - delta
        if pos < out_end or (pos == out_end and end):
            return edit.end if end else edit.start
    return pos - moved


def _pair(links_after: list[Link], links_before: list[Link], edits: Sequence[Edit]) -> list[Link]:
    """For each link of the repaired text, the link it was before the content repair."""
    shifts = _spans_after(edits)
    paired: list[Link] = []
    for link in links_after:
        start = _before_offset(link.start, shifts, end=False)
        stop = _before_offset(link.end, shifts, end=True)
        best, overlap = link, 0
        for old in links_before:
            shared = min(stop, old.end) - max(start, old.start)
            if old.kind == link.kind and shared > overlap:
                best, overlap = old, shared
        paired.append(best)
    return paired


class _Vault:
    """The vault before and after the renames, for link resolution and repair."""

    def __init__(self, renames: RenamePlan, all_paths: Sequence[str]) -> None:
        self.renames = renames
        self.before = VaultIndex(all_paths)
        self.after = VaultIndex(renames.new_path(p) for p in all_paths)
        self.majority = renames.majority

    def readings(self, target: str) -> list[str]:
        """Other spellings the target may have had: repaired, or mangled the vault's way."""
        out = [fixed for fixed in explanations(target).values() if oddness(fixed) < oddness(target)]
        if self.majority:
            with contextlib.suppress(UnicodeError):
                out.append(target.encode("utf-8").decode(self.majority))
        return [t for t in dict.fromkeys(out) if t != target]


def _intended(link: Link, before: Link, note_rel: str, vault: _Vault) -> str | None:
    """The file (path before the renames) that ``link`` should lead to."""
    for candidate in (before, link):
        if (dest := vault.before.resolve(candidate, note_rel)) is not None:
            return dest
    new_note = vault.renames.new_path(note_rel)
    if vault.after.resolve(link, new_note) is not None:
        return None  # broken before, resolves now: the renames mended it
    for spelling in vault.readings(link.target):
        guess = replace(link, target=spelling)
        if (dest := vault.before.resolve(guess, note_rel)) is not None:
            return dest
    return None


def link_edits(
    note_text: str,
    note_rel: str,
    renames: RenamePlan,
    all_paths: Sequence[str],
    text_before: str | None = None,
    content_edits: Sequence[Edit] = (),
) -> tuple[Edit, ...]:
    """Edits over ``note_text`` so every link that resolved before still resolves after.

    ``note_text`` is the note after content repair; ``text_before`` and
    ``content_edits`` (edits over ``text_before`` that made ``note_text``) tell which
    file each link pointed at before the repair. ``note_rel`` and ``all_paths`` are paths
    before the renames. Links broken only by mojibake (in the link or in the name) are
    pointed at the file they meant.
    """
    return _link_edits(note_text, note_rel, _vault(renames, all_paths), text_before, content_edits)


# A command calls link_edits once per note with the same plan and path list; indexing the
# vault once per note would make a run quadratic in the vault's size.
_LAST: list[tuple[RenamePlan, Sequence[str], _Vault]] = []


def _vault(renames: RenamePlan, all_paths: Sequence[str]) -> _Vault:
    if _LAST and _LAST[0][0] is renames and _LAST[0][1] is all_paths:
        return _LAST[0][2]
    built = _Vault(renames, all_paths)
    _LAST[:] = [(renames, all_paths, built)]
    return built


def _link_edits(
    note_text: str,
    note_rel: str,
    vault: _Vault,
    text_before: str | None,
    content_edits: Sequence[Edit],
) -> tuple[Edit, ...]:
    links = find_links(note_text)
    if not links:
        return ()
    befores = links if text_before is None else find_links(text_before)
    paired = _pair(links, befores, content_edits) if text_before is not None else links
    new_note = vault.renames.new_path(note_rel)
    out: list[Edit] = []
    for link, before in zip(links, paired, strict=True):
        old_dest = _intended(link, before, note_rel, vault)
        if old_dest is None:
            continue
        dest = vault.renames.new_path(old_dest)
        if vault.after.resolve(link, new_note) == dest:
            continue
        how = "name"
        if before.kind == "markdown":
            how = vault.before.resolve_markdown(before.target, note_rel)[1]
            if vault.before.resolve(before, note_rel) is None:
                how = vault.before.resolve_markdown(link.target, note_rel)[1]
        text = rewrite_target(link, new_note, dest, vault.after, how)
        if text != note_text[link.target_start : link.target_end]:
            out.append(
                Edit(
                    link.target_start,
                    link.target_end,
                    text,
                    f"link follows {old_dest} -> {dest}" if dest != old_dest else f"link to {dest}",
                )
            )
    return plan(out)


def plan_vault(
    rel_paths: Sequence[str],
    notes: Mapping[str, NoteTexts],
    settings: Settings = DEFAULT,
) -> VaultPlan:
    """The renames of the vault and, per note in ``notes``, the link edits they need.

    ``rel_paths`` lists every file under the root (notes and attachments); ``notes``
    holds the content fix of each note whose links should be kept (keyed by path)."""
    renames = plan_renames(rel_paths, settings)
    vault = _Vault(renames, rel_paths)
    edits: dict[str, tuple[Edit, ...]] = {}
    for rel, fix in notes.items():
        found = _link_edits(fix.text_after, rel, vault, fix.text_before, fix.edits)
        if found:
            edits[rel] = found
    return VaultPlan(renames, edits)
