"""What Baba Is AI offers besides play (envs/capabilities.py): the solver's analysis of a trajectory, a grid
view, a perfect player and the solver's plan. Everything that needs the solver imports it when called, so
importing the env never loads it.
"""

from __future__ import annotations

from collections.abc import Sequence

from envs.babaisai.env import BabaIsAIEnv
from envs.babaisai.text import render_grid_text
from envs.capabilities import Capabilities

GAME_STEP_LIMIT = 100   # the game's own limit, BALROG's max_steps


def capabilities() -> Capabilities:
    return Capabilities(reference_analysis=reference_analysis, grid_view=grid_view, oracle=oracle, plan=plan)


def reference_analysis(task: str, seed: int, actions: Sequence[str]) -> str:
    """The solver's plain-text analysis of `actions` played from reset(seed): every move against the optimum."""
    from envs.babaisai.solver.analysis import analyze_actions, describe_analysis

    # Room for every action given: distances are measured against the game's own limit either way.
    steps = analyze_actions(task, seed, list(actions), max_steps=max(GAME_STEP_LIMIT, len(actions)))
    return describe_analysis(steps)


def grid_view(env: BabaIsAIEnv) -> str:
    """The level as a small grid of tokens (text.render_grid_text)."""
    return render_grid_text(env.engine)


def oracle(env: BabaIsAIEnv):
    """A perfect player for `env` (after reset): `.next_action()`, `.notes()`."""
    from envs.babaisai.solver.oracle import Oracle

    return Oracle(env)


def plan(task: str, seed: int, played: Sequence[str] = ()):
    """The solver's Plan from reset(seed), or from the state after the actions `played` (`ladder play`'s `?`).

    The plan must win before the game's step limit, counting the moves already played."""
    from envs.babaisai.solver import solve

    env = BabaIsAIEnv(task, max_steps=GAME_STEP_LIMIT + len(played))
    env.reset(seed=seed)
    for action in played:
        env.step(action)
    return solve(env, max_depth=GAME_STEP_LIMIT - min(len(played), GAME_STEP_LIMIT))
