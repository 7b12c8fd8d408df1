"""Data for lost-byte reconstruction, built once from maintained sources.

Everything here comes from Python's codecs, ``unicodedata2``, the ``emoji`` package,
``regex`` script properties, ``langcodes`` and ``wordfreq``; nothing is typed by hand.
Tables are built lazily (``functools.cache``) so importing notefix stays cheap.
"""

from __future__ import annotations

import codecs
import functools
import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from importlib import resources

import emoji
import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-* codecs)
import langcodes
import regex
import unicodedata2
import wordfreq

EMOJI_LANG = "en"
"""wordfreq counts emoji as tokens; English has the largest sample of them."""

FLOOR_FREQUENCY = 10**-9.5
"""Frequency given to a token wordfreq has never seen: below its own floor of 1e-9."""

_COMPOSITE_SCRIPTS = {
    # ISO 15924 codes that name a writing system made of several Unicode scripts.
    "Hans": ("Hani",),
    "Hant": ("Hani",),
    "Jpan": ("Hira", "Kana", "Hani"),
    "Kore": ("Hang", "Hani"),
}


@functools.cache
def lost_byte_values(codec: str) -> frozenset[int]:
    """Byte values (0x80..0xFF) that ``codec`` has no printable character for.

    These are the bytes a lossy reader drops or replaces: undefined in the strict code
    page (a sloppy codec maps them to C1 controls instead), or C1 controls themselves
    (latin-1), which tools strip just the same.
    """
    strict = codec.removeprefix("sloppy-")
    out = set()
    for value in range(0x80, 0x100):
        byte = bytes([value])
        try:
            char = codecs.decode(byte, strict)
        except (UnicodeDecodeError, LookupError):
            out.add(value)
            continue
        if unicodedata2.category(char) == "Cc":
            out.add(value)
    return frozenset(out)


def is_usable_char(char: str) -> bool:
    """Assigned, not a control, surrogate or private-use character."""
    return unicodedata2.category(char) not in {"Cn", "Cc", "Cs", "Co"}


@functools.cache
def symbol_probability(grapheme: str) -> float:
    """wordfreq's frequency of an emoji or symbol as a token, floored."""
    try:
        freq = wordfreq.word_frequency(grapheme, EMOJI_LANG)
    except ValueError:
        freq = 0.0
    if freq == 0.0 and grapheme.endswith("\ufe0f"):
        # wordfreq sometimes stores the emoji without its presentation selector.
        freq = wordfreq.word_frequency(grapheme[:-1], EMOJI_LANG)
    if freq == 0.0 and emoji_group(grapheme) is not None:
        freq = unseen_emoji_frequency()
    return max(freq, FLOOR_FREQUENCY)


@functools.cache
def char_surprisals() -> dict[str, float]:
    """Casefolded character -> -log10 of how often it is written, from wordfreq's word
    lists over its languages (``data/charfreq.json``, built by
    ``scripts/build_charfreq.py``); characters no list writes are absent."""
    raw = resources.files("notefix").joinpath("data/charfreq.json").read_text("utf-8")
    table: dict[str, float] = json.loads(raw)
    return table


@functools.cache
def emoji_groups() -> dict[str, str]:
    """Emoji sequence -> its group in Unicode's emoji ordering ("Food & Drink"), every
    qualified, unqualified and skin-tone form. Built from Unicode's emoji-test.txt data
    by ``scripts/build_emoji_groups.py`` into ``data/emoji_groups.json``."""
    raw = resources.files("notefix").joinpath("data/emoji_groups.json").read_text("utf-8")
    table = json.loads(raw)
    names: list[str] = table["groups"]
    return {seq: names[i] for seq, i in table["emoji"].items()}


def emoji_group(grapheme: str) -> str | None:
    """``grapheme``'s emoji group, if the data lists it (with or without selectors)."""
    table = emoji_groups()
    found = table.get(grapheme)
    if found is None:
        found = table.get(grapheme.replace("\ufe0f", "").replace("\ufe0e", ""))
    return found


@functools.cache
def unseen_emoji_frequency() -> float:
    """Frequency for an emoji wordfreq does not list: half the least it lists (its
    cut-off), since a listed emoji sequence is real but below that cut-off. Most emoji
    are missing from wordfreq's lists (it counts some 800 of them)."""
    listed = (wordfreq.word_frequency(e, EMOJI_LANG) for e in emoji_groups())
    return min((f for f in listed if f > 0.0), default=FLOOR_FREQUENCY * 2) / 2


