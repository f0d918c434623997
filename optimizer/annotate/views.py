"""Read-only views for the annotators: metrics, traits, aspects, plots, and the Baba Is AI grid.

All are optional: a JSONL of trajectories has none of them, and a run shows what it has written so far.
Metrics come from the latest iteration that has a metrics.json (induction for the iteration waiting for
feedback has not run yet, so the previous set is the one in force). Traits are gathered over every
iteration, since a trajectory is judged once, in whichever iteration judged it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from pathlib import Path

from autolibra.errors import DataError
from autolibra.jsonl import read_jsonl_tolerant
from autolibra.schema import Aspect, MetricSet, Trait, Trajectory

from optimizer.annotate.store import AnnotationSource

log = logging.getLogger(__name__)

_EMPTY_CELLS = {".", "_", "-", "·", ""}


def _iteration_dirs(source: AnnotationSource) -> list[Path]:
    if source.run_dir is None:
        return []
    return sorted(p for p in (source.run_dir / "iterations").glob("[0-9]*") if p.is_dir())


def load_metrics(source: AnnotationSource) -> MetricSet | None:
    for iteration in reversed(_iteration_dirs(source)):
        path = iteration / "metrics.json"
        if path.exists():
            try:
                return MetricSet.model_validate_json(path.read_text(encoding="utf-8"))
            except ValueError as error:
                raise DataError(f"not a valid MetricSet: {error}", str(path)) from None
    return None


def load_traits(source: AnnotationSource) -> dict[str, list[Trait]]:
    grouped: dict[str, dict[str, Trait]] = defaultdict(dict)
    for iteration in _iteration_dirs(source):
        records, _ = read_jsonl_tolerant(iteration / "traits.jsonl", Trait)
        for trait in records:
            grouped[trait.trajectory_id][trait.metric] = trait  # a later judgment replaces an earlier one
    return {tid: list(by_metric.values()) for tid, by_metric in grouped.items()}


def load_aspects(source: AnnotationSource) -> list[Aspect]:
    if source.iteration_dir is None:
        return []
    records, _ = read_jsonl_tolerant(source.iteration_dir / "aspects.jsonl", Aspect)
    return records


def list_plots(source: AnnotationSource) -> list[str]:
    """File names of the run's plots; the web server serves only names from this list."""
    if source.run_dir is None or not (source.run_dir / "plots").is_dir():
        return []
    return sorted(p.name for p in (source.run_dir / "plots").glob("*.png") if p.is_file())


def grid_rows(grid: str) -> list[list[str]]:
    """Split a text grid into cells: whitespace-separated tokens when a row has spaces, else characters."""
    rows = [line for line in grid.splitlines() if line.strip()]
    if any(" " in line.strip() for line in rows):
        return [line.split() for line in rows]
    return [list(line) for line in rows]


def cell_kind(token: str) -> str:
    """`empty`, `rule` (a word block such as BABA, IS, WIN) or `object` (a thing on the board)."""
    if token in _EMPTY_CELLS:
        return "empty"
    return "rule" if token.isupper() and len(token) > 1 else "object"


def trajectory_view(trajectory: Trajectory) -> dict:
    """The JSON the page renders. Text stays raw here: the page inserts it with textContent only."""
    steps = []
    for step in trajectory.steps:
        grid = step.info.get("grid")
        steps.append({
            "index": step.index, "observation": step.observation, "action": step.action,
            "reasoning": step.reasoning or "", "raw_output": step.raw_output, "valid": step.valid,
            "reward": step.reward,
            "grid": [[{"text": c, "kind": cell_kind(c)} for c in row] for row in grid_rows(grid)]
            if isinstance(grid, str) else None,
        })
    return {
        "id": trajectory.id, "env": trajectory.env, "task": trajectory.task, "seed": trajectory.seed,
        "model": trajectory.model, "instruction": trajectory.instruction, "outcome": trajectory.outcome,
        "success": trajectory.success, "num_steps": len(trajectory.steps),
        "episode_return": trajectory.episode_return, "progression": trajectory.progression,
        "final_observation": trajectory.final_observation or "", "steps": steps,
    }
