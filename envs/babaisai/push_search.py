"""Push-level (Sokoban-style) exact search: A* over "macro states", the real engine states right after a
push (or the start), with edges "walk to a cell, then push" costing walk length + 1.

Why this is exact. While exactly one object is YOU (on top, and with no other YOU object under it), no
MOVE/PULL/OPEN-SHUT/`X is Y` rule is in force, and that object is BALROG's reference YOU, a move into a
cell whose top is neither STOP nor PUSH moves that one object and nothing else: no block moves, so the
rules stay, and nothing else on the grid changes. Such a "walk" move wins exactly when the entered
cell's top is WIN and loses when it is LOSE. So any plan splits into walks, each followed by one
non-walk move (a push, or the winning step), and the state after walk + push depends only on where the
walk ended and the push direction; the cheapest walk to that cell is a breadth-first distance over the
walkable cells. Expanding every (walk end, direction) pair with its shortest walk therefore keeps every
shortest plan. The push itself and everything after it is computed by the engine. States where the
assumptions do not hold are expanded one engine move at a time, as the plain solver does.

The bound for A* is the plain solver's admissible Heuristic (a lower bound on moves left from a state),
and goals are tested when popped, so the first goal popped is a shortest plan.

Status: exact, but not wired into solve(). On the hard two-room "make win" levels it is no faster than
the plain solver: every macro child has a new block layout, so the bound (about 1.4 ms per new layout)
is paid for each child instead of being cached across walk moves, and the bound itself stays far below
the optimum there (4 at the start of `two_room-make_win-distr_win_rule` seed 0). Plain Dijkstra over
macro states reaches only cost 17 after 200,000 states on that level. What is missing is a sharper
bound, not fewer walk states.
"""

from __future__ import annotations

import heapq
from collections import deque

from envs.babaisai import vocab as v
from envs.babaisai.engine import Engine
from envs.babaisai.heuristic import Heuristic

_MASK, _BITS = v.CODE_MASK, v.CODE_BITS
_BLOCKING = v.STOP | v.PUSH
MOVES = (1, 2, 3, 4)


