"""Behaviour clustering: induce metrics from many aspects, optionally extending an existing MetricSet.

An existing metric is like a unit test already in the suite: a new round may add good/bad examples to it
or add new metrics, but never rename or redefine it. The model is shown the existing metrics; a reply
that reuses an existing name only contributes examples, whatever explanation it writes.
"""

from __future__ import annotations

import logging
import re

import dspy
from pydantic import BaseModel, Field

from autolibra.errors import InputError
from autolibra.operators.base import (DEFAULT_RETRIES, InvalidReply, OperatorCalls, call_with_retries,
                                      with_instructions)
from autolibra.render import estimate_tokens
from autolibra.schema import Aspect, Metric, MetricSet, Provenance

log = logging.getLogger(__name__)
MAX_EXAMPLES = 6  # per list and metric: examples matter for coverage, but prompts must stay short


class MetricDraft(BaseModel):
    name: str = Field(description="2-5 words, general (no level, object or task names)")
    explanation: str = Field(description="how to decide whether an agent did this well")
    good_behaviors: list[str] = Field(default_factory=list)
    bad_behaviors: list[str] = Field(default_factory=list)


class ClusterBehaviors(dspy.Signature):
    """You are given behaviors of agents that reviewers praised (+) or criticised (-). Group behaviors that
    are about the same skill, and write one evaluation metric per group: a short general name (not tied to
    one level, object or task), an explanation of how to judge that skill in a new trajectory, and short
    good and bad example behaviors taken from the list. Every listed behavior must fall under some metric.
    If a behavior fits an existing metric, repeat that metric's exact name and give only new examples; never
    rename or redefine an existing metric."""

    behaviors: str = dspy.InputField(desc="numbered; (+) praised, (-) criticised")
    existing_metrics: str = dspy.InputField(desc="metrics that already exist")
    target: str = dspy.InputField(desc="how many new metrics to write")
    metrics: list[MetricDraft] = dspy.OutputField()


def cluster_behaviors(
    aspects: list[Aspect],
    lm: dspy.LM,
    *,
    existing: MetricSet | None = None,
    n_metrics: int | None = None,
    name: str = "metrics",
    iteration: int | None = None,
    template: str | None = None,
    token_budget: int = 1500,
    retries: int = DEFAULT_RETRIES,
    calls: OperatorCalls | None = None,
) -> MetricSet:
    """A new version of `existing` (or a first MetricSet) covering `aspects`.

    `n_metrics` asks for about that many *new* metrics. Aspects beyond `token_budget` are left out of
    this call (logged); the iterative loop clusters still-uncovered aspects again in its next round.
    """
    if not aspects:
        raise InputError("cluster_behaviors needs at least one aspect; got none")
    shown = _fit_aspects(aspects, token_budget)
    if len(shown) < len(aspects):
        log.info("clustering %d of %d aspects (token budget %d)", len(shown), len(aspects), token_budget)
    old = existing.metrics if existing else []
    inputs = {
        "behaviors": "\n".join(_aspect_line(i, a) for i, a in enumerate(shown, start=1)),
        "existing_metrics": "\n".join(f"- {m.name}: {_clip(m.explanation, 160)}" for m in old) or "(none)",
        "target": (f"about {n_metrics} new metrics" if n_metrics else
                   "one new metric per distinct skill, usually 3-6") + ("" if not old else
                   "; zero new metrics is fine if the existing ones already fit"),
    }

    def validate(prediction: dspy.Prediction) -> list[Metric]:
        merged = merge_drafts(old, list(prediction.metrics))
        if merged == old:
            raise InvalidReply("the reply adds no metric and no example")
        return merged

    metrics = call_with_retries(with_instructions(ClusterBehaviors, template), inputs, lm, validate,
                                operator="cluster", subject=existing.name if existing else name,
                                retries=retries, calls=calls)
    added = [m.name for m in metrics[len(old):]]
    provenance = Provenance(
        instance_ids=sorted({a.instance_id for a in shown}),
        iteration=iteration if iteration is not None else len(existing.provenance) if existing else 0,
        models={"clustering": str(lm.model)},
        notes=f"added {len(added)} metric(s): {', '.join(added)}" if added else "examples only",
    )
    return MetricSet(name=existing.name if existing else name,
                     version=existing.version + 1 if existing else 1, metrics=metrics,
                     provenance=[*(existing.provenance if existing else []), provenance])


def merge_drafts(old: list[Metric], drafts: list[MetricDraft]) -> list[Metric]:
    """Old metrics (same names and explanations, maybe more examples) followed by the new ones."""
    by_key = {_key(m.name): m.model_copy(deep=True) for m in old}
    order = [_key(m.name) for m in old]
    for draft in drafts:
        key = _key(draft.name)
        if not key:
            continue
        if key not in by_key:
            if not draft.explanation.strip():
                continue  # a metric without a definition cannot be judged
            by_key[key] = Metric(name=" ".join(draft.name.split()), explanation=draft.explanation.strip())
            order.append(key)
        metric = by_key[key]
        _add_examples(metric.good_behaviors, draft.good_behaviors)
        _add_examples(metric.bad_behaviors, draft.bad_behaviors)
    return [by_key[k] for k in order]


def _add_examples(target: list[str], new: list[str]) -> None:
    seen = {" ".join(t.lower().split()) for t in target}
    for example in new:
        text = " ".join(str(example).split())
        if text and text.lower() not in seen and len(target) < MAX_EXAMPLES:
            target.append(text)
            seen.add(text.lower())


def _key(name: str) -> str:
    return re.sub(r"[\W_]+", " ", name.lower()).strip()


def _aspect_line(number: int, aspect: Aspect) -> str:
    sign = "+" if aspect.is_positive else "-"
    return f"{number}. ({sign}) {_clip(aspect.behavior, 160)} | feedback: {_clip(aspect.feedback, 100)}"


def _fit_aspects(aspects: list[Aspect], budget: int) -> list[Aspect]:
    shown, used = [], 0
    for number, aspect in enumerate(aspects, start=1):
        cost = estimate_tokens(_aspect_line(number, aspect))
        if shown and used + cost > budget:
            break
        shown.append(aspect)
        used += cost
    return shown


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
