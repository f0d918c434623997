"""Baba Is AI: the game engine and BALROG's text face. The solver lives apart, in `envs.babaisai.solver`.

    envs.make("babaisai", "env/goto_win")   # -> BabaIsAIEnv
    envs.capabilities("babaisai")           # the solver's analysis, a grid view, an oracle player, plans
"""

from envs.babaisai.capabilities import capabilities
from envs.babaisai.env import BabaIsAIEnv, make, tasks
from envs.babaisai.levels import ALL_IDS, BALROG_TASKS


def __getattr__(name):
    # Older names of what the solver offers, loaded lazily: importing the env never loads the solver.
    if name in ("solve", "Plan"):
        from envs.babaisai import solver
        return getattr(solver, name)
    if name in ("analyze_actions", "describe_analysis", "StepAnalysis"):
        from envs.babaisai.solver import analysis
        return getattr(analysis, name)
    if name == "Oracle":
        from envs.babaisai.solver.oracle import Oracle
        return Oracle
    raise AttributeError(name)


__all__ = ["BabaIsAIEnv", "make", "tasks", "capabilities", "ALL_IDS", "BALROG_TASKS"]
