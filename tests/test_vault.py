"""Renaming mangled file and folder names, and keeping every link of a vault resolving."""

from __future__ import annotations

import pickle
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
import wordfreq
from hypothesis import assume, given
from hypothesis import strategies as st

import linkcheck
from notefix import journal
from notefix.edits import Edit, Repair, apply_edits
from notefix.mojibake import repair
from notefix.settings import DEFAULT, Settings
from notefix.vault import (
    RenamePlan,
    explanations,
    link_edits,
    name_problem,
    oddness,
    plan_renames,
    plan_vault,
)
from strategies import SCRIPTS, mangle, survives

ZIP = "cp437"  # an archive without the UTF-8 flag, extracted on a Western machine
SYNC = "sloppy-windows-1252"  # a sync tool that reads UTF-8 names as Windows-1252

CLEAN_NAMES = ("Öğrenci notları.md", "笔记.md", "Русский дневник.md")


def vault_files(n: Callable[[str], str]) -> dict[str, bytes]:
    """A vault whose names (every path component) pass through ``n``: notes in nested
    folders, attachments, and one note linking to each of them in every link form.
    Link texts name the files as ``n`` spells them, as a tool writing them would."""

    def path(*parts: str) -> str:
        return "/".join(n(p) for p in parts)

    def enc(p: str) -> str:
        return quote(p, safe="/")

    index = "\n".join(
        [
            "---",
            f'related: "[[{n("Über uns")}]]"',
            "---",
            "# Index",
            f"- [[{n('санузел')}]]",
            f"- [[{n('Проекты')}/{n('Ремонт')}/{n('смета')}|смета]]",
            f"- [[{n('Über uns')}#Kontakt]]",
            f"- [[{n('Straße')}.md]]",
            f"- ![[{n('фото.png')}]]",
            f"- [Lebenslauf]({path('attachments', 'résumé.pdf')})",
            f"- [Café]({enc(n('Café.md'))})",
            f'- ![photo]({enc(path("attachments", "фото.png"))} "photo")',
            f"- [Über]({enc(path('Notes', 'Über uns.md'))}#Kontakt)",
            "- [[Öğrenci notları]] and [[笔记]] and [[Русский дневник|дневник]]",
            "- [site](https://example.com/Caf%C3%A9)",
            "",
        ]
    )
    estimate = f"[back](../{n('санузел')}.md) and [[index]] and ![[{n('фото.png')}|200]]\n"
    return {
        "index.md": index.encode(),
        path("Проекты", "санузел.md"): f"Санузел: [[{n('смета')}]]\n".encode(),
        path("Проекты", "Ремонт", "смета.md"): estimate.encode(),
        path("Notes", "Über uns.md"): b"## Kontakt\n",
        path("Notes", "Straße.md"): f"Straße [[{n('Café')}]]\n".encode(),
        n("Café.md"): "Café\n".encode(),
        path("attachments", "фото.png"): b"\x89PNG\r\n\x1a\n fake",
        path("attachments", "résumé.pdf"): b"%PDF-1.4 fake",
        **{name: f"clean {name}\n".encode() for name in CLEAN_NAMES},
    }


def mangler(codec: str) -> Callable[[str], str]:
    return lambda name: mangle(name, codec)


def write(root: Path, files: Mapping[str, bytes]) -> None:
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and ".notefix" not in p.relative_to(root).parts
    }


@dataclass(frozen=True)
class ContentFix:
    """A note's content fix: by default one that changed nothing."""

    text_before: str
    text_after: str
    edits: tuple[Edit, ...] = ()


def fix_vault(
    root: Path, settings: Settings = DEFAULT, *, content: bool = False
) -> journal.RunRecord:
    """Plan renames and link edits for the vault under ``root`` and commit them; with
    ``content``, after the engine's repair of each note's text."""
    paths = linkcheck.files_under(root)
    notes = {}
    for rel in paths:
        if rel.endswith(".md"):
            text = (root / rel).read_text(encoding="utf-8")
            fixed = repair(text, settings) if content else Repair(text)
            notes[rel] = ContentFix(text, fixed.text, fixed.edits)
    planned = plan_vault(paths, notes, settings)
    changes = [
        journal.FileChange(
            rel,
            notes[rel].text_before.encode(),
            apply_edits(notes[rel].text_after, edits).encode(),
            "utf-8",
            "utf-8",
            edits,
        )
        for rel in notes
        for edits in [planned.link_edits.get(rel, ())]
    ]
    return journal.commit_run(root, changes, settings, renames=planned.renames.renames)


