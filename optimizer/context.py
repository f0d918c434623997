"""What every stage of a run is handed: the run directory, its typed config, the LM session, the tasks."""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import envs
from autolibra.errors import ConfigError
from autolibra.lm import LMSession
from optimizer.config import RunConfig
from optimizer.rundir import RunDir


@dataclass
class RunContext:
    run: RunDir
    config: RunConfig
    session: LMSession
    tasks: list[str]

    @classmethod
    def open(cls, run: RunDir, config: RunConfig, cache_dir: Path | None = None) -> "RunContext":
        """Resolve the tasks and open the LM session (every call cached in the run, or in `cache_dir`)."""
        tasks = resolve_tasks(config.env, config.tasks)
        session = LMSession(config.models, cache_dir=cache_dir or run.lm_cache, log_path=run.lm_log)
        return cls(run=run, config=config, session=session, tasks=tasks)

    def model_name(self, role: str) -> str:
        return self.session.roles.for_role(role).model

    def close(self) -> None:
        self.session.close()


def resolve_tasks(env: str, patterns: Sequence[str]) -> list[str]:
    """Task ids or shell globs (an item may hold several, comma-separated) -> the env's task ids, in the
    env's order. An unknown env, or a pattern that matches nothing, is a ConfigError naming it."""
    try:
        known = envs.tasks(env)
    except envs.EnvError as error:
        raise ConfigError(str(error)) from None
    wanted: set[str] = set()
    for pattern in (p.strip() for item in patterns for p in item.split(",")):
        if not pattern:
            continue
        matches = fnmatch.filter(known, pattern)
        if not matches:
            hint = difflib.get_close_matches(pattern, known, n=3, cutoff=0.3)
            raise ConfigError(f"task {pattern!r} matches no {env} task"
                              + (f"; did you mean {', '.join(map(repr, hint))}?" if hint else ""))
        wanted.update(matches)
    if not wanted:
        raise ConfigError("the task list selects no task")
    return [task for task in known if task in wanted]
