"""Scoring trajectories from their traits: pure arithmetic, plus a thin step that judges what is missing.

`score_trajectory` is a pure function of traits. `score_trajectories` first completes the trait table
(reusing every stored judgment, asking the judge only for missing (trajectory, metric) pairs), then scores.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence

from autolibra.errors import InputError, LMError
from autolibra.schema import MetricSet, Trait, Trajectory
from autolibra.operators.judging import judge_trajectory
from autolibra.scoring import TrajectoryScore, trajectory_score
from optimizer.selection.config import SelectionConfig

log = logging.getLogger(__name__)

# A judge takes one trajectory and the metrics still to judge on it, and returns one Trait per metric.
Judge = Callable[[Trajectory, MetricSet], list[Trait]]


class Score(TrajectoryScore):
    """A trajectory's score (autolibra.scoring's one definition) plus what selection needs beside it."""

    task: str
    success: bool | None = None
    num_steps: int = 0
    excluded: str | None = None  # why this trajectory cannot be selected at all


def score_trajectory(traits: Iterable[Trait], trajectory: Trajectory, config: SelectionConfig) -> Score:
    """Score one trajectory with the configured weights and aggregate, then say whether it is selectable."""
    base = trajectory_score(traits, trajectory_id=trajectory.id, weights=config.weights,
                            aggregate=config.aggregate)
    score = Score(**base.model_dump(), task=trajectory.task, success=trajectory.success,
                  num_steps=trajectory.num_steps or len(trajectory.steps))
    if config.require_success and trajectory.success is not True:
        score.excluded = "not successful" if trajectory.success is False else "success unknown"
    elif score.value is None:
        score.excluded = "no applicable metric (every trait rated 0, unscored, or weighted 0)"
    elif score.applicable < config.min_applicable:
        score.excluded = f"too few applicable metrics ({score.applicable} < {config.min_applicable})"
    return score


def rank_key(score: Score) -> tuple:
    """Deterministic order, best first: higher score, then more applicable metrics (more evidence), then
    fewer steps (same quality reached more directly), then trajectory id."""
    value = score.value if score.value is not None else float("-inf")
    return (-value, -score.applicable, score.num_steps, score.trajectory_id)


def complete_traits(trajectories: Sequence[Trajectory], metrics: MetricSet, traits: Iterable[Trait],
                    judge: Judge | None, *, rejudge_unscored: bool = False) -> tuple[list[Trait], list[Trait]]:
    """Return (all traits for these trajectories x metrics, the ones newly judged).

    Stored traits are keyed by (trajectory_id, metric); a later duplicate replaces an earlier one. Traits
    for metrics outside `metrics` are ignored (they belong to an older metric set)."""
    names = set(metrics.names())
    table = {(t.trajectory_id, t.metric): t for t in traits if t.metric in names}
    new: list[Trait] = []
    missing_total = 0
    for trajectory in trajectories:
        missing = [m for m in metrics.metrics if (trajectory.id, m.name) not in table
                   or (rejudge_unscored and not table[(trajectory.id, m.name)].scored)]
        if not missing:
            continue
        missing_total += len(missing)
        if judge is None:
            continue
        subset = metrics.model_copy(update={"metrics": missing})
        for trait in _judge_safely(judge, trajectory, subset):
            table[(trajectory.id, trait.metric)] = trait
            new.append(trait)
    if missing_total and judge is None:
        raise InputError(f"{missing_total} (trajectory, metric) judgments are missing from the traits and no "
                         "judge was given; pass --model (e.g. --model local) or a complete --traits file")
    ordered = [table[(t.id, m)] for t in trajectories for m in metrics.names()]
    return ordered, new


def _judge_safely(judge: Judge, trajectory: Trajectory, subset: MetricSet) -> list[Trait]:
    """One Trait per requested metric, whatever the judge did: a failed call or a missing answer becomes an
    unscored trait carrying the reason, never a silent 0."""
    wanted = subset.names()
    try:
        returned = judge(trajectory, subset)
    except LMError as error:
        log.warning("judging %s failed: %s", trajectory.id, error)
        return [Trait(trajectory_id=trajectory.id, metric=m, rating=None, error=f"judge failed: {error}")
                for m in wanted]
    by_metric = {t.metric: t for t in returned if t.trajectory_id == trajectory.id and t.metric in wanted}
    return [by_metric.get(m) or Trait(trajectory_id=trajectory.id, metric=m, rating=None,
                                      error="the judge returned no verdict for this metric") for m in wanted]


def score_trajectories(trajectories: Sequence[Trajectory], metrics: MetricSet, traits: Iterable[Trait] = (),
                       config: SelectionConfig | None = None, *, judge: Judge | None = None
                       ) -> tuple[list[Score], list[Trait]]:
    """Score every trajectory on `metrics`; returns (scores ranked best first, all traits used)."""
    if config is None:
        raise InputError("score_trajectories needs a SelectionConfig")
    if not metrics.metrics:
        raise InputError(f"metric set {metrics.name!r} has no metrics; induce some first (`ladder induce`)")
    _check_unique(trajectories)
    unknown = set(config.weights) - set(metrics.names())
    if unknown:
        raise InputError(f"weights name unknown metrics {sorted(unknown)}; known: {metrics.names()}")
    all_traits, _ = complete_traits(trajectories, metrics, traits, judge, rejudge_unscored=config.rejudge_unscored)
    by_trajectory: dict[str, list[Trait]] = {}
    for trait in all_traits:
        by_trajectory.setdefault(trait.trajectory_id, []).append(trait)
    scores = [score_trajectory(by_trajectory.get(t.id, []), t, config) for t in trajectories]
    return sorted(scores, key=rank_key), all_traits


def _check_unique(trajectories: Sequence[Trajectory]) -> None:
    seen: set[str] = set()
    for trajectory in trajectories:
        if trajectory.id in seen:
            raise InputError(f"trajectory id {trajectory.id!r} appears twice; ids must be unique")
        seen.add(trajectory.id)


def make_judge(lm, **options) -> Judge:
    """Bind the AutoLibra judge to an LM (`options` go to `judge_trajectory`, e.g. token_budget)."""
    def judge(trajectory: Trajectory, metrics: MetricSet) -> list[Trait]:
        return judge_trajectory(trajectory, metrics, lm, **options)

    return judge
