"""Run directories for the reporting tests, written through the typed records the loop writes."""

from __future__ import annotations

import shutil
from pathlib import Path

from autolibra.jsonl import atomic_write_text, write_jsonl
from autolibra.lm.calllog import LMCallRecord
from autolibra.meta_metrics import Ratio
from autolibra.schema import Trajectory
from autolibra.scoring import MetricRate
from optimizer.records import Decision, RewriteRecord, Scores, write_record
from optimizer.rundir import RunDir

FIXTURE_ITERATION = Path(__file__).parents[1] / "fixtures" / "annotate" / "run" / "iterations" / "000"
SEED_PROMPT = "Reach the flag. <script>alert('x')</script>"
CANDIDATE_PROMPT = "Walk to the WIN object & stop."


def episodes(outcomes: list[bool], task: str = "env/goto_win", first_seed: int = 0, steps: int = 4) -> list[Trajectory]:
    return [Trajectory(id=f"{task}:{first_seed + i}", env="babaisai", task=task, seed=first_seed + i,
                       success=won, num_steps=steps) for i, won in enumerate(outcomes)]


def lm_calls() -> list[LMCallRecord]:
    message = [{"role": "user", "content": "?"}]
    return [LMCallRecord(role="agent", model="fake", messages=message, input_tokens=100, output_tokens=3,
                         latency_s=0.5),
            LMCallRecord(role="agent", model="fake", messages=message, input_tokens=100, output_tokens=3,
                         cache_hit=True),
            LMCallRecord(role="judge", model="fake", messages=message, error="LMError: timeout", latency_s=2.0),
            LMCallRecord(role="rewriter", model="fake", messages=message, input_tokens=900, output_tokens=80,
                         latency_s=1.25)]


def write_first_iteration(folder: Path) -> None:
    """Iteration 0 of a `metrics` run: the annotate fixture's 3 episodes (1 won), judged and rewritten."""
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_text(folder / "prompt.md", SEED_PROMPT + "\n")
    for name in ("rollouts.jsonl", "metrics.json", "traits.jsonl"):
        shutil.copy(FIXTURE_ITERATION / name, folder / name)
    write_jsonl(folder / "validation_rollouts.jsonl", episodes([True, False], first_seed=100))
    write_jsonl(folder / "test_rollouts.jsonl", episodes([False, False], first_seed=200))
    write_record(folder / "scores.json", Scores(
        episodes=3, successes=1, success_rate=1 / 3, average_steps=3.0, invalid_actions=1,
        metrics=[MetricRate(metric="Goal-directed movement", passed=1, failed=1),
                 MetricRate(metric="Rule manipulation", not_applicable=2, unscored=1)],
        unscored_traits=1, coverage=Ratio(numerator=3, denominator=4),
        redundancy=Ratio(numerator=1, denominator=4, excluded=1)))
    candidate = folder / "candidate"
    candidate.mkdir()
    atomic_write_text(candidate / "prompt.md", CANDIDATE_PROMPT + "\n")
    write_jsonl(candidate / "validation_rollouts.jsonl", episodes([True, True], first_seed=100))
    write_record(candidate / "rewrite.json", RewriteRecord(objective="metrics", accepted_by_checks=True, attempts=1))
    write_record(folder / "decision.json", Decision(
        rule="not_worse", accepted=True, incumbent_success=0.5, candidate_success=1.0, episodes=2,
        incumbent_prompt_id="p0", candidate_prompt_id="p1"))


def build_run(path: Path, *, final_test: list[bool] | None = (True, False)) -> RunDir:
    """A finished two-iteration run; the second iteration has only its prompt and training episodes."""
    run = RunDir.initialize(path, "demo <run>", {"objective": "metrics"})
    write_first_iteration(run.path / "iterations" / "000")
    second = run.path / "iterations" / "001"
    second.mkdir()
    atomic_write_text(second / "prompt.md", CANDIDATE_PROMPT + "\n")
    write_jsonl(second / "rollouts.jsonl", episodes([True, True, False]))
    write_jsonl(second / "test_rollouts.jsonl", episodes([True, False], first_seed=200))
    if final_test is not None:
        (run.path / "final").mkdir()
        atomic_write_text(run.path / "final" / "prompt.md", CANDIDATE_PROMPT + "\n")
        write_jsonl(run.path / "final" / "test_rollouts.jsonl", episodes(list(final_test), first_seed=200))
    write_jsonl(run.lm_log, lm_calls())
    with run.lm_log.open("a", encoding="utf-8") as log:
        log.write('{"role": "agent", "mod')  # a line cut by a kill
    run.set_status("done", iteration=1)
    return run
