"""The guided pass's estimate (guide.py), compiled (numba), for the compiled search (search_kernel.py).

Value for value guide.Guide: walk to the first block of an `X is WIN` line that has to move, two moves per
push, then the walk from the noun's end to the nearest X object; a line in place under another block costs
the push that uncovers it. Not a lower bound. guide.py sorts the line plans and stops early once no plan
can do better; the minimum is the same without that, so here every plan is priced.

Cells as in engine_kernel.py: K words per cell, word 0 holding the top five objects.
"""

from __future__ import annotations

import numpy as np

from envs.babaisai import vocab as v
from envs.babaisai.jit import kernel
from envs.babaisai.lines import INF, WIN_BLOCK
from envs.babaisai.lines_kernel import nearest

BITS = v.CODE_BITS
NOUN0, IS_BLOCK, BABA, FDOOR = v.NOUN_BLOCK0, v.IS_BLOCK, v.BABA, v.FDOOR
YOU, WIN = v.YOU, v.WIN


@kernel()
def _dist(p, q, w):
    """Manhattan distance for cells that may lie off the grid (a line slot next to the frame)."""
    return abs(p % w - q % w) + abs(p // w - q // w)


@kernel()
def _covered(bcell, btop, nb, nn, i, t, movers):
    """guide.py: [b for b in (n, i, t) if b in covered], into movers; returns how many."""
    m = 0
    for c in (nn, i, t):
        hidden = False
        for q in range(nb):
            hidden |= bcell[q] == c and not btop[q]
        if hidden:
            movers[m] = c
            m += 1
    return m


@kernel()
def estimate(cells, flags, scan, w, dist):
    """guide.Guide.__call__ on a compiled state."""
    n = dist.shape[0]
    k = len(cells) // n
    # Blocks (cell, kind, on top of its cell) and objects (cell, identity), at any depth.
    size = 0
    for _ in range(2):       # count, then fill
        bcell = np.empty(size, np.int64)
        bkind = np.empty(size, np.int64)
        btop = np.empty(size, np.bool_)
        ocell = np.empty(size, np.int64)
        oident = np.empty(size, np.int64)
        nb = no = 0
        for i in scan:
            top = True
            for word in range(k):
                c = cells[word * n + i]
                while c:
                    kind = c & 0x1F
                    if kind >= NOUN0:
                        if nb < len(bcell):
                            bcell[nb], bkind[nb], btop[nb] = i, kind, top
                        nb += 1
                    elif BABA <= kind <= FDOOR:
                        if no < len(ocell):
                            ocell[no], oident[no] = i, c & 0xFF
                        no += 1
                    c >>= BITS
                    top = False
        size = max(nb, no)
    yous = np.empty(no, np.int64)
    wins = np.empty(no, np.int64)
    ny = nw = 0
    for j in range(no):
        if flags[oident[j]] & YOU:
            yous[ny] = ocell[j]
            ny += 1
        if flags[oident[j]] & WIN:
            wins[nw] = ocell[j]
            nw += 1
    if ny == 0:
        return INF
    best = nearest(dist, yous, ny, wins, nw)
    # X objects not on a YOU's cell, per kind (guide.py's by_kind).
    targets = np.empty(no, np.int64)
    movers = np.empty(3, np.int64)
    for x in range(nb):
        if not NOUN0 <= bkind[x] < IS_BLOCK:
            continue
        nn, kind = bcell[x], bkind[x] - NOUN0 + BABA
        nt = 0
        for j in range(no):
            if oident[j] & 0x1F == kind:
                shared = False
                for y in range(ny):
                    shared |= yous[y] == ocell[j]
                if not shared:
                    targets[nt] = ocell[j]
                    nt += 1
        if nt == 0:
            continue
        for y in range(nb):
            if bkind[y] != IS_BLOCK:
                continue
            i = bcell[y]
            for z in range(nb):
                if bkind[z] != WIN_BLOCK:
                    continue
                t = bcell[z]
                for e in (1, w):
                    # Anchor one block of the line where it is and bring the other two next to it:
                    # (block a -> slot a, block b -> slot b).
                    for anchor in range(3):
                        if anchor == 0:
                            a, sa, b, sb = nn, i - e, t, i + e
                        elif anchor == 1:
                            a, sa, b, sb = i, nn + e, t, nn + 2 * e
                        else:
                            a, sa, b, sb = nn, t - 2 * e, i, t - e
                        pushes = _dist(a, sa, w) + _dist(b, sb, w)
                        nm = 0
                        if a != sa:
                            movers[nm] = a
                            nm += 1
                        if b != sb:
                            movers[nm] = b
                            nm += 1
                        if nm == 0:
                            # In place: a block of the line under something costs the push uncovering it.
                            nm = _covered(bcell, btop, nb, nn, i, t, movers)
                            pushes = 1 if nm else 0
                        if nm:
                            # The noun's end (guide.py's dict(moves).get(n, n): the later pair wins).
                            end = sb if b == nn else (sa if a == nn else nn)
                            walk_out = INF
                            for q in range(nt):
                                walk_out = min(walk_out, _dist(end, targets[q], w))
                            cost = nearest(dist, yous, ny, movers, nm) - 1 + 2 * pushes + walk_out
                        else:
                            cost = nearest(dist, yous, ny, targets, nt)
                        best = min(best, cost)
    return best
