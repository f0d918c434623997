"""BALROG's BabyAI-Text level, rebuilt on minigrid's BabyAI machinery.

BALROG's `BabyAI-MixedTrainLocal-v0` (from a minigrid fork) draws an instruction kind at construction and
BALROG re-creates the env until the kind matches the task. Here the kind is a constructor argument, so the
level generates the requested kind directly: same layouts (BALROG passes num_dists=0), same instruction
verifiers and reward (minigrid's `1 - 0.9 * steps / max_steps`), same step limit
(64 x rooms x navigations).
"""

from __future__ import annotations

from minigrid.envs.babyai.core.roomgrid_level import RoomGridLevel
from minigrid.envs.babyai.core.verifier import (AfterInstr, BeforeInstr, GoToInstr, ObjDesc, OpenInstr,
                                                PickupInstr, PutNextInstr, pos_next_to)

KINDS = ("goto", "pickup", "open", "putnext", "pick_up_seq_go_to")
OBJECT_TYPES = ("key", "ball", "box")
OBJECT_COLORS = ("red", "green", "blue", "purple", "yellow", "grey")
DOOR_COLORS = ("yellow", "green", "blue", "purple")
# Colour/type pairs held out of the training missions of the BabyAI-Text work BALROG's level comes from.
HELD_OUT = {("yellow", "box"), ("red", "key"), ("red", "door"), ("green", "ball"), ("grey", "door")}


class MixedLocalLevel(RoomGridLevel):
    """One instruction kind of BALROG's mixed local BabyAI level."""

    def __init__(self, kind: str, max_steps: int | None = None, **kwargs):
        if kind not in KINDS:
            raise ValueError(f"unknown BabyAI instruction kind {kind!r}; expected one of {KINDS}")
        self.kind = kind
        num_cols = 2 if kind == "open" else 1
        super().__init__(room_size=8, num_rows=1, num_cols=num_cols, max_steps=max_steps, **kwargs)

    def gen_mission(self):
        self.place_agent(0, 0)
        if self.kind == "open":
            self._gen_open()
        elif self.kind in ("goto", "pickup"):
            obj = self._add_allowed_object()
            desc = ObjDesc(obj.type, obj.color)
            self.instrs = GoToInstr(desc) if self.kind == "goto" else PickupInstr(desc)
        else:
            first = self._add_allowed_object()
            second = self._add_allowed_object(avoid=first)
            move, target = ObjDesc(first.type, first.color), ObjDesc(second.type, second.color)
            if self.kind == "putnext":
                self.instrs = PutNextInstr(move, target)
            elif self._rand_bool():
                self.instrs = BeforeInstr(PickupInstr(move), GoToInstr(target))
            else:
                self.instrs = AfterInstr(GoToInstr(target), PickupInstr(move))

    def _gen_open(self):
        color = self._rand_elem(DOOR_COLORS)
        self.add_door(0, 0, door_idx=0, color=color, locked=True)
        self.add_object(0, 0, "key", color)
        self.instrs = OpenInstr(ObjDesc("door", color))

    def _add_allowed_object(self, avoid=None):
        """A random key/ball/box whose colour/type pair is not held out; distinct from `avoid` and, for
        put-next, not already next to it (minigrid would reject-sample the whole level and print)."""
        while True:
            kind, color = self._rand_elem(OBJECT_TYPES), self._rand_elem(OBJECT_COLORS)
            if (color, kind) in HELD_OUT:
                continue
            if avoid is not None and (avoid.type, avoid.color) == (kind, color):
                continue
            obj, pos = self.add_object(0, 0, kind, color)
            if avoid is not None and pos_next_to(pos, avoid.cur_pos):
                self.grid.set(*pos, None)
                self.get_room(0, 0).objs.remove(obj)
                continue
            return obj


def natural_max_steps(kind: str) -> int:
    """BALROG's per-task step limit: 64 x rooms x navigations."""
    rooms = 2 if kind == "open" else 1
    navigations = 2 if kind in ("putnext", "pick_up_seq_go_to") else 1
    return 64 * rooms * navigations
