"""The solver's exact passes on compiled code (search_kernel.py), behind the interface of solver._Search.

Used for all three passes when the level's blocks are only nouns, IS, YOU, WIN and STOP (all 40 BALROG
tasks) and the solve asks for no hint, shared bounds or paths (analysis.py asks for those, and keeps the
Python search with the compiled bound).
"""

from __future__ import annotations

import numpy as np

from envs.babaisai import engine_kernel, search_kernel as sk
from envs.babaisai.engine import Engine
from envs.babaisai.heuristic import _SIMPLE, _geometry
from envs.babaisai.lines import LineGeometry
from envs.babaisai.solver import SolveResult, _Budget, _finish, _Overflow

MAX_DEPTH = 120          # the heap packs g into 7 bits
FIRST_BUCKETS = 1 << 13  # at least; twice the budget, rehashed when resumed with a larger one


def usable(engine: Engine, max_depth: int) -> bool:
    """Can the compiled search play this level from this state?"""
    if max_depth > MAX_DEPTH or engine.track_facing or engine.info.coloured_you:
        return False
    kinds = {c & 0x1F for i in engine.scan for c in _stack(engine.cells[i])}
    return not any(k >= 7 and k not in _SIMPLE for k in kinds)


def to_words(cells: list[int], k: int) -> np.ndarray | None:
    """The engine's cells (one Python int per stack) as k int64 words per cell, or None if a stack is
    deeper than 5k objects."""
    n = len(cells)
    out = np.zeros(n * k, np.int64)
    for i, c in enumerate(cells):
        for w in range(k):
            out[w * n + i] = c & engine_kernel.WORD_MASK
            c >>= engine_kernel.WORD_BITS
        if c:
            return None
    return out


def _stack(cell: int):
    while cell:
        yield cell & 0x7FF
        cell >>= 11


class CompiledSearch:
    """solver._Search without a hint, with the same budgets, order and results: an exact pass (weight 0:
    the admissible bound) or the guided pass (weight > 0: that weight on guide.py's estimate)."""

    def __init__(self, engine: Engine, max_depth: int, budget: int, capacity: int, words: int,
                 weight: int = 0):
        self.scan = np.array(engine.scan, np.int64)
        self.width = engine.width
        self.geo = _geometry(LineGeometry(engine), engine.width, engine.height)
        self.cells = to_words(engine.cells, words)
        if self.cells is None:
            raise _Overflow()
        self.buckets = FIRST_BUCKETS
        while self.buckets < 2 * budget:
            self.buckets *= 2
        self.admissible = not weight
        self.ctx, self.rule, self.table, self.h = sk.new_search(self.cells, words, capacity, self.buckets,
                                                                self.scan, self.width, self.geo, weight)
        self.max_depth = max_depth
        self.capacity = capacity
        self._set(sk.S_MAXDEPTH, max_depth)
        self._set(sk.S_BUDGET, budget)

    def _set(self, slot: int, value: int) -> None:
        self.ctx[5][slot] = value

    @property
    def size(self) -> int:
        return int(self.ctx[5][sk.S_NODES])

    @property
    def floor(self) -> int:
        return int(self.ctx[5][sk.S_FLOOR])

    def first(self) -> SolveResult:
        if self.admissible and self.h > self.max_depth:
            return SolveResult(None, 0, 1, True, self.max_depth + 1)
        sk.store_start(self.ctx, self.cells, self.rule, self.table, self.h)
        return _finish(self, self.run())

    def run(self) -> SolveResult:
        status, keys, vals = sk.run(self.ctx, self.scan, self.width, self.geo)
        self.ctx = self.ctx[:6] + (keys, vals)
        sc = self.ctx[5]
        if status == sk.BUDGET:
            raise _Budget()
        if status == sk.OVERFLOW:
            raise _Overflow()
        expanded, size = int(sc[sk.S_EXPANDED]), int(sc[sk.S_NODES])
        if status == sk.GOAL:
            return SolveResult([int(a) for a in sk.plan_to(self.ctx, sc[sk.S_PLAN_END])], expanded, size)
        return SolveResult(None, expanded, size)

    def resume_below(self, cutoff: int, budget: int) -> None:
        self.max_depth = min(self.max_depth, cutoff)
        self._set(sk.S_MAXDEPTH, self.max_depth)
        budget = min(budget, self.capacity)
        self._set(sk.S_BUDGET, budget)
        while self.buckets < 2 * budget:
            self.buckets *= 2
        if len(self.ctx[1]) < self.buckets:
            self.ctx = (self.ctx[0], sk.rehash(self.ctx, self.buckets)) + self.ctx[2:]
