"""Hypothesis strategies shared by the test suite: realistic text for notes.

Alphabets are drawn from Unicode data (``unicodedata2`` categories and the ``emoji``
package's sequences), not typed by hand.
"""

from __future__ import annotations

import functools
import re

import emoji
import unicodedata2
from hypothesis import strategies as st


def _letters(lo: int, hi: int) -> str:
    return "".join(
        chr(c) for c in range(lo, hi + 1) if unicodedata2.category(chr(c)) in {"Lu", "Ll", "Lo"}
    )


ACCENTED_LATIN = _letters(0x00C0, 0x017F)
CYRILLIC = _letters(0x0410, 0x044F) + "ёЁ"
GREEK = _letters(0x0391, 0x03C9)
HEBREW = _letters(0x05D0, 0x05EA)
ARABIC = _letters(0x0621, 0x064A)
CJK = _letters(0x4E00, 0x4FFF) + _letters(0x3041, 0x3096)
ASCII_WORDS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
PUNCT = " .,;:!?-()[]'\"\n"
TYPOGRAPHY = "‘’“”–—…•€™©®°±×"


@functools.cache
def _emoji_sequences() -> tuple[str, ...]:
    return tuple(
        sorted(
            e
            for e, data in emoji.EMOJI_DATA.items()
            if data["status"] == emoji.STATUS["fully_qualified"]
        )
    )


def _has(pred_name: str) -> tuple[str, ...]:
    return tuple(e for e in _emoji_sequences() if pred_name in e)


def emoji_sequences() -> st.SearchStrategy[str]:
    """Fully qualified emoji, weighted toward the structured kinds (ZWJ, skin tones,
    flags, keycaps, VS16) that break most easily."""
    everything = _emoji_sequences()
    zwj = _has("\u200d")
    skin = tuple(e for e in everything if any(0x1F3FB <= ord(c) <= 0x1F3FF for c in e))
    flags = tuple(e for e in everything if all(0x1F1E6 <= ord(c) <= 0x1F1FF for c in e))
    keycaps = _has("\u20e3")
    vs16 = _has("\ufe0f")
    return st.one_of(
        *(st.sampled_from(group) for group in (everything, zwj, skin, flags, keycaps, vs16))
    )


def words(alphabet: str, min_size: int = 1, max_size: int = 12) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, min_size=min_size, max_size=max_size)


SCRIPTS = {
    "latin": ACCENTED_LATIN + ASCII_WORDS,
    "cyrillic": CYRILLIC,
    "greek": GREEK,
    "hebrew": HEBREW,
    "arabic": ARABIC,
    "cjk": CJK,
}


@st.composite
def note_text(
    draw: st.DrawFn, scripts: tuple[str, ...] = tuple(SCRIPTS), emoji_ok: bool = True
) -> str:
    """A line or a few of note-like text: words of one or two scripts, spaces and
    punctuation, emoji sprinkled in."""
    chosen = draw(st.lists(st.sampled_from(scripts), min_size=1, max_size=2, unique=True))
    pieces: list[str] = []
    for _ in range(draw(st.integers(1, 12))):
        kind = draw(st.integers(0, 9))
        if kind < 6:
            # A word holding, byte for byte, windows-1252's reading of a UTF-8 character
            # ("AÎŠ": "ÎŠ" is CE 8A, Ί) is no clean text either, for the reason below.
            alphabet = SCRIPTS[draw(st.sampled_from(chosen))]
            piece = draw(words(alphabet).filter(lambda w: not _holds_utf8(w)))
        elif kind < 8 or not emoji_ok:
            piece = draw(st.sampled_from(PUNCT + TYPOGRAPHY))
        else:
            piece = draw(emoji_sequences())
        if (
            pieces
            and pieces[-1] == ""
            and any(_reads_as_utf8(pieces[-2][-1:] + piece[:1], page) for page in _PAGES)
        ):
            # A letter and a mark glued together that are, byte for byte, one UTF-8
            # character read as a code page ("Î" and "‘" are Α in Windows-1252, "×" and
            # "ź" are ן in Windows-1250): no text can tell that pair from mojibake, and
            # ftfy reads it as mojibake too. Not clean text.
            pieces[-1] = " "
        pieces.append(piece)
        sep = draw(st.sampled_from([" ", " ", " ", "", "\n", ", "]))
        if (
            sep == " "
            and piece[-1:].isupper()
            and not piece[-2:-1].isupper()
            and _reads_as_utf8(piece[-1] + "\xa0")
        ):
            # A capital before a space, alone or after a small letter, that is with a
            # no-break space one UTF-8 character read as Windows-1252 ("Â " and "aÂ " are
            # C2 A0 flattened): ambiguous too. A word in capitals ("CAFÉ ") keeps it.
            sep = "\n"
        pieces.append(sep)
    return "".join(pieces)


_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def _holds_utf8(word: str) -> bool:
    """Whether some characters of ``word`` are Windows-1252's reading of one UTF-8
    character (a character Windows-1252 lacks breaks the sequence)."""
    return _UTF8_SEQUENCE.search(word.encode("windows-1252", errors="replace")) is not None


def _reads_as_utf8(pair: str, page: str = "windows-1252") -> bool:
    """Whether two characters are ``page``'s reading of one two-byte UTF-8 character."""
    try:
        return len(pair) == 2 and len(pair.encode(page).decode("utf-8")) == 1
    except UnicodeError:
        return False


def clean_text() -> st.SearchStrategy[str]:
    return note_text()


# --- Damage: how text gets mangled, for round-trip properties ------------------------

import ftfy.bad_codecs  # noqa: E402,F401  (registers the sloppy-* codecs)

