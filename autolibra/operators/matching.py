"""Aspect-trait matching: does some judge verdict make the same point as a feedback aspect?

Positive aspects may match only positive traits (rating 1), negative aspects only negative traits
(rating -1), at most one trait each. The sign rule is enforced here, not trusted to the model; aspects
without any same-sign trait are settled without a call. One call per instance.
"""

from __future__ import annotations

import re

from collections import defaultdict

import dspy
from pydantic import BaseModel, Field

from autolibra.errors import LMError
from autolibra.operators.base import (DEFAULT_RETRIES, BestPartial, OperatorCalls, call_with_retries,
                                      parallel_map, with_instructions)
from autolibra.schema import Aspect, Record, Trait

NONE = "none"


class AspectMatch(Record):
    """One aspect and the trait (by metric name) that expresses it, if any. `error` set: matching failed,
    so the aspect is left out of coverage (and counted) rather than called uncovered."""

    instance_id: str
    trajectory_id: str | None
    aspect: Aspect
    metric: str | None = None
    error: str | None = None

    @property
    def matched(self) -> bool:
        return self.metric is not None


class MatchItem(BaseModel):
    point: int = Field(description="the feedback point's number")
    metric: str = Field(description="the matching verdict's metric name, or none")


class MatchAspects(dspy.Signature):
    """Each numbered feedback point below was made by a reviewer about an agent's trajectory; each verdict
    was made by a judge about the same trajectory. For every point, give the metric name of the verdict
    that makes the same point about the same behavior, or "none" if no verdict does. A (+) point can only
    match a (+) verdict, a (-) point only a (-) verdict. Answer once for every point."""

    points: str = dspy.InputField(desc="numbered feedback points with sign")
    verdicts: str = dspy.InputField(desc="metric name, sign and the judge's reasoning")
    matches: list[MatchItem] = dspy.OutputField()


def match_aspects(
    aspects: list[Aspect],
    traits: list[Trait],
    lm: dspy.LM,
    *,
    template: str | None = None,
    workers: int = 4,
    retries: int = DEFAULT_RETRIES,
    calls: OperatorCalls | None = None,
) -> list[AspectMatch]:
    """One AspectMatch per aspect, in input order. A trait belongs to an aspect's instance when the instance
    id is ``<trajectory id>#<annotator>`` (as `Instance.id` builds it)."""
    by_instance: dict[str, list[int]] = defaultdict(list)
    for index, aspect in enumerate(aspects):
        by_instance[aspect.instance_id].append(index)
    trajectory_ids = {t.trajectory_id for t in traits}

    def one(instance_id: str) -> list[AspectMatch]:
        trajectory_id = trajectory_of(instance_id, trajectory_ids)
        own = [t for t in traits if t.trajectory_id == trajectory_id]
        group = [aspects[i] for i in by_instance[instance_id]]
        return _match_instance(instance_id, trajectory_id, group, own, lm, template, retries, calls)

    results: list[AspectMatch | None] = [None] * len(aspects)
    for instance_id, group in zip(by_instance, parallel_map(one, list(by_instance), workers)):
        for index, match in zip(by_instance[instance_id], group):
            results[index] = match
    return results  # type: ignore[return-value]


def trajectory_of(instance_id: str, trajectory_ids: set[str]) -> str | None:
    """The longest trajectory id that, followed by '#', starts `instance_id`."""
    fits = [t for t in trajectory_ids if instance_id.startswith(t + "#")]
    return max(fits, key=len) if fits else None


def _match_instance(instance_id: str, trajectory_id: str | None, aspects: list[Aspect], traits: list[Trait],
                    lm: dspy.LM, template: str | None, retries: int,
                    calls: OperatorCalls | None) -> list[AspectMatch]:
    results = [AspectMatch(instance_id=instance_id, trajectory_id=trajectory_id, aspect=a) for a in aspects]
    signed = [t for t in traits if t.rating in (1, -1)]
    candidates = [i for i, a in enumerate(aspects) if any(_same_sign(a, t) for t in signed)]
    if not candidates:
        return results  # nothing could match: no call needed
    shown = [aspects[i] for i in candidates]
    inputs = {
        "points": "\n".join(f"{n}. ({'+' if a.is_positive else '-'}) {a.behavior} | feedback: {a.feedback}"
                            for n, a in enumerate(shown, start=1)),
        "verdicts": "\n".join(f"- {t.metric} ({'+' if t.rating == 1 else '-'}): {t.reasoning}" for t in signed),
    }
    best = BestPartial()
    validate = best.validator(lambda prediction: parse_matches(list(prediction.matches), shown, signed))

    try:
        chosen = call_with_retries(with_instructions(MatchAspects, template), inputs, lm, validate,
                                   operator="match", subject=instance_id, retries=retries, calls=calls)
        error = None
    except LMError as failure:
        chosen, error = dict(best.answer), best.reason(failure)
    for position, index in enumerate(candidates):
        if position in chosen:
            results[index].metric = chosen[position]
        else:
            results[index].error = f"unmatched: {error}"
    return results


_SIGN_MARKER = re.compile(r"\s*\([+-]\)$")


def parse_matches(items: list[MatchItem], shown: list[Aspect],
                  signed: list[Trait]) -> tuple[dict[int, str | None], list[str]]:
    """Position of each shown aspect -> matched metric (None for "none"), and the problems found."""
    chosen: dict[int, str | None] = {}
    issues: list[str] = []
    for item in items:
        position = item.point - 1
        if not 0 <= position < len(shown):
            issues.append(f"no point number {item.point}")
            continue
        if position in chosen:
            continue
        # Small models echo the verdict label as shown to them ("Goal focus (-)"): drop that sign marker.
        name = _SIGN_MARKER.sub("", " ".join(item.metric.split()))
        if name.lower() in (NONE, "", "null"):
            chosen[position] = None
            continue
        trait = next((t for t in signed if t.metric.lower() == name.lower()), None)
        if trait is None:
            issues.append(f"unknown metric {name!r} for point {item.point}")
        elif not _same_sign(shown[position], trait):
            issues.append(f"point {item.point} and {trait.metric!r} have opposite signs")
        else:
            chosen[position] = trait.metric
    missing = [str(p + 1) for p in range(len(shown)) if p not in chosen]
    if missing:
        issues.append(f"no valid answer for point(s) {', '.join(missing)}")
    return chosen, issues


def _same_sign(aspect: Aspect, trait: Trait) -> bool:
    return trait.rating == (1 if aspect.is_positive else -1)
