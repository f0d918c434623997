"""Exact answers past the A* budget: a memory-lean depth-first check (deep_kernel.py).

`plan_within(engine, limit)` says whether a winning plan of at most `limit` moves exists, and gives one.
It keeps 18 bytes per state instead of the A* passes' whole states, so it goes where their budget
stops, at the price of time (minutes, not seconds, on the one BALROG level that needs it). The solver
uses it only when asked: `solve_engine(..., deep=True)`.

Sound under the same conditions as the compiled A* passes (fast_search.usable), with one caveat: states
are told apart by 128-bit fingerprints. Two different states with the same fingerprint (odds about
2^-128 per pair, some 10^-25 for a few million states) would make it skip the second one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from envs.babaisai import deep_kernel as dk
from envs.babaisai import search_kernel as sk
from envs.babaisai.engine import Engine
from envs.babaisai.fast_search import to_words, usable
from envs.babaisai.heuristic import _geometry
from envs.babaisai.lines import LineGeometry

FIRST_SLOTS = 1 << 16
# States met before the check gives up (complete=False) rather than risk the machine's memory: about
# 5 GB in all, going by the 1.8 GB that the 11 million states of the one BALROG level that needs the
# check take (the table, and the tables of each block layout).
MAX_STATES = 30_000_000


@dataclass
class WithinResult:
    plan: list[int] | None   # action indices of a plan of at most `limit` moves (not always the shortest)
    complete: bool           # False: the check could not run here (see plan_within); plan is then None
    states: int              # states met (the table's entries), pruned ones included
    expanded: int            # states searched from


def plan_within(engine: Engine, limit: int, max_states: int = MAX_STATES) -> WithinResult:
    """A winning plan of at most `limit` moves from the engine's state, or `plan=None` with
    `complete=True` when none exists. `complete=False` when the compiled solver cannot play this level
    (fast_search.usable), a stack grows deeper than twenty objects, or more than `max_states` states
    would be met. Cells start with two words (ten objects) and widen to four when a stack outgrows them."""
    if engine.you_reference() is None or limit < 1 or not usable(engine, limit):
        return WithinResult(None, engine.you_reference() is None or limit < 1, 0, 0)
    scan = np.array(engine.scan, np.int64)
    geo = _geometry(LineGeometry(engine), engine.width, engine.height)
    words, cells = 2, to_words(engine.cells, 2)
    if cells is None:
        words, cells = 4, to_words(engine.cells, 4)
        if cells is None:
            return WithinResult(None, False, 0, 0)
    # The A* context brings the rule-set and layout tables and the work buffers, built as the A* builds them.
    ctx, rule, table, _ = sk.new_search(cells, words, 1, 16, scan, engine.width, geo, 0)
    rs, tabs, work = ctx[2], ctx[3], ctx[4]
    path = np.zeros((limit + 2, len(cells)), np.int64)
    path[0] = cells
    rules, tables, nxt = (np.zeros(limit + 2, np.int64) for _ in range(3))
    rules[0], tables[0], nxt[0] = rule, table, 1
    sc = np.zeros(4, np.int64)
    seen = (np.zeros(FIRST_SLOTS, np.int64), np.zeros(FIRST_SLOTS, np.int64), np.zeros(FIRST_SLOTS, np.int8),
            np.zeros(FIRST_SLOTS, np.int8))     # fingerprint halves, fewest moves, bound
    while True:
        status = dk.run(path, rules, tables, nxt, sc, limit, max_states, *seen, rs, tabs, work, scan,
                        engine.width, geo)
        if status == dk.FULL and sc[dk.D_ENTRIES] < max_states:
            seen = dk.regrow(*seen, 2 * len(seen[0]))
        elif status == dk.OVERFLOW and words == 2:
            # Four words per cell: words 2 and 3 come after words 0 and 1, all zero so far, and the
            # fingerprints stay the same (deep_kernel.fingerprint), so the search goes on where it was.
            words = 4
            path = np.concatenate([path, np.zeros_like(path)], axis=1)
            work[3][2], work[3][3] = 0, words
        else:
            break
    # FULL at the cap, or OVERFLOW at four words: incomplete.
    plan = [int(a) - 1 for a in nxt[:sc[dk.D_PLAN]]] if status == dk.FOUND else None
    return WithinResult(plan, status in (dk.FOUND, dk.NONE), int(sc[dk.D_ENTRIES]), int(sc[dk.D_EXPANDED]))


def shortest_below(engine: Engine, length: int, max_states: int = MAX_STATES) -> tuple[list[int] | None, bool]:
    """The shortest plan of fewer than `length` moves, or None when there is none: (plan, complete).
    Each plan found sets a lower limit for the next check, until a check finds none."""
    best = None
    limit = length - 1
    while limit >= 1:
        result = plan_within(engine, limit, max_states)
        if not result.complete:
            return best, False
        if result.plan is None:
            break
        best = result.plan
        limit = len(best) - 1
    return best, True
