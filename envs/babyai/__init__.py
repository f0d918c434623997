"""BabyAI-Text (BALROG env `babyai`), built on PyPI `minigrid` (extra `babyai`)."""

from __future__ import annotations

from envs.babyai.env import ACTIONS, DEFAULT_ACTION, TASKS, BabyAITextEnv
from envs.errors import UnknownTaskError, closest


def tasks() -> list[str]:
    return list(TASKS)


def make(task: str, **kwargs) -> BabyAITextEnv:
    if task not in TASKS:
        hint = closest(task, list(TASKS))
        raise UnknownTaskError(f"unknown babyai task {task!r}; known: {', '.join(TASKS)}"
                               + (f" (did you mean {hint[0]!r}?)" if hint else ""))
    return BabyAITextEnv(task, **kwargs)


__all__ = ["make", "tasks", "BabyAITextEnv", "ACTIONS", "DEFAULT_ACTION", "TASKS"]
