"""The bound of heuristic.py, compiled (numba), for levels whose blocks are only nouns, IS, YOU, WIN and STOP
(all 40 BALROG tasks): `Heuristic._bound` and the sharp terms of sharp.py, term for term, value for value
(tests/envs check this against the Python bound state by state). Why compiled: in Python the bound was
about 80% of a solve's time per state (docs/babaisai.md).

Per call: the layout's blocks and objects, its tables (lines_kernel.layout_tables), the rule list's flag
table and spawnable kinds, and the state's YOU cells and identities. The rest of the Python version's
caches are not needed: it is recomputed per call, in a few microseconds.
"""

from __future__ import annotations

import numpy as np

from envs.babaisai import vocab as v
from envs.babaisai.jit import A1, A2, GEO, I, kernel
from envs.babaisai.lines import INF
from envs.babaisai.lines_kernel import KINDS, nearest

NOUN0, BABA = v.NOUN_BLOCK0, v.BABA
YOU_BIT, WIN_BIT = v.YOU, v.WIN
OBJECT_LO, OBJECT_HI = v.BABA, v.FDOOR


@kernel(I(A1, A1, I, A2, A1, A1, A1, I))
def _spawn_into(cells, idents, count, spawn_tab, spawn_n, out_cell, out_ident, m):
    """sharp.spawns: for each object, the identities the transformations in force can turn it into."""
    for j in range(count):
        k = idents[j] & 0x1F
        for s in range(spawn_n[k]):
            out_cell[m], out_ident[m] = cells[j], spawn_tab[k, s]
            m += 1
    return m


@kernel(I(I, I, A1, A1, I, I, A1, A2, A1, GEO))
def _first_push(n, d_block, ocell, oty, n_static, n_objs, row_of, chains, memo, geo):
    """sharp.SharpTerms.first_push. row_of: cell -> block row; chains: the layout's chain waits per block
    row (_chain_table); memo: per state, by block row, -1 = not yet."""
    row = row_of[n]
    if memo[row] >= 0:
        return memo[row]
    dist = geo[0]
    reach = INF
    for j in range(n_static):
        if oty[j] < INF:
            reach = min(reach, oty[j] + dist[ocell[j], n])
    for j in range(n_static, n_objs):
        reach = min(reach, dist[ocell[j], n])
    best = reach
    waits = chains[row]
    for k in range(2, len(waits)):
        wait = waits[k]
        if wait >= INF:
            continue
        if d_block + wait >= best:
            break
        if reach - k + 1 < best:
            best = max(reach - k + 1, d_block + wait)
    result = max(d_block, best)
    memo[row] = result
    return result


@kernel(I(A1, I, I, A1, A1, I, I, A1, A2, A1, GEO))
def _line_start(movers, count, d_block, ocell, oty, n_static, n_objs, row_of, chains, memo, geo):
    best = INF
    for x in range(count):
        best = min(best, _first_push(movers[x], d_block, ocell, oty, n_static, n_objs, row_of, chains,
                                     memo, geo))
    return best


@kernel(I(I, A2, I, I, I, A1, A1, A1, I, I, A2, A1, A2, A1, GEO))
def _kind_bound(kind, opts, lo, hi, d_block, ocell, okind, oty, n_static, n_objs, turn, row_of, chains,
                memo, geo):
    """sharp.SharpTerms.kind_bound for the options rows opts[lo:hi] of one kind."""
    dist = geo[0]
    line = 0
    if opts[lo, 4] > 0:
        line = INF
        for j in range(lo, hi):
            r = opts[j, 4]
            if d_block + r >= line:
                break
            line = min(line, _line_start(opts[j, 8:], opts[j, 7], d_block, ocell, oty, n_static, n_objs,
                                         row_of, chains, memo, geo) + r)
    x_kind = kind - NOUN0 + BABA
    # Would-be X objects: (index, cell, earliest time, YOU time).
    xs_j = np.empty(n_objs, np.int64)
    xs_t = np.empty(n_objs, np.int64)
    n_xs = 0
    for j in range(n_objs):
        k = okind[j]
        if k == x_kind:
            xs_j[n_xs], xs_t[n_xs] = j, 0
            n_xs += 1
        elif turn[k, x_kind] < INF:
            xs_j[n_xs], xs_t[n_xs] = j, turn[k, x_kind]
            n_xs += 1
    n_static_xs = 0
    while n_static_xs < n_xs and xs_j[n_static_xs] < n_static:
        n_static_xs += 1
    # Static would-be YOU objects meeting static would-be X objects (sharp._meet).
    meet = INF
    for j in range(n_static):
        ty = oty[j]
        if ty >= meet:
            continue
        for q in range(n_static_xs):
            jx = xs_j[q]
            if jx != j:
                meet = min(meet, max(ty + 1, xs_t[q] + 1, min(ty, oty[jx]) + dist[ocell[j], ocell[jx]]))
    # YOU objects (time 0) meeting static would-be X objects.
    for j in range(n_static, n_objs):
        m = INF
        for q in range(n_static_xs):
            m = min(m, max(xs_t[q] + 1, dist[ocell[j], ocell[xs_j[q]]]))
        meet = min(meet, m)
    for q in range(n_static_xs, n_xs):
        jx, tx = xs_j[q], xs_t[q]
        cx = ocell[jx]
        if tx + 1 >= meet:
            continue
        from_static = INF
        for j in range(n_static):
            if oty[j] < INF:
                from_static = min(from_static, max(oty[j] + 1, dist[ocell[j], cx]))
        meet = min(meet, max(tx + 1, from_static))
        for j in range(n_static, n_objs):
            if j != jx:
                meet = min(meet, max(tx + 1, dist[ocell[j], cx]))
                if meet <= tx + 1:
                    break
    return max(line, meet)


