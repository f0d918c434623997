"""Coverage and redundancy on hand-computed examples."""

import pytest

from autolibra.meta_metrics import choose_metric_count, coverage, redundancy, Ratio
from autolibra.operators.matching import AspectMatch
from autolibra.schema import Aspect, Metric, MetricSet, Trait
from autolibra.scoring import metric_rates


def _match(instance, positive, metric=None, error=None):
    aspect = Aspect(instance_id=f"{instance}#h", behavior="b", feedback="f", is_positive=positive)
    return AspectMatch(instance_id=aspect.instance_id, trajectory_id=instance, aspect=aspect, metric=metric,
                       error=error)


def _trait(trajectory, metric, rating):
    return Trait(trajectory_id=trajectory, metric=metric, rating=rating)


# Two instances. t1: 3 aspects, 2 matched (A, B). t2: 2 aspects, 1 matched (A), 1 whose matching failed.
MATCHES = [_match("t1", True, "A"), _match("t1", False, "B"), _match("t1", True),
           _match("t2", False, "A"), _match("t2", True, error="unparseable")]
# t1: A+1 (matched), B-1 (matched), C+1 (unmatched), D 0; t2: A-1 (matched), B 0, C unscored, D+1 (unmatched)
TRAITS = [_trait("t1", "A", 1), _trait("t1", "B", -1), _trait("t1", "C", 1), _trait("t1", "D", 0),
          _trait("t2", "A", -1), _trait("t2", "B", 0), _trait("t2", "C", None), _trait("t2", "D", 1)]


def test_coverage_is_micro_averaged_and_excludes_failed_matches():
    ratio = coverage(MATCHES)
    assert (ratio.numerator, ratio.denominator, ratio.excluded) == (3, 4, 1)
    assert ratio.value == pytest.approx(0.75)


def test_redundancy_counts_detected_traits_by_default():
    ratio = redundancy(MATCHES, TRAITS)
    # detected (non-zero, scored): t1 A, B, C; t2 A, D -> 5; unmatched: t1 C, t2 D -> 2
    assert (ratio.numerator, ratio.denominator, ratio.excluded) == (2, 5, 1)
    assert ratio.value == pytest.approx(0.4)


def test_redundancy_reference_variant_counts_zero_ratings_in_denominator():
    ratio = redundancy(MATCHES, TRAITS, denominator="all")
    assert (ratio.numerator, ratio.denominator) == (2, 7)


def test_a_metric_matched_on_one_trajectory_does_not_cover_another():
    ratio = redundancy([_match("t1", True, "A")], [_trait("t1", "A", 1), _trait("t2", "A", 1)])
    assert (ratio.numerator, ratio.denominator) == (1, 2)


def test_empty_denominator_is_undefined_not_zero():
    assert coverage([]).value is None
    assert str(coverage([])) == "n/a (0/0)"
    assert Ratio(numerator=1, denominator=4).model_dump()["value"] == 0.25


def test_choose_metric_count_prefers_coverage_then_low_redundancy():
    def r(n, d):
        return Ratio(numerator=n, denominator=d)
    results = [(4, r(80, 100), r(1, 10)), (6, r(90, 100), r(8, 10)), (8, r(895, 1000), r(5, 10)),
               (10, r(85, 100), r(0, 10))]
    assert choose_metric_count(results) == 8  # 6 and 8 are within 1% of 0.90; 8 is less redundant


def test_per_metric_rates():
    metrics = MetricSet(name="m", metrics=[Metric(name=n, explanation="") for n in "ABCD"])
    table = {rate.metric: rate for rate in metric_rates(metrics, TRAITS)}
    c = table["C"]
    assert (c.passed, c.not_applicable, c.failed, c.unscored) == (1, 0, 0, 1)
