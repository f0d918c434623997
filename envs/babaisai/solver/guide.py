"""A goal-directed guide for the solver's guided pass: an estimate of the moves left, *not* a lower bound.

It prices every way to finish the level the way a player would plan it: walk to the first block of an
`X is WIN` line that has to move, push the line's blocks into place (each push counted twice, for the
walking between pushes), then walk from the finished line to the nearest X object. It ignores everything
else, so it can under- or over-estimate. The solver uses it only to find a winning plan quickly; the
exact pass then proves that plan shortest, finds a shorter one, or leaves it marked `optimal=False`
(search.py).
"""

from __future__ import annotations

from envs.babaisai import vocab as v
from envs.babaisai.solver.lines import distance_table

INF = 1 << 30
_WIN_B = v.PROP_BLOCK0 + v.PROPERTIES.index("win")


class Guide:
    """Callable like `Heuristic`: `guide(engine) -> (estimate, None)`, cached per blocks/objects/rules."""

    def __init__(self, engine):
        self.width = engine.width
        self.dist = distance_table(engine.width, engine.height)
        self._lines: dict[tuple, list] = {}
        self._cache: dict[tuple, int] = {}

    def __call__(self, engine, layout=None) -> tuple[int, None]:
        cells = engine.cells
        blocks, objects = [], []
        for i in engine.scan:
            c = cells[i]
            top = True
            while c:
                kind = c & 0x1F
                if kind >= v.NOUN_BLOCK0:
                    blocks.append((i, kind, top))
                elif v.BABA <= kind <= v.FDOOR:
                    objects.append((i, c & 0xFF))
                c >>= v.CODE_BITS
                top = False
        key = (tuple(blocks), tuple(objects), engine.rules)
        h = self._cache.get(key)
        if h is None:
            h = self._cache[key] = self._estimate(engine, key[0], objects)
        return h, None

    def _estimate(self, engine, blocks: tuple, objects: list) -> int:
        w, flags, near = self.width, engine.flags, self._near
        yous = [i for i, ident in objects if flags[ident] & v.YOU]
        if not yous:
            return INF
        best = near(yous, [i for i, ident in objects if flags[ident] & v.WIN])
        by_kind: dict[int, list[int]] = {}
        for i, ident in objects:
            if i not in yous:
                by_kind.setdefault(ident & 0x1F, []).append(i)
        for kind, pushes, movers, noun_end in self._line_plans(blocks):   # sorted by pushes
            if 2 * pushes >= best:
                break
            targets = by_kind.get(kind)
            if not targets:
                continue
            if movers:
                walk_out = min(_dist(noun_end, q, w) for q in targets)   # noun_end may be off the grid
                cost = near(yous, movers) - 1 + 2 * pushes + walk_out
            else:
                cost = near(yous, targets)
            best = min(best, cost)
        return best

    def _line_plans(self, blocks: tuple) -> list:
        """Per candidate `X is WIN` line and anchor block: (X kind, pushes, blocks that move, noun's end).
        A line already in place under something else (rules are read from the top of each cell) still
        needs the block on top pushed away: one push."""
        hit = self._lines.get(blocks)
        if hit is not None:
            return hit
        w = self.width
        nouns = [(b, k - v.NOUN_BLOCK0 + v.BABA) for b, k, _ in blocks if v.NOUN_BLOCK0 <= k < v.IS_BLOCK]
        iss = [b for b, k, _ in blocks if k == v.IS_BLOCK]
        wins = [b for b, k, _ in blocks if k == _WIN_B]
        covered = {b for b, _, top in blocks if not top}
        plans = []
        for n, kind in nouns:
            for i in iss:
                for t in wins:
                    for e in (1, w):
                        # Anchor one block of the line where it is and bring the other two next to it.
                        for moves in (((n, i - e), (t, i + e)), ((i, n + e), (t, n + 2 * e)),
                                      ((n, t - 2 * e), (i, t - e))):
                            # Slots may lie off the grid: no table lookup here (cached per layout).
                            pushes = sum(_dist(a, b, w) for a, b in moves)
                            movers = [a for a, b in moves if a != b]
                            if not movers:
                                movers = [b for b in (n, i, t) if b in covered]
                                pushes = 1 if movers else 0
                            plans.append((kind, pushes, movers, dict(moves).get(n, n)))
        plans.sort(key=lambda plan: plan[1])
        self._lines[blocks] = plans
        return plans


    def _near(self, a: list[int], b: list[int]) -> int:
        dist = self.dist
        return min((dist[p][q] for p in a for q in b), default=INF)


def _dist(p: int, q: int, w: int) -> int:
    """Manhattan distance for cells that may lie off the grid (a line slot next to the frame)."""
    return abs(p % w - q % w) + abs(p // w - q // w)
