"""The per-layout half of the compiled bound (lines.py's LineGeometry and sharp.py's push chains, compiled
with numba): for a block layout, where `X is WIN` lines can stand and how many pushes they need, R_new,
the rule gaps the sharp terms start from, and the chain waits of every loose block. They depend on the
block layout alone, so callers compute them once per layout (`layout_tables`).

Arrays instead of dicts and tuples (jit.py's types): `geo` = (dist, solid, frozen, width, last_x, last_y)
per level; blocks as (cells, kinds). Term for term the Python code, value for value (tests/envs).
"""

from __future__ import annotations

import numpy as np

from envs.babaisai import vocab as v
from envs.babaisai.jit import A1, A2, B1, GEO, I, kernel, types
from envs.babaisai.lines import _HELPFUL, INF, WIN_BLOCK, YOU_BLOCK

NOUN0, IS_BLOCK, BABA = v.NOUN_BLOCK0, v.IS_BLOCK, v.BABA
KINDS = v.FDOOR + 1                  # object kinds are 2..6: tables indexed by them need no more rows
HELPFUL = np.zeros(32, np.bool_)     # block kinds that can end a helpful rule (lines._HELPFUL)
for _k in _HELPFUL:
    HELPFUL[_k] = True


@kernel(I(A2, A1, I, A1, I))
def nearest(dist, a, na, b, nb):
    best = INF
    for x in range(na):
        p = a[x]
        for y in range(nb):
            d = dist[p, b[y]]
            if d < best:
                best = d
    return best


@kernel(I(I, I, I, I, I))
def _gap(n, i, t, e, w):
    nx, ny, ix, iy, tx, ty = n % w, n // w, i % w, i // w, t % w, t // w
    ex, ey = (1, 0) if e == 1 else (0, 1)
    return max(abs(ix - nx - ex) + abs(iy - ny - ey), abs(tx - ix - ex) + abs(ty - iy - ey),
               abs(tx - nx - 2 * ex) + abs(ty - ny - 2 * ey))


@kernel(I(I, I, I, I, GEO))
def _line_gap(n, i, t, e, geo):
    """lines.LineGeometry.line_gap."""
    dist, solid, frozen, w, last_x, last_y = geo
    if frozen[n] and frozen[i] and i - n != e:
        return INF
    if frozen[i] and frozen[t] and t - i != e:
        return INF
    if frozen[n] and frozen[t] and t - n != 2 * e:
        return INF
    if frozen[i]:
        s = i - e
        if solid[s] or (frozen[s] and s != n):
            return INF
        s = i + e
        if solid[s] or (frozen[s] and s != t):
            return INF
    gap = _gap(n, i, t, e, w)
    ex, ey = (1, 0) if e == 1 else (0, 1)
    px = py = 0
    have_x = have_y = False
    for k in range(3):
        b = n if k == 0 else (i if k == 1 else t)
        bx, by = b % w, b // w
        still = frozen[b]
        if still or bx == 1 or bx == last_x:
            if have_x and px != bx - k * ex:
                return INF
            px, have_x = bx - k * ex, True
        if still or by == 1 or by == last_y:
            if have_y and py != by - k * ey:
                return INF
            py, have_y = by - k * ey, True
    if have_x and (px < 1 or px + 2 * ex > last_x):
        return INF
    if have_y and (py < 1 or py + 2 * ey > last_y):
        return INF
    if not have_x or not have_y:
        return gap
    p = py * w + px
    for k in range(3):
        b = n if k == 0 else (i if k == 1 else t)
        c = p + k * e
        if frozen[c] and c != b:
            return INF
    return max(gap, dist[n, p], dist[i, p + e], dist[t, p + 2 * e])


@kernel()
def _line_blocks(bkind, tail):
    """How many noun blocks, IS blocks and `tail` blocks the layout has: the sizes of the line tables."""
    n_nouns = n_is = n_tail = 0
    for k in bkind:
        n_nouns += NOUN0 <= k < IS_BLOCK
        n_is += k == IS_BLOCK
        n_tail += k == tail
    return n_nouns, n_is, n_tail


