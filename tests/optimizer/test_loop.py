"""The whole loop on fake models and the real Baba Is AI env: records, resume, faults, human pauses."""

from __future__ import annotations

import json

import pytest

from autolibra.jsonl import read_jsonl
from autolibra.lm import LMSession
from autolibra.schema import Feedback, MetricSet, Trait, Trajectory
from optimizer.config import validate_config
from optimizer.context import RunContext, resolve_tasks
from optimizer.loop import run_loop as loop_over
from optimizer.records import Decision, RewriteRecord, read_record
from optimizer.reporting import build_report
from optimizer.rundir import RunDir
from tests.optimizer.fake_roles import METRICS, Counter, fake_models, scripts


def make_config(**changes):
    data = {"name": "t", "env": "babaisai", "tasks": ["env/goto_win", "env/goto_win-distr_obj"],
            "seeds": {"train": [0, 1], "validation": [100], "test": [200]}, "max_steps": 3, "iterations": 2,
            "models": fake_models(), "agent": {"format": "constrained", "history": 2},
            "feedback": {"source": "llm", "sample": 2}, "induction": {"max_rounds": 1, "workers": 2},
            "concurrency": 2}
    data.update(changes)
    return validate_config(data)


def run_loop(path, config, counter=None, **script_options):
    run = RunDir(path) if (path / "run.json").exists() else _create(path, config)
    return run, _loop(run, config, scripts(counter, **script_options))


def _loop(run, config, role_scripts):
    session = LMSession(config.models, cache_dir=run.lm_cache, log_path=run.lm_log,
                        scripts=role_scripts)
    try:
        return loop_over(RunContext(run, config, session, resolve_tasks(config.env, config.tasks)))
    finally:
        session.close()


def _create(path, config):
    return RunDir.initialize(path, config.name, config.model_dump(mode="json"))


def test_two_iterations_write_every_record(tmp_path):
    counter = Counter()
    run, status = run_loop(tmp_path / "run", make_config(), counter)
    assert status == "done"
    assert run.read_record().status == "done"
    for index in (0, 1):
        folder = run.path / "iterations" / f"{index:03d}"
        rollouts = read_jsonl(folder / "rollouts.jsonl", Trajectory)
        assert len(rollouts) == 4  # 2 tasks x 2 train seeds
        assert {t.seed for t in rollouts} == {0, 1}
        assert len(read_jsonl(folder / "test_rollouts.jsonl", Trajectory)) == 2
        request = json.loads((folder / "feedback_request.json").read_text())
        assert len(request["trajectory_ids"]) == 2
        assert len(read_jsonl(folder / "feedback.jsonl", Feedback)) == 2
        metrics = MetricSet.model_validate_json((folder / "metrics.json").read_text())
        assert metrics.names() == METRICS
        traits = read_jsonl(folder / "traits.jsonl", Trait)
        assert len(traits) == 4 * len(METRICS)  # every trajectory judged on every metric
        decision = json.loads((folder / "decision.json").read_text())
        assert decision["rule"] == "not_worse"
        scores = json.loads((folder / "scores.json").read_text())
        assert scores["episodes"] == 4 and {m["metric"] for m in scores["metrics"]} == set(METRICS)
    # the second iteration keeps the first metric set (it may only add to it), never redefines it
    first = MetricSet.model_validate_json((run.path / "iterations/000/metrics.json").read_text())
    second = MetricSet.model_validate_json((run.path / "iterations/001/metrics.json").read_text())
    assert [(m.name, m.explanation) for m in second.metrics[: len(first.metrics)]] == \
        [(m.name, m.explanation) for m in first.metrics]
    # the candidate prompt was validated on validation seeds only
    validation = read_jsonl(run.path / "iterations/000/candidate/validation_rollouts.jsonl", Trajectory)
    assert {t.seed for t in validation} == {100}
    assert (run.path / "final" / "prompt.md").exists()
    report = build_report(run.path)
    assert report.exists() and (run.path / "plots" / "success.png").exists()
    summary = json.loads((run.path / "summary.json").read_text())
    assert summary["lm_usage"]["agent"]["calls"] > 0 and summary["lm_usage"]["rewriter"]["calls"] >= 2
    assert summary["lm_usage"]["agent"]["input_tokens"] > 0 and summary["lm_usage"]["judge"]["output_tokens"] > 0


