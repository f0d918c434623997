"""BALROG-compatible text environments. This package imports nothing else of ours."""

from envs.registry import (EnvError, MissingExtraError, UnknownEnvError, UnknownTaskError, env_names,
                           make, tasks)

__all__ = ["make", "tasks", "env_names", "EnvError", "UnknownEnvError", "UnknownTaskError",
           "MissingExtraError"]
