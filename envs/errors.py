"""The env layer's errors and its "did you mean" helper (envs imports nothing of ours, so it has its own).

Kept apart from the registry so that env modules can raise them without importing the registry that
imports them.
"""

from __future__ import annotations

import difflib


class EnvError(Exception):
    """Base error of the env layer."""


class UnknownEnvError(EnvError, KeyError):
    def __str__(self) -> str:  # KeyError would quote the message
        return self.args[0]


class UnknownTaskError(EnvError, KeyError):
    def __str__(self) -> str:
        return self.args[0]


class MissingExtraError(EnvError, ImportError):
    """An env's optional dependencies are not installed (the message names the extra to install)."""


def closest(name: str, options: list[str], n: int = 3) -> list[str]:
    return difflib.get_close_matches(name, options, n=n, cutoff=0.3)