@functools.cache
def emoji_group_shares() -> dict[str, float]:
    """The world's share of emoji use per group, from wordfreq's emoji frequencies
    (unlisted emoji at ``unseen_emoji_frequency``)."""
    groups: dict[str, float] = {}
    floor = unseen_emoji_frequency()
    seen: set[str] = set()
    for seq, group in emoji_groups().items():
        base = seq.replace("\ufe0f", "")
        if base in seen:
            continue
        seen.add(base)
        freq = max(wordfreq.word_frequency(seq, EMOJI_LANG), floor)
        groups[group] = groups.get(group, 0.0) + freq
    total = sum(groups.values())
    return {g: n / total for g, n in groups.items()}


@functools.cache
def emoji_prefixes() -> frozenset[str]:
    """Every proper prefix of a listed emoji sequence: what a sequence cut short may be."""
    return frozenset(seq[:n] for seq in emoji.EMOJI_DATA for n in range(1, len(seq)))


def takes_variation(base: str) -> bool:
    """Whether the emoji data lists text and emoji presentation sequences for ``base``."""
    entry = emoji.EMOJI_DATA.get(base)
    return bool(entry and entry.get("variant"))


def emoji_status(grapheme: str) -> int | None:
    """The emoji package's qualification status for a sequence, or None."""
    data = emoji.EMOJI_DATA.get(grapheme)
    return None if data is None else int(data["status"])


@functools.cache
def script_languages() -> dict[str, tuple[str, ...]]:
    """Unicode script code -> wordfreq languages written in it (via langcodes)."""
    table: dict[str, list[str]] = {}
    for lang in sorted(wordfreq.available_languages("best")):
        script = langcodes.Language.get(lang).maximize().script or ""
        for unicode_script in _COMPOSITE_SCRIPTS.get(script, (script,)):
            table.setdefault(unicode_script, []).append(lang)
    return {k: tuple(v) for k, v in table.items()}


@functools.cache
def _script_patterns() -> tuple[tuple[str, regex.Pattern[str]], ...]:
    return tuple((code, regex.compile(rf"\p{{sc={code}}}")) for code in script_languages())


@functools.cache
def script_of(char: str) -> str:
    """The Unicode script code of a letter among the scripts wordfreq covers, ``""`` for
    Common/Inherited characters, ``"Zyyy"``-like others as ``"?"``."""
    for code, pattern in _script_patterns():
        if pattern.match(char):
            return code
    if regex.match(r"[\p{sc=Zyyy}\p{sc=Zinh}]", char):
        return ""
    return "?"


@functools.cache
def native_punctuation(script: str) -> frozenset[str]:
    """Punctuation that Unicode's Script_Extensions assign to ``script`` (the
    ideographic comma 、 to Han), not the punctuation every script shares (Common)."""
    pattern = regex.compile(rf"(?V1)[\p{{P}}&&\p{{scx={script}}}]")
    return frozenset(pattern.findall("".join(map(chr, range(0x20, 0x10000)))))


_SIDES = re.compile(r"\b(LEFT|RIGHT)\b")


@functools.lru_cache(maxsize=1 << 10)
def paired_mark(char: str) -> str | None:
    """The other half of a quotation mark or bracket (” for “, 】 for 【), by its Unicode
    name with LEFT and RIGHT swapped; None for anything else. Word lists leave these
    marks out, but they are written in pairs: a document that writes one half writes
    the other about as often."""
    if len(char) != 1 or unicodedata2.category(char) not in ("Pi", "Pf", "Ps", "Pe"):
        return None
    name = unicodedata2.name(char, "")
    swapped = _SIDES.sub(lambda m: "RIGHT" if m.group() == "LEFT" else "LEFT", name)
    if swapped == name:
        return None
    try:
        return str(unicodedata2.lookup(swapped))
    except KeyError:
        return None


UNSPACED_SCRIPTS = frozenset({"Hani", "Hira", "Kana"})
"""Scripts written without spaces between words: scored by segmentation."""


@functools.cache
def frequency_dict(lang: str, wordlist: str = "best") -> dict[str, float]:
    table: dict[str, float] = wordfreq.get_frequency_dict(lang, wordlist)
    return table


@functools.cache
def max_word_length(lang: str) -> int:
    return max((len(w) for w in frequency_dict(lang)), default=1)


@functools.cache
def _prefixes(lang: str) -> frozenset[str]:
    return frozenset(
        word[:k] for word in frequency_dict(lang, "small") for k in range(1, len(word) + 1)
    )


def starts_a_word(prefix: str, lang: str) -> bool:
    """Whether some word of ``lang`` (wordfreq's small list) begins with ``prefix``."""
    return prefix.casefold() in _prefixes(lang)


def is_listed(word: str, lang: str) -> bool:
    """Whether ``word`` is in ``lang``'s small word list."""
    return word.casefold() in frequency_dict(lang, "small")


