"""Small, explicit statistics for reports: success rates with standard errors and paired differences.

Standard error follows BALROG (population standard deviation / sqrt(n), 0 for n <= 1), so our numbers
and BALROG's leaderboard are comparable. The confidence interval of a paired difference is a seeded
percentile bootstrap over the pairs (no normality assumption, which matters for 0/1 outcomes on a few
dozen episodes), with the seed recorded so the number is reproducible.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict


def standard_error(values: Sequence[float]) -> float:
    """Population standard deviation / sqrt(n), as a fraction; 0 for n <= 1 (BALROG's definition)."""
    if len(values) <= 1:
        return 0.0
    return statistics.pstdev(values) / math.sqrt(len(values))


class Rate(BaseModel):
    """The mean of 0/1 (or [0, 1]) outcomes with its standard error, as fractions."""

    model_config = ConfigDict(frozen=True)

    mean: float
    se: float
    n: int

    def __str__(self) -> str:
        return f"{100 * self.mean:.1f}% ± {100 * self.se:.1f} (n={self.n})"


def rate(values: Sequence[float]) -> Rate:
    values = [float(v) for v in values]
    if not values:
        return Rate(mean=0.0, se=0.0, n=0)
    return Rate(mean=statistics.fmean(values), se=standard_error(values), n=len(values))


def format_rate(value: Rate | None) -> str:
    """How every table shows a rate: '50.0% ± 25.0 (n=4)', or '-' when there is none."""
    return "-" if value is None else str(value)


class PairedDifference(BaseModel):
    """b - a over the keys both have, with a bootstrap confidence interval."""

    model_config = ConfigDict(frozen=True)

    mean: float
    se: float
    ci_low: float
    ci_high: float
    n: int
    confidence: float
    resamples: int
    seed: int

    def __str__(self) -> str:
        return (f"{100 * self.mean:+.1f} points, {int(100 * self.confidence)}% CI "
                f"[{100 * self.ci_low:+.1f}, {100 * self.ci_high:+.1f}] (n={self.n} pairs)")


def paired_difference(a: Mapping[object, float], b: Mapping[object, float], *, confidence: float = 0.95,
                      resamples: int = 10_000, seed: int = 0) -> PairedDifference:
    """Difference b - a over the keys both have (e.g. (task, seed) pairs)."""
    keys = sorted(set(a) & set(b), key=repr)
    diffs = np.asarray([b[k] - a[k] for k in keys], dtype=float)
    settings = {"confidence": confidence, "resamples": resamples, "seed": seed}
    if diffs.size == 0:
        return PairedDifference(mean=0.0, se=0.0, ci_low=0.0, ci_high=0.0, n=0, **settings)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, diffs.size, size=(resamples, diffs.size))
    means = diffs[draws].mean(axis=1)
    tail = (1 - confidence) / 2
    return PairedDifference(mean=float(diffs.mean()), se=standard_error(diffs.tolist()),
                            ci_low=float(np.quantile(means, tail)), ci_high=float(np.quantile(means, 1 - tail)),
                            n=int(diffs.size), **settings)
