"""BALROG's summary numbers and table, computed from trajectory records as BALROG does (spec §B.5).

Per env: progression % (100 x mean episode progression), its standard error (100 x population std /
sqrt(n), 0 when n <= 1), average steps, episodes, tokens, and the same per task. Overall: the mean of
the per-env mean progressions (each env weighs equally) and sqrt(sum of env SE^2) / number of envs.
The models below serialize to BALROG's own `summary.json` keys.
"""

from __future__ import annotations

import math
import statistics
import sys
from collections.abc import Iterable, Sequence
from typing import TextIO

from pydantic import BaseModel

from autolibra.schema import Trajectory
from optimizer.reporting.stats import rate


class TaskProgress(BaseModel):
    progression_percentage: float
    standard_error: float  # percentage points
    episodes_played: int


class EnvSummary(TaskProgress):
    """BALROG's `<env>_summary.json`: the episodes of one env, with one row per task."""

    average_steps: float
    tasks: dict[str, TaskProgress]
    input_tokens: int
    output_tokens: int


class BalrogSummary(BaseModel):
    """BALROG's overall `summary.json`, with each env's full summary under `env_summaries`."""

    average_progress: float
    standard_error: float
    environments: dict[str, TaskProgress]
    total_input_tokens: int
    total_output_tokens: int
    env_summaries: dict[str, EnvSummary]


def _progress(values: Sequence[float]) -> TaskProgress:
    progress = rate(values)
    return TaskProgress(progression_percentage=100.0 * progress.mean, standard_error=100.0 * progress.se,
                        episodes_played=progress.n)


def _group(trajectories: Iterable[Trajectory], attribute: str) -> dict[str, list[Trajectory]]:
    groups: dict[str, list[Trajectory]] = {}
    for trajectory in trajectories:
        groups.setdefault(getattr(trajectory, attribute), []).append(trajectory)
    return groups


def env_summary(trajectories: list[Trajectory]) -> EnvSummary:
    """BALROG's numbers for the episodes of one env."""
    tasks = {task: _progress([t.progression for t in group])
             for task, group in _group(trajectories, "task").items()}
    return EnvSummary(**_progress([t.progression for t in trajectories]).model_dump(),
                      average_steps=statistics.fmean(t.num_steps for t in trajectories), tasks=tasks,
                      input_tokens=sum(t.tokens.input for t in trajectories),
                      output_tokens=sum(t.tokens.output for t in trajectories))


def balrog_summary(trajectories: Iterable[Trajectory]) -> BalrogSummary:
    """BALROG's overall numbers: every env weighs equally, whatever its number of episodes."""
    by_env = {env: env_summary(group) for env, group in _group(trajectories, "env").items()}
    if not by_env:
        raise ValueError("no trajectories to summarize")
    errors = [s.standard_error for s in by_env.values()]
    return BalrogSummary(
        average_progress=statistics.fmean(s.progression_percentage for s in by_env.values()),
        standard_error=math.sqrt(sum(se * se for se in errors)) / len(errors),
        environments={env: TaskProgress(**s.model_dump(include=set(TaskProgress.model_fields)))
                      for env, s in by_env.items()},
        total_input_tokens=sum(s.input_tokens for s in by_env.values()),
        total_output_tokens=sum(s.output_tokens for s in by_env.values()),
        env_summaries=by_env)


def format_balrog_table(summary: BalrogSummary, *, per_task: bool = True) -> str:
    """BALROG's printed table (overall line, one line per env), then optionally one line per task."""
    lines = [f"Overall Average Progression: {summary.average_progress:.2f}% ± {summary.standard_error:.2f}%"]
    for env, numbers in summary.env_summaries.items():
        lines.append(f"{env}: {numbers.progression_percentage:.2f}% ± {numbers.standard_error:.2f}% "
                     f"({numbers.episodes_played} episodes, {numbers.average_steps:.1f} steps on average, "
                     f"{numbers.input_tokens} input / {numbers.output_tokens} output tokens)")
        if per_task:
            lines += _task_lines(numbers.tasks)
    return "\n".join(lines)


def _task_lines(tasks: dict[str, TaskProgress]) -> list[str]:
    width = max(len(task) for task in tasks)
    return [f"  {task:<{width}}  {row.progression_percentage:6.2f}% ± {row.standard_error:5.2f}%  "
            f"({row.episodes_played} episodes)" for task, row in tasks.items()]


def print_balrog_table(summary: BalrogSummary, file: TextIO | None = None, *, per_task: bool = True) -> None:
    print(format_balrog_table(summary, per_task=per_task), file=file or sys.stdout)
