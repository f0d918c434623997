"""Stage 4, judge: every training trajectory judged on the iteration's metrics (traits.jsonl), and the
iteration's scores (scores.json: success, per-metric pass rates, the metric set's coverage and redundancy)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from autolibra.jsonl import append_jsonl, read_jsonl_tolerant
from autolibra.operators.judging import judge_trajectory
from autolibra.schema import MetricSet, Trait, Trajectory
from autolibra.scoring import metric_rates
from optimizer.context import RunContext
from optimizer.records import InductionRecord, Scores, read_optional, write_record


def judge_stage(ctx: RunContext, folder: Path, trajectories: list[Trajectory], metrics: MetricSet) -> list[Trait]:
    """Judge each trajectory not judged yet; its traits are appended as it finishes (resumable)."""
    out = folder / "traits.jsonl"
    done, _ = read_jsonl_tolerant(out, Trait)
    judged = {t.trajectory_id for t in done}
    todo = [t for t in trajectories if t.id not in judged]
    lm = ctx.session.lm("judge")

    def judge_one(trajectory: Trajectory) -> None:
        for trait in judge_trajectory(trajectory, metrics, lm):
            append_jsonl(out, trait)

    with ThreadPoolExecutor(max_workers=ctx.config.concurrency) as pool:
        list(pool.map(judge_one, todo))
    traits, _ = read_jsonl_tolerant(out, Trait)
    return traits


def write_scores(folder: Path, trajectories: list[Trajectory], metrics: MetricSet | None,
                 traits: list[Trait]) -> Scores:
    """scores.json, rewritten from the records each time (it holds nothing that is not derived)."""
    n = len(trajectories)
    induction = read_optional(folder / "induction.json", InductionRecord)
    scores = Scores(
        episodes=n, successes=sum(1 for t in trajectories if t.success),
        success_rate=sum(1 for t in trajectories if t.success) / n if n else 0.0,
        average_steps=sum(t.num_steps for t in trajectories) / n if n else 0.0,
        invalid_actions=sum(1 for t in trajectories for s in t.steps if not s.valid),
        metrics=metric_rates(metrics, traits) if metrics else [],
        unscored_traits=sum(1 for t in traits if t.rating is None),
        coverage=induction.coverage if induction else None,
        redundancy=induction.redundancy if induction else None)
    write_record(folder / "scores.json", scores)
    return scores