# --- names ---------------------------------------------------------------------------


@pytest.mark.parametrize("codec", [ZIP, SYNC])
def test_mangled_names_in_nested_folders_come_back(tmp_path: Path, codec: str) -> None:
    mangled = vault_files(mangler(codec))
    plan = plan_renames(list(mangled))
    after = {plan.new_path(p) for p in mangled}
    assert after == set(vault_files(str))
    assert plan.majority == codec


def test_cp437_name_from_an_unzip_round_trips() -> None:
    name = mangle("санузел", ZIP)
    assert name == "╤ü╨░╨╜╤â╨╖╨╡╨╗"
    plan = plan_renames([f"{name}/{name}.md"])
    assert plan.new_path(f"{name}/{name}.md") == "санузел/санузел.md"


@pytest.mark.parametrize("codec", [ZIP, SYNC])
def test_clean_non_ascii_names_are_never_renamed(codec: str) -> None:
    plan = plan_renames(list(vault_files(mangler(codec))))
    renamed = {r.old_rel for r in plan.renames}
    assert not renamed & set(CLEAN_NAMES)
    for name in CLEAN_NAMES:
        assert plan.new_path(name) == name


@pytest.mark.parametrize("lang", ["ru", "uk", "tr", "el", "zh", "de", "ja", "ar"])
def test_common_words_as_names_are_never_renamed(lang: str) -> None:
    # Short clean words are often valid UTF-8 by accident under some code page (Russian
    # "сан" under cp866): a vault of them must not vote itself into a misreading.
    names = [unicodedata.normalize("NFC", w) + ".md" for w in wordfreq.top_n_list(lang, 800)]
    assert plan_renames(names).renames == ()


def test_a_clean_vault_gets_no_renames() -> None:
    assert plan_renames(list(vault_files(str))).renames == ()


def test_a_folder_rename_is_one_rename_and_children_come_first() -> None:
    folder = mangle("Проекты", ZIP)
    note = mangle("смета", ZIP) + ".md"
    paths = [f"{folder}/{note}", f"{folder}/plain.md", f"{folder}/other {note}"]
    plan = plan_renames(paths)
    olds = [r.old_rel for r in plan.renames]
    assert olds.count(folder) == 1
    assert f"{folder}/plain.md" not in olds
    assert olds.index(f"{folder}/{note}") < olds.index(folder)
    for r in plan.renames:
        # Only the last component changes, under the parent's name at that moment.
        assert r.old_rel.rpartition("/")[0] == r.new_rel.rpartition("/")[0]
    assert plan.new_path(f"{folder}/plain.md") == "Проекты/plain.md"


def test_existing_name_blocks_the_rename_and_says_why() -> None:
    mangled = mangle("Straße", SYNC) + ".md"
    others = [mangle(w, SYNC) + ".md" for w in ("Café", "Über")]
    plan = plan_renames([f"Notes/{mangled}", "Notes/Straße.md", *others])
    assert plan.new_path(f"Notes/{mangled}") == f"Notes/{mangled}"
    (skip,) = [s for s in plan.skipped if s.old_rel == f"Notes/{mangled}"]
    assert skip.wanted_rel == "Notes/Straße.md"
    assert "Notes/Straße.md" in skip.reason
    assert {plan.new_path(o) for o in others} == {"Café.md", "Über.md"}


def test_names_differing_only_in_case_or_normalization_collide() -> None:
    mangled = mangle("Straße", ZIP) + ".md"
    plan = plan_renames([mangled, "straße.md", mangle("Ремонт", ZIP)])
    assert plan.new_path(mangled) == mangled
    (skip,) = [s for s in plan.skipped if s.old_rel == mangled]
    assert "straße.md" in skip.reason
    mangled = mangle("Café", ZIP) + ".md"
    nfd = unicodedata.normalize("NFD", "café") + ".md"
    plan = plan_renames([mangled, nfd, mangle("Ремонт", ZIP)])
    assert plan.new_path(mangled) == mangled
    assert plan.new_path(mangle("Ремонт", ZIP)) == "Ремонт"


