"""Level generators (spec A.8). Every random draw goes through a numpy legacy `RandomState` with the same
calls in the same order as the reference game, so a seed gives exactly the reference layout."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from envs.babaisai import vocab as v

NAMES = ("ball", "key", "door")
SAMPLE_COLOURS = ("red", "blue", "green")


@dataclass
class Layout:
    """A freshly generated level: packed cells plus the diagnostic plan string (`get_stats()['target_plan']`)."""
    width: int
    height: int
    cells: list[int]
    plan: str = ""
    names: tuple[str, str, str] = ("", "", "")
    extras: dict = field(default_factory=dict)


class Builder:
    def __init__(self, width: int, height: int, rng: np.random.RandomState):
        self.width, self.height, self.rng = width, height, rng
        self.cells = [0] * (width * height)
        for x in range(width):
            self.put(x, 0, v.code(v.BORDER))
            self.put(x, height - 1, v.code(v.BORDER))
        for y in range(height):
            self.put(0, y, v.code(v.BORDER))
            self.put(width - 1, y, v.code(v.BORDER))

    def put(self, x: int, y: int, code: int) -> None:
        i = y * self.width + x
        self.cells[i] = (self.cells[i] << v.CODE_BITS) | code

    def take(self, x: int, y: int) -> int:
        i = y * self.width + x
        top = self.cells[i] & v.CODE_MASK
        self.cells[i] >>= v.CODE_BITS
        return top

    def place(self, x0: int, y0: int, w: int, h: int) -> tuple[int, int]:
        """Rejection sampling: x then y from the (possibly border-including) draw range, until empty."""
        while True:
            x = int(self.rng.randint(x0, min(x0 + w, self.width)))
            y = int(self.rng.randint(y0, min(y0 + h, self.height)))
            if self.cells[y * self.width + x] == 0:
                return x, y

    def rule(self, noun: str, prop: str, x: int, y: int) -> None:
        self.put(x, y, v.noun_block(noun))
        self.put(x + 1, y, v.code(v.IS_BLOCK))
        self.put(x + 2, y, v.noun_block(prop) if prop in v.OBJECT_NOUNS else v.prop_block(prop))

    def move_block(self, src: tuple[int, int], dst: tuple[int, int]) -> None:
        self.put(*dst, self.take(*src))

    def divider(self) -> None:
        for y in range(1, self.height - 1):
            self.put(6, y, v.obj("wall", "grey"))

    def layout(self, plan: str, names) -> Layout:
        return Layout(self.width, self.height, self.cells, plan, tuple(names))


def sample_objects(rng: np.random.RandomState, win_names: tuple[str, ...] | None = None):
    """Three distinct names and three colours; obj1 is the win object. `win_names` restricts obj1's name
    (the `#no_ball_win` / `#only_ball_win` splits), redrawing the whole sample until it holds."""
    while True:
        names = [NAMES[i] for i in rng.choice(3, size=3, replace=False)]
        colours = [SAMPLE_COLOURS[i] for i in rng.choice(3, size=3, replace=True)]
        if win_names is None or names[0] in win_names:
            return names, colours


def single_room(rng, break_win_rule=False, distractor_obj=False, distractor_rule_block=False,
                irrelevant_rule_distractor=False, distractor_win_rule=False, win_names=None) -> Layout:
    b = Builder(8, 8, rng)
    names, colours = sample_objects(rng, win_names)
    b.rule("baba", "you", 1, 6)
    b.rule(names[0], "win", 1, 1)
    if break_win_rule:
        b.move_block((1, 1), b.place(2, 2, 4, 4))
    if distractor_rule_block:
        cells = ((4, 6), (5, 6), (6, 6), (4, 1), (5, 1), (6, 1), (6, 1), (6, 2), (6, 3), (6, 4), (6, 5), (6, 6))
        b.put(*cells[rng.choice(12)], v.noun_block(names[2] if irrelevant_rule_distractor else names[1]))
    b.put(*b.place(1, 2, 8, 8), v.obj("baba"))
    b.put(*b.place(1, 2, 8, 8), v.obj(names[0], colours[0]))
    if distractor_obj:
        b.put(*b.place(1, 2, 8, 8), v.obj(names[1], colours[1]))
    if distractor_win_rule:
        b.rule(names[2], "win", 4, 4)
    plan = f"make[{names[0]} is win], goto[{names[0]}]" if break_win_rule else f"goto[{names[0]}]"
    return b.layout(plan, names)


# Two-room regions (spec A.8.3): top-left corner and size of the draw range.
LEFT_PUSHABLE, RIGHT_PUSHABLE = (2, 3, 4, 3), (7, 3, 4, 3)
LEFT_ANYWHERE, RIGHT_ANYWHERE, ANYWHERE = (1, 1, 4, 7), (7, 2, 4, 7), (1, 2, 11, 7)
RIGHT_UNPUSHABLE = ((11, 2), (11, 3), (11, 4), (11, 5), (11, 6), (11, 7), (10, 7), (9, 7), (8, 7))
REGIONS = {"left_anywhere": LEFT_ANYWHERE, "right_anywhere": RIGHT_ANYWHERE, "anywhere": ANYWHERE}


def two_room(rng, break_stop_rule=False, break_win_rule=False, distractor_obj=False,
             distractor_rule_block=False, irrelevant_rule_distractor=False, distractor_win_rule=False,
             obj_region="left_anywhere") -> Layout:
    b = Builder(13, 9, rng)
    b.divider()
    names, colours = sample_objects(rng)
    b.rule("baba", "you", 1, 7)
    b.rule("wall", "stop", 1, 2)
    b.rule(names[0], "win", 9, 1)
    if distractor_rule_block:
        if irrelevant_rule_distractor:
            b.put(*b.place(*RIGHT_PUSHABLE), v.noun_block(names[2]))
        elif distractor_obj:
            b.put(*RIGHT_UNPUSHABLE[rng.choice(9)], v.noun_block(names[1]))
        else:
            b.put(*b.place(*RIGHT_PUSHABLE), v.noun_block(names[1]))
    if break_stop_rule:
        target = b.place(*LEFT_PUSHABLE)
        which = (1, 2)[rng.choice(2)]
        b.move_block((1 + which, 2), target)
    if break_win_rule:
        b.move_block((9, 1), b.place(*RIGHT_PUSHABLE))
    b.put(*b.place(*LEFT_PUSHABLE), v.obj("baba"))
    obj1 = b.place(*REGIONS[obj_region])
    b.put(*obj1, v.obj(names[0], colours[0]))
    if distractor_obj:
        b.put(*b.place(*REGIONS[obj_region]), v.obj(names[1], colours[1]))
    if distractor_win_rule:
        b.rule(names[2], "win", 9, 4)
    steps = []
    if not break_stop_rule and (break_win_rule or obj1[0] > 6):
        steps.append("break[wall is stop]")
    if break_win_rule:
        steps.append(f"make[{names[0]} is win]")
    steps.append(f"goto[{names[0]}]")
    return b.layout(", ".join(steps), names)


MY_LEFT_PUSHABLE, MY_RIGHT_PUSHABLE = (2, 3, 3, 3), (8, 3, 3, 3)


def make_you(rng, break_win_rule=False, irrelevant_rule_distractor=False) -> Layout:
    b = Builder(13, 9, rng)
    b.divider()
    names, colours = sample_objects(rng)
    b.rule("baba", "you", 1, 6)
    b.rule("wall", "stop", 1, 1)
    b.rule(names[0], "win", 9, 1)
    b.put(*b.place(*MY_LEFT_PUSHABLE), v.noun_block(names[2] if irrelevant_rule_distractor else names[1]))
    if break_win_rule:
        b.move_block((9, 1), b.place(*MY_RIGHT_PUSHABLE))
    b.put(*b.place(*MY_LEFT_PUSHABLE), v.obj("baba"))
    b.put(*b.place(*RIGHT_ANYWHERE), v.obj(names[0], colours[0]))
    b.put(*b.place(*RIGHT_ANYWHERE), v.obj(names[1], colours[1]))
    steps = [f"make[{names[1]} is you]"] + ([f"make[{names[0]} is win]"] if break_win_rule else [])
    return b.layout(", ".join(steps + [f"goto[{names[0]}]"]), names)


def make_wall_win(rng) -> Layout:
    b = Builder(13, 9, rng)
    b.divider()
    names, colours = sample_objects(rng)
    b.rule("baba", "you", 1, 7)
    b.rule("wall", "stop", 2, 2)
    b.rule(names[0], "win", 9, 1)
    b.put(*b.place(*MY_RIGHT_PUSHABLE), v.noun_block(names[2]))
    b.move_block((9, 1), RIGHT_UNPUSHABLE[rng.choice(9)])
    b.put(*b.place(*MY_LEFT_PUSHABLE), v.obj("baba"))
    b.put(*b.place(*RIGHT_ANYWHERE), v.obj(names[0], colours[0]))
    b.put(*b.place(*RIGHT_ANYWHERE), v.obj(names[1], colours[1]))
    return b.layout("break[wall is stop], make[wall is win], goto[wall]", names)


def you_win(rng, fixed_you=False) -> Layout:
    """6x6 toy level (spec A.8.7). The spec gives its content but not its draw order, so this one is ours:
    it is not seed-for-seed identical to the reference (no BALROG task uses it)."""
    b = Builder(6, 6, rng)
    for x, y in ((1, 3), (1, 4), (4, 3), (4, 4)):
        b.put(x, y, v.code(v.BORDER))
    picks = rng.choice(9, size=4, replace=False)
    pairs = [(SAMPLE_COLOURS[i // 3], NAMES[i % 3]) for i in picks]
    block = [(2, 3), (3, 3), (3, 4), (2, 4)]          # a cycle: neighbours in the list are adjacent
    you_at = 0 if fixed_you else int(rng.choice(4))
    win_at = (you_at + (1 if rng.choice(2) else 3)) % 4
    rest = [k for k in range(4) if k not in (you_at, win_at)]
    for k, (colour, name) in zip((you_at, win_at, *rest), pairs):
        b.put(*block[k], v.obj(name, colour))
    for row, (colour, name), prop in ((1, pairs[0], "you"), (2, pairs[1], "win")):
        b.put(1, row, v.colour_block(colour))
        b.put(2, row, v.noun_block(name))
        b.put(3, row, v.code(v.IS_BLOCK))
        b.put(4, row, v.prop_block(prop))
    return b.layout(f"goto[{pairs[1][0]} {pairs[1][1]}]", [p[1] for p in pairs[:3]])
