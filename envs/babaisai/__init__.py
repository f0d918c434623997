"""Baba Is AI: the game engine and BALROG's text face. The solver lives apart, in `envs.babaisai.solver`.

    envs.make("babaisai", "env/goto_win")   # -> BabaIsAIEnv
    envs.capabilities("babaisai")           # the solver's analysis, a grid view, an oracle player, plans
"""

from envs.babaisai.capabilities import capabilities
from envs.babaisai.env import BabaIsAIEnv, make, tasks
from envs.babaisai.levels import ALL_IDS, BALROG_TASKS

__all__ = ["BabaIsAIEnv", "make", "tasks", "capabilities", "ALL_IDS", "BALROG_TASKS"]
