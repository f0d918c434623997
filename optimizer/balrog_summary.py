"""BALROG's summary numbers and table, computed from trajectory records as BALROG does (spec §B.5).

Per env: progression % (100 x mean episode progression), its standard error (100 x population std /
sqrt(n), 0 when n <= 1), average steps, episodes, tokens, and the same per task. Overall: the mean of
the per-env mean progressions (each env weighs equally) and sqrt(sum of env SE^2) / number of envs.
"""

from __future__ import annotations

import math
import statistics
import sys
from collections.abc import Iterable
from typing import Any, TextIO

from autolibra.schema import Trajectory


def standard_error(values: list[float]) -> float:
    """100 x population standard deviation / sqrt(n), in percentage points; 0 for n <= 1."""
    if len(values) <= 1:
        return 0.0
    return 100.0 * statistics.pstdev(values) / math.sqrt(len(values))


def _group(trajectories: Iterable[Trajectory], attribute: str) -> dict[str, list[Trajectory]]:
    groups: dict[str, list[Trajectory]] = {}
    for trajectory in trajectories:
        groups.setdefault(getattr(trajectory, attribute), []).append(trajectory)
    return groups


def env_summary(trajectories: list[Trajectory]) -> dict[str, Any]:
    """BALROG's `<env>_summary.json` content for the episodes of one env."""
    progressions = [t.progression for t in trajectories]
    tasks = {}
    for task, group in _group(trajectories, "task").items():
        values = [t.progression for t in group]
        tasks[task] = {"progression_percentage": 100.0 * statistics.fmean(values),
                       "standard_error": standard_error(values), "episodes_played": len(values)}
    return {
        "progression_percentage": 100.0 * statistics.fmean(progressions),
        "standard_error": standard_error(progressions),
        "average_steps": statistics.fmean(t.num_steps for t in trajectories),
        "episodes_played": len(trajectories),
        "tasks": tasks,
        "input_tokens": sum(t.tokens.input for t in trajectories),
        "output_tokens": sum(t.tokens.output for t in trajectories),
    }


def balrog_summary(trajectories: Iterable[Trajectory]) -> dict[str, Any]:
    """BALROG's overall `summary.json` content, with each env's full summary under `env_summaries`."""
    by_env = {env: env_summary(group) for env, group in _group(trajectories, "env").items()}
    if not by_env:
        raise ValueError("no trajectories to summarize")
    env_means = [s["progression_percentage"] for s in by_env.values()]
    env_errors = [s["standard_error"] for s in by_env.values()]
    return {
        "average_progress": statistics.fmean(env_means),
        "standard_error": math.sqrt(sum(se * se for se in env_errors)) / len(env_errors),
        "environments": {env: {k: s[k] for k in ("progression_percentage", "standard_error", "episodes_played")}
                         for env, s in by_env.items()},
        "total_input_tokens": sum(s["input_tokens"] for s in by_env.values()),
        "total_output_tokens": sum(s["output_tokens"] for s in by_env.values()),
        "env_summaries": by_env,
    }


def format_balrog_table(summary: dict[str, Any], *, per_task: bool = True) -> str:
    """BALROG's printed table (overall line, one line per env), then optionally one line per task."""
    lines = [f"Overall Average Progression: {summary['average_progress']:.2f}% ± {summary['standard_error']:.2f}%"]
    for env, numbers in summary["env_summaries"].items():
        lines.append(f"{env}: {numbers['progression_percentage']:.2f}% ± {numbers['standard_error']:.2f}% "
                     f"({numbers['episodes_played']} episodes, {numbers['average_steps']:.1f} steps on average, "
                     f"{numbers['input_tokens']} input / {numbers['output_tokens']} output tokens)")
        if per_task:
            width = max(len(task) for task in numbers["tasks"])
            for task, row in numbers["tasks"].items():
                lines.append(f"  {task:<{width}}  {row['progression_percentage']:6.2f}% ± "
                             f"{row['standard_error']:5.2f}%  ({row['episodes_played']} episodes)")
    return "\n".join(lines)


def print_balrog_table(summary: dict[str, Any], file: TextIO | None = None, *, per_task: bool = True) -> None:
    print(format_balrog_table(summary, per_task=per_task), file=file or sys.stdout)
