"""Baba Is AI: the game engine, BALROG's text face, and an exact solver.

    envs.make("babaisai", "env/goto_win")   # -> BabaIsAIEnv
    solve(env)                              # -> shortest winning list of actions, or None
    Oracle(env).next_action()               # -> the next move of a shortest plan
"""

from envs.babaisai.env import BabaIsAIEnv, make, tasks
from envs.babaisai.levels import ALL_IDS, BALROG_TASKS


def __getattr__(name):
    # The solver and analysis load lazily: importing the env stays light.
    if name in ("solve", "SolveResult", "solve_engine"):
        from envs.babaisai import solver
        return getattr(solver, name)
    if name in ("analyze_actions", "describe_analysis", "StepAnalysis"):
        from envs.babaisai import analysis
        return getattr(analysis, name)
    if name == "Oracle":
        from envs.babaisai.oracle import Oracle
        return Oracle
    raise AttributeError(name)


__all__ = ["BabaIsAIEnv", "make", "tasks", "ALL_IDS", "BALROG_TASKS", "solve", "analyze_actions",
           "describe_analysis", "StepAnalysis", "Oracle"]
