"""Episodes and batches of episodes on the toy corridor env, with scripted fake models."""

from __future__ import annotations

import dataclasses
import threading

import dspy
import pytest
from tests.optimizer import toy_env

from autolibra.jsonl import read_jsonl
from autolibra.lm.fake import FakeScriptExhausted, fake_lm
from autolibra.schema import Trajectory
from optimizer.agent import AgentConfig, GameAgent
from optimizer.rollout import make_jobs, run_episode, run_rollouts


@pytest.fixture(autouse=True)
def toy(monkeypatch):
    toy_env.register(monkeypatch)


@pytest.fixture
def agent():
    return GameAgent("Walk to the goal.", AgentConfig(format="naive"))


def test_winning_episode_is_recorded_completely(agent):
    lm = fake_lm(toy_env.walker)
    trajectory = run_episode("toy", "corridor/long", 3, agent, lm)
    assert (trajectory.outcome, trajectory.success, trajectory.progression) == ("win", True, 1.0)
    assert trajectory.num_steps == len(trajectory.steps) == len(lm.fake.calls) >= 1
    first = trajectory.steps[0]
    assert first.observation.startswith("goal ") and first.raw_output == "right" and first.valid
    assert first.info["grid"].count("@") == 1
    assert trajectory.tokens.input == sum(s.tokens.input for s in trajectory.steps) > 0
    assert trajectory.prompt_id == agent.prompt_id and trajectory.model == "fake/scripted"
    assert trajectory.instruction.endswith("PLAY!") and trajectory.stats["progression"] == 1.0
    assert trajectory.final_observation.startswith("goal here")
    assert trajectory.episode_return == pytest.approx(sum(s.reward for s in trajectory.steps))


def test_invalid_output_uses_default_action_and_tells_the_model(agent):
    lm = fake_lm(["jump!", "", "idle", "idle"])
    trajectory = run_episode("toy", "corridor/long", 0, agent, lm, max_steps=4)
    steps = trajectory.steps
    assert [(s.action, s.valid, s.raw_output) for s in steps[:3]] == [
        ("idle", False, "jump!"), ("idle", False, ""), ("idle", True, "idle")]
    assert steps[1].observation.startswith(
        "\n\nYour previous output did not contain a valid action. Defaulted to action: idle\n\nObservation:\ngoal ")
    assert trajectory.metadata["invalid_actions"] == 2
    assert trajectory.metadata["failed_candidates"] == ["jump", ""]
    # The history shows what the model said; the empty output is skipped, as in BALROG.
    third_call = [m["role"] + ":" + m["content"].split("\n")[0] for m in lm.fake.calls[2].messages[2:]]
    assert third_call == ["user:Observation:", "assistant:jump", "user:Observation:", "user:Current Observation:"]
    assert (trajectory.outcome, trajectory.num_steps) == ("timeout", 4)


def test_walking_into_the_pit_is_a_loss(agent):
    trajectory = run_episode("toy", "corridor/short", 0, agent, fake_lm(lambda messages: "left"))
    assert (trajectory.outcome, trajectory.success, trajectory.steps[-1].reward) == ("loss", False, -1.0)


def test_rollouts_write_as_they_go_and_resume_after_failures(agent, tmp_path):
    out = tmp_path / "rollouts.jsonl"
    jobs = make_jobs("toy", ["corridor/short", "corridor/long"], [0, 1, 2])
    budget = {"calls": 0}

    def flaky(messages):  # works for a while, then the "provider" is down for good
        budget["calls"] += 1
        if budget["calls"] > 4:
            raise FakeScriptExhausted("provider down")
        return toy_env.walker(messages)

    first = run_rollouts(jobs, agent, fake_lm(flaky), out, concurrency=1, progress=False)
    written = read_jsonl(out, Trajectory)
    assert first.failed > 0 and first.ran == len(written) == len(jobs) - first.failed
    assert all("provider down" in f.error for f in first.failures)

    second = run_rollouts(jobs, agent, fake_lm(toy_env.walker), out, concurrency=3, progress=False)
    assert (second.resumed, second.ran, second.failed) == (len(written), first.failed, 0)
    records = read_jsonl(out, Trajectory)
    assert sorted(t.id for t in records) == sorted({t.id for t in records})  # no duplicates
    assert [(t.task, t.seed) for t in second.trajectories] == [(j.task, j.seed) for j in jobs]


