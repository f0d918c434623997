"""Collect a run directory into one summary (summary.json): the numbers the report and compare show."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from autolibra.jsonl import read_jsonl_tolerant
from autolibra.schema import MetricSet, Trajectory
from optimizer.rundir import RunDir
from optimizer.stats import rate


def _trajectories(path: Path) -> list[Trajectory]:
    records, _ = read_jsonl_tolerant(path, Trajectory)
    return records


def success_by_pair(trajectories: list[Trajectory]) -> dict[tuple[str, int], float]:
    """(task, seed) -> 1.0/0.0: the unit that paired comparisons match on."""
    return {(t.task, t.seed): 1.0 if t.success else 0.0 for t in trajectories}


def _success(trajectories: list[Trajectory]) -> dict | None:
    if not trajectories:
        return None
    return rate([1.0 if t.success else 0.0 for t in trajectories]).as_dict() | {
        "average_steps": sum(t.num_steps for t in trajectories) / len(trajectories)}


def lm_usage(log_path: Path) -> dict[str, dict[str, float]]:
    """Calls, tokens and latency per role, read from lm_calls.jsonl (survives resumes, unlike memory)."""
    usage: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    if not log_path.exists():
        return {}
    for line in log_path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut by a kill
        role = entry.get("role", "unknown")
        numbers = entry.get("usage") or {}
        row = usage[role]
        row["calls"] += 1
        row["cache_hits"] += 1 if entry.get("cache_hit") else 0
        row["errors"] += 1 if entry.get("error") else 0
        row["input_tokens"] += (entry.get("input_tokens") or numbers.get("input_tokens")
                                or numbers.get("prompt_tokens") or 0)
        row["output_tokens"] += (entry.get("output_tokens") or numbers.get("output_tokens")
                                 or numbers.get("completion_tokens") or 0)
        row["latency_s"] += entry.get("latency_s") or entry.get("latency") or 0.0
        row["cost"] += entry.get("cost_usd") or entry.get("cost") or 0.0
    return {role: dict(row) for role, row in usage.items()}


def iteration_summary(run: RunDir, folder: Path) -> dict[str, Any]:
    read = lambda name: run.read_json(folder / name)  # noqa: E731
    prompt_file = folder / "prompt.md"
    metrics_file = folder / "metrics.json"
    metrics = MetricSet.model_validate_json(metrics_file.read_text()) if metrics_file.exists() else None
    scores = read("scores.json") or {}
    return {
        "index": int(folder.name),
        "prompt": prompt_file.read_text(encoding="utf-8").strip() if prompt_file.exists() else None,
        "train": _success(_trajectories(folder / "rollouts.jsonl")),
        "validation": _success(_trajectories(folder / "validation_rollouts.jsonl")),
        "candidate_validation": _success(_trajectories(folder / "candidate" / "validation_rollouts.jsonl")),
        "test": _success(_trajectories(folder / "test_rollouts.jsonl")),
        "metrics": [m.model_dump() for m in metrics.metrics] if metrics else [],
        "metric_rates": scores.get("metrics", []),
        "coverage": scores.get("coverage"),
        "redundancy": scores.get("redundancy"),
        "unscored_traits": scores.get("unscored_traits", 0),
        "invalid_actions": scores.get("invalid_actions", 0),
        "decision": read("decision.json"),
        "rewrite": read("candidate/rewrite.json"),
        "candidate_prompt": (folder / "candidate" / "prompt.md").read_text(encoding="utf-8").strip()
        if (folder / "candidate" / "prompt.md").exists() else None,
    }


def summarize_run(run: RunDir) -> dict[str, Any]:
    record = run.read_record()
    final = run.path / "final"
    summary = {
        "name": record.name,
        "status": record.status,
        "objective": record.config.get("objective"),
        "iterations": [iteration_summary(run, f) for f in run.iterations()],
        "final_prompt": (final / "prompt.md").read_text(encoding="utf-8").strip()
        if (final / "prompt.md").exists() else None,
        "final_test": _success(_trajectories(final / "test_rollouts.jsonl")),
        "lm_usage": lm_usage(run.lm_log),
    }
    run.write_json("summary.json", summary)
    return summary
