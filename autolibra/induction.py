"""Metric induction: the iterative AutoLibra loop and the search over the number of metrics.

Iterative loop (per call): ground every feedback once; cluster the training aspects no metric covers yet
into new metrics (extending `existing`); judge the training trajectories; match; keep the new set while
training coverage does not drop; stop at the first drop (returning the set from before it), when every
aspect is covered, or after `max_rounds`. The chosen set is then measured on the held-out instances.

Search (`search=[4, 7, 10, 13]`): cluster all training aspects once per candidate N, keep the sets within
1% of the best coverage, take the least redundant, re-centre at N +/- 2 and repeat (`search_rounds`).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import dspy
from pydantic import BaseModel, Field

from autolibra.errors import InputError, LMError
from autolibra.meta_metrics import Ratio, choose_metric_count, coverage, redundancy
from autolibra.operators import (AspectMatch, OperatorCalls, cluster_behaviors, ground_feedback,
                                 judge_trajectory, match_aspects, parallel_map)
from autolibra.operators.grounding import check_instance
from autolibra.schema import Aspect, Instance, MetricSet, TokenUsage, Trait, Trajectory
from autolibra.scoring import MetricRate, metric_rates

log = logging.getLogger(__name__)
# Our role -> the LM layer's role name. Matching is a reading task like grounding (the method used the
# same model for both), so it shares the grounder's model.
ROLES = {"grounding": "grounder", "clustering": "clusterer", "judge": "judge", "matching": "grounder"}


class RoundReport(BaseModel):
    round: int
    kind: Literal["existing", "iterate", "search"]
    n_requested: int | None = None
    metrics_added: list[str] = Field(default_factory=list)
    num_metrics: int = 0
    coverage: Ratio | None = None  # on the training instances
    redundancy: Ratio | None = None
    kept: bool = False
    tokens: TokenUsage = Field(default_factory=TokenUsage)
    failed_calls: int = 0
    unscored_traits: int = 0
    note: str = ""


class Evaluation(BaseModel):
    traits: list[Trait]
    matches: list[AspectMatch]
    coverage: Ratio
    redundancy: Ratio


class InductionResult(BaseModel):
    metrics: MetricSet
    rounds: list[RoundReport]
    train_ids: list[str]
    heldout_ids: list[str]  # empty: coverage below was measured on the training instances
    aspects: list[Aspect]  # every grounded aspect, training and held-out
    traits: list[Trait]  # the final set's verdicts on every trajectory
    matches: list[AspectMatch]  # the final set's matches on the evaluation (held-out) instances
    coverage: Ratio
    redundancy: Ratio
    failed_groundings: dict[str, str] = Field(default_factory=dict)  # instance id -> why
    unscored_traits: int = 0
    failed_calls: int = 0
    tokens: TokenUsage = Field(default_factory=TokenUsage)

    def report_dict(self) -> dict[str, Any]:
        """The summary written beside metrics.json: everything but the per-item lists."""
        report = self.model_dump(mode="json", exclude={"aspects", "traits", "matches", "metrics"})
        report.update(metrics=self.metrics.names(), version=self.metrics.version, aspects=len(self.aspects),
                      traits=len(self.traits))
        return report


def resolve_lms(lms: Any) -> dict[str, dspy.LM]:
    """Role -> LM from an LMSession-like object (`.lm(role)`), one dspy.LM, or a dict keyed by our role
    names, the LM layer's ("grounder", "clusterer", "judge") or "default"."""
    if hasattr(lms, "lm") and callable(lms.lm):
        return {ours: lms.lm(theirs) for ours, theirs in ROLES.items()}
    if isinstance(lms, dspy.LM):
        return dict.fromkeys(ROLES, lms)
    if isinstance(lms, Mapping):
        chosen = {ours: lms.get(ours, lms.get(theirs, lms.get("default"))) for ours, theirs in ROLES.items()}
        missing = [role for role, lm in chosen.items() if lm is None]
        if missing:
            raise InputError(f"no LM for role(s) {', '.join(missing)}; give them or a 'default' entry")
        return chosen
    raise InputError(f"expected a dict of role -> dspy.LM or an object with .lm(role), got {type(lms).__name__}")