# The code pages a UTF-8 text is commonly misread as, by Python codec name.
CODEPAGES = (
    "latin-1",
    "sloppy-windows-1252",
    "sloppy-windows-1250",
    "sloppy-windows-1251",
    "sloppy-windows-1253",
    "sloppy-windows-1254",
    "sloppy-windows-1257",
    "iso-8859-2",
    "macroman",
    "cp437",
)
# The same pages by their strict names, for what clean text may not glue together.
_PAGES = tuple(name.removeprefix("sloppy-") for name in CODEPAGES)

# Code pages with bytes that have no character, which lossy tools drop or replace.
LOSSY_CODEPAGES = ("windows-1252", "windows-1254", "windows-1250", "windows-1253", "windows-1257")


def mangle(text: str, codec: str, layers: int = 1) -> str:
    """UTF-8 bytes of ``text`` read as ``codec``, ``layers`` times over."""
    for _ in range(layers):
        text = text.encode("utf-8").decode(codec)
    return text


def lossy_mangle(text: str, codec: str, mode: str) -> str:
    """UTF-8 bytes of ``text`` read as a strict ``codec`` whose undefined bytes are
    dropped (``mode="drop"``), or become U+FFFD (``"fffd"``) or '?' (``"question"``)."""
    errors = {"drop": "ignore", "fffd": "replace", "question": "replace"}[mode]
    out = text.encode("utf-8").decode(codec, errors=errors)
    return out.replace("\ufffd", "?") if mode == "question" else out


def survives(text: str, codec: str) -> bool:
    """Whether reading ``text``'s UTF-8 as ``codec`` loses nothing (every byte has a
    character, so the damage can be reversed exactly)."""
    try:
        data = text.encode("utf-8")
        return data.decode(codec).encode(codec) == data
    except UnicodeError:
        return False


# --- Damage that Unicode normalization repairs -----------------------------------------

import unicodedata2 as _ud  # noqa: E402

# Characters a broken decoder or editor leaves behind: BOMs, C1 controls, lone surrogates.
JUNK_CHARS = "\ufeff" + "".join(chr(c) for c in range(0x80, 0xA0)) + "\ud800\udbff\udc00\udfff"
COMBINING_MARKS = "".join(chr(c) for c in range(0x0300, 0x0370) if _ud.category(chr(c)) == "Mn")
HANGUL_SYLLABLES = "".join(chr(c) for c in range(0xAC00, 0xAC00 + 11172, 97))


@st.composite
def messy_note_text(draw: st.DrawFn) -> str:
    """Note text damaged the ways normalization repairs: decomposed accents and Hangul,
    junk characters, emoji sequences with lost, doubled or stray selectors, lost joiners
    and stray spaces next to joiners."""
    text = draw(note_text())
    for kind, where in draw(
        st.lists(st.tuples(st.integers(0, 8), st.integers(0, 10**6)), max_size=6)
    ):
        pos = where % (len(text) + 1)
        if kind == 0:
            text = text[:pos] + draw(st.sampled_from(JUNK_CHARS)) + text[pos:]
        elif kind == 1:
            text = text[:pos] + _ud.normalize("NFD", text[pos : pos + 24]) + text[pos + 24 :]
        elif kind == 2:
            text = text[:pos] + draw(st.sampled_from(COMBINING_MARKS)) + text[pos:]
        elif kind == 3:
            syllable = draw(st.sampled_from(HANGUL_SYLLABLES))
            text = text[:pos] + _ud.normalize("NFD", syllable) + text[pos:]
        elif kind == 4:
            at = text.find("\ufe0f", pos)
            text = text if at < 0 else text[:at] + text[at + 1 :]
        elif kind == 5:
            at = text.find("\u200d", pos)
            text = (
                text
                if at < 0
                else text[:at] + draw(st.sampled_from(["", " ", "\u200d "])) + text[at + 1 :]
            )
        elif kind == 6:
            text = (
                text[:pos]
                + draw(st.sampled_from(["\ufe0f", "\ufe0e", "\ufe0f\ufe0f"]))
                + text[pos:]
            )
        elif kind == 7:
            broken = draw(emoji_sequences()).replace("\ufe0f", "")
            text = (
                text[:pos]
                + draw(st.sampled_from([broken, broken.replace("\u200d", "")]))
                + text[pos:]
            )
        else:
            text = text[:pos] + "\u20e3" + text[pos:]
    return text


# --- Real words: text as people write it, for round-trip properties ------------------

WORD_LANGUAGES = (
    "en",
    "fr",
    "de",
    "es",
    "pt",
    "pl",
    "cs",
    "tr",
    "ru",
    "uk",
    "el",
    "he",
    "ar",
    "zh",
    "ko",
    "vi",
)


@functools.cache
def _top_words(lang: str) -> tuple[str, ...]:
    import wordfreq

    return tuple(wordfreq.top_n_list(lang, 800))


@st.composite
def real_text(draw: st.DrawFn, languages: tuple[str, ...] = WORD_LANGUAGES) -> str:
    """A sentence or two of frequent words of one or two languages (wordfreq's lists),
    with punctuation, capitals and emoji as notes have them."""
    langs = draw(st.lists(st.sampled_from(languages), min_size=1, max_size=2, unique=True))
    pieces: list[str] = []
    for _ in range(draw(st.integers(2, 14))):
        kind = draw(st.integers(0, 9))
        if kind < 7:
            word = draw(st.sampled_from(_top_words(draw(st.sampled_from(langs)))))
            pieces.append(word.capitalize() if draw(st.integers(0, 5)) == 0 else word)
        elif kind < 9:
            pieces.append(draw(st.sampled_from(",.:;!?()–—…“”‘’«»")))
        else:
            pieces.append(draw(emoji_sequences()))
        pieces.append(draw(st.sampled_from([" ", " ", " ", "\n"])))
    return "".join(pieces)