class PushSearch:
    def __init__(self, engine: Engine, max_depth: int, budget: int | None = None):
        self.work = engine.clone()
        self.work.max_steps = 1 << 30
        self.bound = Heuristic(self.work)
        self.max_depth, self.budget = max_depth, budget
        w = engine.width
        self.deltas = {a: dx + dy * w for a, (dx, dy) in v.DIRECTIONS.items()}
        # key -> (g, parent key, (walk end cell or None, action), rules, YOU cells, layout)
        self.nodes: dict[tuple, tuple] = {}
        self.heap: list = []
        self.counter = 0
        self.expanded = 0

    # -- state loading -----------------------------------------------------------------------
    def load(self, key: tuple, rules, you_cells) -> None:
        work = self.work
        work.cells = list(key)
        if work.rules is not rules:
            work._set_rules(rules)
        work.you_cells = list(you_cells)

    def macro_ok(self) -> bool:
        """The walk assumptions of the module docstring, on the loaded state."""
        work = self.work
        info = work.info
        if info.any_move or info.any_pull or info.any_open_shut or info.xforms or info.coloured_you:
            return False
        if len(work.you_cells) != 1:
            return False
        y = work.you_cells[0]
        flags = work.flags
        below = work.cells[y] >> _BITS
        while below:   # a YOU under the walker would be uncovered by the first step
            if flags[below & 0xFF] & v.YOU:
                return False
            below >>= _BITS
        return work.you_reference() == y

    def region(self):
        """Breadth-first walk from the single YOU over cells it can enter without pushing:
        (parent map, list of (cost, cell before, action) win steps, list of (cost, cell, action) pushes)."""
        work = self.work
        cells, flags = work.cells, work.flags
        start = work.you_cells[0]
        parent = {start: None}
        frontier = deque([(start, 0)])
        wins, pushes = [], []
        deltas = self.deltas
        while frontier:
            p, d = frontier.popleft()
            for a in MOVES:
                f = p + deltas[a]
                cf = cells[f]
                bits = flags[cf & 0xFF] if cf else 0
                if bits & v.PUSH:
                    pushes.append((d + 1, p, a))
                elif bits & v.STOP or bits & v.LOSE:
                    continue          # a bump changes nothing; a LOSE top ends the game
                elif bits & v.WIN:
                    wins.append((d + 1, p, a))
                elif f not in parent:
                    parent[f] = (p, a)
                    frontier.append((f, d + 1))
        return parent, wins, pushes

    @staticmethod
    def path_to(parent, cell) -> list[int]:
        out = []
        while parent[cell] is not None:
            cell, a = parent[cell]
            out.append(a)
        return out[::-1]

    # -- search ------------------------------------------------------------------------------
    def offer(self, parent, g: int, edge, won: bool) -> None:
        work = self.work
        if won:
            if g <= self.max_depth:
                self.counter += 1
                heapq.heappush(self.heap, (g, -g, self.counter, ("goal", parent, edge)))
            return
        child = tuple(work.cells)
        old = self.nodes.get(child)
        if old is not None and old[0] <= g:
            return
        h, layout = self.bound(work, None)
        if g + h > self.max_depth:
            return
        if self.budget is not None and len(self.nodes) >= self.budget:
            raise MemoryError("push search budget")
        self.nodes[child] = (g, parent, edge, work.rules, tuple(work.you_cells), layout)
        self.counter += 1
        heapq.heappush(self.heap, (g + h, -g, self.counter, child))

    def play(self, action: int) -> tuple[bool, bool]:
        won, lost = self.work._move_all(action)
        alive = self.work.you_reference() is not None
        return won and alive, not lost and alive

    def expand(self, key: tuple) -> None:
        g, _, _, rules, you_cells, _ = self.nodes[key]
        self.load(key, rules, you_cells)
        if not self.macro_ok():
            for action in MOVES:
                self.load(key, rules, you_cells)
                won, usable = self.play(action)
                if usable:
                    self.offer(key, g + 1, (None, action), won)
            return
        _, wins, pushes = self.region()
        for cost, p, a in wins:
            self.offer(key, g + cost, (p, a), True)
        y = you_cells[0]
        for cost, p, a in pushes:
            if g + cost > self.max_depth:
                continue
            # The walk moved only the YOU object from y to p (see the docstring), then the engine pushes.
            self.load(key, rules, you_cells)
            cells = self.work.cells
            if p != y:
                mover = cells[y] & _MASK
                cells[y] >>= _BITS
                cells[p] = (cells[p] << _BITS) | mover
                self.work.you_cells = [p]
            won, usable = self.play(a)
            if usable:
                self.offer(key, g + cost, (p, a), won)

    def run(self) -> list[int] | None:
        work = self.work
        start = tuple(work.cells)
        h, layout = self.bound(work, None)
        if h > self.max_depth:
            return None
        self.nodes[start] = (0, None, None, work.rules, tuple(work.you_cells), layout)
        self.heap.append((h, 0, 0, start))
        while self.heap:
            _, neg_g, _, key = heapq.heappop(self.heap)
            if key[0] == "goal":
                _, parent, edge = key
                return self.plan_to(parent) + self.edge_actions(parent, edge)
            if self.nodes[key][0] != -neg_g:
                continue
            self.expanded += 1
            self.expand(key)
        return None

    def edge_actions(self, key: tuple, edge) -> list[int]:
        p, a = edge
        if p is None:
            return [a]
        _, _, _, rules, you_cells, _ = self.nodes[key]
        self.load(key, rules, you_cells)
        parent, _, _ = self.region()
        return self.path_to(parent, p) + [a]

    def plan_to(self, key: tuple) -> list[int]:
        chunks = []
        while True:
            _, parent, edge, _, _, _ = self.nodes[key]
            if parent is None:
                break
            chunks.append(self.edge_actions(parent, edge))
            key = parent
        return [a for chunk in reversed(chunks) for a in chunk]


def push_solve(engine: Engine, max_depth: int = 100, budget: int | None = None) -> list[int] | None:
    """Shortest winning list of action indices from the engine's state (engine left untouched), or None."""
    if engine.you_reference() is None:
        return None
    return PushSearch(engine, max_depth, budget).run()