def word_probability(word: str, lang: str) -> float:
    """wordfreq frequency of ``word`` in ``lang``, floored."""
    # A plain look-up in the cached table: wordfreq.word_frequency would rebuild the
    # language's dictionary for every new word, and the words scored here are single
    # tokens already (their letters and marks), casefolded as wordfreq stores them.
    freq = frequency_dict(lang).get(word.casefold(), 0.0)
    return freq if freq > FLOOR_FREQUENCY else unlisted_word_probability(word, lang)


@functools.lru_cache(maxsize=1 << 12)
def number_probability(number: str, lang: str) -> float:
    """wordfreq's frequency of ``number`` (decimal digits of any script) as a token of
    ``lang``, floored: wordfreq estimates a number by how many digits it has and what it
    starts with, whichever digits spell it ("٠٠١" is 001 in Arabic-Indic digits)."""
    try:
        freq = wordfreq.word_frequency(number, lang)
    except ValueError:
        freq = 0.0
    return max(freq, FLOOR_FREQUENCY)


LETTER_FLOOR = 1e-7
"""Frequency given to a letter none of a language's listed words has."""


@functools.cache
def letter_frequencies(lang: str) -> dict[str, float]:
    """How often each letter (casefolded, as wordfreq stores words) is written in
    ``lang``: its words' frequencies times the letter's count in them, normalized."""
    counts: dict[str, float] = {}
    for word, freq in frequency_dict(lang, "small").items():
        for ch in word:
            counts[ch] = counts.get(ch, 0.0) + freq
    total = sum(counts.values()) or 1.0
    return {ch: n / total for ch, n in counts.items()}


@functools.cache
def script_letter_frequencies(script: str) -> dict[str, float]:
    """How often each letter is written in the language of ``script`` that writes it
    most (Ѝ is rare in Russian, common in Macedonian): what a letter may be said to be,
    whichever of its script's languages a text is in."""
    table: dict[str, float] = {}
    for lang in script_languages().get(script, ()):
        for ch, freq in letter_frequencies(lang).items():
            if freq > table.get(ch, 0.0):
                table[ch] = freq
    return table


@functools.lru_cache(maxsize=1 << 14)
def unlisted_word_probability(word: str, lang: str) -> float:
    """The probability given to a word wordfreq does not list: the floor, lowered as its
    spelling is less likely than that of a word of the language's mean length and usual
    letters. Each letter costs its frequency in the language, so a word spelled with an
    archaic letter ("ѠМаксвелла") is less likely than one spelled with common ones, and
    a word longer than usual less likely than a short one: joining two unknown words
    into one ("НиклаѠЛуман", a flattened no-break space read as Ѡ) costs their letters
    and the letter between, not one unknown word fewer. Never above the floor."""
    letters = letter_frequencies(lang)
    mean_log, mean_length = _spelling(lang)
    spelled = sum(math.log(max(letters.get(ch, 0.0), LETTER_FLOOR)) for ch in word.casefold())
    return FLOOR_FREQUENCY * math.exp(min(0.0, spelled - mean_length * mean_log))


@functools.cache
def _spelling(lang: str) -> tuple[float, float]:
    """The mean log frequency of a letter written in ``lang``, and the mean length of its
    words, both over its listed words weighted by their frequency."""
    letters = letter_frequencies(lang)
    weight = length = log_sum = 0.0
    for word, freq in frequency_dict(lang, "small").items():
        weight += freq
        length += freq * len(word)
        log_sum += freq * sum(math.log(max(letters.get(ch, 0.0), LETTER_FLOOR)) for ch in word)
    if not length:
        return 0.0, 0.0
    return log_sum / length, length / weight


def guess_language(script: str, words: Iterable[str]) -> str | None:
    """The wordfreq language of ``script`` that covers the most of ``words``."""
    langs = script_languages().get(script, ())
    if len(langs) <= 1:
        return langs[0] if langs else None
    counts = Counter(w.casefold() for w in words)
    best, best_cover = langs[0], 0.0
    for lang in langs if counts else ():
        vocab = frequency_dict(lang, "small")
        cover = sum(n * math.log1p(vocab.get(w, 0.0) * 1e6) for w, n in counts.items())
        if cover > best_cover:
            best, best_cover = lang, cover
    if best_cover > 0.0:
        return best
    # Nothing in the text tells: the language most people write in this script
    # (speaker counts from CLDR, through langcodes' language_data).
    return max(langs, key=_speakers)


@functools.cache
def _speakers(lang: str) -> int:
    try:
        return int(langcodes.Language.get(lang).speaking_population())
    except (ImportError, LookupError, ValueError):
        return 0
