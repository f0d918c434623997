"""Crafter (BALROG env `crafter`), built on PyPI `crafter` (extra `crafter`)."""

from __future__ import annotations

from envs.crafter.env import ACHIEVEMENTS, ACTIONS, DEFAULT_ACTION, TASKS, CrafterTextEnv
from envs.errors import UnknownTaskError


def tasks() -> list[str]:
    return list(TASKS)


def make(task: str = "default", **kwargs) -> CrafterTextEnv:
    if task not in TASKS:
        raise UnknownTaskError(f"unknown crafter task {task!r}; crafter has one task: 'default'")
    return CrafterTextEnv(task, **kwargs)


__all__ = ["make", "tasks", "CrafterTextEnv", "ACTIONS", "ACHIEVEMENTS", "DEFAULT_ACTION", "TASKS"]