def test_two_names_repairing_to_one_are_both_left() -> None:
    a = mangle("Café", SYNC) + ".md"
    b = mangle(mangle("Café", SYNC), SYNC) + ".md"
    plan = plan_renames([a, b, mangle("Über", SYNC) + ".md"])
    assert plan.new_path(a) == a and plan.new_path(b) == b
    assert {s.old_rel for s in plan.skipped} >= {a, b}


def test_nfd_names_are_written_nfc_unless_nfc_is_off() -> None:
    nfd = unicodedata.normalize("NFD", "Café déjà vu.md")
    assert plan_renames([nfd]).new_path(nfd) == unicodedata.normalize("NFC", nfd)
    assert plan_renames([nfd], Settings(nfc=False)).new_path(nfd) == nfd


def test_renamed_names_are_nfc() -> None:
    mangled = mangle(unicodedata.normalize("NFD", "Émile"), ZIP) + ".md"
    plan = plan_renames([mangled, mangle("Ремонт", ZIP)])
    assert plan.new_path(mangled) == "Émile.md"


def test_repairs_that_would_add_a_forbidden_character_are_refused() -> None:
    assert name_problem("a.md", "a\x85.md") is not None
    assert name_problem("x.md", "a:b.md") is not None
    assert name_problem("xÂ.", "x.") is None  # the dot was already there
    assert name_problem("abc", "ab ") is not None
    assert name_problem("CONÂ.txt", "CON.txt") is not None
    assert name_problem("Ã©t\u00e9.md", "été.md") is None


def test_hidden_folders_are_left_alone() -> None:
    inside = ".obsidian/" + mangle("санузел", ZIP) + ".json"
    plan = plan_renames([inside, mangle("Ремонт", ZIP) + ".md", mangle("смета", ZIP) + ".md"])
    assert plan.new_path(inside) == inside
    assert len(plan.renames) == 2


def test_a_plan_travels_to_worker_processes() -> None:
    plan = plan_renames(list(vault_files(mangler(ZIP))))
    assert pickle.loads(pickle.dumps(plan)) == plan


def test_rename_off_plans_nothing() -> None:
    assert plan_renames(list(vault_files(mangler(ZIP))), Settings(rename=False)) == RenamePlan()


def test_a_name_that_disagrees_with_the_vault_majority_is_not_forced_into_it() -> None:
    # Most names read as cp437; a name cp437 cannot explain keeps its own reading only
    # if nothing else explains it.
    names = [mangle(w, ZIP) + ".md" for w in ("санузел", "смета", "Ремонт", "Über")]
    lone = mangle("Café", SYNC) + ".md"
    plan = plan_renames([*names, lone])
    assert plan.majority == ZIP
    assert {plan.new_path(n) for n in names} == {
        f"{w}.md" for w in ("санузел", "смета", "Ремонт", "Über")
    }
    assert plan.new_path(lone) in (lone, "Café.md")


def test_oddness_scores_mojibake_above_its_repair() -> None:
    for word in ("санузел", "Über uns", "Straße", "Öğrenci", "ελληνικά"):
        for codec in (ZIP, SYNC):
            if survives(word, codec):
                assert oddness(mangle(word, codec)) >= oddness(word)
                assert explanations(mangle(word, codec))[codec] == word


# --- links on disk -------------------------------------------------------------------


