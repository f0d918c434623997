"""Exact shortest-plan solver: A* over real engine states (the engine itself moves things and parses rules).

State key: the grid's packed cells tuple (rules, flags and the YOU list all derive from it). Every edge is
one engine move (idle never helps: it changes nothing). The heuristic (heuristic.py) is an admissible
lower bound on the moves left, and goals are tested when popped, so the first goal popped is a shortest
plan. Losing moves and moves after which BALROG would reset the level (no YOU left) are dead ends.

A handful of two-room "make win" levels have so many block layouts within reach of the optimum that the
exact pass would need minutes; past a node budget the solver switches to a sharper, not-proven bound and
then to weighted A*. Those plans still win when replayed but carry `optimal=False` (docs/babaisai.md).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from envs.babaisai import vocab as v
from envs.babaisai.engine import Engine
from envs.babaisai.heuristic import Heuristic

MOVES = (1, 2, 3, 4)   # idle never helps: it changes nothing


# Node budgets (states stored) for the three passes; a pass that runs out hands over to the next one.
EXACT_BUDGET = 30_000
GUIDED_BUDGET = 60_000
WEIGHTED_BUDGET = 100_000


@dataclass
class SolveResult:
    plan: list[int] | None     # action indices, or None if no win was found within the bound
    expanded: int
    seen: int
    optimal: bool = True       # plan proven shortest (or, with plan None, proven that no win exists)
    lower_bound: int = 0       # a proven lower bound on the shortest plan's length


class _Budget(Exception):
    pass


class _Search:
    def __init__(self, engine: Engine, max_depth: int, heuristic=None, weight: int = 1, budget: int | None = None):
        self.work = engine.clone()
        self.work.max_steps = 1 << 30   # the depth bound replaces the game's own step limit
        self.bound = heuristic or Heuristic(self.work)
        self.weight, self.budget = weight, budget
        self.max_depth = max_depth
        # key -> (g, parent key, action from parent, rules, YOU cells, heuristic layout)
        self.nodes: dict[tuple, tuple] = {}
        self.heap: list = []
        self.counter = 0
        self.floor = 0    # highest f popped: with weight 1 and an admissible bound, a proven lower bound

    def load(self, key: tuple, rules, you_cells) -> None:
        work = self.work
        work.cells = list(key)
        if work.rules is not rules:
            work._set_rules(rules)
        work.you_cells = list(you_cells)

    def offer(self, parent: tuple | None, g: int, action: int, won: bool, layout=None) -> None:
        """Record the engine's current state as reached with cost g (a win becomes a goal entry)."""
        work = self.work
        if won:
            self.counter += 1
            heapq.heappush(self.heap, (g, -g, self.counter, ("goal", parent, action)))
            return
        child = tuple(work.cells)
        old = self.nodes.get(child)
        if old is not None and old[0] <= g:
            return
        h, layout = self.bound(work, layout)
        if g + (h if self.weight == 1 else 0) > self.max_depth:
            return
        if self.budget is not None and len(self.nodes) >= self.budget:
            raise _Budget()
        self.nodes[child] = (g, parent, action, work.rules, tuple(work.you_cells), layout)
        self.counter += 1
        heapq.heappush(self.heap, (g + self.weight * h, -g, self.counter, child))

    def play(self, action: int) -> tuple[bool, bool]:
        """One engine move from the loaded state: (won, usable) where unusable = lost or BALROG reset."""
        work = self.work
        won, lost = work._move_all(action)
        alive = work.you_reference() is not None
        # A win only counts if BALROG would not reset the level right after it (A.9.4).
        return won and alive, not lost and alive

    def expand(self, key: tuple) -> None:
        g, _, _, rules, you_cells, layout = self.nodes[key]
        for action in MOVES:
            self.load(key, rules, you_cells)
            won, usable = self.play(action)
            if usable:
                # No rule block moved: only YOU objects did, so the parent's layout still holds.
                self.offer(key, g + 1, action, won, None if self.work.dirty else layout)

    def run(self, start_key: tuple) -> SolveResult:
        expanded = 0
        while self.heap:
            f, neg_g, _, key = heapq.heappop(self.heap)
            if key[0] == "goal":
                _, parent, action = key
                return SolveResult(self.plan_to(parent) + [action], expanded, len(self.nodes))
            if self.nodes[key][0] != -neg_g:
                continue   # stale entry: reached again more cheaply
            self.floor = max(self.floor, f)
            expanded += 1
            self.expand(key)
        return SolveResult(None, expanded, len(self.nodes))

    def plan_to(self, key: tuple) -> list[int]:
        out = []
        while True:
            _, parent, action, _, _, _ = self.nodes[key]
            if parent is None:
                break
            out.append(action)
            key = parent
        return out[::-1]


def solve_engine(engine: Engine, max_depth: int = 100) -> SolveResult:
    """Shortest list of action indices that wins from the engine's current state (engine left untouched).

    Pass 1 is exact A* (admissible bound). The few levels too big for its budget go to pass 2, A* with
    the sharper bound that assumes no helpful new rule gets formed, then pass 3, weighted A*; their plans
    win but are not proven shortest (`optimal=False`; `lower_bound` still comes from pass 1)."""
    if engine.you_reference() is None:
        return SolveResult(None, 0, 0)
    exact = _Search(engine, max_depth, budget=EXACT_BUDGET)
    try:
        return _run(exact)
    except _Budget:
        pass
    floor, spent = exact.floor, len(exact.nodes)
    for heuristic_weight, budget in ((1, GUIDED_BUDGET), (2, WEIGHTED_BUDGET)):
        search = _Search(engine, max_depth, budget=budget, weight=heuristic_weight)
        search.bound = Heuristic(search.work, assume_no_helpers=True)
        try:
            result = _run(search)
        except _Budget:
            spent += len(search.nodes)
            continue
        if result.plan is not None:
            return SolveResult(result.plan, result.expanded, spent + result.seen, False, floor)
        spent += result.seen
    return SolveResult(None, 0, spent, False, floor)


def _run(search: _Search) -> SolveResult:
    work = search.work
    start = tuple(work.cells)
    h, layout = search.bound(work)
    if h > search.max_depth:
        return SolveResult(None, 0, 1)
    search.nodes[start] = (0, None, 0, work.rules, tuple(work.you_cells), layout)
    search.heap.append((h, 0, 0, start))
    result = search.run(start)
    result.lower_bound = len(result.plan) if result.plan is not None and search.weight == 1 else search.floor
    return result


def solve(env, max_depth: int | None = None) -> list[str] | None:
    """Shortest winning action list from `env`'s current state (after reset or mid-episode), or None if no
    win exists within `max_depth` moves (default: the steps left before the game's own limit). On the few
    levels too large for the exact pass the plan is the best found (see `solve_engine(...).optimal`)."""
    engine = getattr(env, "engine", env)
    if engine is None:
        raise RuntimeError("call env.reset() before solve(env)")
    if max_depth is None:
        max_depth = engine.max_steps - engine.step_count
    result = solve_engine(engine, max_depth=max_depth)
    return None if result.plan is None else [v.ACTIONS[a] for a in result.plan]
