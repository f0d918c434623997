"""A memory-lean exact check, compiled (numba): is there a winning plan of at most `limit` moves?

Depth-first search under the same admissible bound as the A* passes (layout_kernel.state_bound), with a
transposition table that keeps, per state met, only a 128-bit fingerprint, its bound and the fewest moves
it was reached in (UNREACHED while its bound has pruned it). The A* passes store every state whole (about
2 KB on the two-room levels), so 300,000 states already take about 1 GB; here a state costs 18 bytes
(plus the tables of its block layout, shared with every state of that layout), and millions fit. Why
depth-first: with an admissible bound, a state needs expanding only when reached in fewer moves than
any time before and g + h <= limit, and that test needs no parent links or open list. deep_search.py
drives it.

The search state lives in arrays the caller owns (the path's cells, rule sets, layout tables and next
action per depth, and the scalars), so a run that stops because the table is full, or because a stack
outgrew two words per cell, is resumed where it stopped once the table or the cells have grown.
"""

from __future__ import annotations

import numpy as np

from envs.babaisai.engine_kernel import play
from envs.babaisai.jit import kernel
from envs.babaisai.layout_kernel import blocks_of, state_bound, table_index

# Status codes of run().
NONE, FOUND, FULL, OVERFLOW = 0, 1, 2, 3
# Scalars, one int64 array: current depth, entries in the table, expansions, the found plan's length.
D_DEPTH, D_ENTRIES, D_EXPANDED, D_PLAN = range(4)
MAX_LOAD = 0.7     # the caller doubles the table past this share of used slots
UNREACHED = 127    # `moves` of a state met but pruned by its bound (plans are at most 120 moves)


@kernel()
def _mix(b, x):
    """One splitmix64 step of the second hash."""
    z = b + x + np.int64(-7046029254386353131)
    z = (z ^ ((z >> 30) & np.int64(0x3FFFFFFFF))) * np.int64(-4658895280553007687)
    z = (z ^ ((z >> 27) & np.int64(0x1FFFFFFFFF))) * np.int64(-7723592293110705685)
    return z ^ ((z >> 31) & np.int64(0x1FFFFFFFF))


@kernel()
def fingerprint(cells, n):
    """Two independent 64-bit hashes of the state (FNV-1a, and a splitmix64 chain), the first never 0 (0
    marks an empty slot). Two distinct states share both with a chance of about 2^-128 per pair. Word 0
    (the top five objects of each of the n cells) goes in whole; deeper words, nearly all zero, only where
    they are not, with their index: so a state has the same fingerprint in two words per cell or four,
    and a search can go on with more words without starting again."""
    a = np.int64(-3750763034362895579)
    b = np.int64(0x5851F42D4C957F2D)
    for j in range(len(cells)):
        c = cells[j]
        if j >= n:
            if c == 0:
                continue
            a = (a ^ j) * np.int64(1099511628211)
            b = _mix(b, j)
        a = (a ^ c) * np.int64(1099511628211)
        b = _mix(b, c)
    if a == 0:
        a = 1
    return a, b


@kernel()
def _slot(a, mask):
    """The first slot to probe: the high bits of FNV mixed down (its low bits alone cluster)."""
    return (a ^ ((a >> 29) & np.int64(0x7FFFFFFFF))) & mask


@kernel()
def _lookup(keys_a, keys_b, a, b):
    """The slot of (a, b), or of the empty slot where it would go (linear probing)."""
    mask = len(keys_a) - 1
    s = _slot(a, mask)
    while keys_a[s] != 0 and (keys_a[s] != a or keys_b[s] != b):
        s = (s + 1) & mask
    return s


@kernel()
def regrow(keys_a, keys_b, moves, bounds, size):
    """The table moved into `size` slots (a power of two)."""
    new_a = np.zeros(size, np.int64)
    new_b = np.zeros(size, np.int64)
    new_g = np.zeros(size, np.int8)
    new_h = np.zeros(size, np.int8)
    for s in range(len(keys_a)):
        if keys_a[s] != 0:
            t = _lookup(new_a, new_b, keys_a[s], keys_b[s])
            new_a[t], new_b[t], new_g[t], new_h[t] = keys_a[s], keys_b[s], moves[s], bounds[s]
    return new_a, new_b, new_g, new_h


@kernel()
def run(path, rules, tables, nxt, sc, limit, cap, keys_a, keys_b, moves, bounds, rs, tabs, work, scan, w, geo):
    """Depth-first from the state at depth sc[D_DEPTH] of `path` on: FOUND (a plan of sc[D_PLAN] moves,
    its actions nxt[d] - 1 for d < sc[D_PLAN] - 1 then nxt[sc[D_PLAN] - 1] - 1), NONE (no plan of at
    most `limit` moves), FULL (the table needs to grow, or holds `cap` states; call again after regrow)
    or OVERFLOW (a stack
    deeper than the cells hold; call again with wider cells)."""
    n = len(geo[0])
    capacity = min(int(MAX_LOAD * len(keys_a)), cap)
    d = sc[D_DEPTH]
    while d >= 0:
        action = nxt[d]
        if action > 4:
            d -= 1
            continue
        nxt[d] = action + 1
        child = path[d + 1]
        child[:] = path[d]
        won, usable, rule, dirty = play(child, rules[d], action, rs, scan, w, work)
        if work[3][2]:
            nxt[d] = action     # this move again, with more words per cell
            sc[D_DEPTH] = d
            return OVERFLOW
        if not usable:
            continue
        if won:
            sc[D_PLAN] = d + 1
            sc[D_DEPTH] = d
            return FOUND
        g = d + 1
        if g >= limit:
            continue        # not a win, so any win from here takes more than `limit` moves in all
        a, b = fingerprint(child, n)
        s = _lookup(keys_a, keys_b, a, b)
        known = keys_a[s] != 0
        if known and moves[s] <= g:
            continue        # reached before in as few moves: everything below it was searched then
        if known and g + bounds[s] > limit:
            continue        # its bound, kept from the first meeting, still prunes it
        if not known and sc[D_ENTRIES] >= capacity:
            nxt[d] = action     # this move again once the table has grown
            sc[D_DEPTH] = d
            return FULL
        table = tables[d]
        if dirty:           # a rule block moved: the child's own block layout
            bcell, bkind = blocks_of(child, scan, n)
            table = table_index(bcell, bkind, tabs, geo)
        if not known:
            h = min(state_bound(child, rule, table, rs, tabs, scan, geo, work[0]), UNREACHED)
            keys_a[s], keys_b[s], bounds[s], moves[s] = a, b, h, UNREACHED
            sc[D_ENTRIES] += 1
            if g + h > limit:
                continue    # kept with its bound, not as reached: a shorter path may come later
        moves[s] = g
        sc[D_EXPANDED] += 1
        d = g
        rules[d], tables[d], nxt[d] = rule, table, 1
    sc[D_DEPTH] = -1
    return NONE
