"""Exact shortest-plan solver: A* over real engine states (the engine itself moves things and parses rules).

State key: the grid's packed cells tuple (rules, flags and everything else derive from it). Heuristic,
admissible and consistent for unit-cost moves (docs/babaisai.md has the argument): while no rule block
moves, YOU objects move at most one cell per step and WIN objects do not move, so the win takes at least
D_win = min Manhattan distance YOU->WIN steps; changing anything first needs a YOU next to a rule block,
so any plan that moves a block takes at least D_block + 1 steps. h = max(1, min(D_win, D_block + 1)).
Rules that let objects move on their own (PUSH, PULL, MOVE, OPEN/SHUT, `X is Y`) void that argument, and
there h falls back to 1 (plain breadth-first order).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from envs.babaisai import vocab as v
from envs.babaisai.engine import Engine
from envs.babaisai.heuristic import Heuristic

MOVES = (1, 2, 3, 4)   # idle never helps: it changes nothing
_INF = 1 << 30


@dataclass
class SolveResult:
    plan: list[int] | None     # action indices, or None if no win within the bound
    expanded: int
    seen: int


def _alive(work) -> bool:
    return work.you_reference() is not None


def solve_engine(engine: Engine, max_depth: int = 100, max_states: int | None = None) -> SolveResult:
    """Shortest list of action indices that wins from the engine's current state (engine left untouched)."""
    work = engine.clone()
    work.max_steps = 1 << 30          # the depth bound replaces the game's own step limit
    start = work.key()
    if not _alive(work):
        return SolveResult(None, 0, 1)
    bound = Heuristic(work)
    # state key -> (g, parent key, action, rules, YOU cells): one dict, so each child is hashed once or twice
    nodes: dict[tuple, tuple] = {start: (0, None, 0, work.rules, tuple(work.you_cells))}
    h0 = bound(work)
    heap = [(h0, 0, 0, start)] if h0 <= max_depth else []
    counter = expanded = 0
    while heap:
        f, neg_g, _, key = heapq.heappop(heap)
        g, _, _, rules, you_cells = nodes[key]
        if g != -neg_g:
            continue   # stale entry: the state was reached again by a shorter path
        expanded += 1
        for action in MOVES:
            work.cells = list(key)
            if work.rules is not rules:
                work._set_rules(rules)
            work.you_cells = list(you_cells)
            won, lost = work._move_all(action)
            if lost:
                continue
            # A win only counts if BALROG would not reset the level right after it (A.9.4).
            alive = _alive(work)
            if won and alive:
                return SolveResult(_plan(nodes, key) + [action], expanded, len(nodes))
            if won or not alive:
                continue
            child = tuple(work.cells)
            old = nodes.get(child)
            if old is not None and old[0] <= g + 1:
                continue
            h = bound(work)
            if g + 1 + h > max_depth:
                continue
            nodes[child] = (g + 1, key, action, work.rules, tuple(work.you_cells))
            counter += 1
            heapq.heappush(heap, (g + 1 + h, -(g + 1), counter, child))
        if max_states is not None and len(nodes) > max_states:
            raise RuntimeError(f"solver gave up after {len(nodes)} states (max_states={max_states})")
    return SolveResult(None, expanded, len(nodes))


def _plan(nodes, key) -> list[int]:
    out = []
    while nodes[key][1] is not None:
        _, key, action, _, _ = nodes[key]
        out.append(action)
    out.reverse()
    return out


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
