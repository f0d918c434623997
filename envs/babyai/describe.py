"""BALROG's egocentric text description of a BabyAI view (spec §C.1).

The agent sees a 7x7 window in front of it. Sentences, in order: what it carries; a wall straight ahead /
left / right when the first non-empty visible cell on that line is a wall; then every visible object,
columns left to right, rows far to near. BALROG strips the leading "You see " of each sentence.
"""

from __future__ import annotations

from envs._face import plural

SKIPPED = {"wall", "floor", "unseen", "empty"}


def _offset(dx: int, forward: int) -> str:
    side = "right" if dx > 0 else "left"
    if dx == 0:
        return f"{plural(forward)} forward"
    if forward == 0:
        return f"{plural(abs(dx))} {side}"
    return f"{plural(abs(dx))} {side} and {plural(forward)} forward"


def _name(obj) -> str:
    if obj.type == "door":
        state = "open" if obj.is_open else "locked" if obj.is_locked else "closed"
        return f"{state} {obj.color} door"  # BALROG always writes "a", even "a open ... door"
    return f"{obj.color} {obj.type}"


def _wall_sentences(grid, visible, ax: int, ay: int) -> list[str]:
    lines = {"forward": [(ax, ay - k) for k in range(1, ay + 1)],
             "left": [(ax - k, ay) for k in range(1, ax + 1)],
             "right": [(ax + k, ay) for k in range(1, grid.width - ax)]}
    sentences = []
    for label, cells in lines.items():
        for distance, (x, y) in enumerate(cells, start=1):
            if not visible[x, y]:
                break
            cell = grid.get(x, y)
            if cell is None:
                continue
            if cell.type == "wall":
                sentences.append(f"a wall {plural(distance)} {label}")
            break
    return sentences


def describe(env) -> list[str]:
    """The description sentences of minigrid env `env`'s current view (without "You see ")."""
    grid, visible = env.gen_obs_grid()
    ax, ay = grid.width // 2, grid.height - 1
    sentences = []
    if env.carrying is not None:
        sentences.append(f"You carry a {env.carrying.color} {env.carrying.type}")
    sentences += _wall_sentences(grid, visible, ax, ay)
    for x in range(grid.width):
        for y in range(grid.height):
            if (x, y) == (ax, ay) or not visible[x, y]:
                continue
            cell = grid.get(x, y)
            if cell is None or cell.type in SKIPPED:
                continue
            sentences.append(f"a {_name(cell)} {_offset(x - ax, ay - y)}")
    return sentences
