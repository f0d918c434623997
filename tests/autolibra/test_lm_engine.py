"""The shared call path (cache, retries, concurrency, usage, log) through the scripted fake provider."""

import json
import threading
from typing import Literal

import dspy
import pytest
from dspy import LMAuthError, LMRateLimitError, LMServerError

from autolibra.errors import ConfigError, LMError
from autolibra.lm import FakeScriptExhausted, LMSession, make_lm


class Move(dspy.Signature):
    observation: str = dspy.InputField()
    action: Literal["up", "down"] = dspy.OutputField()


def predict(lm, observation="wall to the north"):
    with dspy.context(lm=lm):
        return dspy.Predict(Move)(observation=observation).action


def test_fake_provider_list_mapping_function_and_exhaustion():
    lm = make_lm("fake/list", script=[{"action": "up"}])
    assert predict(lm) == "up"
    assert "wall to the north" in lm.fake.calls[0].last_user
    with pytest.raises(FakeScriptExhausted):
        predict(lm)
    mapped = make_lm("fake/map", script={"key": {"action": "down"}})
    assert predict(mapped, "the key is below") == "down"
    echo = make_lm("fake/fn",
                   script=lambda messages: {"action": "up" if "north" in messages[-1]["content"] else "down"})
    assert predict(echo, "go south") == "down"


def test_fake_file_script(tmp_path):
    path = tmp_path / "replies.json"
    path.write_text(json.dumps([{"action": "down"}]))
    assert predict(make_lm(f"fake/file:{path}")) == "down"
    with pytest.raises(ConfigError, match="needs a script"):
        make_lm("fake/nothing")
    with pytest.raises(ConfigError, match="cannot read"):
        make_lm(f"fake/file:{tmp_path / 'missing.json'}")


def test_cache_replays_finished_calls_after_resume(tmp_path):
    with LMSession("fake/a", cache_dir=tmp_path, scripts={"agent": [{"action": "up"}]}) as session:
        assert predict(session.lm("agent")) == "up"
    # A resumed run: an empty script would raise if the finished call were repeated.
    with LMSession("fake/a", cache_dir=tmp_path, scripts={"agent": []}) as resumed:
        assert predict(resumed.lm("agent")) == "up"
        usage = resumed.usage()["agent"]
        assert (usage.calls, usage.cache_hits, usage.input_tokens) == (1, 1, 0)
        with pytest.raises(FakeScriptExhausted):
            predict(resumed.lm("agent"), "a different observation")


def test_rollout_id_separates_cache_entries(tmp_path):
    lm = make_lm("fake/r", script=[{"action": "up"}, {"action": "down"}], cache_dir=tmp_path)
    assert predict(lm.copy(rollout_id=1, temperature=1.0)) == "up"
    assert predict(lm.copy(rollout_id=2, temperature=1.0)) == "down"
    assert predict(lm.copy(rollout_id=1, temperature=1.0)) == "up"  # cached, script not consumed
    assert len(lm.fake.calls) == 2


def test_transient_errors_are_retried_with_backoff_and_counted(tmp_path):
    failures = [LMRateLimitError("slow down", retry_after=0.5), LMServerError("502 bad gateway")]

    def flaky(messages):
        if failures:
            raise failures.pop(0)
        return {"action": "up"}

    session = LMSession("fake/x", log_path=tmp_path / "lm_calls.jsonl", scripts={"judge": flaky})
    lm = session.lm("judge")
    slept = []
    lm.engine_impl.sleep, lm.engine_impl.backoff_base = slept.append, 0.01
    assert predict(lm) == "up"
    assert slept[0] == 0.5  # the provider's retry-after hint wins
    assert len(slept) == 2
    usage = session.usage()["judge"]
    assert (usage.calls, usage.retries, usage.errors) == (1, 2, 0)
    record = json.loads((tmp_path / "lm_calls.jsonl").read_text().splitlines()[0])
    assert record["attempts"] == 3 and record["error"] is None


def test_permanent_error_becomes_ladder_lm_error_without_retry(tmp_path):
    def denied(messages):
        raise LMAuthError("invalid key")

    session = LMSession("fake/x", log_path=tmp_path / "log.jsonl", scripts={"agent": denied})
    with pytest.raises(LMError, match="agent model 'fake/x' failed after 1 attempt"):
        predict(session.lm("agent"))
    assert session.usage()["agent"].errors == 1
    assert "LMAuthError" in json.loads((tmp_path / "log.jsonl").read_text())["error"]


def test_concurrency_limit_per_provider(monkeypatch):
    """No timing: every call is held inside the model until all six are accounted for, each either inside
    (it got a slot) or queued at the limiter. A missing or wider limit lets a third call inside."""
    from autolibra.lm import engine

    state = {"inside": 0, "peak": 0, "queued": 0}
    changed, release = threading.Condition(), threading.Event()
    real_limit = engine.provider_limit

    class CountingLimit:  # the engine's real semaphore, reporting the calls it makes wait
        def __init__(self, semaphore):
            self.semaphore = semaphore

        def __enter__(self):
            if not self.semaphore.acquire(blocking=False):
                with changed:
                    state["queued"] += 1
                    changed.notify_all()
                self.semaphore.acquire()
                with changed:
                    state["queued"] -= 1
            return self

        def __exit__(self, *exc):
            self.semaphore.release()

    monkeypatch.setattr(engine, "provider_limit", lambda key, size: CountingLimit(real_limit(key, size)))

    def held(messages):
        with changed:
            state["inside"] += 1
            state["peak"] = max(state["peak"], state["inside"])
            changed.notify_all()
        release.wait(timeout=30)
        with changed:
            state["inside"] -= 1
        return {"action": "up"}

    lm = make_lm({"model": "fake/held", "max_concurrency": 2}, script=held)
    threads = [threading.Thread(target=predict, args=(lm, f"obs {i}")) for i in range(6)]
    for thread in threads:
        thread.start()
    with changed:
        settled = changed.wait_for(lambda: state["inside"] + state["queued"] == 6, timeout=30)
        snapshot = dict(state)
    release.set()
    for thread in threads:
        thread.join()
    assert settled, f"calls neither inside nor queued: {snapshot}"
    assert (snapshot["inside"], snapshot["queued"]) == (2, 4)
    assert len(lm.fake.calls) == 6 and state["peak"] == 2


