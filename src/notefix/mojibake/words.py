"""How plausible a stretch of text is as words of the document's language.

wordfreq is the measure: a stretch is split into tokens the way wordfreq split the text
it counted (``lossy_tokenize``: quotes uncurled, digits smashed, punctuation dropped,
symbols kept as tokens of their own), and each token costs -log10 of its frequency in
the language the document is written in. Two readings of the same bytes compared this
way differ only where they differ: the one the document's language would have written
costs less.
"""

from __future__ import annotations

import math
import re

from wordfreq.language_info import get_language_info
from wordfreq.tokens import lossy_tokenize

from notefix import lossy_data

LANGUAGE_SAMPLE = 500
"""Words of a script read to guess the document's language in it (as in lossy)."""

_WORD = re.compile(r"[^\W\d_]+")

_last: tuple[str, dict[str, str | None]] | None = None
"""The text whose languages were guessed last, with them: a text's runs ask again."""


def language(text: str, script: str) -> str | None:
    """The wordfreq language the document's words in ``script`` are written in, or None
    for a script wordfreq does not cover or cannot split into words without a
    segmenter of its own (Chinese, Japanese, Korean)."""
    global _last
    if script in lossy_data.UNSPACED_SCRIPTS or script not in lossy_data.script_languages():
        return None
    if _last is None or _last[0] is not text:
        _last = (text, {})
    known = _last[1]
    if script not in known:
        lang = lossy_data.guess_language(script, sample(text, script))
        if lang is not None and get_language_info(lang)["tokenizer"] != "regex":
            lang = None
        known[script] = lang
    return known[script]


def sample(text: str, script: str) -> list[str]:
    """The text's first ``LANGUAGE_SAMPLE`` words written wholly in ``script`` (a word
    still part mojibake, "ОÑновы", is no sample of the language)."""
    out: list[str] = []
    for m in _WORD.finditer(text):
        word = m.group()
        if all(lossy_data.script_of(c) == script for c in word):
            out.append(word)
            if len(out) >= LANGUAGE_SAMPLE:
                break
    return out


def main_script(text: str) -> str:
    """The script most of the text's letters are in, counting words written wholly in
    one script ("" for none)."""
    letters: dict[str, int] = {}
    for m in _WORD.finditer(text):
        word = m.group()
        script = lossy_data.script_of(word[0])
        if script and script != "?" and all(lossy_data.script_of(c) == script for c in word):
            letters[script] = letters.get(script, 0) + len(word)
    return max(letters, key=letters.__getitem__) if letters else ""


def forget() -> None:
    """Let the last text go: it may be large."""
    global _last
    _last = None


def tokens(stretch: str, lang: str) -> list[str]:
    """The tokens wordfreq counts in ``stretch``, casefolded."""
    found: list[str] = lossy_tokenize(stretch, lang)
    return found


UNSEEN_COST = -math.log10(lossy_data.FLOOR_FREQUENCY)
"""What a token wordfreq never saw costs."""


def cost(stretch: str, lang: str) -> float:
    """-log10 of how likely the stretch is in ``lang``: as the tokens wordfreq splits it
    into, or as one word wordfreq never saw, whichever is likelier. Without that cap,
    pieces of a word nobody writes would cost more the more pieces punctuation cuts it
    into, and any reading that joins them would look better. Letters of two scripts
    side by side ("moћna") are no word either, whatever wordfreq makes of them (it
    transliterates Serbian)."""
    if _mixes_scripts(stretch):
        return UNSEEN_COST
    total = -sum(math.log10(lossy_data.word_probability(t, lang)) for t in tokens(stretch, lang))
    return min(total, UNSEEN_COST)


def _mixes_scripts(stretch: str) -> bool:
    prev = ""
    for ch in stretch:
        script = lossy_data.script_of(ch) if ch.isalpha() else ""
        if script and prev and script != prev:
            return True
        prev = script if ch.isalpha() else ""
    return False


def stretch_around(text: str, start: int, end: int, limit: int = 64) -> tuple[int, int]:
    """The span of the characters around ``text[start:end]`` up to whitespace on either
    side (at most ``limit`` each way): the token the run belongs to. U+0085 counts as a
    character here, not as whitespace: it is a C1 control left by a wrong decoder."""
    lo = start
    while lo > 0 and start - lo < limit and not _is_space(text[lo - 1]):
        lo -= 1
    hi = end
    while hi < len(text) and hi - end < limit and not _is_space(text[hi]):
        hi += 1
    return lo, hi


def _is_space(ch: str) -> bool:
    return ch.isspace() and ch != "\x85"
