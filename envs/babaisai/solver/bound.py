"""The solver's admissible distance bound. Why each term is a true lower bound, in short (the details are
in the docstrings of the terms, here and in lines.py and sharp.py; the long form is docs/babaisai.md as it
stood before issue 28, in git), with no rule that moves or creates objects (PUSH, PULL, MOVE, OPEN/SHUT,
`X is Y`) in force:

* D_win: no rule block moves -> rules stay, YOU objects step at most one cell per move and WIN objects
  stay put, so reaching one takes at least the Manhattan distance.
* Any plan that moves a block first walks next to one: its first push is at step >= D_block.
* In one move every block shifts by the same direction or not at all, so the L1 gap between where two
  blocks are and where they must be relative to each other closes by at most 1 per move: forming the
  final `X is WIN` line takes R >= that gap pushes, and the win comes after it (rules apply after a move).
* If the IS and WIN blocks of that line can never move (frozen against the border), the last push ends
  with the YOU on a known line of cells, from which it still has to walk to an X object.
* Plans that first form some other rule that could help (a new YOU, PUSH, PULL, MOVE, OPEN, SHUT or
  `X is Y`) need at least D_block - 1 + R_new moves; STOP and LOSE only ever hinder.
* A block on the first or last interior column (row) never changes column (row), a frozen block never
  moves: lines those pinned blocks rule out never form (lines.py).
* An object under a block that can never move again is out of play: nothing can enter that cell.

On levels whose blocks are only nouns, IS, YOU, WIN and STOP (all 40 BALROG tasks), sharper terms
(sharp.py) bound when each object can first move as a YOU, and `X is Y` rules in force are priced
through the objects they can spawn (`sharp.spawns`) instead of giving up.
"""

from __future__ import annotations

from envs.babaisai import vocab as v
from envs.babaisai.solver.lines import INF, WIN_BLOCK, YOU_BLOCK, LineGeometry
from envs.babaisai.solver.sharp import SharpTerms, spawns

__all__ = ["INF", "Bounds", "Heuristic"]

# Levels whose blocks are only nouns, IS, YOU, WIN and STOP can never get PUSH, PULL, MOVE, OPEN or SHUT:
# there only YOU objects and pushed blocks ever move, all in the move's direction (see sharp.py).
_SIMPLE = set(range(v.NOUN_BLOCK0, v.IS_BLOCK)) | {v.IS_BLOCK, YOU_BLOCK, WIN_BLOCK,
                                                    v.PROP_BLOCK0 + v.PROPERTIES.index("stop")}


