"""Shortest plans by A* over real engine states (the engine itself moves things and parses rules).

State key: the grid's packed cells tuple (rules, flags and the YOU list all derive from it). Every edge is
one engine move (idle never helps: it changes nothing). Losing moves and moves after which BALROG would
reset the level (no YOU left) are dead ends.

Three passes. A short exact A* (bound.py: an admissible lower bound, goals tested when popped) settles
most levels. Otherwise a guided weighted A* (guide.py: an estimate, not a bound) finds a winning plan
quickly, whose length is an upper bound, and the exact A* goes on below that length: it finds a shorter
plan or proves the guided one shortest. Where the exact pass runs out of budget, the guided plan comes
back with `optimal=False` and the exact pass's proven lower bound (docs/babaisai.md).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from envs.babaisai.engine import Engine
from envs.babaisai.solver.bound import INF, Bounds, Heuristic
from envs.babaisai.solver.guide import Guide

MOVES = (1, 2, 3, 4)   # idle never helps: it changes nothing


# Node budgets (states stored). A short exact pass settles most levels on its own; otherwise the guided
# pass finds a plan and the exact pass proves it shortest (or finds a shorter one) or, past its budget,
# leaves the guided plan marked not proven.
QUICK_BUDGET = 3_000
HINTED_QUICK_BUDGET = 300
GUIDE_WEIGHT = 2
GUIDE_BUDGET = 20_000
EXACT_BUDGET = 50_000   # about 0.3 GB at its peak; analysis.py passes a smaller one per step


@dataclass
class SolveResult:
    plan: list[int] | None     # action indices, or None if no win was found within the bound
    expanded: int
    seen: int
    optimal: bool = True       # plan proven shortest (or, with plan None, proven that no win exists)
    lower_bound: int = 0       # a proven lower bound on the shortest plan's length
    paths: dict | None = None  # with keep_paths: state key -> length of some path to it from the start


# A hint for a later solve from a nearby state: (proven lower bound L at a state s, paths from s). Every
# plan from a state x that s reaches in g moves extends to a plan from s, so x needs at least L - g moves.
Hint = tuple[int, dict]


class _Budget(Exception):
    pass


class _Search:
    def __init__(self, engine: Engine, max_depth: int, weight: int = 1, budget: int | None = None,
                 guided: bool = False, hint: Hint | None = None, bounds: Bounds | None = None):
        self.work = engine.clone()
        self.work.max_steps = 1 << 30   # the depth bound replaces the game's own step limit
        # The guide is no lower bound: a guided pass prunes on depth alone.
        if guided:
            self.bound = Guide(self.work)
        else:
            self.bound = Heuristic(self.work) if bounds is None else bounds.for_engine(self.work)
        self.admissible = not guided and weight == 1
        self.hint = hint if self.admissible else None
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
        if g > self.max_depth:
            return
        if won:
            self.counter += 1
            heapq.heappush(self.heap, (g, -g, self.counter, ("goal", parent, action)))
            return
        child = tuple(work.cells)
        old = self.nodes.get(child)
        if old is not None and old[0] <= g:
            return
        h, layout = self.bound(work, layout)
        if self.hint is not None:
            h = self.hinted(child, h)
        if self.admissible and g + h > self.max_depth:
            return
        if self.budget is not None and len(self.nodes) >= self.budget:
            raise _Budget()
        self.nodes[child] = (g, parent, action, work.rules, tuple(work.you_cells), layout)
        self.counter += 1
        heapq.heappush(self.heap, (g + self.weight * h, -g, self.counter, child))

    def hinted(self, key: tuple, h: int) -> int:
        """The bound raised by the hint: at least L - g for a state the hinted search reached in g moves."""
        floor, paths = self.hint
        g = paths.get(key)
        return h if g is None else max(h, floor - g)

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
                # No rule block moved and no transformation in force: only YOU objects moved, so the
                # parent's layout still holds.
                same = not self.work.dirty and not self.work.xforms
                self.offer(key, g + 1, action, won, layout if same else None)

    def run(self) -> SolveResult:
        expanded = 0
        while self.heap:
            entry = heapq.heappop(self.heap)
            f, neg_g, _, key = entry
            if self.admissible and f > self.max_depth:
                break      # a resumed search (resume_below): everything left is above the new cutoff
            if key[0] == "goal":
                _, parent, action = key
                return SolveResult(self.plan_to(parent) + [action], expanded, len(self.nodes))
            if self.nodes[key][0] != -neg_g:
                continue   # stale entry: reached again more cheaply
            self.floor = max(self.floor, f)
            expanded += 1
            try:
                self.expand(key)
            except _Budget:
                # Leave the search resumable: the node goes back, and expanding it again re-offers only
                # the children it had not stored yet.
                heapq.heappush(self.heap, entry)
                raise
        return SolveResult(None, expanded, len(self.nodes))

    @property
    def size(self) -> int:
        return len(self.nodes)

    def first(self) -> SolveResult:
        """Store the start state and run."""
        work = self.work
        start = tuple(work.cells)
        h, layout = self.bound(work)
        if self.hint is not None:
            h = self.hinted(start, h)
        if self.admissible and h > self.max_depth:
            return SolveResult(None, 0, 1, True, self.max_depth + 1)
        self.nodes[start] = (0, None, 0, work.rules, tuple(work.you_cells), layout)
        self.heap.append((h, 0, 0, start))
        return _finish(self, self.run())

    def resume_below(self, cutoff: int, budget: int) -> None:
        """Continue this exact search, now storing only states whose bound stays within `cutoff` moves:
        what it already stored and expanded is the start of the exact pass, in the same order."""
        self.max_depth = min(self.max_depth, cutoff)
        self.budget = budget

    def plan_to(self, key: tuple) -> list[int]:
        out = []
        while True:
            _, parent, action, _, _, _ = self.nodes[key]
            if parent is None:
                break
            out.append(action)
            key = parent
        return out[::-1]


def solve_engine(engine: Engine, max_depth: int = 100, prove: bool = True,
                 exact_budget: int = EXACT_BUDGET, hint: Hint | None = None,
                 keep_paths: bool = False, bounds: Bounds | None = None) -> SolveResult:
    """Shortest list of action indices that wins from the engine's current state (engine left untouched).

    A short exact pass settles most levels. Otherwise a quick guided search (guide.py, weighted A*) finds
    a winning plan; its length U is an upper bound. Then exact A* with the admissible bound looks for
    anything shorter: it stores no state whose bound already reaches U and stops once every open state
    does, which proves the best plan shortest. Only if the exact pass stores more than `exact_budget`
    states is the plan returned with `optimal=False` (and the exact pass's proven `lower_bound`).
    `prove=False` skips the exact pass whenever the guided one found a plan: a winning plan fast, not
    proven shortest.

    Solving state after state of one trajectory (analysis.py), pass `keep_paths=True` and give the next
    solve `hint=(result.lower_bound, result.paths)`: states near the previous one then get far sharper
    bounds (`Hint`). A hint from any solve is sound, even of another level (its states just never
    match); it changes the work, never the length of a proven plan. Give those solves one `Bounds()` too:
    states of the level that come up again keep the bounds already computed (it changes no answer)."""
    searches: list[_Search] = []
    result = _solve(engine, max_depth, prove, exact_budget, hint, searches, bounds)
    if keep_paths:
        result.paths = _paths(searches)
    return result


def _paths(searches: list[_Search]) -> dict[tuple, int]:
    paths: dict[tuple, int] = {}
    for search in searches:
        for key, node in search.nodes.items():
            if node[0] < paths.get(key, INF):
                paths[key] = node[0]
    return paths


def _solve(engine: Engine, max_depth: int, prove: bool, exact_budget: int, hint: Hint | None,
           searches: list[_Search], bounds: Bounds | None) -> SolveResult:
    if engine.you_reference() is None:
        return SolveResult(None, 0, 0)
    # Most levels (and states that can no longer win) are settled by a short exact pass. With a hint it
    # only needs to settle the easy cases (a move along a shortest plan, a state with no win left): the
    # exact pass below, hinted too, does the rest once the guided pass has found a plan.
    quick_budget = QUICK_BUDGET if hint is None else HINTED_QUICK_BUDGET
    quick = _Search(engine, max_depth, budget=quick_budget, hint=hint, bounds=bounds)
    searches.append(quick)
    try:
        return quick.first()
    except _Budget:
        pass
    guided = _Search(engine, max_depth, weight=GUIDE_WEIGHT, budget=GUIDE_BUDGET, guided=True)
    searches.append(guided)
    try:
        best = guided.first()
        spent = best.seen
        if best.plan is None:
            best = None
    except _Budget:
        best, spent = None, guided.size
    if best is not None and not prove:
        return SolveResult(best.plan, best.expanded, spent, False, 0)
    cutoff = max_depth if best is None else len(best.plan) - 1
    # The exact pass goes on from where the quick pass stopped (same bound, same order) rather than
    # expanding its states again.
    exact = quick
    exact.resume_below(cutoff, exact_budget)
    try:
        result = _finish(exact, exact.run())
    except _Budget:
        plan, expanded = (None, 0) if best is None else (best.plan, best.expanded)
        return SolveResult(plan, expanded, spent + exact.size, False, exact.floor)
    spent += result.seen
    if result.plan is not None:
        result.seen = spent
        return result
    if best is not None:     # nothing shorter than the guided plan exists: it is a shortest plan
        return SolveResult(best.plan, best.expanded, spent, True, len(best.plan))
    return SolveResult(None, result.expanded, spent, True, max_depth + 1)


def _finish(search: _Search, result: SolveResult) -> SolveResult:
    # A finished exact pass (SolveResult.optimal defaults to True): the plan is shortest, or none exists
    # within the depth.
    if search.admissible:
        result.lower_bound = len(result.plan) if result.plan is not None else search.max_depth + 1
    return result

