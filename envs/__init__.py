"""BALROG-compatible text environments. This package imports nothing else of ours."""

from envs._face import to_env_action
from envs.capabilities import Capabilities, capabilities
from envs.errors import EnvError, MissingExtraError, UnknownEnvError, UnknownTaskError
from envs.registry import env_names, make, tasks

__all__ = ["make", "tasks", "env_names", "capabilities", "Capabilities", "to_env_action", "EnvError",
           "UnknownEnvError", "UnknownTaskError", "MissingExtraError"]
