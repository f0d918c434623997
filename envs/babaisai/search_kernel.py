"""The solver's exact A* passes, compiled (numba), for levels whose blocks are only nouns, IS, YOU, WIN and
STOP (all 40 BALROG tasks). Why: with the bound compiled (bound_kernel.py), the Python engine moves, state
keys and heap were most of a solve's time.

It is solver._Search, move for move: the same engine rules (engine.py's move procedure, restricted to what
can happen on these levels: no PULL, MOVE, OPEN/SHUT, colours or facing), the same bound, the same heap
order (f, -g, counter), the same budgets and resumption. So it stores and expands the very states the
Python search does (tests/envs compare plans, proofs and state counts, and engine states move by move).

A state is the grid's packed cells in K int64 words per cell (array index word * n + cell), five
11-bit objects per word: word 0 holds the top five objects, so everything that only looks at tops reads
cells[:n] as the Python engine reads its cells. Merging YOU objects can stack many objects in one cell
(nine babas made from walls, on `two_room-make_win-distr_rule` seed 7). A move that would stack more
than 5K objects, or overflow a work buffer, sets the overflow flag; the caller then tries again with
more words, and at last with the Python search (solver.py), which has no limit.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
from numba import njit, types
from numba.core.caching import NullCache
from numba.core.registry import CPUDispatcher
from numba.typed import Dict, List

from envs.babaisai import bound_kernel
from envs.babaisai import vocab as v

MASK, BITS, MOVED = v.CODE_MASK, v.CODE_BITS, v.MOVED_BIT
YOU, WIN, STOP, PUSH, LOSE, MOVE = v.YOU, v.WIN, v.STOP, v.PUSH, v.LOSE, v.MOVE
NOUN0, IS_BLOCK, PROP0, BABA, BORDER = v.NOUN_BLOCK0, v.IS_BLOCK, v.PROP_BLOCK0, v.BABA, v.BORDER
BLOCK_HI = v.COLOUR_BLOCK0 + 5
WORD_BITS = 5 * BITS
WORD_MASK = (1 << WORD_BITS) - 1
DEEPEST = WORD_BITS - BITS            # shift to a word's fifth (deepest) object
DEFAULT_CODE = np.zeros(32, np.int64)  # object kind -> its code with the default colour (transformations)
for _kind, _colour in v.DEFAULT_COLOUR.items():
    DEFAULT_CODE[_kind] = v.code(_kind, _colour)
INF = bound_kernel.INF
DELTA_X = np.array([0, 0, 1, 0, -1], np.int64)   # action index -> dx, dy
DELTA_Y = np.array([0, -1, 0, 1, 0], np.int64)

# Status codes of run().
DONE, GOAL, BUDGET, OVERFLOW = 0, 1, 2, 3
# Scalars kept between run() calls, in one int64 array.
S_NODES, S_HEAP, S_COUNTER, S_FLOOR, S_EXPANDED, S_MAXDEPTH, S_BUDGET, S_PLAN_END, S_OVERFLOW = range(9)


# -- rules ------------------------------------------------------------------------------------------
@njit(cache=True)
def parse_rules(cells, w, scan):
    """rules.parse_rules on these levels, one int64 per rule in parse order: noun kind << 5 | property
    index, or 1 << 10 | noun kind << 5 | other kind for `noun is noun`."""
    out = np.empty(2 * len(scan), np.int64)
    m = 0
    for i in scan:
        if cells[i] & 0x1F != IS_BLOCK:
            continue
        for step in (1, w):
            left, right = cells[i - step] & MASK, cells[i + step] & MASK
            lk, rk = left & 0x1F, right & 0x1F
            if left == 0 or not NOUN0 <= lk < IS_BLOCK or right == 0:
                continue
            noun = lk - NOUN0 + BABA
            if PROP0 <= rk <= PROP0 + 8:
                out[m] = noun << 5 | (rk - PROP0)
                m += 1
            elif NOUN0 <= rk < IS_BLOCK:
                out[m] = 1 << 10 | noun << 5 | (rk - NOUN0 + BABA)
                m += 1
    return out[:m].copy()


@njit(cache=True)
def _rule_set(rules):
    """rules.RuleInfo on these levels: flag table, transformations in rule order, the noun of the last
    `X is you`, and per kind the identities transformations can spawn (sharp._spawned_kinds)."""
    flags = np.zeros(256, np.int64)
    for ident in range(256):
        kind = ident & 0x1F
        if kind == BORDER:
            flags[ident] = STOP
        elif NOUN0 <= kind <= BLOCK_HI:
            flags[ident] = STOP | PUSH
        elif BABA <= kind <= BABA + 4:
            for r in rules:
                if r >> 10 == 0 and (r >> 5) & 0x1F == kind:
                    flags[ident] |= 1 << (r & 0x1F)
    n_x = 0
    for r in rules:
        n_x += r >> 10
    xf_from = np.empty(n_x, np.int64)
    xf_code = np.empty(n_x, np.int64)
    you_noun = -1
    x = 0
    for r in rules:
        if r >> 10:
            xf_from[x], xf_code[x] = (r >> 5) & 0x1F, DEFAULT_CODE[r & 0x1F]
            x += 1
        elif r & 0x1F == 0:
            you_noun = (r >> 5) & 0x1F
    # Spawnable identities per kind: everything reachable through chains of transformations.
    spawn_tab = np.zeros((32, max(1, n_x)), np.int64)
    spawn_n = np.zeros(32, np.int64)
    for kind in range(32):
        todo = [kind]
        while todo:
            k = todo.pop()
            for y in range(n_x):
                if xf_from[y] == k:
                    new = xf_code[y] & 0xFF
                    seen = False
                    for z in range(spawn_n[kind]):
                        seen |= spawn_tab[kind, z] == new
                    if not seen:
                        spawn_tab[kind, spawn_n[kind]] = new
                        spawn_n[kind] += 1
                        todo.append(new & 0x1F)
    return flags, xf_from, xf_code, you_noun, spawn_tab, spawn_n


@njit(cache=True)
def _intern(rs, rules):
    """Index of this rule list in the rule-set table rs, added if new."""
    all_rules = rs[0]
    for idx in range(len(all_rules)):
        known = all_rules[idx]
        if len(known) == len(rules) and np.all(known == rules):
            return idx
    flags, xf_from, xf_code, you_noun, spawn_tab, spawn_n = _rule_set(rules)
    all_rules.append(rules)
    rs[1].append(flags)
    rs[2].append(xf_from)
    rs[3].append(xf_code)
    rs[4].append(you_noun)
    rs[5].append(spawn_tab)
    rs[6].append(spawn_n)
    return len(all_rules) - 1


# -- moves ------------------------------------------------------------------------------------------
@njit(cache=True)
def _push(cells, n, k, i, code):
    """Put an object on top of cell i; False (nothing changed) if its stack is full."""
    if cells[(k - 1) * n + i] >> DEEPEST != 0:
        return False
    for w in range(k - 1, 0, -1):
        j = w * n + i
        cells[j] = ((cells[j] << BITS) & WORD_MASK) | (cells[j - n] >> DEEPEST)
    cells[i] = ((cells[i] << BITS) & WORD_MASK) | code
    return True


@njit(cache=True)
def _pop(cells, n, k, i):
    """Take the top object off cell i."""
    for w in range(k - 1):
        j = w * n + i
        cells[j] = (cells[j] >> BITS) | ((cells[j + n] & MASK) << DEEPEST)
    cells[(k - 1) * n + i] >>= BITS


@njit(types.UniTuple(types.int64, 2)(types.int64[::1], types.int64[::1], types.int64, types.int64,
                                     types.int64[::1], types.int64[::1], types.int64, types.int64), cache=True)
def _move(cells, flags, p, d, touched, ctr, n, k):
    """engine.Engine._move on these levels: (destination, property bits of what was there). ctr[0] counts
    touched cells, ctr[1] is set when a rule block moved, ctr[2] on overflow."""
    f = p + d
    if cells[p] == 0:
        return p, 0
    cf = cells[f]
    if cf != 0 and flags[cf & 0xFF] & PUSH:
        _move(cells, flags, f, d, touched, ctr, n, k)
        if ctr[2]:
            return p, 0
        cf = cells[f]
    dest = f if cf == 0 or not flags[cf & 0xFF] & STOP else p
    target = cells[dest]
    bits = flags[target & 0xFF] if target != 0 else 0
    if dest != p:
        cp = cells[p]
        if cp != 0:
            mover = cp & MASK
            if ctr[0] + 2 > len(touched) or cells[(k - 1) * n + dest] >> DEEPEST != 0:
                ctr[2] = 1
                return dest, bits
            _pop(cells, n, k, p)
            _push(cells, n, k, dest, mover)
            touched[ctr[0]], touched[ctr[0] + 1] = p, dest
            ctr[0] += 2
            if mover & 0x1F >= NOUN0:
                ctr[1] = 1
    return dest, bits


@njit(cache=True)
def _scan_you(cells, flags, scan, you):
    n = 0
    for i in scan:
        if flags[cells[i] & 0xFF] & YOU:
            you[n] = i
            n += 1
    return n


@njit(cache=True)
def play(cells, rule, action, rs, scan, w, work):
    """engine.Engine._move_all on these levels, then the solver's checks: (won, usable, new rule index,
    rule blocks moved). `work` = (you cells, queue, touched, ctr) buffers; ctr[2] is set on overflow,
    ctr[3] holds K, the words per cell."""
    you, queue, touched, ctr = work
    k = ctr[3]
    n = len(cells) // k
    flags = rs[1][rule]
    d = DELTA_X[action] + DELTA_Y[action] * w
    n_you = _scan_you(cells, flags, scan, you)
    ctr[0] = ctr[1] = 0
    queue[:n_you] = you[:n_you]
    qn = n_you
    won = lost = False
    q = 0
    while q < qn:
        i = queue[q]
        q += 1
        c = cells[i]
        if c == 0 or c & MOVED or not flags[c & 0xFF] & YOU:
            continue
        mark = ctr[0]
        dest, bits = _move(cells, flags, i, d, touched, ctr, n, k)
        if ctr[2]:
            return False, False, rule, False
        won, lost = bits & WIN != 0, bits & LOSE != 0
        cd = cells[dest]
        if cd != 0 and (cd & 0xFF) == (c & 0xFF):
            if ctr[0] >= len(touched):
                ctr[2] = 1
                return False, False, rule, False
            cells[dest] = cd | MOVED
            touched[ctr[0]] = dest
            ctr[0] += 1
        # Later cells whose top changed join the queue, in row-major order (engine.py).
        for x in range(mark, ctr[0]):
            t = touched[x]
            if t <= i:
                continue
            present = False
            for y in range(q, qn):
                if queue[y] == t:
                    present = True
                    break
            if present:
                continue
            if qn >= len(queue):
                ctr[2] = 1
                return False, False, rule, False
            pos = q
            while pos < qn and queue[pos] <= t:
                pos += 1
            for y in range(qn, pos, -1):
                queue[y] = queue[y - 1]
            queue[pos] = t
            qn += 1
    dirty = ctr[1] != 0
    changed = False
    if dirty:
        rules = parse_rules(cells, w, scan)
        known = rs[0][rule]
        if len(known) != len(rules) or not np.all(known == rules):
            rule = _intern(rs, rules)
            changed = True
    flags, xf_from, xf_code = rs[1][rule], rs[2][rule], rs[3][rule]
    for x in range(len(xf_from)):
        for i in scan:
            if cells[i] & 0x1F == xf_from[x] and not _push(cells, n, k, i, xf_code[x]):
                ctr[2] = 1
                return False, False, rule, False
    if changed or len(xf_from) > 0:
        for i in scan:
            c = cells[i]
            if c & MOVED and flags[c & 0xFF] & (YOU | MOVE):
                cells[i] = c & ~MOVED
    else:
        for x in range(ctr[0]):
            i = touched[x]
            c = cells[i]
            if c & MOVED and flags[c & 0xFF] & (YOU | MOVE):
                cells[i] = c & ~MOVED
    # BALROG resets the level when no top object of the last `X is you` noun is left (engine.you_reference).
    alive = False
    noun = rs[4][rule]
    if noun >= 0:
        for i in scan:
            c = cells[i]
            if c & 0x1F == noun and flags[c & 0xFF] & YOU:
                alive = True
                break
    return won and alive, not lost and alive, rule, dirty


# -- the bound on a state ---------------------------------------------------------------------------
@njit(cache=True)
def _frozen_blocks(bcell, nb, geo):
    """lines.LineGeometry.frozen_blocks(blocks, the level's frozen blocks): least fixpoint."""
    solid, start = geo[1], geo[2]
    frozen = start.copy()
    w = geo[3]
    changed = True
    while changed:
        changed = False
        for x in range(nb):
            b = bcell[x]
            if frozen[b]:
                continue
            held = True
            for d in (1, -1, w, -w):
                if not (solid[b + d] or frozen[b + d] or solid[b - d] or frozen[b - d]):
                    held = False
                    break
            if held:
                frozen[b] = True
                changed = True
    return frozen


@njit(cache=True)
def _table_index(bcell, bkind, tabs, geo):
    """The layout's line tables (bound_kernel.layout_tables), computed once per block layout."""
    h = np.int64(1469598103934665603)
    for x in range(len(bcell)):
        h = (h ^ (bcell[x] * 64 + bkind[x])) * np.int64(1099511628211)
    index, chain = tabs[0], tabs[1]
    idx = index[h] if h in index else -1
    while idx >= 0:
        known_c, known_k = tabs[2][idx], tabs[3][idx]
        if len(known_c) == len(bcell) and np.all(known_c == bcell) and np.all(known_k == bkind):
            return idx
        idx = chain[idx]
    opts, r_new, tr, you_r, helpful, chains = bound_kernel.layout_tables(geo, bcell, bkind)
    idx = len(tabs[2])
    chain.append(index[h] if h in index else -1)
    index[h] = idx
    tabs[2].append(bcell)
    tabs[3].append(bkind)
    tabs[4].append(opts)
    tabs[5].append(r_new)
    tabs[6].append(tr)
    tabs[7].append(you_r)
    tabs[8].append(helpful)
    tabs[9].append(chains)
    return idx


@njit(cache=True)
def _blocks(cells, scan, n):
    """The rule blocks at any depth (the generator can put one under another), cell by cell in scan order
    and each cell's from the top down: heuristic.Heuristic._layout's blocks. n: cells in the grid."""
    k = len(cells) // n
    count = 0
    for _ in range(2):
        bcell = np.empty(count, np.int64)
        bkind = np.empty(count, np.int64)
        count = 0
        for i in scan:
            for w in range(k):
                c = cells[w * n + i]
                while c:
                    if c & 0x1F >= NOUN0:
                        if count < len(bcell):
                            bcell[count], bkind[count] = i, c & 0x1F
                        count += 1
                    c >>= BITS
    return bcell, bkind


@njit(cache=True)
def state_bound(cells, rule, table, rs, tabs, scan, geo, you):
    """heuristic.Heuristic.__call__ on a simple level: the layout (blocks, objects at any depth but the
    top YOU objects, less those buried under blocks that can never move again), then the bound."""
    flags = rs[1][rule]
    n_you = _scan_you(cells, flags, scan, you)
    ycell = you[:n_you].copy()
    yident = np.empty(n_you, np.int64)
    for x in range(n_you):
        yident[x] = cells[ycell[x]] & 0xFF
    bcell, bkind = tabs[2][table], tabs[3][table]
    # Objects at any depth, except the top YOU objects.
    n = geo[0].shape[0]        # cells in the grid (the distance table's side)
    k = len(cells) // n
    n_obj = 0
    for i in scan:
        for w in range(k):
            c = cells[w * n + i]
            if w == 0 and flags[c & 0xFF] & YOU:
                c >>= BITS
            while c:
                if BABA <= c & 0x1F <= BABA + 4:
                    n_obj += 1
                c >>= BITS
    ocell = np.empty(n_obj, np.int64)
    oident = np.empty(n_obj, np.int64)
    n_obj = 0
    for i in scan:
        for w in range(k):
            c = cells[w * n + i]
            if w == 0 and flags[c & 0xFF] & YOU:
                c >>= BITS
            while c:
                if BABA <= c & 0x1F <= BABA + 4:
                    ocell[n_obj], oident[n_obj] = i, c & 0xFF
                    n_obj += 1
                c >>= BITS
    # heuristic.Heuristic._without_buried: objects on a cell that holds a block that can never move again.
    covered = False
    for x in range(n_obj):
        for y in range(len(bcell)):
            covered |= ocell[x] == bcell[y]
    if covered:
        frozen = _frozen_blocks(bcell, len(bcell), geo)
        keep = 0
        for x in range(n_obj):
            if not frozen[ocell[x]]:
                ocell[keep], oident[keep] = ocell[x], oident[x]
                keep += 1
        ocell, oident = ocell[:keep].copy(), oident[:keep].copy()
    return bound_kernel.bound(geo, bcell, bkind, ocell, oident, tabs[4][table], tabs[5][table], tabs[6][table],
                              tabs[7][table], tabs[8][table], tabs[9][table], ycell, yident, flags, rs[5][rule],
                              rs[6][rule])


# -- the search -------------------------------------------------------------------------------------
@njit(cache=True)
def _hash(cells):
    h = np.int64(1469598103934665603)
    for c in cells:
        h = (h ^ c) * np.int64(1099511628211)
    return h


@njit(cache=True)
def _find(cells, h, nodes, buckets):
    store, nxt = nodes[0], nodes[6]
    mask = len(buckets) - 1
    idx = buckets[h & mask]
    while idx >= 0:
        if nodes[5][idx] == h and np.all(store[idx] == cells):
            return idx
        idx = nxt[idx]
    return -1


@njit(cache=True)
def _heap_push(keys, vals, n, key, val):
    if n >= len(keys):
        bigger_k = np.empty(2 * len(keys), np.int64)
        bigger_v = np.empty(2 * len(keys), np.int64)
        bigger_k[:n], bigger_v[:n] = keys[:n], vals[:n]
        keys, vals = bigger_k, bigger_v
    j = n
    while j > 0:
        parent = (j - 1) >> 1
        if keys[parent] <= key:
            break
        keys[j], vals[j] = keys[parent], vals[parent]
        j = parent
    keys[j], vals[j] = key, val
    return keys, vals, n + 1


@njit(cache=True)
def _heap_pop(keys, vals, n):
    key, val = keys[0], vals[0]
    n -= 1
    last_k, last_v = keys[n], vals[n]
    j = 0
    while True:
        child = 2 * j + 1
        if child >= n:
            break
        if child + 1 < n and keys[child + 1] < keys[child]:
            child += 1
        if keys[child] >= last_k:
            break
        keys[j], vals[j] = keys[child], vals[child]
        j = child
    if n > 0:
        keys[j], vals[j] = last_k, last_v
    return key, val, n


@njit(cache=True)
def _entry(f, g, counter):
    """The heap order of solver._Search, (f, -g, counter), as one int64."""
    return (f << 50) | ((127 - g) << 43) | counter


@njit(cache=True)
def new_search(cells, k, capacity, bucket_count, scan, w, geo):
    """A search from one state: node arrays for `capacity` states (allocated lazily by the OS),
    `bucket_count` hash buckets (a power of two; rehash() for more), the rule-set and layout tables, the
    heap, the scalars. Returns (context, rule index, table index, h of the start state)."""
    n = len(cells) // k
    nodes = (np.empty((capacity, n * k), np.int64), np.empty(capacity, np.int64), np.empty(capacity, np.int64),
             np.empty(capacity, np.int64), np.empty(capacity, np.int64), np.empty(capacity, np.int64),
             np.empty(capacity, np.int64), np.empty(capacity, np.int64))
    # store, g, parent, action, rule, hash, next in bucket, table
    buckets = np.full(bucket_count, -1, np.int64)
    a1, a2 = types.int64[::1], types.int64[:, ::1]
    rs = (List.empty_list(a1), List.empty_list(a1), List.empty_list(a1), List.empty_list(a1),
          List.empty_list(types.int64), List.empty_list(a2), List.empty_list(a1))
    tabs = (Dict.empty(types.int64, types.int64), List.empty_list(types.int64), List.empty_list(a1),
            List.empty_list(a1), List.empty_list(a2), List.empty_list(types.int64), List.empty_list(a2),
            List.empty_list(a1), List.empty_list(a2), List.empty_list(a2))
    work = (np.empty(n, np.int64), np.empty(4 * n + 16, np.int64), np.empty(8 * n + 16, np.int64),
            np.zeros(4, np.int64))
    work[3][3] = k
    sc = np.zeros(9, np.int64)
    rule = _intern(rs, parse_rules(cells, w, scan))
    bcell, bkind = _blocks(cells, scan, n)
    table = _table_index(bcell, bkind, tabs, geo)
    h = state_bound(cells, rule, table, rs, tabs, scan, geo, work[0])
    keys = np.empty(1024, np.int64)
    vals = np.empty(1024, np.int64)
    return (nodes, buckets, rs, tabs, work, sc, keys, vals), rule, table, h


@njit(cache=True)
def rehash(ctx, size):
    """New buckets of `size` (a power of two) for the stored states: for a budget larger than the first."""
    nodes, sc = ctx[0], ctx[5]
    buckets = np.full(size, -1, np.int64)
    for idx in range(sc[S_NODES]):
        slot = nodes[5][idx] & (size - 1)
        nodes[6][idx] = buckets[slot]
        buckets[slot] = idx
    return buckets


@njit(cache=True)
def store_start(ctx, cells, rule, table, h):
    nodes, buckets, _, _, _, sc, keys, vals = ctx
    hh = _hash(cells)
    nodes[0][0] = cells
    nodes[1][0], nodes[2][0], nodes[3][0], nodes[4][0], nodes[5][0] = 0, -1, 0, rule, hh
    nodes[6][0], nodes[7][0] = -1, table
    buckets[hh & (len(buckets) - 1)] = 0
    sc[S_NODES] = 1
    keys[0], vals[0] = _entry(h, 0, 0), 0
    sc[S_HEAP] = 1


@njit(cache=True)
def _offer(nodes, buckets, rs, tabs, work, sc, keys, vals, parent, g, action, won, child, rule, table, scan,
           geo):
    """solver._Search.offer: BUDGET if the state would be stored past the budget, else DONE."""
    if g > sc[S_MAXDEPTH]:
        return DONE, keys, vals
    if won:
        sc[S_COUNTER] += 1
        keys, vals, sc[S_HEAP] = _heap_push(keys, vals, sc[S_HEAP], _entry(g, g, sc[S_COUNTER]),
                                            -(1 + parent * 8 + action))
        return DONE, keys, vals
    hh = _hash(child)
    old = _find(child, hh, nodes, buckets)
    if old >= 0 and nodes[1][old] <= g:
        return DONE, keys, vals
    h = state_bound(child, rule, table, rs, tabs, scan, geo, work[0])
    if g + h > sc[S_MAXDEPTH]:
        return DONE, keys, vals
    if sc[S_NODES] >= sc[S_BUDGET]:     # as in solver.py, even for a state stored before
        return BUDGET, keys, vals
    if old < 0:
        old = sc[S_NODES]
        sc[S_NODES] += 1
        nodes[0][old] = child
        nodes[5][old] = hh
        slot = hh & (len(buckets) - 1)
        nodes[6][old] = buckets[slot]
        buckets[slot] = old
    nodes[1][old], nodes[2][old], nodes[3][old], nodes[4][old], nodes[7][old] = g, parent, action, rule, table
    sc[S_COUNTER] += 1
    keys, vals, sc[S_HEAP] = _heap_push(keys, vals, sc[S_HEAP], _entry(g + h, g, sc[S_COUNTER]), old)
    return DONE, keys, vals


@njit(cache=True)
def run(ctx, scan, w, geo):
    """solver._Search.run: pops until a goal (GOAL; the goal entry in sc[S_PLAN_END]), an empty heap or an
    f above the depth cap (DONE), a full budget (BUDGET: the node goes back on the heap, the search can be
    resumed) or an overflow (OVERFLOW: use the Python search). Returns (status, keys, vals)."""
    nodes, buckets, rs, tabs, work, sc, keys, vals = ctx
    store = nodes[0]
    child = np.empty(store.shape[1], np.int64)
    sc[S_EXPANDED] = 0
    while sc[S_HEAP] > 0:
        key, val, sc[S_HEAP] = _heap_pop(keys, vals, sc[S_HEAP])
        f = key >> 50
        g = 127 - ((key >> 43) & 0x7F)
        if f > sc[S_MAXDEPTH]:
            break
        if val < 0:
            sc[S_PLAN_END] = val
            return GOAL, keys, vals
        if nodes[1][val] != g:
            continue
        sc[S_FLOOR] = max(sc[S_FLOOR], f)
        sc[S_EXPANDED] += 1
        for action in range(1, 5):
            child[:] = store[val]
            won, usable, rule, dirty = play(child, nodes[4][val], action, rs, scan, w, work)
            if work[3][2]:
                sc[S_OVERFLOW] = 1
                return OVERFLOW, keys, vals
            if not usable:
                continue
            # No rule block moved: the parent's block layout (and its line tables) still holds.
            table = nodes[7][val]
            if dirty:
                bcell, bkind = _blocks(child, scan, len(geo[0]))
                table = _table_index(bcell, bkind, tabs, geo)
            status, keys, vals = _offer(nodes, buckets, rs, tabs, work, sc, keys, vals, val, g + 1, action,
                                        won, child, rule, table, scan, geo)
            if status == BUDGET:
                keys, vals, sc[S_HEAP] = _heap_push(keys, vals, sc[S_HEAP], key, val)
                return BUDGET, keys, vals
    return DONE, keys, vals


@njit(cache=True)
def plan_to(ctx, end):
    """The actions from the start to a goal entry (sc[S_PLAN_END])."""
    nodes = ctx[0]
    code = -end - 1
    node, last = code // 8, code % 8
    n = 1
    x = node
    while nodes[2][x] >= 0:
        n += 1
        x = nodes[2][x]
    out = np.empty(n, np.int64)
    out[n - 1] = last
    x, j = node, n - 2
    while nodes[2][x] >= 0:
        out[j] = nodes[3][x]
        x = nodes[2][x]
        j -= 1
    return out


def _stale_with_bound_kernel() -> None:
    """numba stamps a function's disk cache with its own file's hash only, yet the compiled code of these
    functions contains bound_kernel's: add that file's hash to their stamps, so that an edit of either
    file recompiles them. If numba's cache internals ever differ, keep no disk cache for them rather
    than risk running stale code."""
    bound_hash = hashlib.sha256(Path(bound_kernel.__file__).read_bytes()).hexdigest()
    for value in list(globals().values()):
        if not isinstance(value, CPUDispatcher):
            continue
        cache_file = getattr(getattr(value, "_cache", None), "_cache_file", None)
        if cache_file is not None and hasattr(cache_file, "_source_stamp"):
            cache_file._source_stamp = (cache_file._source_stamp, bound_hash)
        else:
            value._cache = NullCache()


_stale_with_bound_kernel()
