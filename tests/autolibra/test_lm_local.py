"""The embedded model end to end (real llama.cpp, real weights; small and bounded).

A fresh machine pulls the weights on first use through `ensure_model` (about 1.2 GB in all).
"""

import json
import threading
from typing import Literal

import dspy
import pytest

from autolibra.lm import LMSession, ensure_model

pytestmark = pytest.mark.local_model

MOVES = ("up", "down", "left", "right", "idle")


class Move(dspy.Signature):
    """Choose the agent's next move in a grid world."""

    observation: str = dspy.InputField()
    action: Literal["up", "down", "left", "right", "idle"] = dspy.OutputField()


@pytest.fixture(scope="module")
def weights():
    return {name: ensure_model(name) for name in ("local-tiny", "local")}


def test_local_tiny_plumbing_cache_log_and_parallel_slots(weights, tmp_path):
    log_path = tmp_path / "lm_calls.jsonl"
    config = {"default": {"model": "local-tiny", "temperature": 0.0, "max_tokens": 24}}
    with LMSession(config, cache_dir=tmp_path, log_path=log_path) as session:
        lm = session.lm("agent")
        answers = {}

        def act(i):
            with dspy.context(lm=lm, adapter=dspy.JSONAdapter()):
                answers[i] = dspy.Predict(Move)(observation=f"The flag is {i + 1} steps to the left.").action

        threads = [threading.Thread(target=act, args=(i,)) for i in range(2)]  # two slots at once
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(answers) == [0, 1] and all(answer in MOVES for answer in answers.values())
        act(0)  # the same request again: served from the run's cache
        usage = session.usage()["agent"]
        assert (usage.calls, usage.cache_hits, usage.errors) == (3, 1, 0)
        assert usage.input_tokens > 50 and usage.output_tokens > 0
    records = [json.loads(line) for line in log_path.read_text().splitlines()]
    assert len(records) == 3 and records[-1]["cache_hit"]
    # JSON-schema constrained decoding reached the server: the schema is in the request.
    assert "json_schema" in json.dumps(records[0]["params"]["response_format"])


def test_local_model_typed_predict_returns_valid_moves(weights):
    with LMSession({"default": {"model": "local", "temperature": 0.0, "max_tokens": 24}}) as session:
        with dspy.context(lm=session.lm("agent"), adapter=dspy.JSONAdapter()):
            for observation in ("The key is two steps to your left.", "You are standing on the goal."):
                assert dspy.Predict(Move)(observation=observation).action in MOVES
        assert session.usage()["agent"].calls == 2
