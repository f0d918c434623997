"""One bounded iteration of the whole loop on the real embedded model: every role is `local`.

Structure, not wording: the small model's prose is not asserted, only that every stage produced its
records from real replies and the run finished and can be reported.
"""

from __future__ import annotations

import json

import pytest

from autolibra.jsonl import read_jsonl
from autolibra.schema import Feedback, MetricSet, Trait, Trajectory
from optimizer.config import validate_config
from optimizer.reporting import build_report
from optimizer.loop import start_run

pytestmark = [pytest.mark.local_model, pytest.mark.timeout(1800)]


def test_one_iteration_on_the_local_model(tmp_path):
    config = validate_config({
        "name": "local-e2e", "env": "babaisai", "tasks": ["env/goto_win"],
        "seeds": {"train": [0, 1], "validation": [100]}, "max_steps": 2, "iterations": 1,
        "models": {"default": {"model": "local", "max_tokens": 300, "temperature": 0}},
        "agent": {"format": "constrained", "history": 1, "max_tokens": 80},
        "feedback": {"source": "llm", "sample": 1}, "induction": {"max_rounds": 1, "workers": 2},
        "concurrency": 2, "out_dir": str(tmp_path)})
    run, status = start_run(config, run_path=tmp_path / "run")
    assert status == "done"
    folder = run.path / "iterations/000"
    rollouts = read_jsonl(folder / "rollouts.jsonl", Trajectory)
    assert len(rollouts) == 2 and all(t.steps and all(s.valid for s in t.steps) for t in rollouts)
    feedback = read_jsonl(folder / "feedback.jsonl", Feedback)
    assert len(feedback) == 1 and feedback[0].text.strip()
    metrics = MetricSet.model_validate_json((folder / "metrics.json").read_text())
    assert metrics.metrics
    traits = read_jsonl(folder / "traits.jsonl", Trait)
    assert len(traits) == 2 * len(metrics.metrics)
    assert (folder / "candidate/prompt.md").read_text().strip()
    decision = json.loads((folder / "decision.json").read_text())
    assert set(decision) >= {"accepted", "incumbent_success", "candidate_success"}
    log = [json.loads(line) for line in run.lm_log.read_text().splitlines()]
    roles = {entry["role"] for entry in log}
    assert {"agent", "annotator", "grounder", "clusterer", "judge", "rewriter"} <= roles
    assert all(entry["model"] == "local" for entry in log)
    assert build_report(run.path).exists()