@kernel(I(A2, I, I, A1, A1, I, I, I, A1, A1, I, I, A1, I, A1, A2, A1, GEO))
def _walk(opts, lo, hi, yous, targets, n_t, d_block, chain, ocell, oty, n_static, n_objs, loose, n_loose,
          row_of, chains, memo, geo):
    """heuristic.Heuristic._walk (one YOU): the last push of the noun, then the walk to an X object."""
    dist, solid, w = geo[0], geo[1], geo[3]
    walk = INF
    one = np.empty(1, np.int64)
    for j in range(lo, hi):
        n, i, e, r, corner, has_ends = opts[j, 1], opts[j, 2], opts[j, 3], opts[j, 4], opts[j, 5], opts[j, 6]
        if d_block + r >= walk:
            break
        if not has_ends:
            first = _line_start(opts[j, 8:], opts[j, 7], d_block, ocell, oty, n_static, n_objs, row_of, chains,
                                memo, geo)
            walk = min(walk, first + r)
            continue
        one[0] = n
        first = max(d_block, nearest(dist, yous, 1, one, 1) - chain + 1)
        first = max(first, _first_push(n, d_block, ocell, oty, n_static, n_objs, row_of, chains, memo, geo))
        # lines.LineGeometry.pusher_ends(i - e, e, n, loose), walked straight into the minimum.
        target = i - e
        if solid[target]:
            continue
        n_others = 0
        for x in range(n_loose):
            if loose[x] != n:
                n_others += 1
        for d in ((e, w, -w) if e == 1 else (e, 1, -1)):
            cells = np.empty(n_others + 1, np.int64)
            length = 0
            cell = target - d
            while not solid[cell] and length <= n_others:
                cells[length] = cell
                length += 1
                cell -= d
            if length == 0:
                continue
            post = max(1, nearest(dist, cells, 1, targets, n_t))
            walk = min(walk, max(first + r - 1 + corner, d_block - 1 + max(r, 0)) + post)
            if length > 1 and n_others > 0:
                behind = target - d
                later = INF
                for x in range(n_loose):
                    b = loose[x]
                    if b != n:
                        later = min(later, abs(b % w - behind % w) + abs(b // w - behind // w))
                post = max(1, nearest(dist, cells[1:length], length - 1, targets, n_t))
                walk = min(walk, max(first + r - 1 + corner, d_block - 1 + max(r, later)) + post)
    return walk


@kernel(I(GEO, A1, A1, A1, A1, A2, I, A2, A1, A2, A2, A1, A1, A1, A2, A1))
def bound(geo, bcell, bkind, ocell_l, oident_l, opts, r_new, tr, you_r, helpful, chains, ycell, yident, flags,
          spawn_tab, spawn_n):
    """heuristic.Heuristic._bound on a simple level (its sharp terms included), given the layout's blocks
    and objects and its `layout_tables`."""
    dist, frozen = geo[0], geo[2]
    nb, nl, ny = len(bcell), len(ocell_l), len(ycell)
    # Every object: the layout's, the YOU objects', then (transformations) what they can spawn.
    cap = (nl + ny) * (1 + spawn_tab.shape[1])
    ocell = np.empty(cap, np.int64)
    oident = np.empty(cap, np.int64)
    ocell[:nl], oident[:nl] = ocell_l, oident_l
    ocell[nl:nl + ny], oident[nl:nl + ny] = ycell, yident
    n_all = _spawn_into(ocell_l, oident_l, nl, spawn_tab, spawn_n, ocell, oident, nl + ny)
    n_all = _spawn_into(ycell, yident, ny, spawn_tab, spawn_n, ocell, oident, n_all)
    yous = np.empty(n_all, np.int64)
    wins = np.empty(n_all, np.int64)
    n_yous = n_wins = 0
    for j in range(n_all):
        bits = flags[oident[j]]
        if bits & YOU_BIT:
            yous[n_yous] = ocell[j]
            n_yous += 1
        if bits & WIN_BIT:
            wins[n_wins] = ocell[j]
            n_wins += 1
    if n_yous == 0:
        return INF
    best = nearest(dist, yous, n_yous, wins, n_wins)
    d_block = nearest(dist, yous, n_yous, bcell, nb)
    if d_block >= INF:
        return max(1, best)
    n_loose = 0
    loose = np.empty(nb, np.int64)
    for x in range(nb):
        if not frozen[bcell[x]]:
            loose[n_loose] = bcell[x]
            n_loose += 1
    chain = max(1, n_loose)
    helpful_first = d_block - 1 + r_new

    # sharp.SharpTerms.setup / _static: per object, the earliest move after which it can move as a YOU.
    # Only object kinds can be turned into one another (tr is INF elsewhere).
    turn = np.full((KINDS, KINDS), INF, np.int64)
    for a in range(OBJECT_LO, OBJECT_HI + 1):
        for b in range(OBJECT_LO, OBJECT_HI + 1):
            if b != a and tr[a, b] < INF:
                turn[a, b] = d_block - 1 + tr[a, b]
    for c in range(OBJECT_LO, OBJECT_HI + 1):
        for a in range(OBJECT_LO, OBJECT_HI + 1):
            ac = turn[a, c]
            if ac >= INF:
                continue
            for b in range(OBJECT_LO, OBJECT_HI + 1):
                if b != a and turn[c, b] < INF and max(ac, turn[c, b]) < turn[a, b]:
                    turn[a, b] = max(ac, turn[c, b])
    you_now = np.zeros(KINDS, np.bool_)
    for k in range(OBJECT_LO, OBJECT_HI + 1):
        for col in range(8):
            if flags[(col << 5) | k] & YOU_BIT:
                you_now[k] = True
    t_you = np.empty(KINDS, np.int64)
    for k in range(OBJECT_LO, KINDS):
        t_you[k] = 0 if you_now[k] else d_block - 1 + you_r[k]
    # Static objects (the layout's and their spawns) first, then the YOU objects and theirs (time 0).
    scell = np.empty(cap, np.int64)
    sident = np.empty(cap, np.int64)
    scell[:nl], sident[:nl] = ocell_l, oident_l
    n_static = _spawn_into(ocell_l, oident_l, nl, spawn_tab, spawn_n, scell, sident, nl)
    for j in range(ny):
        scell[n_static + j], sident[n_static + j] = ycell[j], yident[j]
    n_objs = _spawn_into(ycell, yident, ny, spawn_tab, spawn_n, scell, sident, n_static + ny)
    okind = np.empty(n_objs, np.int64)
    oty = np.empty(n_objs, np.int64)
    present = np.zeros(KINDS, np.bool_)
    for j in range(n_objs):
        k = sident[j] & 0x1F
        okind[j] = k
        present[k] = True
        if j >= n_static:
            oty[j] = 0
            continue
        ty = t_you[k]
        for other in range(OBJECT_LO, OBJECT_HI + 1):
            t = turn[k, other]
            if t < INF:
                ty = min(ty, max(t, t_you[other]))
        oty[j] = ty
    memo = np.full(nb, -1, np.int64)
    row_of = np.empty(len(dist), np.int64)     # only block cells are ever looked up
    for x in range(nb):
        row_of[bcell[x]] = x
    # sharp.SharpTerms.helpful_time
    h_time = INF
    for row in range(len(helpful)):
        r, a = helpful[row, 0], helpful[row, 1]
        if d_block - 1 + r >= h_time:
            break
        if present[a]:
            h_time = min(h_time, _line_start(helpful[row, 3:], helpful[row, 2], d_block, scell, oty, n_static,
                                             n_objs, row_of, chains, memo, geo) - 1 + r)
    helpful_first = max(helpful_first, h_time)

    # Per kind (the kinds' option rows are grouped): the walk term, then the sharp per-kind term.
    n_opts = len(opts)
    kinds = np.empty(n_opts, np.int64)
    bounds = np.empty(n_opts, np.int64)
    starts = np.empty(n_opts + 1, np.int64)
    n_kinds = 0
    j = 0
    targets = np.empty(n_all, np.int64)
    while j < n_opts:
        kind = opts[j, 0]
        lo = j
        while j < n_opts and opts[j, 0] == kind:
            j += 1
        r_min = opts[lo, 4]
        if r_min == 0:
            b = d_block + 1
        else:
            b = d_block + r_min
            x_kind = kind - NOUN0 + BABA
            n_t = 0
            for q in range(n_all):
                if oident[q] & 0x1F == x_kind:
                    targets[n_t] = ocell[q]
                    n_t += 1
            if n_t == 0 or helpful_first + 1 > b:
                case2 = INF
                if n_t > 0:
                    case2 = max(b, nearest(dist, yous, n_yous, targets, n_t))
                    if n_yous == 1:
                        case2 = max(case2, _walk(opts, lo, j, yous, targets, n_t, d_block, chain, scell, oty,
                                                 n_static, n_objs, loose, n_loose, row_of, chains, memo, geo))
                b = max(b, min(case2, helpful_first + 1))
        kinds[n_kinds], bounds[n_kinds], starts[n_kinds] = kind, b, lo
        n_kinds += 1
    starts[n_kinds] = n_opts
    order = np.argsort(bounds[:n_kinds], kind="mergesort")
    for q in order:
        b = bounds[q]
        if b >= best:
            break
        b = max(b, _kind_bound(kinds[q], opts, starts[q], starts[q + 1], d_block, scell, okind, oty, n_static,
                               n_objs, turn, row_of, chains, memo, geo))
        best = min(best, b)
    return max(1, best)
