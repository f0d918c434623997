"""Stage 3, induce: AutoLibra turns the iteration's feedback into metrics (aspects.jsonl, metrics.json,
induction.json). Each iteration extends the previous iteration's metric set rather than starting over."""

from __future__ import annotations

from pathlib import Path

from autolibra.induction import induce_metrics
from autolibra.jsonl import write_json, write_jsonl
from autolibra.schema import Feedback, Instance, MetricSet, Trajectory
from optimizer.context import RunContext
from optimizer.records import InductionRecord, write_record


def induce_stage(ctx: RunContext, index: int, folder: Path, trajectories: list[Trajectory],
                 feedback: list[Feedback], existing: MetricSet | None) -> MetricSet:
    """The iteration's metric set; read back when metrics.json already exists (it is written last)."""
    path = folder / "metrics.json"
    if path.exists():
        return MetricSet.model_validate_json(path.read_text(encoding="utf-8"))
    by_id = {t.id: t for t in trajectories}
    instances = [Instance(trajectory=by_id[f.trajectory_id], feedback=f.text, annotator=f.annotator)
                 for f in feedback if f.trajectory_id in by_id]
    settings, config = ctx.config.induction, ctx.config
    result = induce_metrics(instances, ctx.session, existing=existing, heldout=settings.heldout,
                            max_rounds=settings.max_rounds, n_metrics=settings.n_metrics,
                            workers=settings.workers, iteration=index, seed=config.random_seed + index,
                            name=f"{config.name}-metrics")
    write_jsonl(folder / "aspects.jsonl", result.aspects)
    write_record(folder / "induction.json", InductionRecord.model_validate(result.report_dict()))
    write_json(path, result.metrics)
    return result.metrics
