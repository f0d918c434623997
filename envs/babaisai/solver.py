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
from functools import lru_cache

from envs.babaisai import vocab as v
from envs.babaisai.engine import Engine

MOVES = (1, 2, 3, 4)   # idle never helps: it changes nothing
_INF = 1 << 30


@dataclass
class SolveResult:
    plan: list[int] | None     # action indices, or None if no win within the bound
    expanded: int
    seen: int


@lru_cache(maxsize=4096)
def _fallback(flags: tuple[int, ...], has_xforms: bool) -> bool:
    if has_xforms:
        return True
    loose = v.PUSH | v.PULL | v.MOVE | v.OPEN | v.SHUT
    return any(flags[ident] & loose for ident in range(256) if v.BABA <= ident & 0x1F <= v.FDOOR)


def _heuristic(cells, flags, scan, width: int) -> int:
    yous, wins, blocks = [], [], []
    for i in scan:
        c = cells[i]
        while c:
            ident = c & 0xFF
            bits = flags[ident]
            if bits & v.YOU:
                yous.append(i)
            if bits & v.WIN:
                wins.append(i)
            if ident & 0x1F >= v.NOUN_BLOCK0:
                blocks.append(i)
            c >>= v.CODE_BITS
    if not yous:
        return _INF
    best = _INF
    for y in yous:
        yx, yy = y % width, y // width
        for w in wins:
            best = min(best, abs(w % width - yx) + abs(w // width - yy))
        for b in blocks:
            best = min(best, abs(b % width - yx) + abs(b // width - yy) + 1)
    return max(1, best)


def solve_engine(engine: Engine, max_depth: int = 100, max_states: int | None = None) -> SolveResult:
    """Shortest list of action indices that wins from the engine's current state (engine left untouched)."""
    work = engine.clone()
    work.max_steps = 1 << 30          # the depth bound replaces the game's own step limit
    width, scan = work.width, work.scan
    start = work.key()
    if work.you_reference() is None:
        return SolveResult(None, 0, 1)
    rules_of = {start: work.rules}
    parent: dict[tuple, tuple[tuple, int] | None] = {start: None}
    g_of = {start: 0}
    h0 = _heuristic(work.cells, work.flags, scan, width) if not _fallback(work.flags, bool(work.xforms)) else 1
    heap = [(h0, 0, 0, start)]
    counter, expanded = 0, 0
    while heap:
        f, neg_g, _, key = heapq.heappop(heap)
        g = -neg_g
        if g != g_of[key] or f > max_depth:
            continue   # stale entry, or nothing left within the bound (f is a lower bound)
        expanded += 1
        rules = rules_of[key]
        for action in MOVES:
            work.cells = list(key)
            if work.rules is not rules:
                work._set_rules(rules)
            won, lost = work._move_all(action)
            if lost:
                continue
            # A win only counts if BALROG would not reset the level right after it (A.9.4).
            alive = work.you_reference() is not None
            if won and alive:
                return SolveResult(_plan(parent, key) + [action], expanded, len(g_of))
            if not alive or won:
                continue
            child = tuple(work.cells)
            if child in g_of and g_of[child] <= g + 1:
                continue
            if _fallback(work.flags, bool(work.xforms)):
                h = 1
            else:
                h = _heuristic(work.cells, work.flags, scan, width)
            if g + 1 + h > max_depth:
                continue
            g_of[child], parent[child], rules_of[child] = g + 1, (key, action), work.rules
            counter += 1
            heapq.heappush(heap, (g + 1 + h, -(g + 1), counter, child))
        if max_states is not None and len(g_of) > max_states:
            raise RuntimeError(f"solver gave up after {len(g_of)} states (max_states={max_states})")
    return SolveResult(None, expanded, len(g_of))


def _plan(parent, key) -> list[int]:
    out = []
    while parent[key] is not None:
        key, action = parent[key]
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
