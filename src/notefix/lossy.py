"""Recovering bytes that mojibake lost: dropped, replaced by U+FFFD or '?', or a
no-break space flattened to a space.

Interface used by the repair engine (``notefix.mojibake``):

    reconstruct(run, codec, before, after, evidence) -> Reconstruction | None

``run`` is a stretch of mangled text that the engine found (for example ``"ğŸ®"``
under ``codec="sloppy-windows-1254"``), possibly ending in a space, '?' or U+FFFD that
may stand for a lost byte. Every candidate's ``text`` replaces the whole run.

How it works (docs/lost-bytes.md has the long form):

1. The run is turned back into bytes with ``codec``. A U+FFFD or '?' is a hole whose
   value is one of the code page's lost byte values; a space may be a flattened no-break
   space (byte A0); elsewhere a lost byte may have been dropped.
2. The bytes split into segments at every lead byte and ASCII byte (lost bytes are
   continuation bytes in every code page we meet). Each segment is completed in every
   way that makes valid UTF-8 of assigned, non-control characters. A segment with one
   completion is fixed; one with several is a slot.
3. Slots near each other are scored jointly; slots further apart independently. The score
   of a choice is a log-probability from maintained data: emoji sequences and their
   qualification (``emoji``), emoji and word frequencies (``wordfreq``), the script of the
   neighbouring letters (``regex``), how the document itself uses characters and spaces
   (``Evidence``).
4. Confidence is the softmax probability of the best joint choice: the product of each
   cluster's softmax probability, 1.0 when every slot has a single completion.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import emoji
import regex
import unicodedata2

from notefix import lossy_data as data


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the whole document says, for priors: its text with every certain repair
    applied, and the characters (graphemes) it already uses with their counts."""

    text: str = ""
    counts: Counter[str] = field(default_factory=Counter)
    unsure: tuple[tuple[int, int], ...] = ()
    """Spans of ``text`` still to be read (its lost-byte runs): the graphemes right
    beside them are left out of the counts, since a run may hold what completes them (an
    emoji whose selectors were all lost is no sign that the document writes it bare)."""
    memo: dict[object, object] = field(default_factory=dict, compare=False, repr=False)
    """Filled as runs are reconstructed: the document model, and each run's candidates
    by its run, page and the context the scorer reads. A document repeats its damage
    (the same word broken the same way), and the evidence is fixed for its life."""


@dataclass(frozen=True, slots=True)
class Candidate:
    text: str
    score: float
    """Higher is better; comparable only among one run's candidates."""
    restored: tuple[int, ...] = ()
    """The byte values put back, in order."""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Reconstruction:
    candidates: tuple[Candidate, ...]
    """Best first; never empty."""
    confidence: float
    """Of the best candidate, in [0, 1]; 1.0 when it is the only one."""

    @property
    def best(self) -> Candidate:
        return self.candidates[0]


WINDOW = 24
"""Characters of context either side of a slot that the scorer looks at."""

MAX_JOINT = 1024
"""Largest product of slot choices enumerated jointly; beyond it, a beam search. A beam
ranks half-read text, where a word is only scored whole: four lost bytes in one Russian
word ("является": 5 x 5 x 5 x 7 readings) need the joint reading. Measured on the clean
notes' generated damage (lines exact of 1177 per page and mode): 256 -> 1024 gains up
to 15 lines a set, at about a third more time on mangled text."""

BEAM = 8

MAX_CANDIDATES = 8

_NBSP = 0xA0
_VARIATION_SELECTORS = frozenset(map(chr, range(0xFE00, 0xFE10)))
_ZWJ = "\u200d"
_WORD = regex.compile(r"[\p{L}\p{M}]+")
_WORD_TAIL = regex.compile(r"(?r)[\p{L}\p{M}]*")
"""Searched backwards up to a position: the letters and marks that end there."""
_GRAPHEME = regex.compile(r"\X")
_LETTER = regex.compile(r"\p{L}")
_LETTERS = regex.compile(r"\p{L}+")
_NUMBER = regex.compile(r"\p{Nd}+")
_PUNCTUATION = regex.compile(r"\p{P}")
_LANGUAGE_SAMPLE = 500

# Log-probability penalties for structures that Unicode allows but real text avoids.
_IMPOSSIBLE = -math.inf
"""An emoji sequence the emoji data does not list (a variation selector, ZWJ or skin tone
after a base that does not take it), or letters of two scripts in one word: such a
candidate is not plausible at all and is dropped."""
_UNQUALIFIED = math.log(0.2)
_TEXT_PRESENTATION_PRIOR = 0.001
"""Pseudo-count share of U+FE0E among an emoji's variation selectors before the document
shows its own: text presentation is rare in notes, while U+FE0F is everywhere."""
_INVISIBLE = math.log(1e-3)
"""A format or odd space character where a visible one would do."""
_MIXED_SCRIPT = math.log(1e-5)
_DROP_BESIDE_HOLES = math.log(0.05)
CATEGORY_STRENGTH = 3.0
"""Pseudo-emoji that pull a document's shares of emoji groups toward the world's. Chosen
on damage generated from the corpus's clean notes (docs/lost-bytes.md): 1 to 5 do about
equally well, 10 and more let the world's shares drown what the document shows."""
"""A dropped byte in a run whose other lost bytes were replaced, not dropped."""


# --- Enumeration ------------------------------------------------------------------------

_BYTE, _HOLE, _QUESTION, _SPACE = range(4)
_MAX_DROPS = 3
"""Dropped bytes one segment may have lost: a UTF-8 sequence has four bytes at most and
leaves at least one. (Without a bound, a page that loses lead bytes too, like
windows-1253's D2, would alternate lost leads and lost continuations for ever.)"""


@dataclass(frozen=True, slots=True)
class _Option:
    text: str
    restored: tuple[int, ...]
    drops: int
    nbsp: int


def _tokens(run: str, codec: str) -> list[tuple[int, int]] | None:
    out: list[tuple[int, int]] = []
    for char in run:
        if char == "\ufffd":
            out.append((_HOLE, 0))
        elif char == "?":
            out.append((_QUESTION, 0x3F))
        elif char == " ":
            out.append((_SPACE, 0x20))
        else:
            try:
                encoded = char.encode(codec)
            except UnicodeError:
                return None
            out.extend((_BYTE, b) for b in encoded)
    return out