@pytest.mark.parametrize("codec", [ZIP, SYNC])
def test_fix_repairs_names_keeps_links_and_undo_restores_every_byte(
    tmp_path: Path, codec: str
) -> None:
    files = vault_files(mangler(codec))
    # A note that existed under the repaired name already: the rename must not clobber it.
    blocker = "Notes/" + ("straße.md" if codec == ZIP else "Straße.md")
    files[blocker] = b"another note\n"
    write(tmp_path, files)
    before = snapshot(tmp_path)
    graph_before = linkcheck.link_graph(tmp_path)
    assert not linkcheck.broken(tmp_path)

    record = fix_vault(tmp_path)

    expected = set(vault_files(str)) - {"Notes/Straße.md"}
    expected |= {blocker, "Notes/" + mangle("Straße", codec) + ".md"}
    assert set(snapshot(tmp_path)) == expected
    assert not linkcheck.broken(tmp_path)
    plan = plan_renames(list(files))
    graph_after = linkcheck.link_graph(tmp_path)
    assert graph_after == {
        plan.new_path(note): [plan.new_path(t) if t else None for t in targets]
        for note, targets in graph_before.items()
    }
    (skip,) = [s for s in plan.skipped if s.old_rel.startswith("Notes/")]
    assert blocker in skip.reason
    assert not record.skipped

    report = journal.undo(tmp_path)
    assert report.complete
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("codec", [ZIP, SYNC])
def test_links_written_before_the_names_were_mangled_resolve_again(
    tmp_path: Path, codec: str
) -> None:
    # An archive of a clean vault: names mangled on extraction, texts untouched.
    files = {mangle_path(p, codec): data for p, data in vault_files(str).items()}
    for name in CLEAN_NAMES:
        files[name] = files.pop(mangle_path(name, codec))
    write(tmp_path, files)
    assert linkcheck.broken(tmp_path)
    fix_vault(tmp_path)
    assert not linkcheck.broken(tmp_path)
    assert set(snapshot(tmp_path)) == set(vault_files(str))


def mangle_path(path: str, codec: str) -> str:
    return "/".join(mangle(p, codec) for p in path.split("/"))


# --- links through a content repair --------------------------------------------------


def content_repair(text: str, codec: str) -> ContentFix:
    """What the content repair does to a note whose link texts were mangled: each
    mangled run of text comes back, as edits over the text."""
    edits = []
    for word in ("Café",):
        bad = mangle(word, codec)
        start = text.find(bad)
        while start != -1:
            edits.append(Edit(start, start + len(bad), word, f"utf-8 read as {codec}"))
            start = text.find(bad, start + len(bad))
    return ContentFix(text, apply_edits(text, edits), tuple(edits))


@pytest.mark.parametrize("rename", [True, False])
def test_a_link_the_content_repair_fixed_follows_the_file(rename: bool) -> None:
    bad = mangle("Café", SYNC)
    paths = ["index.md", f"{bad}.md", mangle("Über", SYNC) + ".md", mangle("Straße", SYNC) + ".md"]
    fix = content_repair(f"see [[{bad}]] and [x]({quote(bad)}.md)\n", SYNC)
    assert fix.text_after == "see [[Café]] and [x](Caf%C3%A9.md)\n" or "[[Café]]" in fix.text_after
    planned = plan_vault(paths, {"index.md": fix}, Settings(rename=rename))
    text = apply_edits(fix.text_after, planned.link_edits.get("index.md", ()))
    final = {planned.renames.new_path(p) for p in paths}
    target = planned.renames.new_path(f"{bad}.md")
    assert target == ("Café.md" if rename else f"{bad}.md")
    for kind, link in linkcheck.links(text):
        assert linkcheck.resolve(kind, link, "index.md", sorted(final)) == target


def test_a_link_broken_only_by_mojibake_in_its_text_now_resolves() -> None:
    # The file has its right name; the link text was mangled and the content repair
    # left it (say, in a table the engine did not trust).
    text = f"[[{mangle('Café', ZIP)}]] and [[{mangle('Ремонт', ZIP)}|r]]\n"
    paths = ["index.md", "Café.md", "Ремонт.md"]
    edits = link_edits(text, "index.md", plan_renames(paths), paths)
    fixed = apply_edits(text, edits)
    resolved = {linkcheck.resolve(k, t, "index.md", paths) for k, t in linkcheck.links(fixed)}
    assert resolved == {"Café.md", "Ремонт.md"}
    assert "|r]]" in fixed


def test_links_inside_code_are_left_as_they_are() -> None:
    bad = mangle("санузел", ZIP)
    paths = ["index.md", f"{bad}.md", mangle("смета", ZIP) + ".md"]
    text = f"`[[{bad}]]`\n\n```\n[[{bad}]]\n```\n[[{bad}]]\n"
    edits = link_edits(text, "index.md", plan_renames(paths), paths)
    assert len(edits) == 0 or all(text[e.start - 2 : e.start] == "[[" for e in edits)
    fixed = apply_edits(text, edits)
    assert fixed.count(f"[[{bad}]]") == 2