def test_log_has_calls_and_no_secrets(tmp_path, monkeypatch):
    secret = "sk-test-0123456789abcdef"
    monkeypatch.setenv("LADDER_TEST_API_KEY", secret)
    roles = {"default": "fake/x", "judge": {"model": "openai/gpt-4o", "api_key_env": "LADDER_TEST_API_KEY"}}
    session = LMSession(roles, log_path=tmp_path / "lm_calls.jsonl", scripts={"agent": [{"action": "up"}]})
    # A key that leaks into a prompt (say, pasted into feedback) is scrubbed from the log too.
    assert predict(session.lm("agent"), f"wall to the north; {secret}") == "up"
    judge = session.lm("judge")  # built with the key; never called here (no network in tests)
    assert secret not in repr(judge.kwargs) and secret not in repr(vars(judge))
    text = (tmp_path / "lm_calls.jsonl").read_text()
    assert secret not in text and "[redacted]" in text
    record = json.loads(text.splitlines()[0])
    assert record["role"] == "agent" and record["model"] == "fake/x" and record["input_tokens"] > 0
    assert "wall to the north" in record["messages"][-1]["content"]
    assert record["response"].startswith("[[ ## action ## ]]")


def test_missing_key_variable_is_a_config_error(monkeypatch):
    monkeypatch.delenv("LADDER_NO_SUCH_KEY", raising=False)
    with pytest.raises(ConfigError, match="LADDER_NO_SUCH_KEY is not set"):
        make_lm({"model": "openai/gpt-4o", "api_key_env": "LADDER_NO_SUCH_KEY"})


def test_async_calls_use_the_same_path():
    import asyncio

    lm = make_lm("fake/async", script=[{"action": "down"}])

    async def main():
        with dspy.context(lm=lm):
            return (await dspy.Predict(Move).acall(observation="x")).action

    assert asyncio.run(main()) == "down"
    assert lm.engine_impl.usage.snapshot()["default"].calls == 1


def test_a_schema_constrained_reply_is_logged_as_its_json():
    from dspy.lm15 import DataPart, Message, Response, Usage

    from autolibra.lm.engine import response_text

    reply = Response(id=None, model="m", message=Message.assistant([DataPart({"action": "up"})]),
                     finish_reason="stop", usage=Usage())
    assert response_text(reply) == '{"action": "up"}'


def test_cached_replies_round_trip_every_stored_part_and_skip_others(tmp_path):
    from dspy.lm15 import (ContinuationState, DataPart, ImagePart, Message, Request, Response, TextPart,
                           ThinkingPart, ToolCallPart, Usage)

    from autolibra.lm.cache import CallCache, request_key

    state = ContinuationState(provider="openai", kind="reasoning", data={"id": "r1"})
    reply = Response(id="x", model="m", finish_reason="stop", usage=Usage(input_tokens=3, output_tokens=4),
                     message=Message(role="assistant", parts=(
                         ThinkingPart(text="", continuation=(state,)), TextPart(text="hi"),
                         ToolCallPart(id="1", name="move", input={"to": [1, None]}), DataPart({"action": "up"}))))
    request = Request(model="wire-name", messages=(Message.user("hi"),))
    key = request_key("local", request)
    assert key == request_key("local", Request(model="another-alias", messages=(Message.user("hi"),)))
    assert key != request_key("local", request, rollout_id=1)
    assert key != request_key("local", Request(model="wire-name", messages=(Message.user("ho"),)))
    cache = CallCache(tmp_path)
    cache.put(key, "local", reply)
    assert cache.get(key) == reply
    image = Response(id=None, model="m", finish_reason="stop", usage=Usage(),
                     message=Message(role="assistant", parts=(ImagePart(url="http://example.invalid/a.png"),)))
    cache.put("image", "local", image)  # not storable faithfully: not stored, so never replayed lossily
    assert cache.get("image") is None and len(cache) == 1
    cache.close()


def test_tokens_used_counts_the_outer_lm_once():
    from autolibra.lm.usage import tokens_used

    with dspy.track_usage() as tracker, dspy.track_usage() as empty:
        pass
    for name in ("local", "openai/local"):  # a wrapping LM and the inner one report the same call
        tracker.add_usage(name, {"prompt_tokens": 10, "completion_tokens": 2})
    tracker.add_usage("local", {"prompt_tokens": 5, "completion_tokens": 1})
    assert (tokens_used(tracker, "local").input, tokens_used(tracker, "local").output) == (15, 3)
    assert tokens_used(tracker, "absent").total == 30  # no entry under that name: everything counts
    assert tokens_used(tracker).total == 30
    assert tokens_used(empty, "local").total == 0