def _segments(tokens: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    segments: list[list[tuple[int, int]]] = []
    for kind, value in tokens:
        starts = kind == _BYTE and not 0x80 <= value < 0xC0
        if starts or not segments:
            segments.append([])
        segments[-1].append((kind, value))
    return segments


def _need(lead: int) -> int:
    if lead < 0x80:
        return 0
    if 0xC2 <= lead < 0xE0:
        return 1
    if 0xE0 <= lead < 0xF0:
        return 2
    if 0xF0 <= lead < 0xF5:
        return 3
    return -1


def _complete(
    segment: Sequence[tuple[int, int]], lost: frozenset[int], collapse: bool = True
) -> Iterator[tuple[bytes, tuple[int, ...], int, int]]:
    """Every byte string the segment may have been: (bytes, restored, drops, nbsp)."""
    continuation = sorted(v for v in lost if 0x80 <= v < 0xC0)
    leads = sorted(v for v in lost if _need(v) > 0)

    def walk(
        i: int, need: int, acc: bytes, restored: tuple[int, ...], drops: int, nbsp: int
    ) -> Iterator[tuple[bytes, tuple[int, ...], int, int]]:
        if need > 0 and drops < _MAX_DROPS:
            for v in continuation:
                yield from walk(i, need - 1, acc + bytes([v]), (*restored, v), drops + 1, nbsp)
        if i == len(segment):
            if need == 0:
                yield acc, restored, drops, nbsp
            return
        kind, value = segment[i]
        if need > 0:
            if kind == _BYTE and 0x80 <= value < 0xC0:
                yield from walk(i + 1, need - 1, acc + bytes([value]), restored, drops, nbsp)
            elif kind in (_HOLE, _QUESTION):
                for v in continuation:
                    yield from walk(i + 1, need - 1, acc + bytes([v]), (*restored, v), drops, nbsp)
            elif kind == _SPACE:
                yield from walk(i + 1, need - 1, acc + bytes([_NBSP]), restored, drops, nbsp + 1)
                if need == 1 and collapse:
                    # A no-break space and the space after it collapsed into one space
                    # (as whitespace-folding tools do): restore the byte, keep the space.
                    yield from walk(i + 1, 0, acc + bytes([_NBSP, 0x20]), restored, drops, nbsp + 1)
            return
        if kind == _BYTE and _need(value) >= 0:
            yield from walk(i + 1, _need(value), acc + bytes([value]), restored, drops, nbsp)
        elif kind in (_QUESTION, _SPACE):
            yield from walk(i + 1, 0, acc + bytes([value]), restored, drops, nbsp)
        elif kind == _HOLE:
            for v in leads:
                yield from walk(i + 1, _need(v), acc + bytes([v]), (*restored, v), drops, nbsp)
        elif kind == _BYTE and drops < _MAX_DROPS:
            # A continuation byte with no lead: the lead itself was lost.
            for v in leads:
                yield from walk(i, _need(v), acc + bytes([v]), (*restored, v), drops + 1, nbsp)

    yield from walk(0, 0, b"", (), 0, 0)


def _options(
    segment: Sequence[tuple[int, int]], lost: frozenset[int], collapse: bool = True
) -> list[_Option]:
    return list(_options_of(tuple(segment), lost, collapse))


@functools.lru_cache(maxsize=1 << 14)
def _options_of(
    segment: tuple[tuple[int, int], ...], lost: frozenset[int], collapse: bool
) -> tuple[_Option, ...]:
    """The readings of one segment, cached: a document breaks the same characters the
    same way again and again ("ğŸ" leads every emoji of a block)."""
    seen: dict[str, _Option] = {}
    for raw, restored, drops, nbsp in _complete(segment, lost, collapse):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if not all(data.is_usable_char(c) or c in " ?" for c in text):
            continue
        option = _Option(text, restored, drops, nbsp)
        # Equal texts: keep the reading that assumes the fewest dropped bytes.
        if text not in seen or drops < seen[text].drops:
            seen[text] = option
    return tuple(seen.values())


# --- Document model ---------------------------------------------------------------------


def _defective(grapheme: str) -> bool:
    """A combining mark on a space (Unicode's defective combining sequence): a mark
    belongs on a letter, and nobody writes one on its own."""
    return len(grapheme) > 1 and grapheme[0].isspace()


def _odd_space(grapheme: str) -> bool:
    return grapheme.isspace() and grapheme not in _PLAIN_SPACES


_PLAIN_SPACES = frozenset(" \t\n\r\xa0")


def _digits_language(number: str, doc: _Doc) -> str | None:
    """The language whose digits ``number`` is written in, for a number holding digits
    other than ASCII ones (of a script the document writes words in), else None: such a
    number is scored whole as a token of that language, not digit by digit as symbols
    (a no-break space flattened in Arabic text turns every ٠ into "Ù ")."""
    for c in number:
        if not c.isascii():
            script = data.script_of(c)
            return doc.language(script) if script not in ("", "?") else None
    return None


@functools.lru_cache(maxsize=1 << 14)
def _is_symbolic(grapheme: str) -> bool:
    """No letter and no space, or an emoji whose base Unicode counts as a letter (ℹ️)."""
    if any(_LETTER.match(c) for c in grapheme):
        return data.emoji_status(grapheme) is not None
    return not grapheme.isspace()


@dataclass(frozen=True, slots=True)
class _Doc:
    counts: Counter[str]
    tokens: int
    """Words and symbols in the document: the denominator of its own frequencies."""
    follow: tuple[float, float, float]
    """P(next is whitespace / another symbol / anything else | a non-ASCII symbol)."""
    words: dict[str, tuple[str, ...]]
    """Script -> the document's words in that script."""
    kana: bool
    emoji_share: float
    """Of the document's non-ASCII symbols, the share that are emoji."""
    emoji_share_beside_emoji: float
    """The same share among the symbols written right beside an emoji: emoji come in
    strings ("🤖🧠👁️"), while a box-drawing line or a dash rarely touches one."""
    text_presentation: float
    """Of the document's emoji variation selectors, the share that are U+FE0E; also the
    prior for any presentation sequence the emoji data does not list."""
    groups: Counter[str] = field(default_factory=Counter)
    """The document's emoji per group of Unicode's emoji ordering ("Food & Drink")."""
    punctuation: float = 0.0
    """Of the document's words and punctuation marks, the share that are punctuation."""
    languages: dict[str, str | None] = field(default_factory=dict)
    """Filled on first use: guessing a language loads word lists."""
    neighbours_counted: bool = True
    """Whether ``counts`` hold the graphemes beside the runs being read (not when the
    evidence says which spans those runs are: see ``Evidence.unsure``)."""

    def language(self, script: str) -> str | None:
        if script in data.UNSPACED_SCRIPTS:
            return "ja" if self.kana else "zh"
        if script not in self.languages:
            # Words still part mojibake ("ОÑновы") are no sample of the language.
            pure = (w for w in self.words.get(script, ()) if len(_letter_scripts(w)) == 1)
            sample = list(itertools.islice(pure, _LANGUAGE_SAMPLE))
            self.languages[script] = data.guess_language(script, sample)
        return self.languages[script]

    def group_affinity(self, grapheme: str) -> float:
        """Log of how much more (or less) this document uses the emoji's group than the
        world does: a note about machine learning shows objects and symbols, not food.
        The document's share is smoothed toward the world's with ``CATEGORY_STRENGTH``
        pseudo-emoji, so a document with few emoji says little. (Subgroups, "food-fruit",
        were tried too: too few emoji per note to estimate them, they did worse.)"""
        group = data.emoji_group(grapheme)
        total = self.groups.total()
        if group is None or not total:
            return 0.0
        world = data.emoji_group_shares().get(group, 0.0)
        if not world:
            return 0.0
        ours = (self.groups[group] + CATEGORY_STRENGTH * world) / (total + CATEGORY_STRENGTH)
        return math.log(ours / world)


def _follow_class(char: str) -> int:
    if not char or char.isspace():
        return 0
    if _is_symbolic(char) and ord(char) > 0x7F:
        return 1
    return 2


@functools.lru_cache(maxsize=8)
def _doc_model(
    text: str,
    counts_items: tuple[tuple[str, int], ...],
    unsure: tuple[tuple[int, int], ...] = (),
) -> _Doc:
    graphemes = _GRAPHEME.findall(text)
    counts = Counter(dict(counts_items)) if counts_items else Counter(graphemes)
    # Graphemes that end where a run starts, or start where one ends, are not counted.
    starts = {a for a, _ in unsure} if unsure and not counts_items else None
    ends = {b for _, b in unsure} if starts is not None else set()
    follow = [1.0, 1.0, 1.0]
    kinds = [1.0, 1.0]
    beside_emoji = [1.0, 1.0]
    groups: Counter[str] = Counter()
    end = 0
    for i, g in enumerate(graphemes):
        start = end
        end += len(g)
        if starts is not None and (end in starts or start in ends):
            counts[g] -= 1
        if not g.isascii() and _is_symbolic(g):
            follow[_follow_class(text[end : end + 1])] += 1
            here = _emoji_at(graphemes, i)
            kinds[here] += 1
            if _emoji_at(graphemes, i - 1) or _emoji_at(graphemes, i + 1):
                beside_emoji[here] += 1
            group = data.emoji_group(g)
            if group is not None:
                groups[group] += 1
    total = sum(follow)
    words: dict[str, list[str]] = {}
    for m in _WORD.finditer(text):
        w = m.group()
        script = data.script_of(w[0])
        bucket = words.setdefault(script, [])
        bucket.append(w)
    n_words = sum(len(v) for v in words.values())
    symbol_total = sum(n for g, n in counts.items() if not g.isascii() and _is_symbolic(g))
    marks = sum(n for g, n in counts.items() if _PUNCTUATION.fullmatch(g))
    kana = any(data.script_of(c) in {"Hira", "Kana"} for c in text)
    return _Doc(
        counts,
        n_words + symbol_total if symbol_total else 0,
        (follow[0] / total, follow[1] / total, follow[2] / total),
        {k: tuple(v) for k, v in words.items()},
        kana,
        kinds[1] / sum(kinds),
        beside_emoji[1] / sum(beside_emoji),
        (text.count("\ufe0e") + _TEXT_PRESENTATION_PRIOR)
        / (text.count("\ufe0e") + text.count("\ufe0f") + 1),
        groups,
        marks / (n_words + marks) if marks else 0.0,
        neighbours_counted=not unsure,
    )


def _emoji_at(graphemes: Sequence[str], i: int) -> bool:
    """Whether the ``i``-th grapheme is an emoji (False past either end)."""
    return 0 <= i < len(graphemes) and data.emoji_status(graphemes[i]) is not None


def _model(evidence: Evidence, before: str, after: str) -> _Doc:
    if not evidence.text:
        return _doc_model(before + after, tuple(sorted(evidence.counts.items())))
    doc = evidence.memo.get(_Doc)
    if not isinstance(doc, _Doc):
        doc = _doc_model(evidence.text, tuple(sorted(evidence.counts.items())), evidence.unsure)
        evidence.memo[_Doc] = doc
    return doc


# --- Scoring ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Symbol:
    """What scoring a symbol needs to know of it that no document changes."""

    base: str
    """The grapheme as the emoji data lists it (a text or redundant selector stripped)."""
    stripped: bool
    """A selector was stripped: the document's share of text presentation applies."""
    penalty: float
    """Unqualified emoji, invisible characters."""
    is_emoji: bool
    prob: float
    """wordfreq's token frequency of ``base``, floored."""
    punctuation: bool
    """Unlisted punctuation (word lists leave it out)."""
    partner: str | None = None
    """The other half of a quotation mark or bracket, whose count in the document is
    this one's too."""


@functools.lru_cache(maxsize=1 << 14)
def _symbol(grapheme: str) -> _Symbol | None:
    """The document-free facts of ``grapheme`` as a symbol; None when no emoji can be
    spelled so (a selector or joiner where the emoji data has none)."""
    status = data.emoji_status(grapheme)
    penalty = 0.0
    base = grapheme
    if status is None:
        stripped = grapheme.replace("\ufe0e", "")
        if stripped != grapheme and data.takes_variation(stripped):
            base = stripped
        elif grapheme.endswith("\ufe0f") and data.emoji_status(grapheme[:-1]) is not None:
            # A redundant VS16 after an emoji that is emoji-style anyway: unlisted, but
            # harmless and common in real notes.
            base = grapheme[:-1]
        elif any(c in _VARIATION_SELECTORS or c == _ZWJ for c in grapheme) or (
            len(grapheme) > 1 and emoji.is_emoji(grapheme[0])
        ):
            return None
    elif status > emoji.STATUS["fully_qualified"]:
        penalty = _UNQUALIFIED
    if any(unicodedata2.category(c) in {"Cf", "Zs"} for c in base):
        penalty += _INVISIBLE
    prob = data.symbol_probability(base)
    return _Symbol(
        base,
        base != grapheme,
        penalty,
        status is not None or base != grapheme,
        prob,
        prob <= data.FLOOR_FREQUENCY and _PUNCTUATION.fullmatch(base) is not None,
        data.paired_mark(base),
    )


def _symbol_score(grapheme: str, doc: _Doc, beside_emoji: bool = False, here: int = 0) -> float:
    """``here``: occurrences of ``grapheme`` the document counts that are this very one
    (a neighbour of the run), left out of its own frequency (unless the document left
    the neighbours of its runs out already)."""
    sym = _symbol(grapheme)
    if sym is None:
        return _IMPOSSIBLE
    base, prob = sym.base, sym.prob
    penalty = sym.penalty + (math.log(doc.text_presentation) if sym.stripped else 0.0)
    share = doc.emoji_share_beside_emoji if beside_emoji else doc.emoji_share
    penalty += math.log(share if sym.is_emoji else 1.0 - share)
    if sym.punctuation and doc.punctuation:
        # Word lists leave punctuation out: its absence says nothing of its use. A mark
        # of the document's own script (、 in Chinese) takes the document's share of
        # punctuation, spread over its script's marks.
        for script in doc.words:
            native = data.native_punctuation(script) if script not in ("", "?") else ()
            if base in native:
                prob = max(prob, doc.punctuation / len(native))
    if sym.is_emoji:
        penalty += doc.group_affinity(base)
    if doc.tokens:
        # Mix the world's token frequencies with the document's own, half and half. A
        # mark of a pair is written as often as its other half ("kalitesi” " where the
        # document writes “ and ” lost a byte: no ❀).
        seen = max(0, doc.counts.get(grapheme, 0) - (here if doc.neighbours_counted else 0))
        if sym.partner is not None:
            seen = max(seen, doc.counts.get(sym.partner, 0))
        prob = 0.5 * prob + 0.5 * seen / doc.tokens
    return math.log(prob) + penalty


@functools.lru_cache(maxsize=1 << 14)
def _letter_scripts(text: str) -> Counter[str]:
    """The scripts of the letters in ``text``, counted (letters of no script left out).
    Cached (the same contexts and words come back for every candidate of a run): read
    it, never change it."""
    scripts = Counter(data.script_of(c) for c in _LETTER.findall(text))
    scripts.pop("", None)
    return scripts


@functools.lru_cache(maxsize=1 << 16)
def _word_shape(word: str) -> float | str:
    """The score of ``word`` where its letters alone decide it, else its script."""
    floor = math.log(data.FLOOR_FREQUENCY)
    if unicodedata2.normalize("NFKC", word) != word:
        # Compatibility forms (mathematical letters, ligatures) are not how words are
        # spelled; they are symbols that happen to be letters.
        return floor + _MIXED_SCRIPT
    scripts = _letter_scripts(word)
    if not scripts:
        return 0.0
    if len(scripts) > 1:
        return floor + _MIXED_SCRIPT * (len(scripts) - 1)
    return next(iter(scripts))


def _word_score(word: str, context: str, doc: _Doc) -> float:
    script = _word_shape(word)
    if not isinstance(script, str):
        return script
    floor = math.log(data.FLOOR_FREQUENCY)
    lang = doc.language(script)
    score = floor if lang is None else math.log(data.word_probability(word, lang))
    around = _letter_scripts(context)
    if around and script not in around:
        # A word in a script that none of its neighbours use is that much less likely
        # than in its own language; among words of its script, its frequency still
        # tells ("Неделя" in "Collections Framework (Неделя 9-12)").
        return score + _MIXED_SCRIPT
    return score


@functools.lru_cache(maxsize=1 << 16)
def _segmentation_score(text: str, lang: str) -> float:
    """Log-probability of the best split of unspaced text into wordfreq words (cached:
    a run's candidates share most of the text around them). A character alone is always
    a piece (at the floor frequency if unlisted); longer pieces must be listed."""
    vocab = data.frequency_dict(lang)
    longest = min(data.max_word_length(lang), 8)
    log = math.log
    floor = log(data.FLOOR_FREQUENCY)
    best = [0.0]
    for end in range(1, len(text) + 1):
        freq = vocab.get(text[end - 1])
        top = best[end - 1] + (floor if freq is None else log(freq))
        for start in range(max(0, end - longest), end - 1):
            freq = vocab.get(text[start:end])
            if freq is not None and (value := best[start] + log(freq)) > top:
                top = value
        best.append(top)
    return best[-1]


_PREPEND = regex.compile(r"\p{Grapheme_Cluster_Break=Prepend}")


def _view(ctx: str, lo: int, hi: int) -> tuple[int, int]:
    """The stretch of ``ctx`` around ``ctx[lo:hi]`` that its graphemes and words can be
    read from as in the whole: from a space before it to just past a space after it.
    Text breaks into graphemes before every space (but after a prepended mark), so
    breaking the stretch gives the same graphemes as breaking the whole, and no word
    crosses a space."""
    a = ctx.rfind(" ", 0, lo)
    while a > 0 and _PREPEND.match(ctx[a - 1]):
        a = ctx.rfind(" ", 0, a - 1)
    b = ctx.find(" ", hi)
    while b > 0 and _PREPEND.match(ctx[b - 1]):
        b = ctx.find(" ", b + 1)
    return max(a, 0), len(ctx) if b < 0 else b + 1


def _score(left: str, middle: str, right: str, doc: _Doc, open_end: bool = False) -> float:
    """Log-probability of ``middle`` (the reconstructed characters) between its context.

    With ``open_end`` the text is cut short of what follows, and the last grapheme or word
    (which the cut may have split) is not scored.
    """
    ctx = left + middle + right
    lo, hi = len(left), len(left) + len(middle)
    a, b = _view(ctx, lo, hi)
    # A grapheme that overlaps letters holds a letter: it is no symbol, and only words
    # are scored (most candidates are letters: a Cyrillic or CJK reading).
    graphemes: list[str] = [] if _LETTERS.fullmatch(middle) else _GRAPHEME.findall(ctx, a, b)
    ends = list(itertools.accumulate(map(len, graphemes), initial=a))
    if a and graphemes and ends[1] > lo:
        # The first grapheme read is already part of the reconstruction: its neighbour
        # before it is out of view, so read from the start.
        a = 0
        graphemes = _GRAPHEME.findall(ctx, 0, b)
        ends = list(itertools.accumulate(map(len, graphemes), initial=0))
    last_index = len(graphemes) - 1
    score = 0.0
    first = last = -1
    # ends[i], ends[i + 1]: where the i-th grapheme starts and ends; the first that ends
    # past ``lo`` is the first of the reconstruction.
    for i in range(bisect.bisect_right(ends, lo) - 1, last_index + 1):
        start, end = ends[i], ends[i + 1]
        if start >= hi:
            break
        first = i if first < 0 else first
        last = i
        g = graphemes[i]
        if g.isdecimal() and _digits_language(g, doc) is not None:
            continue  # part of a number, scored below as one
        if open_end and end == len(ctx):
            if g in data.emoji_prefixes() or data.emoji_status(g) is not None:
                score += math.log(data.symbol_probability(g[0]))
            elif _is_symbolic(g) and not g.isascii():
                beside_emoji = _emoji_at(graphemes, i - 1) or _emoji_at(graphemes, i + 1)
                score += _symbol_score(g, doc, beside_emoji)
            continue
        if (_is_symbolic(g) or _odd_space(g)) and (not g.isascii() or _defective(g)):
            # An odd space (em quad) is as unlikely as any rare symbol, and more than a
            # space: it is scored as a symbol (a no-break space is common in writing).
            beside_emoji = _emoji_at(graphemes, i - 1) or _emoji_at(graphemes, i + 1)
            score += _symbol_score(g, doc, beside_emoji)
            score += math.log(doc.follow[_follow_class(ctx[end : end + 1])])
        elif _is_symbolic(g) and any(unicodedata2.category(c) in {"Cf", "Mn"} for c in g):
            score += _INVISIBLE
    # The symbols either side pay too: a reading that joins them into one sequence
    # ("🧑" ZWJ "🔬" is one emoji) is scored once for all of it, and one that leaves them
    # apart must pay for each, or joining would always cost more.
    for j in (first - 1, last + 1) if first >= 0 else ():
        if j < 0 or j > last_index or (open_end and j > last):
            continue
        g = graphemes[j]
        if (
            _is_symbolic(g)
            and not g.isascii()
            and not (g.isdecimal() and _digits_language(g, doc) is not None)
        ):
            beside = _emoji_at(graphemes, j - 1) or _emoji_at(graphemes, j + 1)
            score += _symbol_score(g, doc, beside, here=1)
    unspaced_done = False
    # The last character of the reconstruction in a script written without spaces: a
    # word holding one from where it starts in the reconstruction is read unspaced.
    unspaced_at = -1
    for k in range(hi - 1, lo - 1, -1):
        if data.script_of(ctx[k]) in data.UNSPACED_SCRIPTS:
            unspaced_at = k
            break
    context = left[-WINDOW:] + right[:WINDOW]
    # Only words that end at ``lo`` or later can overlap or touch the reconstruction:
    # read from the start of the letters that end at ``lo`` (a word starts there).
    tail = _WORD_TAIL.search(ctx, a, lo)
    for m in _WORD.finditer(ctx, tail.start() if tail else lo, b):
        if m.start() > hi:
            break
        # A word that merely touches the reconstruction is scored too: a candidate that
        # ends in a space leaves the next word standing alone, one that takes the space
        # joins it to the next word, and both readings must pay for that word.
        overlaps = m.end() > lo and m.start() < hi
        touches = lo < hi and (m.end() == lo or m.start() == hi)
        if not overlaps and not touches:
            continue
        if touches and len(_letter_scripts(m.group())) > 1:
            continue  # a neighbour still to be repaired tells nothing yet
        if open_end and m.end() == len(ctx) and m.start() >= lo:
            continue
        word = m.group()
        if data.emoji_status(word) is not None:
            continue  # an emoji, scored as a symbol above ("ℹ️" is a letter and a selector)
        if _unspaced_word(word) or unspaced_at >= max(lo, m.start()):
            if not unspaced_done:
                score += _unspaced_score(ctx, lo, hi, doc)
                unspaced_done = True
            continue
        score += _word_score(word, context, doc)
    # Numbers in the digits of a language, whole, read like words: one that merely
    # touches the reconstruction pays too, as it stands alone or joined.
    for m in _NUMBER.finditer(ctx, a, b) if not ctx[a:b].isascii() else ():
        if not (m.end() > lo and m.start() < hi) and not (
            lo < hi and (m.end() == lo or m.start() == hi)
        ):
            continue
        if open_end and m.end() == len(ctx):
            continue
        lang = _digits_language(m.group(), doc)
        if lang is not None:
            score += math.log(data.number_probability(m.group(), lang))
    return score


def _unspaced_word(word: str) -> bool:
    """Whether ``word`` is letters of a script written without spaces, read by
    segmentation: by its first letter, not a mark before it ("︠穿指法", where a flattened
    no-break space was read as a combining half mark, is Chinese still)."""
    first = word[0]
    if not first.isalpha():
        found = _FIRST_LETTER.search(word)
        if found is None:
            return False
        first = found.group()
    return data.script_of(first) in data.UNSPACED_SCRIPTS


_FIRST_LETTER = regex.compile(r"\p{L}")


def _unspaced_score(ctx: str, lo: int, hi: int, doc: _Doc) -> float:
    lang = doc.language("Hani")
    if lang is None:
        return 0.0
    start, end = max(0, lo - 4), min(len(ctx), hi + 4)
    score = 0.0
    for m in _WORD.finditer(ctx, start, end):
        for a, b in _unspaced_pieces(m.group(), lo - m.start(), hi - m.start()):
            score += _segmentation_score(m.group()[a:b], lang)
    return score


def _unspaced_pieces(word: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """The stretch of ``word`` to segment, the reconstruction at ``word[lo:hi]``. A
    neighbour glued to it, or standing beside it, that holds two scripts is mojibake
    still to be read ("ありãŒã" before "ãŒã" is): its letters of a script written with
    spaces are cut off, so that every reading pays alike for it (one that leaves it
    apart pays nothing for it in the word scores either). Letters glued to the
    reconstruction that are words of their own ("AI、Kolmogorov") stay."""
    lo, hi = min(max(lo, 0), len(word)), min(max(hi, 0), len(word))
    start, end = 0, len(word)
    if len(_letter_scripts(word[hi:])) > 1:
        end = next((i for i in range(hi, len(word)) if _spaced_letter(word[i])), end)
    if len(_letter_scripts(word[:lo])) > 1:
        start = next((i + 1 for i in range(lo - 1, -1, -1) if _spaced_letter(word[i])), start)
    return [(start, end)]


def _spaced_letter(ch: str) -> bool:
    script = data.script_of(ch)
    return bool(script) and script not in data.UNSPACED_SCRIPTS


# --- Search -----------------------------------------------------------------------------


@dataclass(slots=True)
class _Slot:
    index: int
    """Segment index."""
    options: list[_Option]


def _softmax_top(scores: list[float]) -> float:
    top = max(scores)
    return 1.0 / sum(math.exp(s - top) for s in scores)


def _assemble(fixed: list[list[_Option]], choice: dict[int, _Option]) -> tuple[str, list[int]]:
    """The run's text for a choice of options, and the character offset of each segment."""
    parts: list[str] = []
    offsets: list[int] = []
    pos = 0
    for i, options in enumerate(fixed):
        text = choice[i].text if i in choice else options[0].text
        offsets.append(pos)
        parts.append(text)
        pos += len(text)
    offsets.append(pos)
    return "".join(parts), offsets


def _spaced_word(text: str) -> bool:
    """Whether ``text`` is letters of a script written with spaces between words (in
    Chinese or Japanese, letters run on for a whole sentence: they are no one word)."""
    return _LETTERS.fullmatch(text) is not None and not any(
        data.script_of(c) in data.UNSPACED_SCRIPTS for c in text
    )


def _clusters(slots: list[_Slot], segments: list[list[_Option]]) -> list[list[_Slot]]:
    """Slots decided together: those at most three characters apart, and those with only
    letters of a spaced script between them (one word, which is scored whole: "?едел?"
    is "Неделя" only when both slots are read at once)."""
    text, offsets = _assemble(segments, {})
    clusters: list[list[_Slot]] = []
    for slot in slots:
        if clusters:
            prev = clusters[-1][-1]
            between = text[offsets[prev.index + 1] : offsets[slot.index]]
            if len(between) <= 3 or _spaced_word(between):
                clusters[-1].append(slot)
                continue
        clusters.append([slot])
    return clusters


def _cluster_choices(
    cluster: list[_Slot],
    segments: list[list[_Option]],
    rest: dict[int, _Option],
    before: str,
    after: str,
    doc: _Doc,
    has_holes: bool,
    pairs: tuple[int, int] | None = None,
) -> list[tuple[float, dict[int, _Option]]]:
    first, last = cluster[0].index, cluster[-1].index
    # The text either side of the cluster is the same for every choice in it.
    fixed, offsets = _assemble(segments, rest)
    left = (before + fixed[: offsets[first]])[-WINDOW:]
    right = (fixed[offsets[last + 1] :] + after)[:WINDOW]
    between = [rest.get(i, segments[i][0]) for i in range(first, last + 1)]

    def score(choice: dict[int, _Option]) -> float:
        middle = "".join(
            choice[i].text if i in choice else option.text
            for i, option in enumerate(between, first)
        )
        value = _score(left, middle, right, doc)
        if pairs is not None:
            value += _unpaired(middle, *pairs) * UNPAIRED
        drops = sum(o.drops for o in choice.values())
        return value + (drops * _DROP_BESIDE_HOLES if has_holes else 0.0)

    size = math.prod(len(s.options) for s in cluster)
    if size <= MAX_JOINT:
        results = []
        for combo in itertools.product(*(s.options for s in cluster)):
            choice = {s.index: o for s, o in zip(cluster, combo, strict=True)}
            results.append((score(choice), choice))
    else:
        found = _beam(cluster, segments, rest, before, doc)
        seen = {tuple(sorted((k, id(v)) for k, v in c.items())) for c in found}
        for c in _spelled(cluster, segments, rest, before, doc):
            key = tuple(sorted((k, id(v)) for k, v in c.items()))
            if key not in seen:
                seen.add(key)
                found.append(c)
        results = [(score(c), c) for c in found]
    results.sort(key=lambda r: -r[0])
    return [r for r in results if r[0] > -math.inf]


UNPAIRED = math.log(0.1)
"""A bracket or quote whose partner its line does not hold: in writing they come in
pairs, and a note's line is its paragraph."""

_OPENS = regex.compile(r"[\p{Ps}\p{Pi}]")
_MARKS = regex.compile(r"[\p{Ps}\p{Pi}\p{Pe}\p{Pf}]")


def _unpaired(text: str, opened: int, closing: int) -> int:
    """How many of ``text``'s brackets and quotes have no partner in the run's line: an
    opening one with no closing one after the run left for it (``closing`` close, after
    the run, something opened before it; those close what ``opened`` counts first), a
    closing one with none still open before it. A mark that would close one still open
    is not rewarded: the runs of a line are read one by one, and two readings would
    close the same bracket."""
    count = 0
    closing = max(0, closing - opened)
    for mark in _MARKS.findall(text):
        if _OPENS.match(mark):
            if closing:
                closing -= 1
            else:
                count += 1
        elif opened:
            opened -= 1
        else:
            count += 1
    return count


def pairs_around(before: str, after: str) -> tuple[int, int]:
    """``reconstruct``'s ``pairs`` for a run between ``before`` (its line up to the run)
    and ``after`` (the rest of its line): the brackets and quotes still open before it,
    and the closing ones after it that close nothing opened after it."""
    opened, _ = _balance(before)
    _, closing = _balance(after)
    return opened, closing


def _balance(text: str) -> tuple[int, int]:
    """The brackets and quotes ``text`` leaves open, and the closing ones in it that
    close nothing it opened."""
    opened = unmatched = 0
    for mark in _MARKS.findall(text):
        if _OPENS.match(mark):
            opened += 1
        elif opened:
            opened -= 1
        else:
            unmatched += 1
    return opened, unmatched


def _beam(
    cluster: list[_Slot],
    segments: list[list[_Option]],
    rest: dict[int, _Option],
    before: str,
    doc: _Doc,
) -> list[dict[int, _Option]]:
    """Left to right over the cluster's slots, keeping the best few partial choices. A
    partial choice is scored on the text up to the next undecided slot, leaving out the
    grapheme or word that the cut may split."""
    beam: list[dict[int, _Option]] = [{}]
    for n, slot in enumerate(cluster):
        scored = []
        for partial in beam:
            for option in slot.options:
                choice = {**partial, slot.index: option}
                text, lo, cut = _frontier(cluster, segments, rest, n, choice)
                left = (before + text[:lo])[-WINDOW:]
                value = _score(left, text[lo:cut], "", doc, open_end=True)
                scored.append((value, choice))
        scored.sort(key=lambda r: -r[0])
        beam = [c for v, c in scored[:BEAM] if v > -math.inf] or [c for _, c in scored[:1]]
    return beam


def _frontier(
    cluster: list[_Slot],
    segments: list[list[_Option]],
    rest: dict[int, _Option],
    n: int,
    partial: dict[int, _Option],
) -> tuple[str, int, int]:
    """For a choice of the cluster's slots up to its ``n``-th (``partial``), left to
    right: the run's text, where the cluster starts in it, and where the next slot still
    undecided cuts it (the run's end after the last slot)."""
    cut_index = cluster[n + 1].index if n + 1 < len(cluster) else len(segments)
    text, offsets = _assemble(segments, {**rest, **partial})
    return text, offsets[cluster[0].index], offsets[cut_index]


MAX_SPELLED = 4096
"""Partial choices ``_spelled`` may try in one cluster."""

_LAST_LETTERS = regex.compile(r"[\p{L}\p{M}]+$")


def _spelled(
    cluster: list[_Slot],
    segments: list[list[_Option]],
    rest: dict[int, _Option],
    before: str,
    doc: _Doc,
) -> list[dict[int, _Option]]:
    """The cluster's choices whose letters keep spelling words of the document's
    language, left to right: a slot's reading is kept while the word it is in is still
    the start of a listed word, and every word it completes is listed. The beam scores a
    word cut short as nothing at all, so inside one long word (four holes of seven
    readings each) it keeps arbitrary partial readings; these are the ones to score."""
    out: list[dict[int, _Option]] = []
    budget = MAX_SPELLED

    def spells(text: str) -> bool:
        # The letters before the cut: complete words must be listed, the last one (which
        # the cut may split) must start one.
        words = list(_WORD.finditer(text))
        if not words:
            return False  # symbols, not words: the beam's scores judge alone
        for k, m in enumerate(words):
            word = m.group()
            scripts = _letter_scripts(word)
            if len(scripts) != 1:
                return False
            script = next(iter(scripts))
            lang = None if script in data.UNSPACED_SCRIPTS else doc.language(script)
            if lang is None:
                return False  # no words to spell by: the beam's scores judge alone
            last = k == len(words) - 1 and m.end() == len(text)
            if not (data.starts_a_word(word, lang) if last else data.is_listed(word, lang)):
                return False
        return True

    def walk(n: int, choice: dict[int, _Option]) -> None:
        nonlocal budget
        if n == len(cluster):
            out.append(choice)
            return
        slot = cluster[n]
        for option in slot.options:
            if budget <= 0:
                return
            budget -= 1
            partial = {**choice, slot.index: option}
            text, lo, cut = _frontier(cluster, segments, rest, n, partial)
            # The word the cluster starts in began before it.
            head = _LAST_LETTERS.search(before + text[:lo])
            start = lo - (len(head.group()) if head else 0)
            if spells((before + text)[len(before) + start : len(before) + cut]):
                walk(n + 1, partial)

    walk(0, {})
    return out


UNLIKELY_LETTER = 1e-3
"""A slot's reading whose letters no language of their script writes a thousandth as
often as the letters of the slot's likeliest reading (of as many characters) is set
aside before the readings are scored in context: 䁸 for 不 in Chinese, where the
context scorer, which gives every unlisted character the same floor, may tie them.
Measured on the corpora (the Chinese pairs and the damaged clean notes): at 1e-3 no
right reading is set aside and 13 more Chinese lines and 11 more damaged lines are
right; at 1e-2 right readings of the damaged notes go, at 1e-4 the gain shrinks."""


def _letter_prior(text: str) -> float | None:
    """The log-frequency of ``text``'s letters, each in the language of its script that
    writes it most (a short note's language is a guess: Russian or Macedonian), or None
    when it holds anything else, or letters of a script with no language."""
    total = 0.0
    for ch in text:
        script = data.script_of(ch)
        if script in ("", "?") or not ch.isalpha():
            return None
        table = data.script_letter_frequencies(script)
        if not table:
            return None
        total += math.log(max(table.get(ch.casefold(), 0.0), data.LETTER_FLOOR))
    return total


def _likely_options(options: list[_Option]) -> list[_Option]:
    """``options`` without the letter readings ``UNLIKELY_LETTER`` sets aside; every
    other reading (a symbol, a space, letters of no known language) stays."""
    priors = [_letter_prior(o.text) for o in options]
    top: dict[int, float] = {}
    for option, prior in zip(options, priors, strict=True):
        if prior is not None:
            n = len(option.text)
            top[n] = max(top.get(n, -math.inf), prior)
    floor = math.log(UNLIKELY_LETTER)
    return [
        o
        for o, prior in zip(options, priors, strict=True)
        if prior is None or prior >= top[len(o.text)] + floor
    ]


def _reason(restored: Sequence[int], nbsp: int) -> str:
    parts = []
    if restored:
        listed = ", ".join(f"0x{b:02X}" for b in restored)
        parts.append(f"lost byte{'s' if len(restored) > 1 else ''} {listed} restored")
    if nbsp:
        parts.append("no-break space restored" if nbsp == 1 else f"{nbsp} no-break spaces restored")
    return "; ".join(parts) or "lost bytes restored"


def _segment_options(run: str, codec: str, collapse: bool = True) -> list[list[_Option]] | None:
    """``collapse``: whether a space may stand for a no-break space and a space folded
    into one (not where another space follows the run: nothing was folded there)."""
    lost = data.lost_byte_values(codec)
    tokens = _tokens(run, codec)
    if not tokens:
        return None
    segments: list[list[_Option]] = []
    for segment in _segments(tokens):
        options = _options(segment, lost, collapse)
        if not options:
            return None
        segments.append(options)
    return segments


def completions(run: str, codec: str, limit: int = MAX_JOINT) -> frozenset[str] | None:
    """Every text the run may have been before its bytes were lost, unscored; None when
    there is none or more than ``limit``."""
    segments = _segment_options(run, codec)
    if segments is None or math.prod(len(s) for s in segments) > limit:
        return None
    return frozenset("".join(o.text for o in combo) for combo in itertools.product(*segments))


def reconstruct(
    run: str,
    codec: str,
    before: str,
    after: str,
    evidence: Evidence,
    pairs: tuple[int, int] | None = None,
) -> Reconstruction | None:
    """Candidates for a run whose bytes are not valid UTF-8 as they stand, or None.

    ``before`` and ``after`` are the text either side of the run; the scorer reads up to
    ``WINDOW`` (24) characters of each, so a few dozen is plenty. They are best taken
    from the text with the certain repairs applied, so that neighbouring words are words.
    ``evidence`` gives the document's language, its emoji and how it spaces them.

    A '?' or U+FFFD in ``run`` is read as a replaced byte where UTF-8 needs one there and
    as itself otherwise; deciding that a '?' in clean text is no damage at all is the
    engine's job (it does not call this for valid text).

    ``pairs``, where the caller knows the run's line: how many opening brackets and
    quotes before the run are still open, and how many closing ones after it close
    something opened before it. A reading that opens what nothing closes, or closes what
    nothing opened, is less likely (``UNPAIRED``): brackets and quotes come in pairs.

    >>> reconstruct("ğŸ‘ï¸", "sloppy-windows-1254", "", " Eye", Evidence()).best.text
    '👁️'
    """
    # The scorer reads WINDOW characters either side (the document model aside, which
    # without a document text is made of ``before`` and ``after`` themselves).
    key = (
        (run, codec, before[-WINDOW:], after[:WINDOW], pairs)
        if evidence.text
        else (run, codec, before, after, pairs)
    )
    rec = evidence.memo.get(key)
    if rec is None:
        rec = _reconstruct(run, codec, before, after, evidence, pairs) or _NONE
        evidence.memo[key] = rec
    if not isinstance(rec, Reconstruction):
        return None
    return _with_context(rec, run, before, after, evidence)


_NONE = object()
"""Memo of a run that has no reconstruction."""


def _reconstruct(
    run: str,
    codec: str,
    before: str,
    after: str,
    evidence: Evidence,
    pairs: tuple[int, int] | None = None,
) -> Reconstruction | None:
    segments = _segment_options(run, codec, collapse=not after[:1].isspace())
    if segments is None:
        return None
    segments = [_likely_options(opts) if len(opts) > 1 else opts for opts in segments]
    slots = [_Slot(i, opts) for i, opts in enumerate(segments) if len(opts) > 1]
    if not slots:
        only = {i: opts[0] for i, opts in enumerate(segments)}
        text, _ = _assemble(segments, only)
        restored = [b for o in only.values() for b in o.restored]
        nbsp = sum(o.nbsp for o in only.values())
        return Reconstruction(
            (Candidate(text, 0.0, tuple(restored), _reason(restored, nbsp)),), 1.0
        )  # one reading: nothing for the context to re-rank

    doc = _model(evidence, before, after)
    has_holes = "\ufffd" in run or "?" in run
    clusters = _clusters(slots, segments)
    best: dict[int, _Option] = {}
    ranked: list[list[tuple[float, dict[int, _Option]]]] = []
    for _ in range(2 if len(clusters) > 1 else 1):
        ranked = []
        for cluster in clusters:
            rest = {k: v for k, v in best.items() if k not in {s.index for s in cluster}}
            choices = _cluster_choices(
                cluster, segments, rest, before, after, doc, has_holes, pairs
            )
            if not choices:
                return None
            ranked.append(choices)
        best = {k: v for choices in ranked for k, v in choices[0][1].items()}

    confidence = math.prod(_softmax_top([s for s, _ in choices]) for choices in ranked)
    total = sum(choices[0][0] for choices in ranked)
    joint: list[tuple[float, dict[int, _Option]]] = [(total, best)]
    for choices in ranked:
        top = choices[0][0]
        for value, choice in choices[1:MAX_CANDIDATES]:
            joint.append((total - top + value, {**best, **choice}))
    joint.sort(key=lambda r: -r[0])

    candidates = []
    seen: set[str] = set()
    for value, choice in joint:
        full = {i: choice.get(i, opts[0]) for i, opts in enumerate(segments)}
        text, _ = _assemble(segments, full)
        if text in seen:
            continue
        seen.add(text)
        restored = [b for i in sorted(full) for b in full[i].restored]
        nbsp = sum(o.nbsp for o in full.values())
        candidates.append(Candidate(text, value, tuple(restored), _reason(restored, nbsp)))
        if len(candidates) == MAX_CANDIDATES:
            break
    return Reconstruction(tuple(candidates), confidence)


def _with_context(
    rec: Reconstruction, run: str, before: str, after: str, evidence: Evidence
) -> Reconstruction:
    """The context scorer re-ranks the candidates of an ambiguous run by the meaning of
    the words after it: static tables by default, the model with ``notefix[context]``."""
    # Imported here: that module imports this one, and loads nothing until needed.
    from notefix import lossy_context

    mode = lossy_context.mode()
    if mode == "off" or len(rec.candidates) < 2:
        return rec
    return lossy_context.rerank(rec, run, before, after, evidence, static=mode == "static")
