"""The 53 registered level ids (spec A.1, A.8.6, A.8.7) and their generator settings."""

from __future__ import annotations

from functools import partial
from typing import Callable

import numpy as np

from envs.babaisai import generators as g

Generator = Callable[[np.random.RandomState], g.Layout]

_SINGLE = {  # id suffix -> single_room flags
    "make_win-distr_obj_rule": dict(break_win_rule=True, distractor_obj=True, distractor_rule_block=True),
    "goto_win-distr_obj_rule": dict(distractor_obj=True, distractor_rule_block=True),
    "goto_win": dict(),
    "goto_win-distr_obj": dict(distractor_obj=True),
    "goto_win-distr_rule": dict(distractor_rule_block=True),
    "goto_win-distr_obj-irrelevant_rule": dict(distractor_obj=True, distractor_rule_block=True,
                                               irrelevant_rule_distractor=True),
    "make_win-distr_obj": dict(break_win_rule=True, distractor_obj=True),
    "make_win-distr_rule": dict(break_win_rule=True, distractor_rule_block=True),
    "make_win": dict(break_win_rule=True),
    "make_win-distr_obj-irrelevant_rule": dict(break_win_rule=True, distractor_obj=True,
                                               distractor_rule_block=True, irrelevant_rule_distractor=True),
}

# Two-room distractor suffixes -> flags (spec A.8.6 table).
_DISTR = {
    "": dict(),
    "-distr_obj_rule": dict(distractor_obj=True, distractor_rule_block=True),
    "-distr_rule": dict(distractor_rule_block=True),
    "-distr_obj": dict(distractor_obj=True),
    "-distr_obj-irrelevant_rule": dict(distractor_obj=True, distractor_rule_block=True,
                                       irrelevant_rule_distractor=True),
    "-distr_win_rule": dict(distractor_obj=True, distractor_rule_block=True, distractor_win_rule=True),
}

_TWO_ROOM = [  # (id, region, stop pre-broken, win noun displaced, distractor suffix), BALROG order
    *[(f"two_room-goto_win{s}", "left_anywhere", True, False, s) for s in
      ("", "-distr_obj_rule", "-distr_rule", "-distr_obj", "-distr_obj-irrelevant_rule", "-distr_win_rule")],
    *[(f"two_room-break_stop-goto_win{s}", "right_anywhere", False, False, s) for s in
      ("-distr_obj_rule", "-distr_obj", "-distr_rule", "-distr_obj-irrelevant_rule", "")],
    *[(f"two_room-maybe_break_stop-goto_win{s}", "anywhere", False, False, s) for s in
      ("-distr_obj_rule", "", "-distr_obj", "-distr_rule", "-distr_obj-irrelevant_rule")],
    *[(f"two_room-make_win{s}", "left_anywhere", True, True, s) for s in
      ("-distr_obj_rule", "-distr_rule", "", "-distr_obj-irrelevant_rule", "-distr_obj", "-distr_win_rule")],
    *[(f"two_room-break_stop-make_win{s}", "right_anywhere", False, True, s) for s in
      ("-distr_obj_rule", "-distr_rule", "", "-distr_obj-irrelevant_rule", "-distr_obj")],
]


def _build() -> tuple[dict[str, Generator], list[str]]:
    gens: dict[str, Generator] = {}
    for suffix, flags in _SINGLE.items():
        gens[f"env/{suffix}"] = partial(g.single_room, **flags)
    for name, region, stop_broken, win_broken, distr in _TWO_ROOM:
        gens[f"env/{name}"] = partial(g.two_room, break_stop_rule=stop_broken, break_win_rule=win_broken,
                                      obj_region=region, **_DISTR[distr])
    gens["env/two_room-make_you"] = partial(g.make_you)
    gens["env/two_room-make_you-make_win"] = partial(g.make_you, break_win_rule=True)
    gens["env/two_room-make_wall_win"] = g.make_wall_win
    balrog = list(gens)
    gens["env/goto_win-distr_win_rule"] = partial(g.single_room, distractor_obj=True, distractor_win_rule=True)
    gens["env/you_win"] = g.you_win
    gens["env/you_win-fixed_you"] = partial(g.you_win, fixed_you=True)
    for base in ("make_win", "make_win-distr_obj", "make_win-distr_rule", "make_win-distr_obj-irrelevant_rule",
                 "make_win-distr_obj_rule"):
        for split, names in (("no_ball_win", ("key", "door")), ("only_ball_win", ("ball",))):
            gens[f"env/{base}#{split}"] = partial(g.single_room, win_names=names, **_SINGLE[base])
    return gens, balrog


GENERATORS, BALROG_TASKS = _build()
ALL_IDS = list(GENERATORS)


def generate(level_id: str, rng: np.random.RandomState) -> g.Layout:
    return GENERATORS[level_id](rng)
