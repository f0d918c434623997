"""The layout the compiled bound sees in a compiled state (numba): heuristic.Heuristic._layout (rule blocks at
any depth; objects at any depth except the top YOU objects, less those buried under blocks that can never
move again), the layout's tables once per block layout, then the bound.

The tables live in `tabs`: a dict from a block layout's hash to its index, a collision chain, and typed
lists of blocks (cells, kinds) and of lines_kernel.layout_tables' arrays, by index.
"""

from __future__ import annotations

import numpy as np

from envs.babaisai import bound_kernel, lines_kernel
from envs.babaisai import vocab as v
from envs.babaisai.engine_kernel import scan_you
from envs.babaisai.jit import kernel

BITS = v.CODE_BITS
NOUN0, BABA, YOU = v.NOUN_BLOCK0, v.BABA, v.YOU


@kernel()
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


@kernel()
def blocks_of(cells, scan, n):
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


@kernel()
def table_index(bcell, bkind, tabs, geo):
    """The layout's tables (lines_kernel.layout_tables), computed once per block layout."""
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
    opts, r_new, tr, you_r, helpful, chains = lines_kernel.layout_tables(geo, bcell, bkind)
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


@kernel()
def state_bound(cells, rule, table, rs, tabs, scan, geo, you):
    """heuristic.Heuristic.__call__ on a simple level: the layout (blocks, objects at any depth but the
    top YOU objects, less those buried under blocks that can never move again), then the bound."""
    flags = rs[1][rule]
    n_you = scan_you(cells, flags, scan, you)
    ycell = you[:n_you].copy()
    yident = np.empty(n_you, np.int64)
    for x in range(n_you):
        yident[x] = cells[ycell[x]] & 0xFF
    bcell, bkind = tabs[2][table], tabs[3][table]
    # Objects at any depth, except the top YOU objects.
    n = geo[0].shape[0]        # cells in the grid (the distance table's side)
    k = len(cells) // n
    n_obj = 0
    for _ in range(2):            # count, then fill
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
                        if n_obj < len(ocell):
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