def split_instances(instances: Sequence[Instance], heldout: float | Sequence[str] = 0.2,
                    seed: int = 0) -> tuple[list[Instance], list[Instance]]:
    """Training and held-out instances. `heldout` is a fraction or explicit instance/trajectory ids.

    A fraction splits by trajectory, so two feedbacks on one trajectory never straddle the split.
    """
    if not isinstance(heldout, (int, float)):
        chosen = set(heldout)
        test = [i for i in instances if i.id in chosen or i.trajectory.id in chosen]
        return [i for i in instances if i not in test], test
    if not 0 <= heldout < 1:
        raise InputError(f"expected 0 <= heldout < 1, got {heldout}")
    trajectories = sorted({i.trajectory.id for i in instances})
    random.Random(seed).shuffle(trajectories)
    count = round(len(trajectories) * heldout)
    if heldout > 0 and len(trajectories) >= 2:
        count = min(max(count, 1), len(trajectories) - 1)
    held = set(trajectories[:count])
    return ([i for i in instances if i.trajectory.id not in held], [i for i in instances if i.trajectory.id in held])


class _Run:
    """The state shared by one induction: LMs, settings, the call log."""

    def __init__(self, lms: dict[str, dspy.LM], workers: int, token_budget: int, calls: OperatorCalls,
                 name: str, iteration: int | None):
        self.lms, self.workers, self.budget, self.calls = lms, workers, token_budget, calls
        self.name, self.iteration = name, iteration

    def ground(self, instances: list[Instance]) -> tuple[dict[str, list[Aspect]], dict[str, str]]:
        def one(instance: Instance) -> tuple[list[Aspect], str | None]:
            try:
                return ground_feedback(instance, self.lms["grounding"], token_budget=self.budget,
                                       calls=self.calls), None
            except LMError as error:
                return [], str(error)

        results = parallel_map(one, instances, self.workers)
        aspects = {i.id: r[0] for i, r in zip(instances, results)}
        failed = {i.id: r[1] for i, r in zip(instances, results) if r[1]}
        return aspects, failed

    def evaluate(self, instances: list[Instance], aspects: list[Aspect], metrics: MetricSet) -> Evaluation:
        trajectories = list({i.trajectory.id: i.trajectory for i in instances}.values())
        traits = self.judge(trajectories, metrics)
        matches = match_aspects(aspects, traits, self.lms["matching"], workers=self.workers, calls=self.calls)
        return Evaluation(traits=traits, matches=matches, coverage=coverage(matches),
                          redundancy=redundancy(matches, traits))

    def judge(self, trajectories: list[Trajectory], metrics: MetricSet) -> list[Trait]:
        def one(trajectory: Trajectory) -> list[Trait]:
            return judge_trajectory(trajectory, metrics, self.lms["judge"], token_budget=self.budget,
                                    calls=self.calls)

        return [t for group in parallel_map(one, trajectories, self.workers) for t in group]

    def cluster(self, aspects: list[Aspect], existing: MetricSet | None, n: int | None) -> MetricSet:
        return cluster_behaviors(aspects, self.lms["clustering"], existing=existing, n_metrics=n, name=self.name,
                                 iteration=self.iteration, calls=self.calls)

    def report(self, number: int, kind: str, since: int, **fields: Any) -> RoundReport:
        evaluation: Evaluation | None = fields.pop("evaluation", None)
        if evaluation is not None:
            fields.update(coverage=evaluation.coverage, redundancy=evaluation.redundancy,
                          unscored_traits=sum(1 for t in evaluation.traits if t.rating is None))
        report = RoundReport(round=number, kind=kind, tokens=self.calls.usage(since),
                             failed_calls=self.calls.failures(since), **fields)
        log.info("round %d (%s): +%s, coverage %s, redundancy %s, %d prompt tokens", number, kind,
                 report.metrics_added, report.coverage, report.redundancy, report.tokens.input)
        return report