def test_rewriter_reads_metric_definitions_and_judge_reasoning(tmp_path):
    run, _ = run_loop(tmp_path / "run", make_config(iterations=1))
    rewrite = json.loads((run.path / "iterations/000/candidate/rewrite.json").read_text())
    assert "Goal pursuit" in rewrite["evidence"] and "it walked into the wall" in rewrite["evidence"]
    log = [json.loads(line) for line in run.lm_log.read_text().splitlines()]
    rewriter_calls = [e for e in log if e["role"] == "rewriter"]
    assert rewriter_calls and "Does the agent move toward the WIN object?" in json.dumps(rewriter_calls[0])


def test_success_objective_skips_feedback_and_metrics(tmp_path):
    counter = Counter()
    run, status = run_loop(tmp_path / "run", make_config(objective="success", iterations=1), counter)
    assert status == "done"
    assert "annotator" not in counter.calls and "judge" not in counter.calls
    rewrite = json.loads((run.path / "iterations/000/candidate/rewrite.json").read_text())
    assert rewrite["evidence"].startswith("Success rate:")
    assert not (run.path / "iterations/000/metrics.json").exists()


def test_resume_after_a_crash_repeats_no_finished_call(tmp_path):
    config = make_config(iterations=1)
    path = tmp_path / "run"

    class Crash(BaseException):  # like a kill: nothing in the stack may catch it
        pass

    crashing = scripts()
    def judge_then_crash(messages):  # the process "dies" in the middle of judging
        raise Crash("killed")
    crashing["judge"] = judge_then_crash
    run = _create(path, config)
    with pytest.raises(Crash):
        _loop(run, config, crashing)
    first_rollouts = (path / "iterations/000/rollouts.jsonl").read_text()

    counter = Counter()
    run, status = run_loop(path, config, counter)
    assert status == "done"
    # rollouts, feedback and grounding were finished before the crash: not one of their calls reached a model
    assert "annotator" not in counter.calls and "grounder" not in counter.calls and "clusterer" not in counter.calls
    assert (path / "iterations/000/rollouts.jsonl").read_text() == first_rollouts
    assert counter.calls["judge"] >= 4


def test_unparseable_judge_replies_are_counted_as_unscored(tmp_path):
    run, status = run_loop(tmp_path / "run", make_config(iterations=1), judge_garbage_on="3 steps down")
    assert status == "done"
    scores = json.loads((run.path / "iterations/000/scores.json").read_text())
    assert scores["unscored_traits"] > 0
    traits = read_jsonl(run.path / "iterations/000/traits.jsonl", Trait)
    assert all(t.error for t in traits if t.rating is None)


def test_failed_episodes_are_left_out_and_the_run_completes(tmp_path):
    # seed 1 of both tasks has "ball is win": those episodes fail, the seed-0 episodes go on
    config = make_config(iterations=1, seeds={"train": [0, 1], "validation": [100]})
    run, status = run_loop(tmp_path / "run", config, agent_error_on="ball is win")
    assert status == "done"
    rollouts = read_jsonl(run.path / "iterations/000/rollouts.jsonl", Trajectory)
    assert {t.seed for t in rollouts} == {0}


def test_human_feedback_pauses_then_resumes(tmp_path):
    config = make_config(iterations=1, feedback={"source": "human", "sample": 2})
    path = tmp_path / "run"
    run, status = run_loop(path, config)
    assert status == "waiting_for_feedback"
    assert run.read_record().status == "waiting_for_feedback"
    wanted = json.loads((path / "iterations/000/feedback_request.json").read_text())["trajectory_ids"]
    from autolibra.jsonl import append_jsonl
    for tid in wanted:
        append_jsonl(path / "iterations/000/feedback.jsonl",
                     Feedback(trajectory_id=tid, text="It walked into the wall at step 1.", annotator="human:ann"))
    run, status = run_loop(path, config)
    assert status == "done"
    assert (path / "iterations/000/traits.jsonl").exists()


