"""Small, explicit statistics for reports: success rates with standard errors and paired differences.

Standard error follows BALROG (population standard deviation / sqrt(n)). The confidence interval of a
paired difference is a seeded percentile bootstrap over the pairs (no normality assumption, which matters
for 0/1 outcomes on a few dozen episodes), with the seed recorded so the number is reproducible.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from optimizer.balrog_summary import standard_error  # BALROG's definition, in percentage points


@dataclass(frozen=True)
class Rate:
    mean: float
    se: float
    n: int

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        return f"{100 * self.mean:.1f}% ± {100 * self.se:.1f} (n={self.n})"


def rate(values: Sequence[float]) -> Rate:
    values = [float(v) for v in values]
    if not values:
        return Rate(0.0, 0.0, 0)
    return Rate(sum(values) / len(values), standard_error(values) / 100.0, len(values))


@dataclass(frozen=True)
class PairedDifference:
    mean: float  # mean of (b - a) over the shared keys
    se: float
    ci_low: float
    ci_high: float
    n: int
    confidence: float
    resamples: int
    seed: int

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        return (f"{100 * self.mean:+.1f} points, {int(100 * self.confidence)}% CI "
                f"[{100 * self.ci_low:+.1f}, {100 * self.ci_high:+.1f}] (n={self.n} pairs)")


def paired_difference(a: Mapping[object, float], b: Mapping[object, float], *, confidence: float = 0.95,
                      resamples: int = 10_000, seed: int = 0) -> PairedDifference:
    """Difference b - a over the keys both have (e.g. (task, seed) pairs)."""
    keys = sorted(set(a) & set(b), key=repr)
    diffs = np.asarray([b[k] - a[k] for k in keys], dtype=float)
    if diffs.size == 0:
        return PairedDifference(0.0, 0.0, 0.0, 0.0, 0, confidence, resamples, seed)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, diffs.size, size=(resamples, diffs.size))
    means = diffs[draws].mean(axis=1)
    tail = (1 - confidence) / 2
    se = float(diffs.std() / np.sqrt(diffs.size)) if diffs.size > 1 else 0.0
    return PairedDifference(float(diffs.mean()), se, float(np.quantile(means, tail)),
                            float(np.quantile(means, 1 - tail)), int(diffs.size), confidence, resamples, seed)
