"""Upstream BALROG environments behind our face: `envs.make("balrog:<env>", task)`.

Works when the `balrog` package from submodules/BALROG is installed (`pip install -e submodules/BALROG`).
It is imported only when such an env is asked for. Upstream builds its envs from its Hydra config; we
load that config's defaults (overridable with `config=`), build the env with its own `make_env`, and wrap
it so that it is a gymnasium Env that passes `check_env`, like ours.
"""

from __future__ import annotations

import importlib
import random
from pathlib import Path
from typing import Any

import numpy as np

from envs._face import FreeTextActions, LanguageActions, TextGameEnv
from envs.errors import MissingExtraError, UnknownTaskError, closest

INSTALL_HINT = "install upstream BALROG: clone it at commit af7d1f1 into submodules/BALROG " \
               "(submodules/README.md), then pip install -e submodules/BALROG"


def _balrog_environments():
    # PyPI has an unrelated package also called `balrog`, so check for BALROG's own module.
    try:
        return importlib.import_module("balrog.environments")
    except ImportError as error:
        raise MissingExtraError(f"'balrog:' envs need the upstream BALROG package ({error}); {INSTALL_HINT}") \
            from error


def default_config():
    """BALROG's own default configuration (balrog/config/config.yaml)."""
    from omegaconf import OmegaConf  # a dependency of BALROG itself

    package = importlib.import_module("balrog")
    return OmegaConf.load(Path(package.__file__).parent / "config" / "config.yaml")


def tasks(env_name: str) -> list[str]:
    _balrog_environments()
    return list(default_config().tasks[f"{env_name}_tasks"])


def make(env_name: str, task: str, config: Any = None, **kwargs) -> "BalrogEnv":
    environments = _balrog_environments()
    config = config if config is not None else default_config()
    known = list(config.tasks.get(f"{env_name}_tasks", []))
    if task not in known:
        hint = closest(task, known)
        raise UnknownTaskError(f"unknown task {task!r} for balrog:{env_name}; known: {', '.join(known)}"
                               + (f" (did you mean {hint[0]!r}?)" if hint else ""))
    return BalrogEnv(environments.make_env(env_name, task, config), env_name, task, **kwargs)


class BalrogEnv(TextGameEnv):
    """Any env with BALROG's interface (reset/step on strings, language_action_space, get_stats...),
    presented as one of ours. Seeding follows BALROG's harness, which also seeds the global RNGs
    (Baba Is AI draws its levels from numpy's global generator)."""

    def __init__(self, inner, env_name: str, task: str, max_steps: int | None = None):
        self.inner = inner
        self.env_name = env_name
        names = inner.language_action_space
        try:
            actions = LanguageActions(list(names))
        except (TypeError, ValueError):  # TextWorld's "anything goes" container cannot be listed
            actions = FreeTextActions(())
        extra = ("mission",) if env_name == "babyai" else ()
        super().__init__(task, actions, inner.default_action, max_steps or inner.max_steps, extra)

    def _fields(self, obs: dict) -> dict[str, str]:
        text = obs.get("text", {})
        fields = {"long_term_context": str(text.get("long_term_context", "")),
                  "short_term_context": str(text.get("short_term_context", ""))}
        for key in self.observation_space.spaces:
            if key != "text":
                fields[key] = str(obs.get(key, ""))
        return fields

    def _reset_game(self, seed: int):
        random.seed(seed)
        np.random.seed(seed)
        obs, info = self.inner.reset(seed=seed)
        return self._fields(obs), dict(info or {})

    def _step_game(self, action: str):
        obs, reward, terminated, truncated, info = self.inner.step(action)
        self.progression = float(self.inner.get_stats().get("progression", 0.0))
        return self._fields(obs), float(reward), bool(terminated), bool(truncated), dict(info or {})

    def get_stats(self) -> dict:
        return {**self.inner.get_stats(), "progression": float(self.progression)}

    def get_instruction_prompt(self, instructions: str | None = None) -> str:
        return self.inner.get_instruction_prompt(instructions=instructions)

    def close(self):
        close = getattr(self.inner, "close", None)
        if close is not None:
            close()
