"""The engine's moves compiled (numba), for levels whose blocks are only nouns, IS, YOU, WIN and STOP (all 40
BALROG tasks): engine.py's move procedure as it applies there (no PULL, MOVE, OPEN/SHUT, colours or
facing), rule parsing, and the BALROG reset check. Tested move for move against engine.py (tests/envs).

A state is the grid's packed cells in K int64 words per cell (array index word * n + cell), five
11-bit objects per word: word 0 holds the top five objects, so code that looks at tops reads cells[:n]
as the Python engine reads its cells. Merging YOU objects can stack many objects in one cell (nine babas
made from walls, on `two_room-make_win-distr_rule` seed 7); a move that would stack more than 5K, or
overflow a work buffer, sets the overflow flag, and the caller tries again with more words (fast_search.py).

Rule lists are interned in a rule-set table `rs` (typed lists): rules, flag table, transformations
(from kinds, new codes), the noun of the last `X is you`, and the spawnable identities per kind.
"""

from __future__ import annotations

import numpy as np
from numba import types

from envs.babaisai import vocab as v
from envs.babaisai.jit import kernel

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
DELTA_X = np.array([0, 0, 1, 0, -1], np.int64)   # action index -> dx, dy
DELTA_Y = np.array([0, -1, 0, 1, 0], np.int64)


@kernel()
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


@kernel()
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


@kernel()
def intern_rules(rs, rules):
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


@kernel()
def _push(cells, n, k, i, code):
    """Put an object on top of cell i; False (nothing changed) if its stack is full."""
    if cells[(k - 1) * n + i] >> DEEPEST != 0:
        return False
    for w in range(k - 1, 0, -1):
        j = w * n + i
        cells[j] = ((cells[j] << BITS) & WORD_MASK) | (cells[j - n] >> DEEPEST)
    cells[i] = ((cells[i] << BITS) & WORD_MASK) | code
    return True


@kernel()
def _pop(cells, n, k, i):
    """Take the top object off cell i."""
    for w in range(k - 1):
        j = w * n + i
        cells[j] = (cells[j] >> BITS) | ((cells[j + n] & MASK) << DEEPEST)
    cells[(k - 1) * n + i] >>= BITS


@kernel(types.UniTuple(types.int64, 2)(types.int64[::1], types.int64[::1], types.int64, types.int64,
                                     types.int64[::1], types.int64[::1], types.int64, types.int64))
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


@kernel()
def scan_you(cells, flags, scan, you):
    n = 0
    for i in scan:
        if flags[cells[i] & 0xFF] & YOU:
            you[n] = i
            n += 1
    return n


@kernel()
def play(cells, rule, action, rs, scan, w, work):
    """engine.Engine._move_all on these levels, then the solver's checks: (won, usable, new rule index,
    rule blocks moved). `work` = (you cells, queue, touched, ctr) buffers; ctr[2] is set on overflow,
    ctr[3] holds K, the words per cell."""
    you, queue, touched, ctr = work
    k = ctr[3]
    n = len(cells) // k
    flags = rs[1][rule]
    d = DELTA_X[action] + DELTA_Y[action] * w
    n_you = scan_you(cells, flags, scan, you)
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
            rule = intern_rules(rs, rules)
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
