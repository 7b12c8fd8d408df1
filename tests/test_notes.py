"""Notes on disk: decoding, byte-exact writing, region rules and frontmatter checks."""

from __future__ import annotations

import codecs
import tomllib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from tests.strategies import mangle, note_text

import notefix.mojibake
import notefix.unicode
from notefix.edits import Edit, Repair, apply_edits
from notefix.markdown import frontmatter, regions
from notefix.notes import (
    NoteError,
    NoteFix,
    check_frontmatter,
    filter_edits,
    fix_note,
    normalize_kinds,
    read_note,
    repair_kinds,
)
from notefix.settings import DEFAULT, Settings

# --- a stand-in fixer, so the pipeline is tested apart from the engine ----------------

FIXES = {mangle(word, "sloppy-windows-1252"): word for word in ("café", "Zoë", "naïve", "🙂")}


def fake_repair(text: str, settings: Settings = DEFAULT) -> Repair:
    """Repairs every known mangled word, wherever it is (code and URLs included)."""
    edits = []
    for bad, good in FIXES.items():
        pos = text.find(bad)
        while pos >= 0:
            edits.append(Edit(pos, pos + len(bad), good, "test: utf-8 read as cp1252"))
            pos = text.find(bad, pos + len(bad))
    edits.sort(key=lambda e: e.start)
    return Repair(apply_edits(text, edits), tuple(edits))


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(notefix.mojibake, "repair", fake_repair)
    monkeypatch.setattr(notefix.unicode, "normalize", lambda text, settings=None: Repair(text))


def bad(word: str) -> str:
    return next(k for k, v in FIXES.items() if v == word)


def unchanged_outside(before: bytes, after: bytes, prefix: int, suffix: int) -> bool:
    return (
        before[:prefix] == after[:prefix]
        and before[len(before) - suffix :] == after[len(after) - suffix :]
    )


# --- reading -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "encoding", "text"),
    [
        (b"plain\n", "utf-8", "plain\n"),
        (codecs.BOM_UTF8 + "bom é".encode(), "utf-8-sig", "bom é"),
        (codecs.BOM_UTF16_LE + "ü16".encode("utf-16-le"), "utf-16-le", "ü16"),
        (codecs.BOM_UTF16_BE + "ü16🙂".encode("utf-16-be"), "utf-16-be", "ü16🙂"),
        (codecs.BOM_UTF32_LE + "ü32".encode("utf-32-le"), "utf-32-le", "ü32"),
        (codecs.BOM_UTF32_BE + "ü32".encode("utf-32-be"), "utf-32-be", "ü32"),
        (b"", "utf-8", ""),
    ],
)
def test_unicode_encodings_are_read_and_encode_back_exactly(
    data: bytes, encoding: str, text: str
) -> None:
    note = read_note(data)
    assert (note.encoding, note.text) == (encoding, text)
    assert note.encode(note.text) == data


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("---\ntitle: Café crème\n---\nÜber naïve façade, jalapeño señor — “déjà vu”.\n", "cp1252"),
        ("---\ntitle: Привет\n---\nЭто простая заметка на русском языке.\r\n", "cp1251"),
        ("Příliš žluťoučký kůň úpěl ďábelské ódy.\n", "cp1250"),
        ("Καλημέρα κόσμε, αυτή είναι μια σημείωση.\n", "cp1253"),
        # Holds mojibake too; ISO 8859-15 reads it as well but cp1252 is the likelier.
        ("Le café est fermé.\n" + mangle("Une crème brûlée", "sloppy-windows-1252"), "cp1252"),
    ],
)
def test_legacy_code_pages_are_detected(text: str, codec: str) -> None:
    note = read_note(text.encode(codec))
    assert note.text == text
    assert note.legacy
    assert note.encode(note.text) == text.encode(codec)


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
        (b"text\x00with a NUL", "NUL"),
        (codecs.BOM_UTF16_LE + b"\x00\xd8", "utf-16-le"),
        (bytes(range(1, 9)) * 20, "control characters"),
    ],
)
def test_binary_and_broken_data_is_refused_with_a_reason(data: bytes, why: str) -> None:
    with pytest.raises(NoteError, match=why):
        read_note(data)
    fix = fix_note(data)
    assert fix.skipped is not None and why in fix.skipped
    assert fix.data == data and not fix.changed
    with pytest.raises(NoteError):
        fix.with_edits([Edit(0, 0, "x", "test")])