def induce_metrics(
    instances: Sequence[Instance],
    lms: Any,
    *,
    existing: MetricSet | None = None,
    heldout: float | Sequence[str] = 0.2,
    seed: int = 0,
    n_metrics: int | None = None,
    search: Sequence[int] | None = None,
    search_rounds: int = 3,
    max_rounds: int = 3,
    workers: int = 4,
    token_budget: int = 1200,
    name: str = "metrics",
    iteration: int | None = None,
    calls: OperatorCalls | None = None,
) -> InductionResult:
    """Induce (or extend) a MetricSet from `instances`; measure it on a held-out split the caller controls."""
    instances = list(instances)
    if not instances:
        raise InputError("no instances to induce metrics from")
    for instance in instances:
        check_instance(instance)  # every bad instance is reported before any LM call is spent
    run = _Run(resolve_lms(lms), workers, token_budget, calls if calls is not None else OperatorCalls(), name,
               iteration)
    train, test = split_instances(instances, heldout, seed)
    grounded, failed = run.ground(instances)
    train_aspects = [a for i in train for a in grounded[i.id]]
    if not train_aspects:
        raise LMError(f"grounding gave no aspects for any of the {len(train)} training instances: {failed}")
    if search:
        metrics, rounds, train_eval = _search(run, train, train_aspects, existing, search, search_rounds)
    else:
        metrics, rounds, train_eval = _iterate(run, train, train_aspects, existing, n_metrics, max_rounds)
    if test:
        test_aspects = [a for i in test for a in grounded[i.id]]
        final = run.evaluate(test, test_aspects, metrics)
        traits = train_eval.traits + final.traits
    else:
        final, traits = train_eval, train_eval.traits
    return InductionResult(
        metrics=metrics, rounds=rounds, train_ids=[i.id for i in train], heldout_ids=[i.id for i in test],
        aspects=[a for i in instances for a in grounded[i.id]], traits=traits, matches=final.matches,
        coverage=final.coverage, redundancy=final.redundancy, failed_groundings=failed,
        unscored_traits=sum(1 for t in traits if t.rating is None), failed_calls=run.calls.failures(),
        tokens=run.calls.usage())


class MetaReport(BaseModel):
    """A metric set measured against feedback: what `ladder meta` prints."""

    coverage: Ratio
    redundancy: Ratio  # detected traits in the denominator (the paper's definition)
    redundancy_all: Ratio  # 0-rated traits counted too (the reference implementation's variant)
    per_metric: list[MetricRate]  # one per metric of the measured set, in its order
    aspects: list[Aspect]
    traits: list[Trait]
    matches: list[AspectMatch]
    failed_groundings: dict[str, str] = Field(default_factory=dict)
    failed_calls: int = 0
    tokens: TokenUsage = Field(default_factory=TokenUsage)


def measure_metrics(instances: Sequence[Instance], metrics: MetricSet, lms: Any, *,
                    traits: Sequence[Trait] | None = None, workers: int = 4, token_budget: int = 1200,
                    calls: OperatorCalls | None = None) -> MetaReport:
    """Coverage and redundancy of `metrics` on `instances` (pass held-out ones). Stored `traits` are reused
    for the trajectories they cover; the other trajectories are judged."""
    instances = list(instances)
    for instance in instances:
        check_instance(instance)
    run = _Run(resolve_lms(lms), workers, token_budget, calls if calls is not None else OperatorCalls(),
               metrics.name, None)
    grounded, failed = run.ground(instances)
    aspects = [a for i in instances for a in grounded[i.id]]
    names = set(metrics.names())
    stored = [t for t in traits or [] if t.metric in names]
    judged_ids = {t.trajectory_id for t in stored}
    todo = list({i.trajectory.id: i.trajectory for i in instances if i.trajectory.id not in judged_ids}.values())
    wanted = {i.trajectory.id for i in instances}
    all_traits = [t for t in stored if t.trajectory_id in wanted] + run.judge(todo, metrics)
    matches = match_aspects(aspects, all_traits, run.lms["matching"], workers=workers, calls=run.calls)
    return MetaReport(coverage=coverage(matches), redundancy=redundancy(matches, all_traits),
                      redundancy_all=redundancy(matches, all_traits, denominator="all"),
                      per_metric=metric_rates(metrics, all_traits), aspects=aspects, traits=all_traits,
                      matches=matches, failed_groundings=failed, failed_calls=run.calls.failures(),
                      tokens=run.calls.usage())