@kernel(types.Tuple((A2, A1, A2))(A1, A1, GEO))
def _rule_gaps(bcell, bkind, geo):
    """lines.LineGeometry.rule_gaps: tr[a, b] (INF: none), you_r[a], and the helpful lines not yet
    standing as rows (R, A kind, mover count, movers...), fewest R first."""
    frozen, w = geo[2], geo[3]
    nb = len(bcell)
    tr = np.full((KINDS, KINDS), INF, np.int64)
    you_r = np.full(KINDS, INF, np.int64)
    n_nouns, n_is, n_you = _line_blocks(bkind, YOU_BLOCK)
    rows = np.empty((n_nouns * n_is * 2 * (n_nouns + n_you), 6), np.int64)
    m = 0
    for x in range(nb):
        if not NOUN0 <= bkind[x] < IS_BLOCK:
            continue
        n, a = bcell[x], bkind[x] - NOUN0 + BABA
        for y in range(nb):
            if bkind[y] != IS_BLOCK:
                continue
            i = bcell[y]
            for e in (1, w):
                for z in range(nb):
                    kz = bkind[z]
                    if NOUN0 <= kz < IS_BLOCK:
                        b = kz - NOUN0 + BABA
                        if b == a:
                            continue
                        r = _line_gap(n, i, bcell[z], e, geo)
                        if r < tr[a, b]:
                            tr[a, b] = r
                    elif kz == YOU_BLOCK:
                        r = _line_gap(n, i, bcell[z], e, geo)
                        if r < you_r[a]:
                            you_r[a] = r
                    else:
                        continue
                    if 0 < r < INF:
                        rows[m, 0], rows[m, 1], rows[m, 2] = r, a, 0
                        for c in (n, i, bcell[z]):
                            if not frozen[c]:
                                rows[m, 3 + rows[m, 2]] = c
                                rows[m, 2] += 1
                        m += 1
    rows = rows[:m]
    order = np.argsort(rows[:, 0], kind="mergesort")
    return tr, you_r, rows[order]


@kernel(A2(A1, A1, GEO))
def _win_options(bcell, bkind, geo):
    """lines.LineGeometry._win_options, one row per option: (kind, noun cell, IS cell, e, R, corner,
    has ends, mover count, movers...), grouped by kind in order of first appearance, fewest R first
    within a kind (stable)."""
    frozen, w = geo[2], geo[3]
    nb = len(bcell)
    n_nouns, n_is, n_win = _line_blocks(bkind, WIN_BLOCK)
    rows = np.empty((n_nouns * n_is * 2 * n_win, 11), np.int64)
    m = 0
    for x in range(nb):
        if not NOUN0 <= bkind[x] < IS_BLOCK:
            continue
        n, kind = bcell[x], bkind[x]
        for y in range(nb):
            if bkind[y] != IS_BLOCK:
                continue
            i = bcell[y]
            for e in (1, w):
                for z in range(nb):
                    if bkind[z] != WIN_BLOCK:
                        continue
                    t = bcell[z]
                    r = _line_gap(n, i, t, e, geo)
                    if r >= INF:
                        continue
                    has_ends, corner = 0, 0
                    if r > 0 and frozen[i] and frozen[t]:
                        has_ends = 1
                        if n % w != (i - e) % w and n // w != (i - e) // w:
                            corner = 2
                    rows[m, 0], rows[m, 1], rows[m, 2], rows[m, 3] = kind, n, i, e
                    rows[m, 4], rows[m, 5], rows[m, 6], rows[m, 7] = r, corner, has_ends, 0
                    for c in (n, i, t):
                        if not frozen[c]:
                            rows[m, 8 + rows[m, 7]] = c
                            rows[m, 7] += 1
                    m += 1
    rows = rows[:m]
    # Group by kind in order of first appearance, then by R (both stable).
    first = np.full(32, -1, np.int64)
    for j in range(m):
        if first[rows[j, 0]] < 0:
            first[rows[j, 0]] = j
    keys = np.empty(m, np.int64)
    for j in range(m):
        keys[j] = first[rows[j, 0]] * 1024 + rows[j, 4]
    order = np.argsort(keys, kind="mergesort")
    return rows[order]


