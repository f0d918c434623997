"""Collect a run directory into one typed summary (summary.json): the numbers the report and compare show.

Everything is read back through the typed records of `optimizer.records` (and `autolibra.schema` for
JSON lines), so a malformed file is named instead of showing up as a missing number.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from autolibra.jsonl import read_jsonl_tolerant
from autolibra.lm.calllog import LMCallRecord
from autolibra.meta_metrics import Ratio
from autolibra.schema import Metric, MetricSet, Trajectory
from autolibra.scoring import MetricRate
from optimizer.records import Decision, Record, RewriteRecord, Scores, read_optional, write_record
from optimizer.reporting.stats import Rate, rate
from optimizer.rundir import RunDir


class SuccessRate(Rate):
    """Episode success with its standard error, and how long the episodes took."""

    average_steps: float


class RoleUsage(BaseModel):
    """What one LM role spent over the whole run, as logged in lm_calls.jsonl (cache hits included)."""

    calls: int = 0
    cache_hits: int = 0
    errors: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    latency_s: float = 0.0


class IterationSummary(BaseModel):
    index: int
    prompt: str | None = None
    train: SuccessRate | None = None
    validation: SuccessRate | None = None  # the incumbent on the validation seeds
    candidate_validation: SuccessRate | None = None
    test: SuccessRate | None = None
    metrics: list[Metric] = Field(default_factory=list)
    metric_rates: list[MetricRate] = Field(default_factory=list)
    coverage: Ratio | None = None
    redundancy: Ratio | None = None
    unscored_traits: int = 0
    invalid_actions: int = 0
    decision: Decision | None = None
    rewrite: RewriteRecord | None = None
    candidate_prompt: str | None = None


class RunSummary(Record):
    """summary.json: one run, iteration by iteration."""

    name: str
    status: str
    objective: str | None = None
    iterations: list[IterationSummary] = Field(default_factory=list)
    final_prompt: str | None = None  # None until the run is finished
    final_test: SuccessRate | None = None
    lm_usage: dict[str, RoleUsage] = Field(default_factory=dict)


def trajectories(path: Path) -> list[Trajectory]:
    """The episodes of a rollouts file; none when it is missing (the stage has not run)."""
    return read_jsonl_tolerant(path, Trajectory)[0]


def success_by_pair(episodes: list[Trajectory]) -> dict[tuple[str, int], float]:
    """(task, seed) -> 1.0/0.0: the unit that paired comparisons match on."""
    return {(t.task, t.seed): 1.0 if t.success else 0.0 for t in episodes}


def success_rate(episodes: list[Trajectory]) -> SuccessRate | None:
    if not episodes:
        return None
    return SuccessRate(**rate([1.0 if t.success else 0.0 for t in episodes]).model_dump(),
                       average_steps=sum(t.num_steps for t in episodes) / len(episodes))


def lm_usage(log_path: Path) -> dict[str, RoleUsage]:
    """Calls, tokens and latency per role, read from lm_calls.jsonl (survives resumes, unlike memory)."""
    usage: dict[str, RoleUsage] = {}
    for call in read_jsonl_tolerant(log_path, LMCallRecord)[0]:
        row = usage.setdefault(call.role, RoleUsage())
        row.calls += 1
        row.cache_hits += int(call.cache_hit)
        row.errors += int(call.error is not None)
        row.input_tokens += call.input_tokens
        row.output_tokens += call.output_tokens
        row.latency_s += call.latency_s
    return usage


def _text(path: Path) -> str | None:
    return path.read_text(encoding="utf-8").strip() if path.exists() else None


def iteration_summary(folder: Path) -> IterationSummary:
    metrics = read_optional(folder / "metrics.json", MetricSet)
    scores = read_optional(folder / "scores.json", Scores)
    return IterationSummary(
        index=int(folder.name), prompt=_text(folder / "prompt.md"),
        train=success_rate(trajectories(folder / "rollouts.jsonl")),
        validation=success_rate(trajectories(folder / "validation_rollouts.jsonl")),
        candidate_validation=success_rate(trajectories(folder / "candidate" / "validation_rollouts.jsonl")),
        test=success_rate(trajectories(folder / "test_rollouts.jsonl")),
        metrics=metrics.metrics if metrics else [],
        metric_rates=scores.metrics if scores else [],
        coverage=scores.coverage if scores else None, redundancy=scores.redundancy if scores else None,
        unscored_traits=scores.unscored_traits if scores else 0,
        invalid_actions=scores.invalid_actions if scores else 0,
        decision=read_optional(folder / "decision.json", Decision),
        rewrite=read_optional(folder / "candidate" / "rewrite.json", RewriteRecord),
        candidate_prompt=_text(folder / "candidate" / "prompt.md"))


def summarize_run(run: RunDir) -> RunSummary:
    """Read the run directory into a RunSummary and write it to summary.json."""
    record = run.read_record()
    final = run.path / "final"
    summary = RunSummary(name=record.name, status=record.status, objective=record.config.get("objective"),
                         iterations=[iteration_summary(folder) for folder in run.iterations()],
                         final_prompt=_text(final / "prompt.md"),
                         final_test=success_rate(trajectories(final / "test_rollouts.jsonl")),
                         lm_usage=lm_usage(run.lm_log))
    write_record(run.path / "summary.json", summary)
    return summary
