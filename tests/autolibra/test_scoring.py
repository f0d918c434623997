"""The one score of a trajectory and the one per-metric pass rate, computed by hand (no LM)."""

import pytest

from autolibra import MetricRate, TrajectoryScore, metric_rates, trajectory_score
from autolibra.errors import InputError
from autolibra.schema import Metric, MetricSet, Trait


def _traits(ratings, trajectory="t1"):
    return [Trait(trajectory_id=trajectory, metric=m, rating=r) for m, r in ratings.items()]


def test_nothing_scored_is_none_never_zero():
    for ratings in ({}, {"A": None}, {"A": 0, "B": None}):
        score = trajectory_score(_traits(ratings), trajectory_id="t1")
        assert score.value is None and score.trajectory_id == "t1"
    score = trajectory_score(_traits({"A": 0, "B": None, "C": 0}))
    assert (score.passed, score.failed, score.not_applicable, score.unscored) == (0, 0, 2, 1)
    assert score.applicable == 0


def test_pass_fraction_and_mean_rating_leave_out_zero_and_unscored():
    traits = _traits({"A": 1, "B": -1, "C": 1, "D": 0, "E": None})
    fraction = trajectory_score(traits)
    assert fraction.value == pytest.approx(0.666667) and fraction.trajectory_id == "t1"
    assert (fraction.passed, fraction.failed, fraction.not_applicable, fraction.unscored) == (2, 1, 1, 1)
    assert fraction.ratings == {"A": 1, "B": -1, "C": 1, "D": 0, "E": None}
    mean = trajectory_score(traits, aggregate="mean_rating")
    assert mean.value == pytest.approx(1 / 3, abs=1e-6)
    assert trajectory_score(_traits({"A": -1, "B": -1}), aggregate="mean_rating").value == -1.0
    assert trajectory_score(_traits({"A": -1, "B": -1})).value == 0.0  # all failed: a real 0, not "nothing"


def test_weights_scale_metrics_and_zero_weight_counts_as_nothing():
    traits = _traits({"A": 1, "B": -1})
    assert trajectory_score(traits, weights={"A": 3.0}).value == 0.75  # B weighs 1 by default
    assert trajectory_score(traits, weights={"A": 3.0}, aggregate="mean_rating").value == 0.5
    assert trajectory_score(traits, weights={"B": 0.0}).value == 1.0
    only_zero = trajectory_score(_traits({"A": 1}), weights={"A": 0.0})
    assert only_zero.value is None and only_zero.passed == 1
    with pytest.raises(InputError, match="'A': -1"):
        trajectory_score(traits, weights={"A": -1.0})


def test_bad_inputs_are_named():
    with pytest.raises(InputError, match="several trajectories"):
        trajectory_score(_traits({"A": 1}, "t1") + _traits({"A": 1}, "t2"))
    with pytest.raises(InputError, match="several trajectories"):
        trajectory_score(_traits({"A": 1}, "t1"), trajectory_id="t2")
    with pytest.raises(InputError, match="unknown aggregate 'median'"):
        trajectory_score([], aggregate="median")  # type: ignore[arg-type]


def test_score_round_trips_as_a_record():
    score = trajectory_score(_traits({"A": 1, "B": None}))
    assert TrajectoryScore.model_validate_json(score.model_dump_json()) == score


def test_metric_rates_count_each_rating_and_rate_only_where_applicable():
    metrics = MetricSet(name="m", metrics=[Metric(name=n, explanation="") for n in ("A", "B", "C")])
    traits = (_traits({"A": 1, "B": 0, "C": None}, "t1") + _traits({"A": -1, "B": 0, "C": None}, "t2")
              + _traits({"A": 1, "old": 1}, "t3"))
    rates = metric_rates(metrics, traits)
    assert [r.metric for r in rates] == ["A", "B", "C"]  # the set's order; "old" is not in the set
    a, b, c = rates
    assert (a.passed, a.failed, a.judged, a.pass_rate) == (2, 1, 3, pytest.approx(2 / 3))
    assert (b.not_applicable, b.judged, b.pass_rate) == (2, 0, None)  # never applicable: undefined
    assert (c.unscored, c.pass_rate) == (2, None)
    dumped = a.model_dump()
    assert dumped["pass_rate"] == pytest.approx(2 / 3) and dumped["judged"] == 3
    assert MetricRate.model_validate(dumped) == a
