"""TextWorld (BALROG env `textworld`), built on PyPI `textworld` (extra `textworld`); games are generated
offline with fixed seeds and cached (see envs/textworld/games.py)."""

from __future__ import annotations

from envs.errors import UnknownTaskError, closest
from envs.textworld.env import DEFAULT_ACTION, TASKS, TextWorldEnv, strip_objective
from envs.textworld.games import NUM_GAMES, QUICK_GENERATION, game_path, generate_games


def tasks() -> list[str]:
    return list(TASKS)


def make(task: str, **kwargs) -> TextWorldEnv:
    if task not in TASKS:
        hint = closest(task, list(TASKS))
        raise UnknownTaskError(f"unknown textworld task {task!r}; known: {', '.join(TASKS)}"
                               + (f" (did you mean {hint[0]!r}?)" if hint else ""))
    return TextWorldEnv(task, **kwargs)


__all__ = ["make", "tasks", "TextWorldEnv", "TASKS", "DEFAULT_ACTION", "NUM_GAMES", "QUICK_GENERATION", "game_path",
           "generate_games", "strip_objective"]
