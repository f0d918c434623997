"""Coverage and redundancy: how well a metric set's verdicts express feedback it has not seen.

Pure functions over already-matched data (no LM here), so the arithmetic is tested by hand.

* coverage   = aspects matched by some trait / all aspects, micro-averaged (pooled over instances).
* redundancy = detected traits (rating +1 or -1) matched by no aspect / all detected traits.

Per-metric pass rates are `autolibra.scoring.metric_rates` (one definition, shared with the optimizer).

Redundancy's denominator follows the paper (detected traits); the reference implementation's variant,
which also counts 0-rated traits, is available as ``denominator="all"``. Unscored traits and aspects whose
matching failed are in neither numerator nor denominator; they are counted in ``excluded``.
See docs/autolibra.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, computed_field

from autolibra.operators.matching import AspectMatch
from autolibra.schema import Trait


class Ratio(BaseModel):
    numerator: int
    denominator: int
    excluded: int = 0  # items left out because they are unscored / their matching failed

    @computed_field  # type: ignore[prop-decorator]
    @property
    def value(self) -> float | None:
        """numerator / denominator; None when the denominator is 0 (undefined, not zero)."""
        return self.numerator / self.denominator if self.denominator else None

    def __str__(self) -> str:
        shown = "n/a" if self.value is None else f"{self.value:.1%}"
        extra = f", {self.excluded} excluded" if self.excluded else ""
        return f"{shown} ({self.numerator}/{self.denominator}{extra})"


def coverage(matches: Sequence[AspectMatch]) -> Ratio:
    usable = [m for m in matches if m.error is None]
    return Ratio(numerator=sum(1 for m in usable if m.metric is not None), denominator=len(usable),
                 excluded=len(matches) - len(usable))


def redundancy(matches: Sequence[AspectMatch], traits: Sequence[Trait],
               denominator: Literal["detected", "all"] = "detected") -> Ratio:
    """Traits that no aspect matched, among `traits` (the caller passes the held-out trajectories' traits)."""
    used = {(m.trajectory_id, m.metric) for m in matches if m.metric is not None}
    scored = [t for t in traits if t.rating is not None]
    counted = [t for t in scored if t.rating != 0] if denominator == "detected" else scored
    unmatched = sum(1 for t in counted if t.rating != 0 and (t.trajectory_id, t.metric) not in used)
    return Ratio(numerator=unmatched, denominator=len(counted), excluded=len(traits) - len(scored))


def choose_metric_count(results: Sequence[tuple[int, Ratio, Ratio]], tolerance: float = 0.01) -> int:
    """From (N, coverage, redundancy) results: keep those within `tolerance` of the best coverage and
    return the N with the lowest redundancy (ties: fewer metrics). Coverage first, then redundancy."""
    defined = [r for r in results if r[1].value is not None]
    if not defined:
        raise ValueError("no candidate has a defined coverage")
    best = max(r[1].value for r in defined)  # type: ignore[type-var]
    close = [r for r in defined if r[1].value >= best - tolerance]  # type: ignore[operator]
    return min(close, key=lambda r: (1.0 if r[2].value is None else r[2].value, r[0]))[0]