@kernel(I(A1, A1, GEO))
def _helpful_gap(bcell, bkind, geo):
    """lines.LineGeometry._helpful_gap: R_new."""
    solid, frozen, w = geo[1], geo[2], geo[3]
    nb = len(bcell)
    r_new = INF
    for y in range(nb):
        if bkind[y] != IS_BLOCK:
            continue
        i = bcell[y]
        for e in (1, w):
            if frozen[i] and (solid[i - e] or frozen[i - e] or solid[i + e] or frozen[i + e]):
                continue
            ix, iy = i % w, i // w
            ex, ey = (1, 0) if e == 1 else (0, 1)
            for x in range(nb):
                if not NOUN0 <= bkind[x] < IS_BLOCK:
                    continue
                n = bcell[x]
                a = abs(ix - n % w - ex) + abs(iy - n // w - ey)
                if a >= r_new:
                    continue
                for z in range(nb):
                    t = bcell[z]
                    if HELPFUL[bkind[z]] and t != n:
                        r = _line_gap(n, i, t, e, geo)
                        if 0 < r < r_new:
                            r_new = r
    return r_new


@kernel(types.Tuple((A1, B1))(A1, I, I, GEO))
def _chains(loose, n_loose, n, geo):
    """sharp.SharpTerms._chains: waits[k] for chains of k blocks headed by n (INF: no such chain)."""
    dist, solid = geo[0], geo[1]
    w = geo[3]
    others = np.empty(n_loose, np.int64)
    no = 0
    for x in range(n_loose):
        if loose[x] != n:
            others[no] = loose[x]
            no += 1
    waits = np.full(no + 2, INF, np.int64)
    present = np.zeros(no + 2, np.bool_)
    if no == 0:
        return waits, present
    near = np.empty(no, np.int64)
    for x in range(no):
        near[x] = dist[others[x], n]
    near.sort()
    spread = np.empty(no, np.int64)
    worst = -INF
    for x in range(no):
        worst = max(worst, near[x] - x - 1)
        spread[x] = worst
    for d in (1, -1, w, -w):
        fill = -INF
        for k in range(2, no + 2):
            cell = n - (k - 1) * d
            if solid[cell] or solid[n - k * d]:
                break
            inside = False
            for x in range(no):
                if others[x] == cell:
                    inside = True
                    break
            if not inside:
                nearest = INF
                for x in range(no):
                    nearest = min(nearest, dist[others[x], cell])
                fill = max(fill, nearest)
            wait = max(fill, spread[k - 2])
            if wait < waits[k]:
                waits[k] = wait
            present[k] = True
    return waits, present


@kernel(A2(A1, A1, GEO))
def _chain_table(bcell, bkind, geo):
    """_chains for every loose block of the layout: row x holds block x's waits by chain length (INF: none).
    Frozen blocks keep INF rows: first pushes are only asked of a line's movers and of a noun that must
    move, never of a frozen block."""
    frozen = geo[2]
    nb = len(bcell)
    loose = np.empty(nb, np.int64)
    n_loose = 0
    for x in range(nb):
        if not frozen[bcell[x]]:
            loose[n_loose] = bcell[x]
            n_loose += 1
    table = np.full((nb, nb + 2), INF, np.int64)
    for x in range(nb):
        if frozen[bcell[x]]:
            continue
        waits, present = _chains(loose, n_loose, bcell[x], geo)
        for k in range(len(waits)):
            if present[k]:
                table[x, k] = waits[k]
    return table


@kernel(types.Tuple((A2, I, A2, A1, A2, A2))(GEO, A1, A1))
def layout_tables(geo, bcell, bkind):
    """What the bound needs of a block layout alone (lines.LineGeometry's per-layout tables, and the
    chains of sharp.SharpTerms._chains): the WIN-line options, R_new, rule_gaps' (tr, you_r, helpful
    lines), and the chain waits per block. Computed once per layout by the caller."""
    tr, you_r, helpful = _rule_gaps(bcell, bkind, geo)
    return (_win_options(bcell, bkind, geo), _helpful_gap(bcell, bkind, geo), tr, you_r, helpful,
            _chain_table(bcell, bkind, geo))
