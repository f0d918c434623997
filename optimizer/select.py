"""Stage 7, select: the iteration's best-scoring trajectories exported as fine-tuning data (finetune/),
when the run config has a `selection` section. See optimizer/selection/ and docs/selection.md."""

from __future__ import annotations

from pathlib import Path

from autolibra.schema import MetricSet, Trait, Trajectory
from optimizer.context import RunContext
from optimizer.reporting.selection import write_selection_outcome
from optimizer.selection import run_selection


def select_stage(ctx: RunContext, folder: Path, trajectories: list[Trajectory], metrics: MetricSet | None,
                 traits: list[Trait]) -> None:
    """Skipped without a selection config or metrics; done when its report exists (written last)."""
    out = folder / "finetune"
    if ctx.config.selection is None or metrics is None or (out / "report.json").exists():
        return
    write_selection_outcome(run_selection(trajectories, metrics, traits, ctx.config.selection, out))
