"""LLM-as-a-judge: one call rates every metric of a MetricSet on one trajectory.

One call per trajectory (not per metric) keeps the trajectory text, the longest part of the prompt, from
being read once per metric. The reply must name only known metrics; what cannot be used becomes an
*unscored* Trait carrying the reason, never a silent 0.
"""

from __future__ import annotations

import logging

import dspy
from pydantic import BaseModel, Field

from autolibra.errors import InputError, LMError
from autolibra.operators.base import (DEFAULT_RETRIES, BestPartial, OperatorCalls, call_with_retries,
                                      with_instructions)
from autolibra.render import render_trajectory
from autolibra.schema import Metric, MetricSet, Trait, Trajectory

log = logging.getLogger(__name__)


class Verdict(BaseModel):
    metric: str = Field(description="the metric's exact name")
    rating: int = Field(description="1 did well, -1 did badly, 0 not applicable")
    reasoning: str = Field(description="one short sentence citing steps like [3]")
    steps: list[int] = Field(default_factory=list, description="the step indices the verdict rests on")


class JudgeTrajectory(dspy.Signature):
    """Judge an agent's trajectory on each metric below. For every metric give: rating 1 if the agent
    showed the good behavior, -1 if it showed the bad behavior, 0 if the metric does not apply to this
    trajectory; one short sentence of reasoning citing step numbers; and the steps it rests on. Rate every
    metric exactly once, using the metric names exactly as written."""

    metrics: str = dspy.InputField(desc="name: explanation; good: examples; bad: examples")
    trajectory: str = dspy.InputField(desc="the agent's steps; [i] marks step i")
    verdicts: list[Verdict] = dspy.OutputField()


def render_metrics(metrics: list[Metric], examples: int = 2) -> str:
    """Metric definitions for a prompt. Examples are kept: without them coverage drops sharply."""
    lines = []
    for metric in metrics:
        line = f"- {metric.name}: {metric.explanation}"
        if metric.good_behaviors[:examples]:
            line += " Good: " + "; ".join(metric.good_behaviors[:examples]) + "."
        if metric.bad_behaviors[:examples]:
            line += " Bad: " + "; ".join(metric.bad_behaviors[:examples]) + "."
        lines.append(line)
    return "\n".join(lines)


def judge_trajectory(
    trajectory: Trajectory,
    metrics: MetricSet,
    lm: dspy.LM,
    *,
    template: str | None = None,
    token_budget: int = 1200,
    focus_steps: list[int] | None = None,
    examples: int = 2,
    retries: int = DEFAULT_RETRIES,
    calls: OperatorCalls | None = None,
) -> list[Trait]:
    """Exactly one Trait per metric, in the MetricSet's order. Never raises for a bad reply: after the
    retries, every metric the reply did not rate validly is an unscored Trait with `error` set."""
    if not trajectory.steps:
        raise InputError(f"trajectory {trajectory.id!r} has no steps; nothing to judge")
    if not metrics.metrics:
        raise InputError(f"metric set {metrics.name!r} has no metrics; nothing to judge against")
    names = metrics.names()
    num_steps = len(trajectory.steps)
    inputs = {"metrics": render_metrics(metrics.metrics, examples),
              "trajectory": render_trajectory(trajectory, token_budget=token_budget,
                                            focus_steps=focus_steps or ()).text}
    partial = BestPartial()
    validate = partial.validator(
        lambda prediction: parse_verdicts(trajectory.id, list(prediction.verdicts), names, num_steps))

    try:
        traits = call_with_retries(with_instructions(JudgeTrajectory, template), inputs, lm, validate,
                                   operator="judge", subject=trajectory.id, retries=retries, calls=calls)
    except LMError as error:
        log.warning("judge %s: using %d valid verdicts of %d: %s", trajectory.id, len(partial.answer), len(names),
                    error)
        reason = partial.reason(error)
        traits = dict(partial.answer)
        for name in names:
            traits.setdefault(name, Trait(trajectory_id=trajectory.id, metric=name, rating=None,
                                          error=f"unscored: {reason}"))
    return [traits[name] for name in names]


def parse_verdicts(trajectory_id: str, verdicts: list[Verdict], names: list[str],
                   num_steps: int) -> tuple[dict[str, Trait], list[str]]:
    """Valid traits by metric name, and what was wrong with the rest (unknown, missing, out of range)."""
    known = {_key(n): n for n in names}
    traits: dict[str, Trait] = {}
    issues: list[str] = []
    for verdict in verdicts:
        name = known.get(_key(verdict.metric))
        if name is None:
            issues.append(f"unknown metric {verdict.metric!r}")
            continue
        if verdict.rating not in (-1, 0, 1):
            issues.append(f"rating {verdict.rating} for {name!r} is not -1, 0 or 1")
            continue
        if name in traits:
            continue  # a repeated verdict: the first one counts
        traits[name] = Trait(trajectory_id=trajectory_id, metric=name, rating=verdict.rating,
                             reasoning=verdict.reasoning.strip(),
                             steps=sorted({s for s in verdict.steps if 0 <= s < num_steps}))
    missing = [n for n in names if n not in traits]
    if missing:
        issues.append(f"no valid rating for {', '.join(repr(n) for n in missing)}")
    return traits, issues


def _key(name: str) -> str:
    return " ".join(name.lower().replace("_", " ").split())
