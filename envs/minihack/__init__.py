"""MiniHack (BALROG env `minihack`), built on PyPI `minihack` + `nle` (extra `minihack`).

Only the BALROG tasks that run offline are offered: the two Boxoban tasks need a level download.
"""

from __future__ import annotations

from envs.errors import UnknownTaskError, closest
from envs.minihack.env import ACTION_TABLE, DEFAULT_ACTION, LEFT_OUT, TASKS, MiniHackTextEnv


def tasks() -> list[str]:
    return list(TASKS)


def make(task: str, **kwargs) -> MiniHackTextEnv:
    if task in LEFT_OUT:
        raise UnknownTaskError(f"minihack task {task!r} is left out: Boxoban's level files need a download "
                               f"this project does not make; offline tasks: {', '.join(TASKS)}")
    if task not in TASKS:
        hint = closest(task, list(TASKS))
        raise UnknownTaskError(f"unknown minihack task {task!r}; known: {', '.join(TASKS)}"
                               + (f" (did you mean {hint[0]!r}?)" if hint else ""))
    return MiniHackTextEnv(task, **kwargs)


__all__ = ["make", "tasks", "MiniHackTextEnv", "ACTION_TABLE", "DEFAULT_ACTION", "TASKS", "LEFT_OUT"]
