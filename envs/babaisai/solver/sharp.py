"""The sharp terms of the bound (bound.py), for levels whose blocks are only nouns,
IS, YOU, WIN and STOP (all 40 BALROG tasks): there only YOU objects and pushed blocks ever move, all in
the move's direction, so the distance between any two things shrinks by at most one per move. Per object
they bound when it can first move as a YOU; from that, when each block can first be pushed, when a
would-be YOU can meet a would-be X object, and when a helpful new rule can first stand.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from envs.babaisai import vocab as v
from envs.babaisai.solver.lines import INF, LineGeometry


class SharpState(NamedTuple):
    """Per-state inputs of the sharp terms (SharpTerms.setup)."""
    objs: list            # (cell, kind, earliest move after which it can move as a YOU); static ones first
    turn: dict            # turn[a][b]: earliest move after which a objects can be b objects
    loose: tuple          # blocks that are not frozen
    n_static: int         # objs[:n_static] do not depend on the YOU cells (cached per layout and D_block)
    static_key: tuple     # (layout, D_block): the key of that cached part
    first_pushes: dict    # memo of first_push for this state
    helpful: list         # helpful new rules not yet standing: (R, A kind, loose blocks), fewest R first


class SharpTerms:
    """The sharp terms on one level, with their caches (per layout and D_block, per layout, per cell)."""

    def __init__(self, lines: LineGeometry):
        self.lines = lines
        self.dist, self.solid, self.dirs, self.frozen = lines.dist, lines.solid, lines.dirs, lines.frozen
        self._meet_cache: dict[tuple, tuple] = {}
        self._static_reach: dict[tuple, dict] = {}
        self._spawn_cache: dict[tuple, list] = {}
        self._static_push: dict[tuple, int] = {}
        self._chain_cache: dict[tuple, list] = {}
        self._setup_cache: dict[tuple, tuple] = {}

    def layout_spawns(self, layout, xforms) -> list[tuple[int, int]]:
        hit = self._spawn_cache.get(layout)    # xforms follow from the layout's blocks
        if hit is None:
            hit = self._spawn_cache[layout] = spawns(layout[1], xforms)
        return hit

    def setup(self, engine, layout, d_block: int) -> SharpState:
        """Per object: (cell, kind, earliest move count after which it can move as a YOU), plus the kinds
        each object kind can be turned into and the earliest such transformation. Objects that are not
        YOU now come first and depend only on (layout, d_block), so that part is cached; the YOU objects
        (time 0) follow."""
        key = (layout, d_block)
        hit = self._setup_cache.get(key)
        if hit is None:
            hit = self._setup_cache[key] = self._static(engine, layout, d_block)
        objs, turn, loose, helpful = hit
        cells = engine.cells
        yous = [(i, cells[i] & 0xFF) for i in engine.you_cells]
        # A spawn on a YOU's cell is priced as moving from the start (time 0): never too late.
        objs = objs + [(i, ident & 0x1F, 0) for i, ident in yous + spawns(yous, engine.xforms)]
        return SharpState(objs, turn, loose, len(hit[0]), key, {}, helpful)

    def _static(self, engine, layout, d_block: int) -> tuple:
        blocks = layout[0]
        tr, you_r, helpful = self.lines.rule_gaps(blocks)
        flags = engine.flags
        you_now = {k for k in v.OBJECT_KINDS if any(flags[(c << 5) | k] & v.YOU for c in range(8))}
        # turn[a][b]: earliest move after which a objects can be b objects. Along a chain of rules
        # a -> c -> b every rule must stand, so a chain costs its slowest rule (a bottleneck path).
        turn = {a: {b: d_block - 1 + r for b, r in out.items() if b != a} for a, out in tr.items()}
        kinds = set(turn) | {b for out in turn.values() for b in out}
        for c in kinds:
            via = turn.get(c)
            if not via:
                continue
            for a, out in turn.items():
                ac = out.get(c)
                if ac is None:
                    continue
                for b, cb in via.items():
                    if b != a and max(ac, cb) < out.get(b, INF):
                        out[b] = max(ac, cb)

        def t_you_kind(k: int) -> int:
            return 0 if k in you_now else d_block - 1 + you_r.get(k, INF)

        objs = []
        for cell, ident in list(layout[1]) + self.layout_spawns(layout, engine.xforms):
            k = ident & 0x1F
            ty = t_you_kind(k)
            for other, t in turn.get(k, {}).items():
                ty = min(ty, max(t, t_you_kind(other)))
            objs.append((cell, k, ty))
        loose = tuple(b for b, _ in blocks if b not in self.frozen)
        return objs, turn, loose, helpful

    def first_push(self, sharp, n: int, d_block: int) -> int:
        """Earliest move that can push block n. A YOU and a still block close their distance by at most one
        per move (only YOU objects and pushed blocks move, all one way), and only once the object is YOU;
        a chain of k blocks lets the pusher stop k cells short, but each chain cell not already holding a
        loose block needs a block pushed in first."""
        memo = sharp.first_pushes
        if n in memo:
            return memo[n]
        memo[n] = result = self._first_push_uncached(sharp, n, d_block)
        return result

    def _first_push_uncached(self, sharp, n: int, d_block: int) -> int:
        objs, loose, n_static, static_key = sharp.objs, sharp.loose, sharp.n_static, sharp.static_key
        # Static objects (not YOU now) only depend on (layout, d_block): their part of the reach is cached.
        key = (static_key, n)
        reach = self._static_push.get(key)
        if reach is None:
            dist = self.dist
            reach = self._static_push[key] = min((ty + dist[cell][n] for cell, _, ty in objs[:n_static]
                                                  if ty < INF), default=INF)
        for cell, _, _ in objs[n_static:]:     # YOU objects: time 0
            reach = min(reach, self.dist[cell][n])
        best = reach
        # A chain of k blocks: the pusher stops k - 1 cells further back, once the chain is there.
        for k, wait in self._chains(loose, n):
            if d_block + wait >= best:
                break                         # waits only grow with k
            if reach - k + 1 < best:
                best = max(reach - k + 1, d_block + wait)
        return max(d_block, best)

    def _chains(self, loose: tuple, n: int) -> list[tuple]:
        """Push chains block n can head, per layout: (k blocks in a line, the fewest moves after D_block
        before such a chain can stand), the least over the four directions, k increasing. A chain waits for
        every chain cell that holds no loose block to get one (the nearest other block's distance to it)
        and for k - 1 distinct blocks to close in on n (the j-th nearest one down to distance j). The wait
        never shrinks as k grows: a longer chain in one direction needs everything the shorter one did."""
        key = (loose, n)
        hit = self._chain_cache.get(key)
        if hit is not None:
            return hit
        dist = self.dist
        others = [b for b in loose if b != n]
        # Distinct blocks fill the chain: the j-th nearest one must close its distance to n down to j.
        near = sorted(dist[b][n] for b in others)
        spread, worst = [], -INF
        for i, d in enumerate(near):
            worst = max(worst, d - i - 1)
            spread.append(worst)
        waits: dict[int, int] = {}
        for d in self.dirs:
            fill = -INF
            for k in range(2, len(others) + 2):
                cell = n - (k - 1) * d
                if cell in self.solid or n - k * d in self.solid:
                    break
                if cell not in others:
                    fill = max(fill, min(dist[b][cell] for b in others))
                wait = max(fill, spread[k - 2])
                waits[k] = min(waits.get(k, INF), wait)
        rows = sorted(waits.items())
        self._chain_cache[key] = rows
        return rows

    def kind_bound(self, sharp, kind: int, r_min: int, options, d_block: int) -> int:
        """Lower bound for plans that win through `X is WIN` (X = kind's noun), valid whatever other rules
        they form: the X noun's own pushes when IS and WIN are frozen, and the meeting of a would-be YOU
        object with a would-be X object (their distance shrinks by at most one per move, and only while one
        of them is YOU)."""
        objs, turn, n_static, static_key = sharp.objs, sharp.turn, sharp.n_static, sharp.static_key
        line = 0
        if r_min > 0:
            # The line's first push moves one of its loose blocks; then each push closes R by at most one.
            line = INF
            for _, r, _, _, movers in options:     # fewest pushes first
                if d_block + r >= line:
                    break
                line = min(line, self.line_start(sharp, movers, d_block) + r)
        x_kind = kind - v.NOUN_BLOCK0 + v.BABA
        # Pairs of objects that are not YOU now only depend on (layout, d_block): cached, along with the
        # static would-be X objects and a per-cell memo for YOU objects meeting them.
        entry = self._meet_cache.get((static_key, kind))
        if entry is None:
            static_xs = sorted(self._would_be(objs, range(n_static), x_kind, turn), key=lambda x: x[2])
            entry = (self._meet(objs, static_xs, range(n_static), INF), static_xs, {})
            self._meet_cache[(static_key, kind)] = entry
        meet, static_xs, to_static = entry
        xs = self._would_be(objs, range(n_static, len(objs)), x_kind, turn)
        dist = self.dist
        # A YOU object (time 0) meeting a static would-be X object: max(tx + 1, distance).
        for j in range(n_static, len(objs)):
            cell = objs[j][0]
            m = to_static.get(cell)
            if m is None:
                m = to_static[cell] = _earliest_meeting(dist[cell], static_xs)
            meet = min(meet, m)
        for jx, cx, tx, _ in xs:
            if tx + 1 >= meet:
                continue
            # A would-be X object that is YOU now: met by a static would-be YOU j, at
            # max(ty_j + 1, tx + 1, distance), or by another YOU object, at max(tx + 1, distance).
            meet = min(meet, max(tx + 1, self._from_static(objs, n_static, static_key, cx)))
            for j in range(n_static, len(objs)):
                if j != jx:
                    meet = min(meet, max(tx + 1, dist[objs[j][0]][cx]))
                    if meet <= tx + 1:
                        break
        return max(line, meet)

    @staticmethod
    def _would_be(objs, js, x_kind: int, turn) -> list[tuple]:
        """Objects among js that are or could become X objects: (index, cell, earliest time, YOU time)."""
        out = []
        for j in js:
            cell, k, ty = objs[j]
            if k == x_kind:
                out.append((j, cell, 0, ty))
            elif x_kind in turn.get(k, ()):
                out.append((j, cell, turn[k][x_kind], ty))
        return out

    def _from_static(self, objs, n_static: int, static_key, cell: int) -> int:
        """Earliest meeting of any static would-be YOU object with cell: min over j of max(ty_j + 1, d)."""
        memo = self._static_reach.get(static_key)
        if memo is None:
            memo = self._static_reach[static_key] = {}
        m = memo.get(cell)
        if m is None:
            dist = self.dist
            m = memo[cell] = min((max(ty + 1, dist[c][cell]) for c, _, ty in objs[:n_static] if ty < INF),
                                 default=INF)
        return m

    def _meet(self, objs, xs, js, meet: int) -> int:
        """Earliest meeting of a would-be YOU object j with a would-be X object (another one). A pair
        never meets before max(ty + 1, tx + 1), so with the X objects in order of tx the scan stops early."""
        xs = sorted(xs, key=lambda x: x[2])
        for j in js:
            cell, _, ty = objs[j]
            if ty + 1 >= meet:
                continue
            row = self.dist[cell]
            for jx, cx, tx, tyx in xs:
                if tx + 1 >= meet:
                    break
                if jx != j:
                    m = max(ty + 1, tx + 1, min(ty, tyx) + row[cx])
                    if m < meet:
                        meet = m
        return meet

    def helpful_time(self, sharp, d_block: int) -> int:
        """Earliest move after which a helpful new rule with an effect can stand (on these levels: a new
        `A is YOU` or `A is B` while some A object exists): its first push moves one of its three blocks
        (each no earlier than its _first_push), and each push closes its gap R by at most one.

        Only rules whose A kind has objects now count. Objects of a new kind can only appear through an
        `A is B` rule whose A objects exist, so until the first such rule stands the kinds on the grid stay
        the same and any other new rule changes nothing."""
        best = INF
        present = {k for _, k, _ in sharp.objs}
        for r, a, movers in sharp.helpful:
            if d_block - 1 + r >= best:
                break
            if a in present:
                best = min(best, self.line_start(sharp, movers, d_block) - 1 + r)
        return best

    def line_start(self, sharp: SharpState, movers: tuple, d_block: int) -> int:
        """Earliest move that can push one of a line's loose blocks: the line's first push."""
        return min((self.first_push(sharp, b, d_block) for b in movers), default=INF)


def _earliest_meeting(row, xs) -> int:
    """min over the would-be X objects xs (in order of tx) of max(tx + 1, distance from row's cell)."""
    best = INF
    for _, cx, tx, _ in xs:
        if tx + 1 >= best:
            break
        best = min(best, max(tx + 1, row[cx]))
    return best


def spawns(objects, xforms) -> list[tuple[int, int]]:
    """Objects that `A is B` transformations in force can create: under such a rule every cell topped by
    an A object gets a B on top after each move, so B objects may appear at every A object's cell (any
    stack depth) from the next move on, through chains of such rules too. The bound counts them as if
    they were there now, which only makes it lower."""
    if not xforms:
        return []
    spawned = _spawned_kinds(xforms)
    out = []
    for cell, ident in objects:
        for new in spawned.get(ident & 0x1F, ()):
            out.append((cell, new))
    return out


@lru_cache(maxsize=256)
def _spawned_kinds(xforms: tuple) -> dict[int, tuple[int, ...]]:
    """Object kind -> identities the transformations in force can turn it into, directly or in a chain."""
    step: dict[int, list[int]] = {}
    for kind, code in xforms:
        step.setdefault(kind, []).append(code & 0xFF)
    out = {}
    for kind in step:
        seen: list[int] = []
        todo = [kind]
        while todo:
            for new in step.get(todo.pop(), ()):
                if new not in seen:
                    seen.append(new)
                    todo.append(new & 0x1F)
        out[kind] = tuple(seen)
    return out

