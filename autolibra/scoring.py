"""The score of a trajectory and the pass rate of a metric: one definition each, pure arithmetic over traits.

A trait's rating is +1 (the metric passed), -1 (failed), 0 (the judge found the metric not applicable)
or None (unscored: the judge's call failed or its reply could not be parsed). Only +1 and -1 are
*applicable*; 0 and None are in neither numerator nor denominator, and a score or rate with nothing
applicable is None (undefined), never a silent 0. See docs/autolibra.md, "Scoring".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

from pydantic import BaseModel, Field, computed_field

from autolibra.errors import InputError
from autolibra.schema import MetricSet, Trait

Aggregate = Literal["pass_fraction", "mean_rating"]
AGGREGATES: tuple[Aggregate, ...] = ("pass_fraction", "mean_rating")


class TrajectoryScore(BaseModel):
    """One trajectory's traits reduced to one number, with the counts it came from."""

    trajectory_id: str
    value: float | None  # None: no applicable (+1/-1) metric with weight > 0 -- never silently 0
    passed: int = 0  # metrics rated +1
    failed: int = 0  # -1
    not_applicable: int = 0  # 0
    unscored: int = 0  # rating None (judge failed / unparseable)
    ratings: dict[str, int | None] = Field(default_factory=dict)

    @property
    def applicable(self) -> int:
        return self.passed + self.failed


def trajectory_score(traits: Iterable[Trait], *, trajectory_id: str | None = None,
                     weights: Mapping[str, float] | None = None,
                     aggregate: Aggregate = "pass_fraction") -> TrajectoryScore:
    """Aggregate one trajectory's traits (one per metric; a later trait for the same metric replaces an
    earlier one). Each applicable metric counts with its weight (a metric not in `weights` weighs 1):

    * ``pass_fraction``: weighted share of applicable metrics rated +1, in [0, 1];
    * ``mean_rating``: weighted mean of the +1/-1 ratings, in [-1, 1] (a failure pulls below zero).

    `value` is rounded to 6 decimals (stable records) and is None when the weighted applicable total is 0.
    `trajectory_id` defaults to the traits' own; traits of two trajectories are an error."""
    if aggregate not in AGGREGATES:
        raise InputError(f"unknown aggregate {aggregate!r}; expected one of: {', '.join(AGGREGATES)}")
    traits = list(traits)
    score = TrajectoryScore(trajectory_id=_one_trajectory(traits, trajectory_id), value=None,
                            ratings={t.metric: t.rating for t in traits})
    weights = weights or {}
    total = earned = 0.0
    for metric, rating in score.ratings.items():
        weight = _weight(weights, metric)
        if rating is None:
            score.unscored += 1
        elif rating == 0:
            score.not_applicable += 1
        else:
            score.passed += rating == 1
            score.failed += rating == -1
            total += weight
            # pass_fraction counts a -1 as 0 earned; mean_rating lets it pull the score below zero.
            earned += weight * (rating if aggregate == "mean_rating" else int(rating == 1))
    if total > 0:
        score.value = round(earned / total, 6)
    return score


def _one_trajectory(traits: list[Trait], trajectory_id: str | None) -> str:
    ids = {t.trajectory_id for t in traits}
    if trajectory_id is not None:
        ids.add(trajectory_id)
    if len(ids) > 1:
        raise InputError(f"traits of several trajectories scored as one: {sorted(ids)}")
    return trajectory_id if trajectory_id is not None else next(iter(ids), "")


def _weight(weights: Mapping[str, float], metric: str) -> float:
    weight = weights.get(metric, 1.0)
    if weight < 0:
        raise InputError(f"metric weights must be >= 0, got {metric!r}: {weight}")
    return weight


class MetricRate(BaseModel):
    """How one metric fared across trajectories: its counts and its pass rate where it applied."""

    metric: str
    passed: int = 0  # +1
    failed: int = 0  # -1
    not_applicable: int = 0  # 0
    unscored: int = 0  # None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def judged(self) -> int:
        """Trajectories where the metric applied (+1 or -1)."""
        return self.passed + self.failed

    @computed_field  # type: ignore[prop-decorator]
    @property
    def pass_rate(self) -> float | None:
        """Passes among trajectories where the metric applied; None if it never applied."""
        return self.passed / self.judged if self.judged else None


def metric_rates(metrics: MetricSet, traits: Iterable[Trait]) -> list[MetricRate]:
    """One MetricRate per metric of `metrics`, in the set's order; traits of other metrics are ignored
    (they belong to an older metric set)."""
    rates = {name: MetricRate(metric=name) for name in metrics.names()}
    for trait in traits:
        rate = rates.get(trait.metric)
        if rate is None:
            continue
        if trait.rating is None:
            rate.unscored += 1
        elif trait.rating == 1:
            rate.passed += 1
        elif trait.rating == -1:
            rate.failed += 1
        else:
            rate.not_applicable += 1
    return list(rates.values())