def test_a_truncated_last_record_is_dropped_and_rerun(agent, tmp_path):
    out = tmp_path / "rollouts.jsonl"
    jobs = make_jobs("toy", ["corridor/short"], [0, 1])
    run_rollouts(jobs, agent, fake_lm(toy_env.walker), out, progress=False)
    lines = out.read_text().splitlines()
    out.write_text(lines[0] + "\n" + lines[1][: len(lines[1]) // 2])  # a writer killed mid-line
    result = run_rollouts(jobs, agent, fake_lm(toy_env.walker), out, progress=False)
    assert (result.resumed, result.ran) == (1, 1)
    assert len(read_jsonl(out, Trajectory)) == 2


def test_episodes_run_concurrently(agent, tmp_path):
    # The first three model calls return only once all three are waiting: that needs three episodes in
    # flight at once (sequential episodes would break the barrier after its timeout).
    gate, calls, lock = threading.Barrier(3, timeout=10), [0], threading.Lock()
    lm = fake_lm(toy_env.walker)
    original = lm.fake.complete

    def complete(request):  # wait outside the fake engine's lock, which serializes its script
        with lock:
            calls[0] += 1
            first_round = calls[0] <= 3
        if first_round:
            gate.wait()
        return original(request)

    lm.fake.complete = complete
    jobs = make_jobs("toy", ["corridor/long"], [0, 1, 2])
    result = run_rollouts(jobs, agent, lm, tmp_path / "r.jsonl", concurrency=3, progress=False)
    assert (result.ran, result.failed, gate.broken) == (3, 0, False) and calls[0] >= 3


def test_bad_concurrency_is_refused(agent, tmp_path):
    with pytest.raises(ValueError, match="concurrency >= 1, got 0"):
        run_rollouts([], agent, fake_lm([]), tmp_path / "r.jsonl", concurrency=0)


def test_real_baba_episode_is_won_and_scored_like_balrog():
    # env/goto_win seed 0: left, left wins at step 2 with reward 1 - 0.9 * 2 / 100 (spec §A.9.5).
    agent = GameAgent("Reach the WIN object.", AgentConfig(format="robust_cot"))
    lm = fake_lm(["The door is two steps left. <|ACTION|>left<|END|>", "<|ACTION|>left<|END|>"])
    trajectory = run_episode("babaisai", "env/goto_win", 0, agent, lm)
    assert (trajectory.outcome, trajectory.num_steps, trajectory.progression) == ("win", 2, 1.0)
    assert trajectory.steps[-1].reward == pytest.approx(0.982)
    assert trajectory.steps[0].observation.startswith("Active rules:\ndoor is win\nbaba is you\n\nObjects on the map:")
    assert "BABA" in trajectory.steps[0].info["grid"]
    assert trajectory.steps[0].reasoning.startswith("The door is two steps left.")
    assert trajectory.stats["target_plan"] == "goto[door]"
    assert "First, think about the best course of action." in lm.fake.calls[0].last_user


@pytest.mark.local_model
def test_local_model_plays_a_short_real_episode(tmp_path):
    from autolibra.lm import make_lm

    agent = GameAgent("Reach the WIN object.", AgentConfig(format="constrained", max_tokens=128))
    result = run_rollouts(make_jobs("babaisai", ["env/goto_win"], [0], max_steps=4), agent, make_lm("local"),
                          tmp_path / "r.jsonl", concurrency=1, progress=False)
    assert result.failed == 0
    trajectory = result.trajectories[0]
    assert 1 <= trajectory.num_steps <= 4 and trajectory.tokens.input > 0
    assert all(step.valid for step in trajectory.steps)  # constrained decoding: always a legal action


def test_tokens_of_an_lm_that_delegates_to_an_inner_lm_are_counted_once(agent):
    inner = fake_lm(toy_env.walker, name="fake/inner")

    class Delegating:  # like the local backend: our engine sends the request through an inner dspy.LM
        def complete(self, request):
            return inner(dataclasses.replace(request, model=inner.model))

    outer = dspy.LM("fake/outer", engine=Delegating(), cache=False)
    trajectory = run_episode("toy", "corridor/long", 3, agent, outer)
    assert trajectory.tokens.input == sum(len(m["content"].split()) for c in inner.fake.calls for m in c.messages)
