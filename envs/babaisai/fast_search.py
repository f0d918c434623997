"""The solver's passes on compiled code (search_kernel.py), behind the interface of solver._Search.

Used for all three passes when the level's blocks are only nouns, IS, YOU, WIN and STOP (all 40 BALROG
tasks). A solve's explored paths (keep_paths) come back as `CompiledPaths`, looked up in the passes' own
node tables, and serve the next solve's hint there.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np

from envs.babaisai import engine_kernel, search_kernel as sk
from envs.babaisai.engine import Engine
from envs.babaisai.heuristic import _geometry, is_simple
from envs.babaisai.lines import LineGeometry
from envs.babaisai.solver import SolveResult, _Budget, _finish, _Overflow

MAX_DEPTH = 120          # the heap packs g into 7 bits
FIRST_BUCKETS = 1 << 13  # at least; twice the budget, rehashed when resumed with a larger one


def usable(engine: Engine, max_depth: int) -> bool:
    """Can the compiled search play this level from this state?"""
    return (max_depth <= MAX_DEPTH and not engine.track_facing and not engine.info.coloured_you
            and is_simple(engine))


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


# "No hint": the kernel's hint tuple needs arrays of the node tables' types.
_NO_NODES = (np.empty((0, 1), np.int64),) + tuple(np.empty(0, np.int64) for _ in range(7))
_NO_BUCKETS = np.empty(0, np.int64)
NO_HINT = (0, _NO_NODES, _NO_BUCKETS, _NO_NODES, _NO_BUCKETS)


class CompiledSearch:
    """solver._Search with the same budgets, order, hints and results: an exact pass (weight 0: the
    admissible bound) or the guided pass (weight > 0: that weight on guide.py's estimate)."""

    def __init__(self, engine: Engine, max_depth: int, budget: int, capacity: int, words: int,
                 weight: int = 0, hint: tuple = NO_HINT):
        self.scan = np.array(engine.scan, np.int64)
        self.width = engine.width
        self.geo = _geometry(LineGeometry(engine), engine.width, engine.height)
        self.cells = to_words(engine.cells, words)
        if self.cells is None:
            raise _Overflow()
        self.buckets = _buckets_for(budget, FIRST_BUCKETS)
        self.admissible = not weight
        self.words = words
        self.hint = hint if self.admissible else NO_HINT
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
        self.h = sk.hinted(self.cells, sk._hash(self.cells), self.h, self.hint)
        if self.admissible and self.h > self.max_depth:
            return SolveResult(None, 0, 1, True, self.max_depth + 1)
        sk.store_start(self.ctx, self.cells, self.rule, self.table, self.h)
        return _finish(self, self.run())

    def run(self) -> SolveResult:
        status, keys, vals = sk.run(self.ctx, self.scan, self.width, self.geo, self.hint)
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
        self.buckets = _buckets_for(budget, self.buckets)
        if len(self.ctx[1]) < self.buckets:
            self.ctx = (self.ctx[0], sk.rehash(self.ctx, self.buckets)) + self.ctx[2:]


def _buckets_for(budget: int, buckets: int) -> int:
    """Hash buckets for a budget: a power of two, at least twice the budget (and no fewer than now)."""
    while buckets < 2 * budget:
        buckets *= 2
    return buckets


class CompiledPaths(Mapping):
    """solve_engine(keep_paths=True) from compiled passes: state key -> the fewest moves by which they
    reached it, looked up in their own node tables instead of copied into a dict. `hint(L)` gives the
    kernel's hint for the next solve."""

    def __init__(self, exact: CompiledSearch, guided: CompiledSearch | None):
        self.words = exact.words
        self._searches = [search for search in (exact, guided) if search is not None]
        self._tables = (exact.ctx[0], exact.ctx[1]) + ((guided.ctx[0], guided.ctx[1]) if guided is not None
                                                       else (_NO_NODES, _NO_BUCKETS))

    def hint(self, floor: int) -> tuple:
        return (floor,) + self._tables

    def __getitem__(self, key: tuple) -> int:
        cells = to_words(list(key), self.words)
        g = -1 if cells is None else int(sk.path_length(cells, sk._hash(cells), self.hint(1)))
        if g < 0:
            raise KeyError(key)
        return g

    def __iter__(self) -> Iterator[tuple]:
        seen = set()
        for search in self._searches:
            store, n = search.ctx[0][0], search.size
            cells = store.shape[1] // self.words
            for row in store[:n]:
                key = tuple(sum(int(row[w * cells + i]) << (engine_kernel.WORD_BITS * w)
                                for w in range(self.words)) for i in range(cells))
                if key not in seen:
                    seen.add(key)
                    yield key

    def __len__(self) -> int:
        return sum(1 for _ in self)

