"""A note in one single-byte page shown as windows-1252 (or Latin-1) is read back
through its page when its words say so, and only then (ftfy issue #18)."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
import wordfreq
from hypothesis import assume, example, given
from hypothesis import strategies as st

import notefix
from notefix.mojibake import legacy
from strategies import real_text

# Languages and the single-byte page that writes them.
WRITTEN_IN = {
    "ru": "windows-1251",
    "uk": "windows-1251",
    "bg": "windows-1251",
    "el": "windows-1253",
    "cs": "windows-1250",
    "pl": "windows-1250",
    "hu": "windows-1250",
    "lt": "windows-1257",
    "tr": "windows-1254",
}
SHOWN_AS = ("sloppy-windows-1252", "latin-1")
DENSE_LANGUAGES = {"ru", "uk", "bg", "el"}
"""Their notes, shown as windows-1252, are all letters beyond ASCII: always looked at."""


def _shown(text: str, page: str, shown_as: str) -> str | None:
    """``text`` written in ``page`` and read as ``shown_as``; None if ``page`` cannot
    write it."""
    try:
        return text.encode(page).decode(shown_as)
    except UnicodeError:
        return None


def _changed_words(text: str, shown: str) -> int:
    """Distinct words of three letters or more that the misreading changed (a page reads
    each byte as one character, so a word stands at the same place in both)."""
    return len(
        {
            m.group().casefold()
            for m in re.finditer(r"[^\W\d_]{3,}", text)
            if shown[m.start() : m.end()] != m.group()
        }
    )


@functools.cache
def _words(lang: str) -> tuple[str, ...]:
    """The language's frequent words that its page writes."""
    page = WRITTEN_IN[lang]
    return tuple(w for w in wordfreq.top_n_list(lang, 800) if _shown(w, page, "latin-1"))


@functools.cache
def _telling(lang: str) -> tuple[str, ...]:
    """Those of them that windows-1252 shows otherwise (in Hungarian only words with ő
    or ű: drawn from alone, too few notes would show the misreading at all)."""
    page = WRITTEN_IN[lang]
    return tuple(w for w in _words(lang) if _shown(w, page, "latin-1") != w)


@st.composite
def legacy_note(draw: st.DrawFn, lang: str) -> str:
    """A few lines of the language's frequent words, as a note in its page holds them."""
    pieces: list[str] = []
    for _ in range(draw(st.integers(3, 16))):
        word = draw(st.sampled_from(_telling(lang) if draw(st.booleans()) else _words(lang)))
        pieces.append(word.capitalize() if draw(st.integers(0, 5)) == 0 else word)
        pieces.append(draw(st.sampled_from([" ", " ", " ", ", ", ". ", " – ", "\n", "… "])))
    return "".join(pieces)


@pytest.mark.parametrize("lang", sorted(WRITTEN_IN))
@given(data=st.data(), shown_as=st.sampled_from(SHOWN_AS))
def test_a_note_shown_through_the_wrong_page_is_read_through_its_own(
    lang: str, data: st.DataObject, shown_as: str
) -> None:
    text = data.draw(legacy_note(lang))
    page = WRITTEN_IN[lang]
    shown = _shown(text, page, shown_as)
    assert shown is not None
    # Evidence a reader would need too: several words the misreading changed.
    assume(_changed_words(text, shown) >= 3)
    if lang not in DENSE_LANGUAGES:
        # A Latin page's note is looked at only where windows-1252 shows a telltale of it
        # (Turkish ş as þ, Lithuanian š as ð, Polish ł as ³) or it is dense with letters
        # beyond ASCII: Czech shown as windows-1252 may otherwise look like French.
        assume(legacy.suspect(shown))
    result = notefix.repair(shown)
    assert result.text == text
    assert notefix.apply_edits(shown, result.edits) == text
    assert {e.reason for e in result.edits} == {f"{page} read as windows-1252"}


@given(text=real_text(("en", "fr", "de", "es", "pt", "it", "nl", "sv", "da", "fi", "is", "ca")))
# French words whose letters windows-1250 reads as other letters: "très" as "trčs".
@example(text="très bien, à côté de la fenêtre")
def test_text_that_windows_1252_writes_is_left_alone(text: str) -> None:
    assert legacy.edits(text) == []
    assert notefix.fix_text(text) == text


