"""Registry of environments by BALROG name. Env modules are imported lazily, so an optional extra
that is not installed only fails when that env is asked for.

Each env module exposes ``make(task: str, **kwargs) -> gymnasium.Env`` (with the BALROG face) and
``tasks() -> list[str]`` (its BALROG task ids, in BALROG's order); it may also offer ``capabilities()``
(envs/capabilities.py).
"""

from __future__ import annotations

import importlib
from types import ModuleType

from envs.errors import EnvError, MissingExtraError, UnknownEnvError, UnknownTaskError, closest

# The errors are defined in envs/errors.py; importing them from here keeps working.
__all__ = ["ENV_MODULES", "env_module", "env_names", "tasks", "make", "closest", "EnvError", "UnknownEnvError",
           "UnknownTaskError", "MissingExtraError"]

# BALROG env name -> the module that implements it (and the pip extra it needs, if any).
ENV_MODULES: dict[str, tuple[str, str | None]] = {
    "babaisai": ("envs.babaisai", None),
    "babyai": ("envs.babyai", "babyai"),
    "crafter": ("envs.crafter", "crafter"),
    "textworld": ("envs.textworld", "textworld"),
    "minihack": ("envs.minihack", "minihack"),
}


def env_module(name: str) -> ModuleType:
    """The module behind env `name`, imported now (MissingExtraError when its extra is not installed)."""
    if name.startswith("balrog:"):
        return importlib.import_module("envs.balrog_adapter")
    if name not in ENV_MODULES:
        hint = closest(name, list(ENV_MODULES))
        raise UnknownEnvError(f"unknown env {name!r}; known envs: {', '.join(ENV_MODULES)}"
                              + (f" (did you mean {hint[0]!r}?)" if hint else ""))
    module_name, extra = ENV_MODULES[name]
    try:
        return importlib.import_module(module_name)
    except ImportError as error:
        if extra and module_name not in str(error):
            raise MissingExtraError(
                f"env {name!r} needs its optional dependencies: pip install 'ladder[{extra}]' ({error})") from error
        raise


def env_names() -> list[str]:
    return list(ENV_MODULES)


def tasks(name: str) -> list[str]:
    """The BALROG task ids of env `name`, in BALROG's order."""
    module = env_module(name)
    return list(module.tasks(name) if name.startswith("balrog:") else module.tasks())


def make(name: str, task: str, **kwargs):
    """Build env `name` on `task`; an unknown task raises UnknownTaskError naming the closest ids."""
    module = env_module(name)
    if name.startswith("balrog:"):
        return module.make(name.split(":", 1)[1], task, **kwargs)
    return module.make(task, **kwargs)