def test_newline_facts() -> None:
    assert read_note(b"a\r\nb\r\n").newline == "\r\n"
    assert read_note(b"a\nb\r\nc").newline == "mixed"
    assert read_note(b"a\rb").newline == "\r"
    note = read_note(b"no newline")
    assert note.newline == "" and not note.final_newline


# --- byte-exact fixing ---------------------------------------------------------------

STORAGE = [
    pytest.param(lambda t: t.replace("\n", "\r\n").encode(), id="crlf"),
    pytest.param(lambda t: t.replace("\n", "\r\n", 2).encode(), id="mixed"),
    pytest.param(lambda t: t.rstrip("\n").encode(), id="no-final-newline"),
    # PyYAML refuses a tab after "key:", so the tab goes on body lines only.
    pytest.param(
        lambda t: t.replace("\n", "  \n").replace("line  ", "line \t").encode(),
        id="trailing-space-tab",
    ),
    pytest.param(lambda t: codecs.BOM_UTF8 + t.encode(), id="utf-8-bom"),
    pytest.param(lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"), id="utf-16-le"),
    pytest.param(lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"), id="utf-16-be"),
]

NOTE = (
    "---\ntitle: {cafe} note\ntags:\n  - x\n---\n# Zoë\n\ntext with {cafe} and {smile}\nlast line\n"
)


@pytest.mark.usefixtures("fake_engine")
@pytest.mark.parametrize("store", STORAGE)
def test_only_the_edited_bytes_change(store: Callable[[str], bytes]) -> None:
    broken = store(NOTE.format(cafe=bad("café"), smile=bad("🙂")))
    wanted = store(NOTE.format(cafe="café", smile="🙂"))
    fix = fix_note(broken)
    assert fix.skipped is None
    assert fix.data == wanted
    assert fix.encoding_after == fix.encoding_before
    assert apply_edits(fix.text_before, fix.edits) == fix.text_after


@pytest.mark.parametrize("store", STORAGE)
def test_clean_notes_come_back_byte_identical(store: Callable[[str], bytes]) -> None:
    data = store(NOTE.format(cafe="café", smile="🙂"))
    fix = fix_note(data)
    assert fix.data == data and not fix.edits and fix.skipped is None


@pytest.mark.usefixtures("fake_engine")
def test_legacy_note_is_converted_to_utf8_when_fixed() -> None:
    text = "Crème brûlée, déjà vu et naïveté française.\nEt aussi: {cafe}\n"
    data = text.format(cafe=bad("café")).encode("cp1252")
    fix = fix_note(data)
    assert fix.encoding_before == "cp1252" and fix.encoding_after == "utf-8"
    assert fix.data == text.format(cafe="café").encode("utf-8")


@pytest.mark.usefixtures("fake_engine")
def test_legacy_note_stays_in_its_code_page_without_conversion() -> None:
    text = "Crème brûlée, déjà vu et naïveté française.\nEt aussi: {cafe}\n"
    data = text.format(cafe=bad("café")).encode("cp1252")
    fix = fix_note(data, Settings(convert_to_utf8=False))
    assert fix.encoding_after == "cp1252"
    assert fix.data == text.format(cafe="café").encode("cp1252")
    # An emoji has no place in cp1252: the fix is skipped, nothing lost.
    data = (text.format(cafe=bad("café")) + bad("🙂")).encode("cp1252")
    fix = fix_note(data, Settings(convert_to_utf8=False))
    assert fix.skipped is not None and "cp1252" in fix.skipped
    assert fix.data == data


def test_legacy_clean_note_is_not_converted() -> None:
    data = "Привет, это обычная заметка на русском языке.\n".encode("cp1251")
    fix = fix_note(data)
    assert fix.data == data and fix.encoding_after == "cp1251"


# --- where fixes may act -------------------------------------------------------------


def test_repair_acts_in_urls_and_link_targets_but_normalization_does_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def nfc_everywhere(text: str, settings: Settings = DEFAULT) -> Repair:
        edits = []
        pos = text.find("e\u0301")
        while pos >= 0:
            edits.append(Edit(pos, pos + 2, "é", "test: NFC"))
            pos = text.find("e\u0301", pos + 2)
        return Repair(apply_edits(text, edits), tuple(edits))

    monkeypatch.setattr(notefix.mojibake, "repair", fake_repair)
    monkeypatch.setattr(notefix.unicode, "normalize", nfc_everywhere)
    cafe, nfd = bad("café"), "cafe\u0301"
    text = f"[[{cafe}|{nfd}]] [[{nfd}]] [x](https://e.org/{cafe}/{nfd}) {nfd} {cafe}\n"
    fix = fix_note(text.encode())
    assert fix.text_after == (f"[[café|café]] [[{nfd}]] [x](https://e.org/café/{nfd}) café café\n")
    assert fix.held_back == ()


@pytest.mark.usefixtures("fake_engine")
def test_code_is_repaired_only_when_repair_code_is_on() -> None:
    cafe = bad("café")
    text = f"`{cafe}`\n\n```\n{cafe}\n```\n\n    {cafe}\n\n{cafe}\n"
    on = fix_note(text.encode(), Settings(repair_code=True))
    assert on.text_after.count("café") == 4
    off = fix_note(text.encode(), Settings(repair_code=False))
    assert off.text_after.count("café") == 1
    assert len(off.held_back) == 3 and all("code" in e.reason for e in off.held_back)


def test_an_edit_straddling_into_a_forbidden_region_is_held_back_whole() -> None:
    text = "see https://x.org/a now"
    start = text.index("org")
    edits = [Edit(start, start + 8, "X", "test")]
    kept, held = filter_edits(text, edits, normalize_kinds(Settings()))
    assert kept == () and len(held) == 1 and "url" in held[0].reason
    text = "`code` prose"
    edits = [Edit(3, 9, "X", "test")]
    kept, held = filter_edits(text, edits, repair_kinds(Settings(repair_code=False)))
    assert kept == () and "code" in held[0].reason


def test_an_insertion_at_the_edge_of_a_url_is_held_back() -> None:
    text = "[t](https://x.org)"
    at = text.index("https")
    kinds = normalize_kinds(Settings())
    assert filter_edits(text, [Edit(at, at, "é", "test")], kinds)[0] == ()
    assert filter_edits(text, [Edit(1, 1, "é", "test")], kinds)[0] != ()


# --- frontmatter ---------------------------------------------------------------------


@pytest.mark.usefixtures("fake_engine")
def test_yaml_comments_quotes_and_order_survive_a_fix() -> None:
    cafe = bad("café")
    text = (
        f"---\n# {cafe} comment\ntitle: \"{cafe} \\u00e9\"  # keep\nalias: '{cafe}'\n"
        f"zeta: NO\nalpha: {cafe}\ndate: 2024-01-02\n---\nbody\n"
    )
    fix = fix_note(text.encode())
    assert fix.skipped is None
    assert fix.text_after == text.replace(cafe, "café")
    before = yaml.safe_load(text.split("---\n")[1])
    after = yaml.safe_load(fix.text_after.split("---\n")[1])
    assert list(before) == list(after)
    assert after["zeta"] is False and after["title"] == "café é"


@pytest.mark.usefixtures("fake_engine")
def test_yaml_keys_are_not_repaired() -> None:
    cafe = bad("café")
    text = f"---\n{cafe}: value {cafe}\n---\n"
    fix = fix_note(text.encode())
    assert fix.text_after == f"---\n{cafe}: value café\n---\n"
    assert any("frontmatter-syntax" in e.reason for e in fix.held_back)


def test_a_quote_put_into_a_quoted_scalar_skips_the_note() -> None:
    text = '---\ntitle: "a b"\n---\nbody\n'
    at = text.index("a b") + 1
    edits = [Edit(at, at + 1, '"', "test")]
    problem = check_frontmatter(text, apply_edits(text, edits), edits)
    assert problem is not None and "'\"'" in problem


def test_a_colon_that_would_make_a_mapping_skips_the_note() -> None:
    text = "---\ntitle: a b\n---\n"
    at = text.index("a b") + 1
    edits = [Edit(at, at + 1, ": ", "test")]
    assert check_frontmatter(text, apply_edits(text, edits), edits) is not None


def test_a_type_change_is_refused() -> None:
    text = "---\nn: 12\n---\n"
    at = text.index("12")
    edits = [Edit(at, at + 2, "twelve", "test")]
    problem = check_frontmatter(text, apply_edits(text, edits), edits)
    assert problem is not None


@pytest.mark.usefixtures("fake_engine")
def test_toml_frontmatter_values_are_repaired_keys_are_not() -> None:
    cafe = bad("café")
    text = f'+++\ntitle = "{cafe}"\n"{cafe}" = 1\ntags = ["{cafe}", \'{cafe}\']\n+++\nbody\n'
    fix = fix_note(text.encode())
    assert fix.skipped is None
    fm = frontmatter(fix.text_after)
    assert fm is not None
    data = tomllib.loads(fix.text_after[fm.body_start : fm.body_end])
    assert data == {"title": "café", cafe: 1, "tags": ["café", "café"]}


@pytest.mark.usefixtures("fake_engine")
def test_unparsable_yaml_is_left_alone_and_the_body_fixed() -> None:
    cafe = bad("café")
    text = f"---\ntitle: [{cafe}\n---\n{cafe}\n"
    fix = fix_note(text.encode())
    assert fix.text_after == f"---\ntitle: [{cafe}\n---\ncafé\n"


# --- with_edits ----------------------------------------------------------------------


@pytest.mark.usefixtures("fake_engine")
def test_with_edits_composes_over_the_fixed_text() -> None:
    cafe = bad("café")
    text = f"---\ntitle: {cafe}\n---\nlink [[Old name]] {cafe}\r\n"
    data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    fix = fix_note(data)
    at = fix.text_after.index("Old name")
    more = fix.with_edits([Edit(at, at + 3, "New", "link follows a rename")])
    want = text.replace(cafe, "café").replace("Old name", "New name")
    assert more.text_after == want
    assert more.data == codecs.BOM_UTF16_LE + want.encode("utf-16-le")
    assert apply_edits(more.text_before, more.edits) == want


def test_with_edits_refuses_to_break_frontmatter() -> None:
    fix = fix_note(b"---\ntitle: x\n---\n")
    with pytest.raises(NoteError):
        fix.with_edits([Edit(0, 3, "--", "test")])


# --- property: bytes outside edits, frontmatter keys --------------------------------


def byte_offsets(text: str, codec: str) -> list[int]:
    out = [0]
    for ch in text:
        out.append(out[-1] + len(ch.encode(codec)))
    return out


@st.composite
def notes_with_edits(draw: st.DrawFn) -> tuple[bytes, list[Edit]]:
    keys = draw(st.lists(st.sampled_from(["title", "aliases", "tags", "date", "n"]), unique=True))
    lines = []
    for key in keys:
        value = draw(note_text()).replace("\n", " ").strip() or "x"
        style = draw(st.sampled_from(["plain", "double", "single", "list"]))
        if style == "double":
            lines.append(f'{key}: "{value.replace(chr(34), "").replace(chr(92), "")}"')
        elif style == "single":
            lines.append(f"{key}: '{value.replace(chr(39), chr(39) * 2)}'")
        elif style == "list":
            lines.append(f"{key}:\n  - item {key}\n  - other")
        else:
            lines.append(f"{key}: word {len(value)}")
    body = draw(note_text())
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = ("---\n" + "\n".join(lines) + "\n---\n" + body).replace("\n", newline)
    if yaml_unparsable(text):
        text = body
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16-le", "utf-16-be"]))
    from notefix.notes import encode_text

    data = encode_text(text, encoding)
    allowed = [r for r in regions(text) if r.kind in ("prose", "frontmatter-scalar")]
    edits: list[Edit] = []
    if allowed:
        for region in draw(st.lists(st.sampled_from(allowed), max_size=4, unique=True)):
            a = draw(st.integers(region.start, region.end))
            b = draw(st.integers(a, region.end))
            rep = draw(note_text())
            edits.append(Edit(a, b, rep, "test"))
    return data, edits


def yaml_unparsable(text: str) -> bool:
    fm = frontmatter(text)
    if fm is None:
        return True
    try:
        yaml.safe_load(text[fm.body_start : fm.body_end])
    except yaml.YAMLError:
        return True
    return False


def frontmatter_keys(text: str) -> list[str]:
    fm = frontmatter(text)
    if fm is None:
        return []
    loaded = yaml.safe_load(text[fm.body_start : fm.body_end])
    return list(loaded) if isinstance(loaded, dict) else []


def segments(length: int, edits: Sequence[Edit]) -> Iterator[tuple[int, int]]:
    pos = 0
    for edit in sorted(edits, key=lambda e: e.start):
        yield pos, edit.start
        pos = edit.end
    yield pos, length


@given(notes_with_edits())
def test_bytes_outside_edits_are_kept_and_frontmatter_keys_too(
    case: tuple[bytes, list[Edit]],
) -> None:
    data, edits = case
    base = fix_note(data, Settings(repair=False, normalize=False))
    assert base.data == data
    edits = [e for i, e in enumerate(edits) if all(not overlaps(e, f) for f in edits[:i])]
    try:
        fix = base.with_edits(edits)
    except NoteError:
        return  # refused: the note is left as it was
    codec, bom = {
        "utf-8": ("utf-8", b""),
        "utf-8-sig": ("utf-8", codecs.BOM_UTF8),
        "utf-16-le": ("utf-16-le", codecs.BOM_UTF16_LE),
        "utf-16-be": ("utf-16-be", codecs.BOM_UTF16_BE),
    }[base.encoding_before]
    assert fix.data.startswith(bom)
    old = byte_offsets(fix.text_before, codec)
    new = byte_offsets(fix.text_after, codec)
    shift = 0
    for (start, end), edit in zip(
        segments(len(fix.text_before), edits),
        [*sorted(edits, key=lambda e: e.start), None],
        strict=True,
    ):
        b0, b1 = len(bom) + old[start], len(bom) + old[end]
        n0 = len(bom) + new[start + shift]
        assert fix.data[n0 : n0 + (b1 - b0)] == data[b0:b1]
        if edit is not None:
            shift += len(edit.replacement) - (edit.end - edit.start)
    assert frontmatter_keys(fix.text_after) == frontmatter_keys(fix.text_before)


def overlaps(a: Edit, b: Edit) -> bool:
    if a.start == a.end == b.start == b.end:
        return True
    return a.start < b.end and b.start < a.end


# --- the corpus ----------------------------------------------------------------------


def corpus_notes(root: Path, folder: str) -> list[Path]:
    return sorted(p for p in (root / folder).rglob("*.md") if p.name != "README.md")


def test_every_clean_corpus_note_comes_back_byte_identical(corpus: Path) -> None:
    notes = corpus_notes(corpus, "clean-notes")
    assert len(notes) >= 40
    changed = [str(p.relative_to(corpus)) for p in notes if fix_note(p.read_bytes()).changed]
    assert changed == []


def test_pairs_and_seed_note_change_only_inside_their_edits(corpus: Path) -> None:
    paths = corpus_notes(corpus, "pairs") + corpus_notes(corpus, "seed-note")
    for path in paths:
        data = path.read_bytes()
        fix = fix_note(data)
        assert isinstance(fix, NoteFix)
        assert fix.text_before == data.decode("utf-8")
        assert apply_edits(fix.text_before, fix.edits) == fix.text_after
        if not fix.skipped:
            assert fix.data == fix.text_after.encode("utf-8")
        kinds = repair_kinds(Settings())
        kept, _ = filter_edits(fix.text_before, fix.edits, kinds | {"code"})
        assert len(kept) == len(fix.edits), path.name


def test_seed_note_title_and_aliases_are_restored(corpus: Path) -> None:
    data = (corpus / "seed-note" / "ilya-sutskever-openai.broken.md").read_bytes()
    fix = fix_note(data)
    fm = frontmatter(fix.text_after)
    assert fm is not None and fix.skipped is None
    meta = yaml.safe_load(fix.text_after[fm.body_start : fm.body_end])
    assert meta["title"] == "🤖🧠👁️ Ilya Sutskever, OpenAI"
    assert meta["aliases"] == ["🤖🧠👁️ Ilya Sutskever, OpenAI"]
    # Everything else in the frontmatter is byte for byte what it was.
    original = yaml.safe_load(data.decode()[fm.body_start : fm.body_end].split("---")[0])
    assert list(meta) == list(original)
