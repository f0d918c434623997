"""The solver's admissible distance bound. Why each term is a true lower bound is argued in
docs/babaisai.md; in short, with no rule that moves or creates objects (PUSH, PULL, MOVE, OPEN/SHUT,
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

On levels whose blocks are only nouns, IS, YOU, WIN and STOP, sharper terms (`_sharp_*`) bound when each
object can first move as a YOU, and `X is Y` rules in force are priced through the objects they can
spawn (`_spawns`) instead of giving up.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from envs.babaisai import vocab as v

INF = 1 << 30
_WIN_B = v.PROP_BLOCK0 + v.PROPERTIES.index("win")
_HELPFUL = {v.PROP_BLOCK0 + v.PROPERTIES.index(p) for p in ("you", "push", "pull", "move", "open", "shut")}
_HELPFUL |= set(range(v.NOUN_BLOCK0, v.IS_BLOCK))
_YOU_B = v.PROP_BLOCK0 + v.PROPERTIES.index("you")
# Levels whose blocks are only nouns, IS, YOU, WIN and STOP can never get PUSH, PULL, MOVE, OPEN or SHUT:
# there only YOU objects and pushed blocks ever move, all in the move's direction (see _sharp).
_SIMPLE = set(range(v.NOUN_BLOCK0, v.IS_BLOCK)) | {v.IS_BLOCK, _YOU_B, _WIN_B,
                                                    v.PROP_BLOCK0 + v.PROPERTIES.index("stop")}


class _Sharp(NamedTuple):
    """Per-state inputs of the sharp terms (Heuristic._sharp_setup)."""
    objs: list            # (cell, kind, earliest move after which it can move as a YOU); static ones first
    turn: dict            # turn[a][b]: earliest move after which a objects can be b objects
    loose: tuple          # blocks that are not frozen
    n_static: int         # objs[:n_static] do not depend on the YOU cells (cached per layout and D_block)
    static_key: tuple     # (layout, D_block): the key of that cached part
    first_pushes: dict    # memo of _first_push for this state
    helpful: list         # helpful new rules not yet standing: (R, A kind, loose blocks), fewest R first


class Heuristic:
    """Per-level bound calculator, cached per block layout and per (layout, YOU cells): between pushes only
    YOU objects move, so most calls are dictionary hits."""

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
        self._layouts: dict[tuple, tuple] = {}
        self._h_cache: dict[tuple, int] = {}
        self._gap_cache: dict[tuple, tuple] = {}
        self._meet_cache: dict[tuple, tuple] = {}
        self._static_reach: dict[tuple, dict] = {}
        self._near_memo: dict[tuple, dict] = {}
        self._line_memo: dict[tuple, int] = {}
        self._spawn_cache: dict[tuple, list] = {}
        self._static_push: dict[tuple, int] = {}
        self._chain_cache: dict[tuple, list] = {}
        self._setup_cache: dict[tuple, tuple] = {}
        # A frozen block stays frozen forever (what holds it is border or frozen), so the start state's
        # frozen set is a valid (if smaller) frozen set for every later state.
        blocks = {i for i in interior if engine.cells[i] & 0x1F >= v.NOUN_BLOCK0}
        self.frozen = self._frozen(blocks)
        kinds = {c & 0x1F for i in interior for c in v.stack_of(engine.cells[i])}
        self.simple = all(k in _SIMPLE for k in kinds if k >= v.NOUN_BLOCK0)

    def __call__(self, engine, layout=None) -> tuple[int, object]:
        """(lower bound, layout). Pass back the parent's layout when the move moved no rule block: then
        only YOU objects moved, and the bound is a function of the layout and the YOU cells."""
        info = engine.info
        # On levels with only noun, IS, YOU, WIN and STOP blocks the only loose rules are transformations,
        # which the bound prices through the objects they spawn (_spawns); elsewhere it gives up.
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
        frozen = self._frozen(block_cells, self.frozen)
        return blocks, tuple((i, ident) for i, ident in objects if i not in frozen)

    def _bound(self, engine, layout) -> int:
        cells, flags = engine.cells, engine.flags
        blocks, objects = layout
        yous_now = [(i, cells[i] & 0xFF) for i in engine.you_cells]
        objects = list(objects) + yous_now
        if engine.xforms:
            objects += self._layout_spawns(layout, engine.xforms) + _spawns(yous_now, engine.xforms)
        yous = [i for i, ident in objects if flags[ident] & v.YOU]
        wins = [i for i, ident in objects if flags[ident] & v.WIN]
        if not yous:
            return INF
        best = self._near(yous, wins)
        d_block = self._near(yous, [b for b, _ in blocks])
        if d_block >= INF:
            return max(1, best)
        lines, r_new, chain = self._blocks(blocks)
        helpful_first = d_block - 1 + r_new        # plans that first form a helpful new rule
        sharp = None
        if self.simple:
            sharp = self._sharp_setup(engine, layout, d_block)
            helpful_first = max(helpful_first, self._helpful_time(sharp, d_block))
        candidates = []
        for kind, r_min, options in lines:
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
                            case2 = max(case2, self._walk(options, yous, targets, d_block, chain, sharp))
                    # A helpful rule in force before the winning move stood after move helpful_first.
                    bound = max(bound, min(case2, helpful_first + 1))
            candidates.append((bound, kind, r_min, options))
        # The sharp terms only ever raise a kind's bound, so kinds already at or above the best are skipped.
        candidates.sort(key=lambda c: c[0])
        for bound, kind, r_min, options in candidates:
            if bound >= best:
                break
            if sharp is not None:
                bound = max(bound, self._sharp_kind(sharp, kind, r_min, options, d_block))
            best = min(best, bound)
        return max(1, best)

    def _walk(self, options, yous, targets, d_block: int, chain: int, sharp=None) -> int:
        """Single YOU, no helpful new rule: last push of the noun, then the walk to an X object."""
        walk = INF
        for n, r, ends, corner, movers in options:      # fewest pushes first
            if d_block + r >= walk:
                break                                   # every later option ends no earlier
            if ends is None:
                first = d_block if sharp is None else self._line_start(sharp, movers, d_block)
                walk = min(walk, first + r)
                continue
            first = max(d_block, self._near(yous, [n]) - chain + 1)
            if sharp is not None:
                first = max(first, self._first_push(sharp, n, d_block))
            for cells_k, later in ends:
                post = max(1, self._near(cells_k, targets))
                walk = min(walk, max(first + r - 1 + corner, d_block - 1 + max(r, later)) + post)
        return walk

    # -- sharp terms (levels with only noun, IS, YOU, WIN and STOP blocks; docs/babaisai.md) ------------
    def _layout_spawns(self, layout, xforms) -> list[tuple[int, int]]:
        hit = self._spawn_cache.get(layout)    # xforms follow from the layout's blocks
        if hit is None:
            hit = self._spawn_cache[layout] = _spawns(layout[1], xforms)
        return hit

    def _sharp_setup(self, engine, layout, d_block: int) -> tuple:
        """Per object: (cell, kind, earliest move count after which it can move as a YOU), plus the kinds
        each object kind can be turned into and the earliest such transformation. Objects that are not
        YOU now come first and depend only on (layout, d_block), so that part is cached; the YOU objects
        (time 0) follow."""
        key = (layout, d_block)
        hit = self._setup_cache.get(key)
        if hit is None:
            hit = self._setup_cache[key] = self._sharp_static(engine, layout, d_block)
        objs, turn, loose, helpful = hit
        cells = engine.cells
        yous = [(i, cells[i] & 0xFF) for i in engine.you_cells]
        # A spawn on a YOU's cell is priced as moving from the start (time 0): never too late.
        objs = objs + [(i, ident & 0x1F, 0) for i, ident in yous + _spawns(yous, engine.xforms)]
        return _Sharp(objs, turn, loose, len(hit[0]), key, {}, helpful)

    def _sharp_static(self, engine, layout, d_block: int) -> tuple:
        blocks = layout[0]
        tr, you_r, helpful = self._rule_gaps(blocks)
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
        for cell, ident in list(layout[1]) + self._layout_spawns(layout, engine.xforms):
            k = ident & 0x1F
            ty = t_you_kind(k)
            for other, t in turn.get(k, {}).items():
                ty = min(ty, max(t, t_you_kind(other)))
            objs.append((cell, k, ty))
        loose = tuple(b for b, _ in blocks if b not in self.frozen)
        return objs, turn, loose, helpful

    def _first_push(self, sharp, n: int, d_block: int) -> int:
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

    def _sharp_kind(self, sharp, kind: int, r_min: int, options, d_block: int) -> int:
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
                line = min(line, self._line_start(sharp, movers, d_block) + r)
        x_kind = kind - v.NOUN_BLOCK0 + v.BABA
        # Pairs of objects that are not YOU now only depend on (layout, d_block): cached, along with the
        # static would-be X objects and a per-cell memo for YOU objects meeting them.
        entry = self._meet_cache.get((static_key, kind))
        if entry is None:
            static_xs = self._would_be(objs, range(n_static), x_kind, turn)
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
                m = to_static[cell] = min((max(tx + 1, dist[cell][cx]) for _, cx, tx, _ in static_xs),
                                          default=INF)
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
        """Earliest meeting of a would-be YOU object j with a would-be X object (another one)."""
        for j in js:
            cell, _, ty = objs[j]
            if ty >= meet:
                continue
            for jx, cx, tx, tyx in xs:
                if jx != j:
                    meet = min(meet, max(ty + 1, tx + 1, min(ty, tyx) + self.dist[cell][cx]))
        return meet

    def _rule_gaps(self, blocks: tuple) -> tuple:
        """Fewest pushes to form each `A is B` (object kind -> {object kind: R}) and each `A is YOU`, and
        every such rule not yet standing as (R, A kind, its loose blocks), fewest pushes first."""
        hit = self._gap_cache.get(blocks)
        if hit is not None:
            return hit
        w, frozen = self.width, self.frozen
        nouns = [(b, k - v.NOUN_BLOCK0 + v.BABA) for b, k in blocks if v.NOUN_BLOCK0 <= k < v.IS_BLOCK]
        iss = [b for b, k in blocks if k == v.IS_BLOCK]
        you_blocks = [b for b, k in blocks if k == _YOU_B]
        tr: dict[int, dict[int, int]] = {}
        you_r: dict[int, int] = {}
        lines = []
        for n, a in nouns:
            for i in iss:
                for e in (1, w):
                    for t, b in nouns:
                        if b != a:
                            r = self._line_gap(n, i, t, e, frozen)
                            if r < tr.get(a, {}).get(b, INF):
                                tr.setdefault(a, {})[b] = r
                            if 0 < r < INF:
                                lines.append((r, a, tuple(x for x in (n, i, t) if x not in frozen)))
                    for t in you_blocks:
                        r = self._line_gap(n, i, t, e, frozen)
                        if r < you_r.get(a, INF):
                            you_r[a] = r
                        if 0 < r < INF:
                            lines.append((r, a, tuple(x for x in (n, i, t) if x not in frozen)))
        lines.sort()
        hit = self._gap_cache[blocks] = (tr, you_r, lines)
        return hit

    def _blocks(self, blocks: tuple) -> tuple:
        """For a block layout: per noun kind, (fewest pushes R to form `noun IS WIN`, options), where each
        option is (noun cell, R, ends, corner, movers): when the line's IS and WIN blocks are frozen, ends
        lists (cells the pusher can stand on after the last push, pushes needed to bring a chain block
        there) and corner is 2 if the noun must move along both axes to reach its slot (else 0); movers are
        the line's blocks that are not frozen. Plus R_new for helpful new rules and the longest possible
        push chain."""
        hit = self._block_cache.get(blocks)
        if hit is not None:
            return hit
        w = self.width
        frozen = self.frozen
        loose = [b for b, _ in blocks if b not in frozen]
        nouns = [(b, k) for b, k in blocks if v.NOUN_BLOCK0 <= k < v.IS_BLOCK]
        iss = [b for b, k in blocks if k == v.IS_BLOCK]
        wins = [b for b, k in blocks if k == _WIN_B]
        helpful = [b for b, k in blocks if k in _HELPFUL]
        per_kind: dict[int, list] = {}
        for n, kind in nouns:
            for i in iss:
                for e in (1, w):
                    for t in wins:
                        r = self._line_gap(n, i, t, e, frozen)
                        if r >= INF:
                            continue
                        ends, corner = None, 0
                        if r > 0 and i in frozen and t in frozen:
                            ends = self._pusher_ends(i - e, e, n, loose)
                            # The noun must move along both axes: a lone pusher changes sides in between.
                            if n % w != (i - e) % w and n // w != (i - e) // w:
                                corner = 2
                        movers = tuple(b for b in (n, i, t) if b not in frozen)
                        per_kind.setdefault(kind, []).append((n, r, ends, corner, movers))
        for opts in per_kind.values():
            opts.sort(key=lambda opt: opt[1])
        lines = [(kind, opts[0][1], opts) for kind, opts in per_kind.items()]
        r_new = INF
        for i in iss:
            for e in (1, w):
                if i in frozen and not self._open_slots(i, e):
                    continue
                ix, iy = i % w, i // w
                ex, ey = (1, 0) if e == 1 else (0, 1)
                for n, _ in nouns:
                    a = abs(ix - n % w - ex) + abs(iy - n // w - ey)
                    if a >= r_new:
                        continue
                    for t in helpful:
                        if t != n:
                            r = self._line_gap(n, i, t, e, frozen)
                            if 0 < r < r_new:
                                r_new = r
        hit = self._block_cache[blocks] = (lines, r_new, max(1, len(loose)))
        return hit

    def _helpful_time(self, sharp, d_block: int) -> int:
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
                best = min(best, self._line_start(sharp, movers, d_block) - 1 + r)
        return best

    def _line_start(self, sharp: _Sharp, movers: tuple, d_block: int) -> int:
        """Earliest move that can push one of a line's loose blocks: the line's first push."""
        return min((self._first_push(sharp, b, d_block) for b in movers), default=INF)

    def _open_slots(self, i: int, e: int) -> bool:
        """Can a frozen IS still get a new helpful rule along e (both slots neither border nor frozen)?"""
        slots = (i - e, i + e)
        return not any(c in self.solid or c in self.frozen for c in slots)

    def _line_gap(self, n: int, i: int, t: int, e: int, frozen: set[int]) -> int:
        """Pushes needed before n, i, t stand in a line (i - e, i, i + e); INF if frozen blocks or the border
        make that line impossible. A function of the four numbers alone (frozen is fixed per level), so it
        is memoized: after a push only the lines through a moved block are new."""
        key = (n, i, t, e)
        r = self._line_memo.get(key)
        if r is None:
            r = self._line_memo[key] = self._line_gap_uncached(n, i, t, e, frozen)
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

    def _frozen(self, block_cells: set[int], known: set[int] = frozenset()) -> set[int]:
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

    def _pusher_ends(self, target: int, e: int, noun: int, loose: list[int]) -> list:
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
        key = (engine.width, engine.height, frozenset(fresh.solid), frozenset(fresh.frozen), fresh.simple)
        if key == self._key and len(self._kept._h_cache) < self.MAX_STATES:
            return self._kept
        self._key, self._kept = key, fresh
        return fresh


def _spawns(objects, xforms) -> list[tuple[int, int]]:
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

