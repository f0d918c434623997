"""Loading AutoLibra's DATA argument: instances, trajectories (+ feedback) or a BALROG run directory.

DATA is one of:
  * a JSONL of `Instance` records ({"trajectory": {...}, "feedback": "...", "annotator": "..."});
  * a JSONL of `Trajectory` records (a run's rollouts.jsonl) plus a feedback JSONL of `Feedback` records;
  * a BALROG run directory plus a feedback JSONL (trajectory ids are ``<env>/<task>/run_NN``).
Every problem names the file and line (or the instance) before any model call is spent.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from autolibra.balrog_import import import_balrog_run
from autolibra.errors import DataError, InputError
from autolibra.schema import Feedback, Instance, MetricSet, Trajectory

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)


def load_instances(data: str | Path, feedback: str | Path | None = None) -> list[Instance]:
    """Instances from DATA (see the module note). Trajectories without feedback are skipped (logged)."""
    path = Path(data)
    if path.is_dir() or _kind(path) == "trajectory":
        if feedback is None:
            raise InputError(f"{path}: trajectories without feedback; pass a feedback JSONL (--feedback FILE)")
        return join_feedback(load_trajectories(path), feedback)
    if feedback is not None:
        raise InputError(f"{path} already holds instances with feedback; drop --feedback")
    instances = []
    for line, instance in _numbered(path, Instance):
        _check(instance, str(path), line)
        instances.append(instance)
    _require_some(instances, path)
    return instances


def load_trajectories(data: str | Path) -> list[Trajectory]:
    """Trajectories from a BALROG run directory, a Trajectory JSONL or an Instance JSONL (deduplicated)."""
    path = Path(data)
    if path.is_dir():
        trajectories = import_balrog_run(path)
        empty = [t.id for t in trajectories if not t.steps]
        if empty:
            raise DataError(f"episode(s) with no steps: {', '.join(empty)}", str(path))
    elif _kind(path) == "trajectory":
        trajectories = []
        for line, trajectory in _numbered(path, Trajectory):
            if not trajectory.steps:
                raise DataError(f"trajectory {trajectory.id!r} has no steps", str(path), line)
            trajectories.append(trajectory)
    else:
        trajectories = list({i.trajectory.id: i.trajectory for _, i in _numbered(path, Instance)}.values())
    _require_some(trajectories, path)
    return trajectories


def join_feedback(trajectories: list[Trajectory], feedback: str | Path) -> list[Instance]:
    by_id = {t.id: t for t in trajectories}
    instances = []
    for line, record in _numbered(Path(feedback), Feedback):
        trajectory = by_id.get(record.trajectory_id)
        if trajectory is None:
            known = ", ".join(sorted(by_id)[:5])
            raise DataError(f"feedback for unknown trajectory {record.trajectory_id!r} (known: {known}, ...)",
                            str(feedback), line)
        instance = Instance(trajectory=trajectory, feedback=record.text, annotator=record.annotator)
        _check(instance, str(feedback), line)
        instances.append(instance)
    without = len(by_id) - len({i.trajectory.id for i in instances})
    if without:
        log.info("%d trajectories have no feedback and are skipped", without)
    _require_some(instances, Path(feedback))
    return instances


def load_metric_set(path: str | Path) -> MetricSet:
    path = Path(path)
    if not path.exists():
        raise DataError("metric set file not found", str(path))
    try:
        metrics = MetricSet.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as error:
        raise DataError(f"not a valid MetricSet: {_short(error)}", str(path)) from None
    if not metrics.metrics:
        raise DataError("the metric set has no metrics", str(path))
    return metrics


def _check(instance: Instance, path: str, line: int) -> None:
    if not instance.feedback.strip():
        raise DataError(f"instance {instance.id}: feedback is empty", path, line)
    if not instance.trajectory.steps:
        raise DataError(f"instance {instance.id}: trajectory has no steps", path, line)


def _kind(path: Path) -> str:
    """'instance' or 'trajectory', from the first record's keys."""
    for line, text in _lines(path):
        try:
            first = json.loads(text)
        except json.JSONDecodeError as error:
            raise DataError(f"not valid JSON: {error.msg}", str(path), line) from None
        if isinstance(first, dict) and "steps" in first and "trajectory" not in first:
            return "trajectory"
        return "instance"
    raise DataError("the file is empty", str(path))


def _numbered(path: Path, model: type[M]) -> Iterator[tuple[int, M]]:
    for line, text in _lines(path):
        try:
            yield line, model.model_validate_json(text)
        except ValidationError as error:
            raise DataError(f"not a valid {model.__name__}: {_short(error)}", str(path), line) from None


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    if not path.is_file():
        raise DataError("file not found", str(path))
    with path.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if text.strip():
                yield number, text


def _require_some(records: list, path: Path) -> None:
    if not records:
        raise DataError("no records found", str(path))


def _short(error: ValidationError) -> str:
    item = error.errors()[0]
    where = ".".join(str(p) for p in item["loc"]) or "(record)"
    return f"{where}: {item['msg']}"
