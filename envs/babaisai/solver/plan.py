"""The solver's one public entry point: `solve(engine_or_env) -> Plan`.

    plan = solve(env)             # env after reset (or mid-episode)
    plan.actions                  # ["up", "left", ...], or None when no win was found
    plan.proven_shortest          # True: no shorter plan exists (with actions None: no win exists at all)
    plan.lower_bound              # the shortest plan has at least this many moves
"""

from __future__ import annotations

from dataclasses import dataclass

from envs.babaisai import vocab as v
from envs.babaisai.solver.search import EXACT_BUDGET, solve_engine


@dataclass(frozen=True)
class Plan:
    actions: list[str] | None   # a winning plan as action names; None when no win was found
    proven_shortest: bool       # actions is a shortest plan (with actions None: proven that no win exists)
    lower_bound: int            # a proven lower bound on the length of a shortest plan


def solve(engine_or_env, *, budget: int = EXACT_BUDGET, max_depth: int | None = None) -> Plan:
    """A shortest winning plan from the current state of a Baba Is AI env or engine (left untouched).

    `max_depth` defaults to the steps left before the game's own limit. `budget` is the number of states
    the exact pass may store: past it, the plan found is returned with `proven_shortest=False` and the
    proven `lower_bound` (one BALROG level of the 400, docs/babaisai.md).
    """
    engine = getattr(engine_or_env, "engine", engine_or_env)
    if engine is None:
        raise RuntimeError("call env.reset() before solve(env)")
    if max_depth is None:
        max_depth = engine.max_steps - engine.step_count
    result = solve_engine(engine, max_depth=max_depth, exact_budget=budget)
    actions = None if result.plan is None else [v.ACTIONS[a] for a in result.plan]
    return Plan(actions, result.optimal, result.lower_bound)