class Heuristic:
    """Per-level bound calculator, cached per block layout and per (layout, YOU cells): between pushes only
    YOU objects move, so most calls are dictionary hits. The rule-line push counts live in `lines.py`,
    the sharp terms in `sharp.py`."""

    def __init__(self, engine):
        self.lines = lines = LineGeometry(engine)
        self.sharp = SharpTerms(lines)
        self.dist = lines.dist
        self._layouts: dict[tuple, tuple] = {}
        self._h_cache: dict[tuple, int] = {}
        self._near_memo: dict[tuple, dict] = {}
        self.simple = is_simple(engine)

    def __call__(self, engine, layout=None) -> tuple[int, object]:
        """(lower bound, layout). Pass back the parent's layout when the move moved no rule block: then
        only YOU objects moved, and the bound is a function of the layout and the YOU cells."""
        info = engine.info
        # On levels with only noun, IS, YOU, WIN and STOP blocks the only loose rules are transformations,
        # which the bound prices through the objects they spawn (sharp.spawns); elsewhere it gives up.
        if info.loose and not self.simple:
            return 1, None
        if layout is None:
            layout = self._layout(engine)
        key = (layout, tuple(engine.you_cells))
        h = self._h_cache.get(key)
        if h is None:
            h = self._h_cache[key] = self._bound(engine, layout)
        return h, layout

    def _layout(self, engine):
        """Everything but the top YOU objects: blocks and objects (any depth) with their identities, less
        the objects that can never matter again (_without_buried)."""
        cells, hclass = engine.cells, engine.info.hclass
        you_cells = set(engine.you_cells)
        blocks, objects = [], []
        for i in [i for i in engine.scan if cells[i] > v.CODE_MASK or hclass[cells[i] & 0xFF]]:
            c = cells[i] >> v.CODE_BITS if i in you_cells else cells[i]
            while c:
                ident = c & 0xFF
                if ident & 0x1F >= v.NOUN_BLOCK0:
                    blocks.append((i, ident & 0x1F))
                elif hclass[ident] & 8:
                    objects.append((i, ident))
                c >>= v.CODE_BITS
        content = (tuple(blocks), tuple(objects))
        layout = self._layouts.get(content)
        if layout is None:
            layout = self._layouts[content] = self._without_buried(content)
        return layout

    def _without_buried(self, content: tuple) -> tuple:
        """Drop objects under a block that can never move again. A block is always the top of its cell
        (nothing can enter it), and rules, YOU moves, transformations and wins all act on tops only, so
        such an object never moves, never changes and can never be touched: it cannot matter."""
        blocks, objects = content
        block_cells = {b for b, _ in blocks}
        if not any(i in block_cells for i, _ in objects):
            return content
        frozen = self.lines.frozen_blocks(block_cells, self.lines.frozen)
        return blocks, tuple((i, ident) for i, ident in objects if i not in frozen)

    def _bound(self, engine, layout) -> int:
        cells, flags = engine.cells, engine.flags
        blocks, objects = layout
        yous_now = [(i, cells[i] & 0xFF) for i in engine.you_cells]
        objects = list(objects) + yous_now
        if engine.xforms:
            objects += self.sharp.layout_spawns(layout, engine.xforms) + spawns(yous_now, engine.xforms)
        yous = [i for i, ident in objects if flags[ident] & v.YOU]
        wins = [i for i, ident in objects if flags[ident] & v.WIN]
        if not yous:
            return INF
        best = self._near(yous, wins)
        d_block = self._near(yous, [b for b, _ in blocks])
        if d_block >= INF:
            return max(1, best)
        win_lines, r_new, chain = self.lines.win_lines(blocks)
        helpful_first = d_block - 1 + r_new        # plans that first form a helpful new rule
        inputs = None                              # the sharp terms' per-state inputs
        if self.simple:
            inputs = self.sharp.setup(engine, layout, d_block)
            helpful_first = max(helpful_first, self.sharp.helpful_time(inputs, d_block))
        candidates = []
        for kind, r_min, options in win_lines:
            if r_min == 0:                           # `X is WIN` stands: D_win covers it, or a push
                bound = d_block + 1
            else:
                bound = d_block + r_min
                targets = [i for i, ident in objects if ident & 0x1F == kind - v.NOUN_BLOCK0 + v.BABA]
                if not targets or helpful_first + 1 > bound:
                    case2 = INF                      # no X object: only a helpful new rule could help
                    if targets:
                        case2 = max(bound, self._near(yous, targets))
                        if len(yous) == 1:
                            case2 = max(case2, self._walk(options, yous, targets, d_block, chain, inputs))
                    # A helpful rule in force before the winning move stood after move helpful_first.
                    bound = max(bound, min(case2, helpful_first + 1))
            candidates.append((bound, kind, r_min, options))
        # The sharp terms only ever raise a kind's bound, so kinds already at or above the best are skipped.
        candidates.sort(key=lambda c: c[0])
        for bound, kind, r_min, options in candidates:
            if bound >= best:
                break
            if inputs is not None:
                bound = max(bound, self.sharp.kind_bound(inputs, kind, r_min, options, d_block))
            best = min(best, bound)
        return max(1, best)

    def _walk(self, options, yous, targets, d_block: int, chain: int, inputs=None) -> int:
        """Single YOU, no helpful new rule: last push of the noun, then the walk to an X object."""
        walk = INF
        for n, r, ends, corner, movers in options:      # fewest pushes first
            if d_block + r >= walk:
                break                                   # every later option ends no earlier
            if ends is None:
                first = d_block if inputs is None else self.sharp.line_start(inputs, movers, d_block)
                walk = min(walk, first + r)
                continue
            first = max(d_block, self._near(yous, [n]) - chain + 1)
            if inputs is not None:
                first = max(first, self.sharp.first_push(inputs, n, d_block))
            for cells_k, later in ends:
                post = max(1, self._near(cells_k, targets))
                walk = min(walk, max(first + r - 1 + corner, d_block - 1 + max(r, later)) + post)
        return walk

    def _near(self, a, b) -> int:
        """Smallest distance between a cell of a and a cell of b (INF if either is empty). Many YOU objects
        (transformations spawn them) against many cells: per-cell distances to b are memoized."""
        dist = self.dist
        if len(a) * len(b) <= 32:
            return min((dist[p][q] for p in a for q in b), default=INF)
        key = tuple(b)
        memo = self._near_memo.get(key)
        if memo is None:
            memo = self._near_memo[key] = {}
        best = INF
        for p in a:
            m = memo.get(p)
            if m is None:
                row = dist[p]
                m = memo[p] = min((row[q] for q in b), default=INF)
            if m < best:
                best = m
        return best


def is_simple(engine) -> bool:
    """Are the level's blocks only nouns, IS, YOU, WIN and STOP (the levels of the sharp terms)?"""
    kinds = {c & 0x1F for i in engine.scan for c in v.stack_of(engine.cells[i])}
    return all(k in _SIMPLE for k in kinds if k >= v.NOUN_BLOCK0)


class Bounds:
    """Heuristics kept across solves of one level (analysis.py solves at every step of a trajectory). A
    Heuristic's values depend only on the level's grid size and border and on the blocks frozen at the
    state it was built for, so while a later state has the same frozen blocks its caches give exactly the
    values a fresh one would compute. Past `MAX_STATES` cached bounds it starts afresh, to bound memory."""

    MAX_STATES = 400_000

    def __init__(self):
        self._key: tuple | None = None
        self._kept: Heuristic | None = None

    def for_engine(self, engine) -> Heuristic:
        fresh = Heuristic(engine)
        lines = fresh.lines
        key = (engine.width, engine.height, frozenset(lines.solid), frozenset(lines.frozen), fresh.simple)
        if key == self._key and len(self._kept._h_cache) < self.MAX_STATES:
            return self._kept
        self._key, self._kept = key, fresh
        return fresh

