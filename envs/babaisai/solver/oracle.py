"""The oracle: a player that always takes the next move of a shortest winning plan (the exact solver's).

    oracle = Oracle(env)          # env after reset
    action = oracle.next_action() # a string from env.language_action_space
    oracle.notes()                # {"oracle_proven": ..., "oracle_solves": ...} for the episode's record

A reference for agents: what a perfect player does on the same level. It solves once and then follows the
plan; it solves again only when the state is not the one the plan led to (someone else moved, or the level
was reset). With no win left it idles (env.default_action).
"""

from __future__ import annotations

from envs.babaisai import vocab as v
from envs.babaisai.solver.search import solve_engine


class Oracle:
    def __init__(self, env):
        self.env = env
        self._plan: list[int] = []
        self._expected: tuple | None = None   # state key the remaining plan starts from
        self.solves = 0                       # how many times it had to plan (1 when nothing went astray)
        self.proven = True                    # every plan it followed was proven shortest

    def next_action(self) -> str:
        engine = self.env.engine
        if engine is None:
            raise RuntimeError("call env.reset() before asking the oracle")
        key = engine.key()
        if key != self._expected or not self._plan:
            result = solve_engine(engine, max_depth=engine.max_steps - engine.step_count)
            self.solves += 1
            self.proven = self.proven and result.optimal
            self._plan = list(result.plan or [])
        if not self._plan:
            self._expected = None
            return self.env.default_action
        action = self._plan.pop(0)
        after = engine.clone()
        after.step(action)
        self._expected = after.key()
        return v.ACTIONS[action]

    def notes(self) -> dict:
        """What the episode's record keeps of the oracle: were all its plans proven shortest, how many solves."""
        return {"oracle_proven": self.proven, "oracle_solves": self.solves}
