"""Iterative selection: select, re-induce metrics from the feedback on the selected set, select again.

Feedback on trajectories that already score well points at flaws the current metrics do not see; the new
metrics it yields are appended to the set (old ones are never redefined) and the whole pool is re-scored,
so a trajectory that looked good can drop out. Stored judgments are reused: each round judges only the new
metrics. The rounds stop early when induction adds no metric, when no selected trajectory has feedback, or
when the selection stops changing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from pydantic import BaseModel, Field

from autolibra.errors import ConfigError
from autolibra.induction import induce_metrics
from autolibra.schema import Feedback, Instance, MetricSet, Trait, Trajectory
from optimizer.selection.config import SelectionConfig
from optimizer.selection.scoring import Judge, Score, score_trajectories
from optimizer.selection.select import Selection, select_trajectories

log = logging.getLogger(__name__)

# (instances with feedback, the current metric set) -> the extended metric set
Inducer = Callable[[list[Instance], MetricSet], MetricSet]


class RoundSummary(BaseModel):
    round: int
    metrics: int
    new_metrics: int = 0
    selected: int
    selected_ids: list[str] = Field(default_factory=list)
    judged: int = 0  # traits newly judged this round
    stop_reason: str | None = None


class SelectionOutcome(BaseModel):
    scores: list[Score]
    selection: Selection
    traits: list[Trait]
    metrics: MetricSet
    rounds: list[RoundSummary]
    judged: int  # traits newly judged over all rounds


def iterate_selection(trajectories: Sequence[Trajectory], metrics: MetricSet, traits: Sequence[Trait],
                      config: SelectionConfig, *, judge: Judge | None = None, feedback: Sequence[Feedback] = (),
                      induce: Inducer | None = None) -> SelectionOutcome:
    """Run `config.iterations` rounds (1 = plain scoring and selection)."""
    if config.iterations > 1 and induce is None:
        raise ConfigError(f"iterations={config.iterations} needs a metric inducer (and feedback); "
                          "use iterations=1 or pass --model so metrics can be re-induced")
    actions = {t.id: [s.action for s in t.steps] for t in trajectories}
    stored = list(traits)
    rounds: list[RoundSummary] = []
    judged_total = 0
    while True:
        before = {id(t) for t in stored}  # identity: a re-judged unscored trait counts as new too
        scores, stored = score_trajectories(trajectories, metrics, stored, config, judge=judge)
        judged = sum(id(t) not in before for t in stored)
        judged_total += judged
        selection = select_trajectories(scores, config, actions)
        added = len(metrics.metrics) - rounds[-1].metrics if rounds else 0
        summary = RoundSummary(round=len(rounds), metrics=len(metrics.metrics), selected=len(selection.selected),
                               selected_ids=list(selection.selected), judged=judged, new_metrics=added)
        rounds.append(summary)
        summary.stop_reason = _stop_reason(rounds, config)
        if summary.stop_reason is None:
            extended, summary.stop_reason = _reinduce(trajectories, selection, feedback, metrics, induce)
            if extended is not None:
                metrics = extended
        if summary.stop_reason is not None:
            log.info("selection round %d: %s", summary.round, summary.stop_reason)
            return SelectionOutcome(scores=scores, selection=selection, traits=stored, metrics=metrics,
                                    rounds=rounds, judged=judged_total)


def _stop_reason(rounds: list[RoundSummary], config: SelectionConfig) -> str | None:
    if len(rounds) >= config.iterations:
        return "single round" if config.iterations == 1 else "last round"
    if len(rounds) >= 2 and rounds[-1].selected_ids == rounds[-2].selected_ids:
        return "selection unchanged by the new metrics"
    return None


def _reinduce(trajectories: Sequence[Trajectory], selection: Selection, feedback: Sequence[Feedback],
              metrics: MetricSet, induce: Inducer | None) -> tuple[MetricSet | None, str | None]:
    by_id = {t.id: t for t in trajectories}
    chosen = set(selection.selected)
    instances = [Instance(trajectory=by_id[f.trajectory_id], feedback=f.text, annotator=f.annotator)
                 for f in feedback if f.trajectory_id in chosen and f.trajectory_id in by_id]
    if not instances:
        return None, "no feedback on the selected trajectories to induce new metrics from"
    assert induce is not None  # checked before the first round
    extended = keep_old_metrics(metrics, induce(instances, metrics))
    added = len(extended.metrics) - len(metrics.metrics)
    if added == 0:
        return None, "induction added no new metric"
    log.info("re-induction on %d instances added %d metrics", len(instances), added)
    return extended, None


def keep_old_metrics(old: MetricSet, new: MetricSet) -> MetricSet:
    """Old metrics stay exactly as defined (stored judgments of them stay valid); new names are appended."""
    known = set(old.names())
    added = [m for m in new.metrics if m.name not in known]
    return old.model_copy(update={"metrics": [*old.metrics, *added], "version": old.version + (1 if added else 0),
                                  "provenance": [*old.provenance, *new.provenance[len(old.provenance):]]})


def make_inducer(lms, **kwargs) -> Inducer:
    """Bind AutoLibra's metric induction to the LM session `lms`."""
    def induce(instances: list[Instance], existing: MetricSet) -> MetricSet:
        return induce_metrics(instances, lms, existing=existing, **kwargs).metrics

    return induce
