import pytest

from optimizer.reporting.stats import paired_difference, rate


def test_rate_uses_population_standard_error():
    r = rate([1, 0, 1, 0])
    assert r.mean == 0.5 and r.n == 4
    assert r.se == pytest.approx(0.5 / 2)  # population std 0.5, sqrt(4) = 2


def test_rate_of_nothing_is_zero_with_n_zero():
    assert rate([]).n == 0


def test_paired_difference_uses_only_shared_keys_and_brackets_the_mean():
    a = {("t", 0): 0.0, ("t", 1): 0.0, ("t", 2): 1.0, ("t", 3): 0.0, ("x", 9): 1.0}
    b = {("t", 0): 1.0, ("t", 1): 0.0, ("t", 2): 1.0, ("t", 3): 1.0}
    d = paired_difference(a, b, seed=1)
    assert d.n == 4
    assert d.mean == pytest.approx(0.5)
    assert d.ci_low <= d.mean <= d.ci_high
    assert d.ci_low >= 0.0  # every pair is >= 0, so no resample can be negative


def test_paired_difference_is_reproducible_with_a_seed():
    a = {i: float(i % 2) for i in range(20)}
    b = {i: float(i % 3 == 0) for i in range(20)}
    assert paired_difference(a, b, seed=3) == paired_difference(a, b, seed=3)
