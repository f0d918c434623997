"""Rule lines on one level: where `A is B` can stand and how many pushes it needs (the bound's R, frozen
blocks, pinned blocks, frozen slots, the corner, the pusher's cells after the last push; bound.py).

These facts depend only on the grid, its border and the blocks frozen at the start, so one
`LineGeometry` serves every state of a solve, and its memos (per line, per block layout) fill once.
"""

from __future__ import annotations

from functools import lru_cache

from envs.babaisai import vocab as v

INF = 1 << 30
WIN_BLOCK = v.PROP_BLOCK0 + v.PROPERTIES.index("win")
YOU_BLOCK = v.PROP_BLOCK0 + v.PROPERTIES.index("you")
# Blocks that can end a rule with an effect besides WIN (STOP and LOSE only ever hinder).
_HELPFUL = {v.PROP_BLOCK0 + v.PROPERTIES.index(p) for p in ("you", "push", "pull", "move", "open", "shut")}
_HELPFUL |= set(range(v.NOUN_BLOCK0, v.IS_BLOCK))


class LineGeometry:
    """The level's grid (border, distances, frozen blocks) and the push counts of rule lines on it."""

    def __init__(self, engine):
        self.width = w = engine.width
        interior = set(engine.scan)
        self.solid = {i for i in range(w * engine.height) if i not in interior}
        self.solid |= {i for i in interior if engine.cells[i] & 0x1F == v.BORDER}
        self.dirs = (1, -1, w, -w)
        # The first and last interior column and row (see _edge_gap).
        self.last_x, self.last_y = w - 2, engine.height - 2
        self.dist = distance_table(w, engine.height)
        self._block_cache: dict[tuple, tuple] = {}
        self._gap_cache: dict[tuple, tuple] = {}
        self._line_memo: dict[tuple, int] = {}
        # A frozen block stays frozen forever (what holds it is border or frozen), so the start state's
        # frozen set is a valid (if smaller) frozen set for every later state.
        blocks = {i for i in interior if engine.cells[i] & 0x1F >= v.NOUN_BLOCK0}
        self.frozen = self.frozen_blocks(blocks)

    def rule_gaps(self, blocks: tuple) -> tuple:
        """Fewest pushes to form each `A is B` (object kind -> {object kind: R}) and each `A is YOU`, and
        every such rule not yet standing as (R, A kind, its loose blocks), fewest pushes first."""
        hit = self._gap_cache.get(blocks)
        if hit is not None:
            return hit
        w, frozen = self.width, self.frozen
        nouns = [(b, k - v.NOUN_BLOCK0 + v.BABA) for b, k in blocks if v.NOUN_BLOCK0 <= k < v.IS_BLOCK]
        iss = [b for b, k in blocks if k == v.IS_BLOCK]
        you_blocks = [b for b, k in blocks if k == YOU_BLOCK]
        tr: dict[int, dict[int, int]] = {}
        you_r: dict[int, int] = {}
        lines = []
        for n, a in nouns:
            for i in iss:
                for e in (1, w):
                    for t, b in nouns:
                        if b != a:
                            r = self.line_gap(n, i, t, e)
                            if r < tr.get(a, {}).get(b, INF):
                                tr.setdefault(a, {})[b] = r
                            if 0 < r < INF:
                                lines.append((r, a, tuple(x for x in (n, i, t) if x not in frozen)))
                    for t in you_blocks:
                        r = self.line_gap(n, i, t, e)
                        if r < you_r.get(a, INF):
                            you_r[a] = r
                        if 0 < r < INF:
                            lines.append((r, a, tuple(x for x in (n, i, t) if x not in frozen)))
        lines.sort()
        hit = self._gap_cache[blocks] = (tr, you_r, lines)
        return hit

    def win_lines(self, blocks: tuple) -> tuple:
        """For a block layout: per noun kind, (fewest pushes R to form `noun IS WIN`, options), where each
        option is (noun cell, R, ends, corner, movers): when the line's IS and WIN blocks are frozen, ends
        lists (cells the pusher can stand on after the last push, pushes needed to bring a chain block
        there) and corner is 2 if the noun must move along both axes to reach its slot (else 0); movers are
        the line's blocks that are not frozen. Plus R_new for helpful new rules and the longest possible
        push chain."""
        hit = self._block_cache.get(blocks)
        if hit is not None:
            return hit
        frozen = self.frozen
        loose = [b for b, _ in blocks if b not in frozen]
        nouns = [(b, k) for b, k in blocks if v.NOUN_BLOCK0 <= k < v.IS_BLOCK]
        iss = [b for b, k in blocks if k == v.IS_BLOCK]
        hit = self._block_cache[blocks] = (self._win_options(blocks, nouns, iss, loose),
                                           self._helpful_gap(blocks, nouns, iss), max(1, len(loose)))
        return hit

    def _win_options(self, blocks: tuple, nouns: list, iss: list, loose: list) -> list:
        w, frozen = self.width, self.frozen
        wins = [b for b, k in blocks if k == WIN_BLOCK]
        per_kind: dict[int, list] = {}
        for n, kind in nouns:
            for i in iss:
                for e in (1, w):
                    for t in wins:
                        r = self.line_gap(n, i, t, e)
                        if r >= INF:
                            continue
                        ends, corner = None, 0
                        if r > 0 and i in frozen and t in frozen:
                            ends = self.pusher_ends(i - e, e, n, loose)
                            # The noun must move along both axes: a lone pusher changes sides in between.
                            if n % w != (i - e) % w and n // w != (i - e) // w:
                                corner = 2
                        movers = tuple(b for b in (n, i, t) if b not in frozen)
                        per_kind.setdefault(kind, []).append((n, r, ends, corner, movers))
        for opts in per_kind.values():
            opts.sort(key=lambda opt: opt[1])
        return [(kind, opts[0][1], opts) for kind, opts in per_kind.items()]

    def _helpful_gap(self, blocks: tuple, nouns: list, iss: list) -> int:
        """R_new: the fewest pushes that form a helpful rule not standing yet."""
        w, frozen = self.width, self.frozen
        helpful = [b for b, k in blocks if k in _HELPFUL]
        r_new = INF
        for i in iss:
            for e in (1, w):
                if i in frozen and not self.open_slots(i, e):
                    continue
                ix, iy = i % w, i // w
                ex, ey = (1, 0) if e == 1 else (0, 1)
                for n, _ in nouns:
                    # The noun's own distance to its slot is a floor on the gap: skip nouns too far.
                    a = abs(ix - n % w - ex) + abs(iy - n // w - ey)
                    if a >= r_new:
                        continue
                    for t in helpful:
                        if t != n:
                            r = self.line_gap(n, i, t, e)
                            if 0 < r < r_new:
                                r_new = r
        return r_new

    def open_slots(self, i: int, e: int) -> bool:
        """Can a frozen IS still get a new helpful rule along e (both slots neither border nor frozen)?"""
        slots = (i - e, i + e)
        return not any(c in self.solid or c in self.frozen for c in slots)

    def line_gap(self, n: int, i: int, t: int, e: int) -> int:
        """Pushes needed before n, i, t stand in a line (i - e, i, i + e); INF if frozen blocks or the border
        make that line impossible. A function of the four numbers alone (frozen is fixed per level), so it
        is memoized: after a push only the lines through a moved block are new."""
        key = (n, i, t, e)
        r = self._line_memo.get(key)
        if r is None:
            r = self._line_memo[key] = self._line_gap_uncached(n, i, t, e, self.frozen)
        return r

    def _line_gap_uncached(self, n: int, i: int, t: int, e: int, frozen: set[int]) -> int:
        for a, b, offset in ((n, i, e), (i, t, e), (n, t, 2 * e)):
            if a in frozen and b in frozen and b - a != offset:
                return INF
        if i in frozen:
            for slot, block in ((i - e, n), (i + e, t)):
                if slot in self.solid or (slot in frozen and slot != block):
                    return INF
        return self._edge_gap(n, i, t, e, _gap(n, i, t, e, self.width), frozen)

    def _edge_gap(self, n: int, i: int, t: int, e: int, gap: int, frozen: set[int]) -> int:
        """A block on the first or last interior column can never change column (a push away from the frame
        needs something standing on it, a push towards it is blocked); rows alike; a frozen block keeps
        both. Such blocks pin where the line can stand: INF if two pins disagree or put it on the frame,
        and when both of its coordinates are pinned, every block must travel to its own slot."""
        w = self.width
        ex, ey = (1, 0) if e == 1 else (0, 1)
        px = py = None
        last_x, last_y = self.last_x, self.last_y
        for b, k in ((n, 0), (i, 1), (t, 2)):
            bx, by = b % w, b // w
            still = b in frozen
            if still or bx == 1 or bx == last_x:
                if px is not None and px != bx - k * ex:
                    return INF
                px = bx - k * ex
            if still or by == 1 or by == last_y:
                if py is not None and py != by - k * ey:
                    return INF
                py = by - k * ey
        if px is not None and (px < 1 or px + 2 * ex > last_x):
            return INF
        if py is not None and (py < 1 or py + 2 * ey > last_y):
            return INF
        if px is None or py is None:
            return gap
        p = py * w + px
        # A frozen block holds its cell for good: no other block can take that slot.
        for b, k in ((n, 0), (i, 1), (t, 2)):
            if p + k * e in frozen and p + k * e != b:
                return INF
        dist = self.dist
        return max(gap, dist[n][p], dist[i][p + e], dist[t][p + 2 * e])

    def frozen_blocks(self, block_cells: set[int], known: set[int] = frozenset()) -> set[int]:
        """Blocks that can never be pushed. Least fixpoint: a block joins once, along every axis, the cell
        ahead of it or the cell a pusher would need behind it is the border or an already frozen block
        (a frozen block never moves, so it cannot make way nor be part of a moving chain). Starting from
        nothing frozen (or from `known`, blocks already proven frozen for good) keeps two blocks from
        "holding each other" when they could move as a chain."""
        frozen: set[int] = set(known)
        solid = self.solid
        changed = True
        while changed:
            changed = False
            for b in block_cells - frozen:
                if all(b + d in solid or b + d in frozen or b - d in solid or b - d in frozen
                       for d in self.dirs):
                    frozen.add(b)
                    changed = True
        return frozen

    def pusher_ends(self, target: int, e: int, noun: int, loose: list[int]) -> list:
        """After the push that puts the noun on `target`, the pusher stands k cells behind it (k - 1 chain
        blocks between). Pushes along -e are impossible (the frozen IS is there). Returns, per direction,
        the k = 1 cell, then the k >= 2 cells with the pushes some other loose block needs to get behind."""
        if target in self.solid:
            return []
        w = self.width
        others = [b for b in loose if b != noun]
        out = []
        for d in ((e, w, -w) if e == 1 else (e, 1, -1)):
            line = []
            cell = target - d
            while cell not in self.solid and len(line) <= len(others):
                line.append(cell)
                cell -= d
            if not line:
                continue
            out.append(([line[0]], 0))
            if len(line) > 1 and others:
                behind = target - d
                later = min(abs(b % w - behind % w) + abs(b // w - behind // w) for b in others)
                out.append((line[1:], later))
        return out


@lru_cache(maxsize=8)
def distance_table(width: int, height: int) -> tuple[tuple[int, ...], ...]:
    """Manhattan distances between all cells of a grid: looked up on the solver's hot paths instead of
    recomputed. Built once per grid size and shared (read-only) by every heuristic and guide."""
    size = width * height
    return tuple(tuple(abs(p % width - q % width) + abs(p // width - q // width) for q in range(size))
                 for p in range(size))


def _gap(n: int, i: int, t: int, e: int, w: int) -> int:
    nx, ny, ix, iy, tx, ty = n % w, n // w, i % w, i // w, t % w, t // w
    ex, ey = (1, 0) if e == 1 else (0, 1)
    return max(abs(ix - nx - ex) + abs(iy - ny - ey), abs(tx - ix - ex) + abs(ty - iy - ey),
               abs(tx - nx - 2 * ex) + abs(ty - ny - 2 * ey))