# --- the property --------------------------------------------------------------------


@st.composite
def vaults(draw: st.DrawFn) -> tuple[dict[str, str], dict[str, list[tuple[str, str]]]]:
    """Notes (path -> name) in a few folders, and links between them (form, target)."""
    script = draw(st.sampled_from(["latin", "cyrillic", "greek", "cjk"]))
    alphabet = SCRIPTS[script]
    words = draw(
        st.lists(
            st.text(alphabet, min_size=2, max_size=10),
            min_size=2,
            max_size=8,
            unique_by=lambda w: unicodedata.normalize("NFC", w).casefold(),
        )
    )
    words = [unicodedata.normalize("NFC", w) for w in words]
    folder = draw(st.text(alphabet, min_size=2, max_size=8))
    assume(folder.casefold() not in {w.casefold() for w in words})
    notes = {w: (f"{folder}/{w}.md" if i % 2 else f"{w}.md") for i, w in enumerate(words)}
    links: dict[str, list[tuple[str, str]]] = {}
    for w in words:
        links[w] = draw(
            st.lists(
                st.tuples(
                    st.sampled_from(["wiki", "wiki-path", "md", "md-enc"]), st.sampled_from(words)
                ),
                max_size=4,
            )
        )
    return notes, links


def render(
    notes: dict[str, str], links: dict[str, list[tuple[str, str]]], n: Callable[[str], str]
) -> dict[str, str]:
    """The vault's files (path -> text) with every name spelled by ``n``."""
    out = {}
    for word, path in notes.items():
        here = path.rpartition("/")[0]
        lines = []
        for form, target in links[word]:
            dest = notes[target]
            spelled = "/".join(n(p) for p in dest.split("/"))
            rel = "/".join(n(p) for p in relpath(dest, here).split("/"))
            if form == "wiki":
                lines.append(f"[[{n(target)}]]")
            elif form == "wiki-path":
                lines.append(f"[[{spelled[: -len('.md')]}|{target}]]")
            elif form == "md":
                lines.append(f"[{target}](<{rel}>)")
            else:
                lines.append(f"[{target}]({quote(rel)})")
        out["/".join(n(p) for p in path.split("/"))] = "\n".join(lines) + "\n"
    return out


def relpath(dest: str, here: str) -> str:
    import posixpath

    return posixpath.relpath(dest, here or ".")


@given(vaults(), st.sampled_from([ZIP, SYNC]), st.booleans())
def test_fixing_a_mangled_vault_keeps_its_link_graph(
    tmp_path_factory: pytest.TempPathFactory,
    vault: tuple[dict[str, str], dict[str, list[tuple[str, str]]]],
    codec: str,
    content: bool,
) -> None:
    """With ``content``, the engine also repairs the notes' text (and so their mangled
    link texts) before the links are planned: the two repairs must not fight."""
    notes, links = vault
    parts = {p for path in notes.values() for p in path.split("/")}
    assume(all(survives(p, codec) for p in parts))
    # A clean name that some code path reads exactly as another name's mojibake
    # (``ÃŽ`` is cp1252's reading of ``Î``) cannot be told from damage: nothing
    # can promise it back once it is mangled again.
    assume(not any(explanations(p) for p in parts))
    clean = tmp_path_factory.mktemp("clean")
    broken = tmp_path_factory.mktemp("broken")
    write(clean, {p: t.encode() for p, t in render(notes, links, str).items()})
    write(broken, {p: t.encode() for p, t in render(notes, links, mangler(codec)).items()})
    fix_vault(broken, content=content)
    assert not linkcheck.broken(broken)
    # Which note links to which: compare by the note's identity (its clean path).
    spelled = {}
    for path in notes.values():
        for part in path.split("/"):
            spelled[part] = spelled[mangle(part, codec)] = part
    back = {
        path: "/".join(spelled[p] for p in path.split("/"))
        for path in linkcheck.files_under(broken)
    }
    got = {
        back[note]: [back[t] if t else None for t in targets]
        for note, targets in linkcheck.link_graph(broken).items()
    }
    assert got == linkcheck.link_graph(clean)