@pytest.mark.parametrize("env, task", [("babyai", "BabyAI-MixedTrainLocal-v0/goto"), ("minihack", "MiniHack-Corridor-R3-v0")])
def test_the_loop_accepts_other_envs(tmp_path, env, task):
    pytest.importorskip({"babyai": "minigrid", "minihack": "minihack"}[env])
    config = make_config(env=env, tasks=[task], iterations=1, seeds={"train": [0], "validation": [100]},
                         feedback={"source": "llm", "sample": 1, "solver_analysis": False})
    run, status = run_loop(tmp_path / "run", config)
    assert status == "done"
    trajectories = read_jsonl(run.path / "iterations/000/rollouts.jsonl", Trajectory)
    assert trajectories[0].env == env and trajectories[0].steps


def test_gepa_objective_evolves_the_prompt_from_judged_traits(tmp_path):
    counter = Counter()
    # GEPA selects on the validation seeds: on seed 3 the rewritten prompt's agent (it heads left) wins
    config = make_config(objective="gepa", iterations=1, seeds={"train": [0, 1], "validation": [3]})
    run, status = run_loop(tmp_path / "run", config, counter)
    assert status == "done"
    record = read_record(run.path / "iterations/000/candidate/rewrite.json", RewriteRecord)
    assert record.objective == "gepa" and record.max_metric_calls >= 4
    candidate = (run.path / "iterations/000/candidate/prompt.md").read_text().strip()
    assert candidate == "Find the rule `X is win`, then walk to X."
    assert counter.calls["rewriter"] >= 1 and counter.calls["judge"] > 4  # GEPA's metric judged its episodes
    # GEPA read the judged traits: its reflection prompt carries the judge's reasoning on a failed metric
    log = [json.loads(line) for line in run.lm_log.read_text().splitlines()]
    reflections = json.dumps([e for e in log if e["role"] == "rewriter"])
    assert "Failed metrics:" in reflections and "it walked into the wall" in reflections


def test_each_iteration_can_export_fine_tuning_data(tmp_path):
    config = make_config(iterations=1, selection={"top_k": 2, "per": "episode", "formats": ["openai", "hf"]})
    run, status = run_loop(tmp_path / "run", config)
    assert status == "done"
    out = run.path / "iterations/000/finetune"
    lines = (out / "train.jsonl").read_text().splitlines()
    assert 1 <= len(lines) <= 2
    example = json.loads(lines[0])
    assert [m["role"] for m in example["messages"]][0] == "system"
    assert (out / "report.json").exists() and (out / "hf").is_dir()


def test_a_relative_run_directory_keeps_every_file_inside_it(tmp_path, monkeypatch):
    from optimizer.records import write_record

    monkeypatch.chdir(tmp_path)
    run = RunDir("runs/r1")
    decision = Decision(rule="always", accepted=True, incumbent_success=0.0, candidate_success=1.0, episodes=2,
                        incumbent_prompt_id="a", candidate_prompt_id="b")
    write_record(run.iteration(0) / "decision.json", decision)
    assert (tmp_path / "runs/r1/iterations/000/decision.json").exists()
    assert read_record(run.iteration(0) / "decision.json", Decision) == decision
    assert not (tmp_path / "runs/r1/runs").exists()


def test_gepa_trains_on_train_seeds_and_selects_on_validation_seeds(tmp_path, monkeypatch):
    import dspy

    seen = {}
    compile_for_real = dspy.GEPA.compile

    def spy(self, student, *, trainset, valset=None, **kwargs):
        seen["train"] = sorted((e.task, e.seed) for e in trainset)
        seen["validation"] = sorted((e.task, e.seed) for e in valset)
        return compile_for_real(self, student, trainset=trainset, valset=valset, **kwargs)

    monkeypatch.setattr(dspy.GEPA, "compile", spy)
    config = make_config(objective="gepa", iterations=1, seeds={"train": [0, 1], "validation": [100]})
    run_loop(tmp_path / "run", config)
    tasks = ["env/goto_win", "env/goto_win-distr_obj"]
    assert seen["train"] == [(t, s) for t in tasks for s in (0, 1)]
    assert seen["validation"] == [(t, 100) for t in tasks]