@pytest.mark.parametrize(
    ("shown", "meant"),
    [
        # ftfy issue #28: a radio station's track title, Russian in windows-1251.
        ("ÑÅÊÐÅÒ - Áåñïå÷íûé Åçäîê - 0:00", "СЕКРЕТ - Беспечный Ездок - 0:00"),
        # ftfy issue #156.
        ("Ôèëüòðóþùèé ýëåìåíò", "Фильтрующий элемент"),
        # ё is 0xB8, which windows-1252 shows as a cedilla: the word is not cut there.
        ("Åù¸ îäíà çàìåòêà î ò¸ïëîì ëåòå", "Ещё одна заметка о тёплом лете"),
        # "ñ³¿…" is F1 B3 BF 85, the form of a four-byte UTF-8 sequence, of no character:
        # no UTF-8 mojibake, so "Ðîñ³¿" is a word (Росії).
        ("Ïðî Ðîñ³¿… Çâ'ÿçêó ", "Про Росії… Зв'язку "),
        # One word only Turkish writes (ð is ğ), two that Slovak and Czech write as shown
        # ("takým", "sýra") and Turkish more often through windows-1254.
        ("Ve Ve Ve Ve Ve Deðil Takým Sýra ", "Ve Ve Ve Ve Ve Değil Takım Sıra "),
        # Czech in windows-1250 shown as Latin-1: "áš…" is E1 9A 85, the form of UTF-8
        # for the Ogham letter ᚅ, which no word list writes: "Náš" is a word, not a
        # piece of mojibake cut at a sign.
        ("Ná\x9a\x85 Právì Má\x9a\x85 ", "Náš… Právě Máš… "),
    ],
)
def test_known_misreadings_are_read_back(shown: str, meant: str) -> None:
    assert notefix.fix_text(shown) == meant


def test_utf8_mojibake_inside_a_legacy_note_is_repaired_after_it() -> None:
    # The note was windows-1251 all along, emoji included (UTF-8 read as windows-1251,
    # then shown as windows-1252): reading it through its page leaves UTF-8 mojibake of
    # windows-1251, which the engine reverses as usual.
    note = "Привет, мир! Как твои дела? 🤖"
    shown = note.encode("utf-8").decode("windows-1251").encode("windows-1251")
    assert notefix.fix_text(shown.decode("sloppy-windows-1252")) == note


def test_pieces_of_utf8_mojibake_are_no_words_for_a_page() -> None:
    # Polish read twice as windows-1252: "ByÃ" and "MieÃ" are cut at "…" and "„", signs
    # of the UTF-8 mojibake, and windows-1257 reads them as "być" and "mieć".
    text = "Były Mieć Znaleźć"
    twice = text.encode("utf-8").decode("windows-1252").encode("utf-8").decode("windows-1252")
    assert legacy.edits(twice) == []
    assert notefix.fix_text(twice) == text


def test_one_short_word_is_no_evidence() -> None:
    # "íà" is Russian "на" through windows-1251, and a name as written.
    assert notefix.fix_text("Íà") == "Íà"


def _written_in(text: str, page: str) -> str:
    """The lines of ``text`` that ``page`` can write: what a file in that page holds."""
    kept = []
    for line in text.split("\n"):
        try:
            line.encode(page)
        except UnicodeError:
            continue
        kept.append(line)
    return "\n".join(kept)


@pytest.mark.parametrize(
    ("page", "floor"),
    # Measured: windows-1251 14 of the 15 notes (the one missed has one damaged word,
    # "каллауты", which no word list holds); windows-1254 8 of 8.
    [("windows-1251", 14), ("windows-1254", 8)],
)
def test_clean_notes_written_in_a_legacy_page_come_back(
    corpus: Path, page: str, floor: int
) -> None:
    exact = 0
    for note in sorted((corpus / "clean-notes").rglob("*.md")):
        text = _written_in(note.read_text("utf-8"), page)
        for shown_as in SHOWN_AS:
            shown = text.encode(page).decode(shown_as)
            if shown == text:
                continue
            fixed = notefix.fix_text(shown)
            exact += fixed == text
            # Where the words do not say, the note stays as it was shown.
            assert fixed in (text, shown)
    assert exact >= 2 * floor
