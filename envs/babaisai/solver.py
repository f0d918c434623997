"""Exact shortest-plan solver: A* over real engine states (the engine itself moves things and parses rules).

State key: the grid's packed cells tuple (rules, flags and the YOU list all derive from it). Every edge is
one engine move (idle never helps: it changes nothing). The heuristic (heuristic.py) is an admissible
lower bound on the moves left, and goals are tested when popped, so the first goal popped is a shortest
plan. Losing moves and moves after which BALROG would reset the level (no YOU left) are dead ends.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from envs.babaisai import vocab as v
from envs.babaisai.engine import Engine
from envs.babaisai.heuristic import Heuristic

MOVES = (1, 2, 3, 4)   # idle never helps: it changes nothing


@dataclass
class SolveResult:
    plan: list[int] | None     # action indices, or None if no win within the bound
    expanded: int
    seen: int


class _Search:
    def __init__(self, engine: Engine, max_depth: int):
        self.work = engine.clone()
        self.work.max_steps = 1 << 30   # the depth bound replaces the game's own step limit
        self.bound = Heuristic(self.work)
        self.max_depth = max_depth
        w = engine.width
        self.deltas = {1: -w, 2: 1, 3: w, 4: -1}
        # key -> (g, parent key, action from parent, rules, YOU cells, heuristic layout)
        self.nodes: dict[tuple, tuple] = {}
        self.heap: list = []
        self.counter = 0

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
        if g + h > self.max_depth:
            return
        self.nodes[child] = (g, parent, action, work.rules, tuple(work.you_cells), layout)
        self.counter += 1
        heapq.heappush(self.heap, (g + h, -g, self.counter, child))

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
    """Shortest list of action indices that wins from the engine's current state (engine left untouched)."""
    search = _Search(engine, max_depth)
    work = search.work
    if work.you_reference() is None:
        return SolveResult(None, 0, 0)
    start = tuple(work.cells)
    h, layout = search.bound(work)
    if h > max_depth:
        return SolveResult(None, 0, 1)
    search.nodes[start] = (0, None, 0, work.rules, tuple(work.you_cells), layout)
    search.heap.append((h, 0, 0, start))
    return search.run(start)


def solve(env, max_depth: int | None = None) -> list[str] | None:
    """Shortest winning action list from `env`'s current state (after reset or mid-episode), or None if no
    win exists within `max_depth` moves (default: the steps left before the game's own limit)."""
    engine = getattr(env, "engine", env)
    if engine is None:
        raise RuntimeError("call env.reset() before solve(env)")
    if max_depth is None:
        max_depth = engine.max_steps - engine.step_count
    result = solve_engine(engine, max_depth=max_depth)
    return None if result.plan is None else [v.ACTIONS[a] for a in result.plan]
