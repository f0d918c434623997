"""What an env can offer besides playing: optional capabilities, asked for by env name.

The optimizer never names an env; it asks `capabilities(env_name)` and uses what is there. An env module
offers them with a function `capabilities() -> Capabilities`, which must stay cheap: the heavy parts
(Baba Is AI's solver) load only when a capability is called.

    caps = envs.capabilities("babaisai")
    if caps.grid_view is not None:
        info["grid"] = caps.grid_view(env)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import gymnasium

from envs.registry import env_module


@dataclass(frozen=True)
class Capabilities:
    # (task, seed, actions played as strings) -> plain text for an annotator; Baba Is AI: the solver's analysis
    reference_analysis: Callable[[str, int, Sequence[str]], str] | None = None
    # env (after reset/step) -> a text picture of its current state (recorded in each step's info as "grid")
    grid_view: Callable[[gymnasium.Env], str] | None = None
    # env after reset -> a perfect player: an object with .next_action() -> str and .notes() -> dict
    oracle: Callable[[gymnasium.Env], Any] | None = None
    # (task, seed) -> the solver's Plan record, for `ladder play --solve`
    plan: Callable[[str, int], Any] | None = None


def capabilities(env_name: str) -> Capabilities:
    """The capabilities env `env_name` offers; an env without any gives `Capabilities()` (all None)."""
    offer = getattr(env_module(env_name), "capabilities", None)
    return offer() if offer is not None else Capabilities()