def _iterate(run: _Run, train: list[Instance], aspects: list[Aspect], existing: MetricSet | None,
             n_metrics: int | None, max_rounds: int) -> tuple[MetricSet, list[RoundReport], Evaluation]:
    rounds: list[RoundReport] = []
    current, state, uncovered = existing, None, aspects
    if existing is not None and existing.metrics:
        since = len(run.calls)
        state = run.evaluate(train, aspects, existing)
        uncovered = _uncovered(state)
        rounds.append(run.report(0, "existing", since, evaluation=state, num_metrics=len(existing.metrics),
                                 kept=True))
    for number in range(1, max_rounds + 1):
        if not uncovered:
            break
        since = len(run.calls)
        try:
            candidate = run.cluster(uncovered, current, n_metrics)
        except LMError as error:
            rounds.append(run.report(number, "iterate", since, note=f"clustering failed: {error}"))
            break
        evaluation = run.evaluate(train, aspects, candidate)
        kept = state is None or _value(evaluation.coverage) >= _value(state.coverage)
        rounds.append(run.report(number, "iterate", since, evaluation=evaluation, kept=kept,
                                 n_requested=n_metrics, num_metrics=len(candidate.metrics),
                                 metrics_added=_added(current, candidate)))
        if not kept:
            break  # coverage dropped: keep the set from before this round
        current, state, uncovered = candidate, evaluation, _uncovered(evaluation)
    if current is None or state is None:
        raise LMError("no metric set could be induced; see the round notes and the log")
    return current, rounds, state


def _search(run: _Run, train: list[Instance], aspects: list[Aspect], existing: MetricSet | None,
            grid: Sequence[int], search_rounds: int) -> tuple[MetricSet, list[RoundReport], Evaluation]:
    tried: dict[int, tuple[MetricSet, Evaluation]] = {}
    rounds: list[RoundReport] = []
    candidates = sorted({n for n in grid if n > 0})
    for _ in range(search_rounds):
        for n in candidates:
            since = len(run.calls)
            try:
                metrics = run.cluster(aspects, existing, n)
            except LMError as error:
                rounds.append(run.report(len(rounds) + 1, "search", since, n_requested=n, note=str(error)))
                continue
            tried[n] = (metrics, run.evaluate(train, aspects, metrics))
            rounds.append(run.report(len(rounds) + 1, "search", since, evaluation=tried[n][1], n_requested=n,
                                     num_metrics=len(metrics.metrics), metrics_added=_added(existing, metrics)))
        scored = [(n, e.coverage, e.redundancy) for n, (_, e) in tried.items()]
        if not scored or all(c.value is None for _, c, _ in scored):
            raise LMError("no candidate metric set could be induced or measured")
        best = choose_metric_count(scored)
        candidates = [n for n in range(best - 2, best + 3) if n > 0 and n not in tried]
        if not candidates:
            break
    for report in rounds:
        report.kept = report.n_requested == best and report.coverage is not None
    return tried[best][0], rounds, tried[best][1]


def _uncovered(evaluation: Evaluation) -> list[Aspect]:
    # Aspects whose matching failed are unknown, not covered: cluster them again.
    return [m.aspect for m in evaluation.matches if m.metric is None]


def _added(old: MetricSet | None, new: MetricSet) -> list[str]:
    known = set(old.names()) if old else set()
    return [n for n in new.names() if n not in known]


def _value(ratio: Ratio) -> float:
    return ratio.value if ratio.value is not None else 0.0
