"""The solver's exact A* passes compiled (numba), for levels whose blocks are only nouns, IS, YOU, WIN and STOP
(all 40 BALROG tasks). Why: with the bound compiled, the Python engine moves, state keys and heap were
most of a solve's time.

It is solver._Search, move for move: the compiled engine (engine_kernel.py), the compiled bound on the
state's layout (layout_kernel.py), and the same heap order (f, -g, counter), budgets and resumption. So it
stores and expands the very states the Python search does (tests/envs compare plans, proofs and state
counts). fast_search.py puts it behind _Search's interface.

The context `ctx` = (nodes, buckets, rs, tabs, work, sc, heap keys, heap values): node arrays (cells,
g, parent, action, rule set, hash, next in bucket, layout table), hash buckets, the rule-set and layout
tables, work buffers, the scalars below, and the heap, which run() may reallocate (it returns it).
"""

from __future__ import annotations

import numpy as np
from numba import types
from numba.typed import Dict, List

from envs.babaisai.engine_kernel import intern_rules, parse_rules, play
from envs.babaisai.guide_kernel import estimate
from envs.babaisai.jit import kernel
from envs.babaisai.layout_kernel import blocks_of, state_bound, table_index
from envs.babaisai.lines import INF

# Status codes of run().
DONE, GOAL, BUDGET, OVERFLOW = 0, 1, 2, 3
# Scalars kept between run() calls, in one int64 array. S_WEIGHT: 0 for an exact pass (the admissible
# bound, f = g + h, pruned at the depth cap), else the guided pass's weight on guide_kernel's estimate.
S_NODES, S_HEAP, S_COUNTER, S_FLOOR, S_EXPANDED, S_MAXDEPTH, S_BUDGET, S_PLAN_END, S_WEIGHT = range(9)


@kernel()
def _hash(cells):
    h = np.int64(1469598103934665603)
    for c in cells:
        h = (h ^ c) * np.int64(1099511628211)
    return h


@kernel()
def _find(cells, h, nodes, buckets):
    store, nxt = nodes[0], nodes[6]
    mask = len(buckets) - 1
    idx = buckets[h & mask]
    while idx >= 0:
        if nodes[5][idx] == h and np.all(store[idx] == cells):
            return idx
        idx = nxt[idx]
    return -1


@kernel()
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


@kernel()
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


@kernel()
def _fkey(f):
    """f as heap-key bits, order kept: finite f is small; the guided pass's f of an estimate of INF (the
    start's INF, or g + weight * INF) goes above every finite one, ordered among themselves by g."""
    if f < 4096:
        return f
    if f < 2 * INF:
        return 4096 + min(f - INF, 127)
    return 4096 + 128 + min(f % INF, 127)


@kernel()
def _entry(f, g, counter):
    """The heap order of solver._Search, (f, -g, counter), as one int64."""
    return (f << 50) | ((127 - g) << 43) | counter


@kernel()
def new_search(cells, k, capacity, bucket_count, scan, w, geo, weight):
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
    sc[S_WEIGHT] = weight
    rule = intern_rules(rs, parse_rules(cells, w, scan))
    bcell, bkind = blocks_of(cells, scan, n)
    table = table_index(bcell, bkind, tabs, geo)
    if weight:
        h = estimate(cells, rs[1][rule], scan, w, geo[0])
    else:
        h = state_bound(cells, rule, table, rs, tabs, scan, geo, work[0])
    keys = np.empty(1024, np.int64)
    vals = np.empty(1024, np.int64)
    return (nodes, buckets, rs, tabs, work, sc, keys, vals), rule, table, h


@kernel()
def rehash(ctx, size):
    """New buckets of `size` (a power of two) for the stored states: for a budget larger than the first."""
    nodes, sc = ctx[0], ctx[5]
    buckets = np.full(size, -1, np.int64)
    for idx in range(sc[S_NODES]):
        slot = nodes[5][idx] & (size - 1)
        nodes[6][idx] = buckets[slot]
        buckets[slot] = idx
    return buckets


@kernel()
def store_start(ctx, cells, rule, table, h):
    nodes, buckets, _, _, _, sc, keys, vals = ctx
    hh = _hash(cells)
    nodes[0][0] = cells
    nodes[1][0], nodes[2][0], nodes[3][0], nodes[4][0], nodes[5][0] = 0, -1, 0, rule, hh
    nodes[6][0], nodes[7][0] = -1, table
    buckets[hh & (len(buckets) - 1)] = 0
    sc[S_NODES] = 1
    keys[0], vals[0] = _entry(_fkey(h), 0, 0), 0
    sc[S_HEAP] = 1


@kernel()
def path_length(cells, cells_hash, hint):
    """The fewest moves by which the solve behind `hint` reached this state, or -1. hint = (L, nodes and
    buckets of that solve's exact pass, of its guided pass)."""
    best = INF
    for nodes, buckets in ((hint[1], hint[2]), (hint[3], hint[4])):
        if len(buckets) and nodes[0].shape[1] == len(cells):
            idx = _find(cells, cells_hash, nodes, buckets)
            if idx >= 0:
                best = min(best, nodes[1][idx])
    return -1 if best >= INF else best


@kernel()
def hinted(cells, cells_hash, h, hint):
    """solver._Search.hinted: a state the hint's solve reached in g moves needs at least L - g (L = 0: no
    hint)."""
    if hint[0] <= 0:
        return h
    g = path_length(cells, cells_hash, hint)
    return h if g < 0 else max(h, hint[0] - g)


@kernel()
def _offer(nodes, buckets, rs, tabs, work, sc, keys, vals, parent, g, action, won, child, rule, table, scan,
           geo, hint):
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
    weight = sc[S_WEIGHT]
    if weight:
        f = g + weight * estimate(child, rs[1][rule], scan, geo[3], geo[0])
    else:
        f = g + hinted(child, hh, state_bound(child, rule, table, rs, tabs, scan, geo, work[0]), hint)
        if f > sc[S_MAXDEPTH]:
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
    keys, vals, sc[S_HEAP] = _heap_push(keys, vals, sc[S_HEAP], _entry(_fkey(f), g, sc[S_COUNTER]), old)
    return DONE, keys, vals


@kernel()
def run(ctx, scan, w, geo, hint):
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
        if not sc[S_WEIGHT] and f > sc[S_MAXDEPTH]:
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
                return OVERFLOW, keys, vals
            if not usable:
                continue
            # No rule block moved: the parent's block layout (and its line tables) still holds.
            table = nodes[7][val]
            if dirty and not sc[S_WEIGHT]:     # the guide needs no layout tables
                bcell, bkind = blocks_of(child, scan, len(geo[0]))
                table = table_index(bcell, bkind, tabs, geo)
            status, keys, vals = _offer(nodes, buckets, rs, tabs, work, sc, keys, vals, val, g + 1, action,
                                        won, child, rule, table, scan, geo, hint)
            if status == BUDGET:
                keys, vals, sc[S_HEAP] = _heap_push(keys, vals, sc[S_HEAP], key, val)
                return BUDGET, keys, vals
    return DONE, keys, vals


@kernel()
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
