"""Text rendering of a MiniHack observation in BALROG's layout (spec §C.4), with our own describer.

BALROG's "language observation" comes from the NLE language wrapper, a C++ extension bundled only with
`balrog-nle`. We use PyPI `nle` instead (see docs/envs.md), so the same kind of text is produced here
from NetHack's own per-cell descriptions (`screen_descriptions`): one line per kind of thing and
direction, with the nearest distance, e.g. "jackal near eastsoutheast", "wall adjacent north".
"""

from __future__ import annotations

import math

import numpy as np

# 16 compass points, counter-clockwise from east, spelled as the NLE language wrapper spells them.
COMPASS = ("east", "eastnortheast", "northeast", "northnortheast", "north", "northnorthwest", "northwest",
           "westnorthwest", "west", "westsouthwest", "southwest", "southsouthwest", "south",
           "southsoutheast", "southeast", "eastsoutheast")
NOT_LISTED = {"", "dark part of a room", "stone", "floor of a room"}  # bare floor and rock say little


def decode(row: np.ndarray) -> str:
    return bytes(np.asarray(row, dtype=np.uint8)).split(b"\0", 1)[0].decode("latin-1")


def distance_word(steps: int) -> str:
    if steps <= 1:
        return "adjacent"
    if steps == 2:
        return "very near"
    if steps <= 4:
        return "near"
    if steps <= 8:
        return "far"
    return "very far"


def direction(dx: int, dy: int) -> str:
    angle = math.degrees(math.atan2(-dy, dx)) % 360.0  # screen rows grow downwards
    return COMPASS[int(((angle + 11.25) % 360.0) // 22.5)]


def describe_surroundings(descriptions: np.ndarray, x: int, y: int) -> str:
    """One line per (thing, direction): the nearest such thing, nearest lines first."""
    nearest: dict[tuple[str, str], int] = {}
    rows, cols = np.nonzero(descriptions[:, :, 0])  # only cells NetHack has something to say about
    for row, col in zip(rows.tolist(), cols.tolist()):
        if (col, row) == (x, y):
            continue
        name = decode(descriptions[row, col])
        if name in NOT_LISTED:
            continue
        key = (name, direction(col - x, row - y))
        steps = max(abs(col - x), abs(row - y))  # NetHack moves diagonally at no extra cost
        if steps < nearest.get(key, 1 << 30):
            nearest[key] = steps
    ordered = sorted(nearest.items(), key=lambda item: (item[1], item[0]))
    return "\n".join(f"{name} {distance_word(steps)} {where}" for (name, where), steps in ordered)


def inventory_text(letters: np.ndarray, strings: np.ndarray) -> str:
    lines = [f"{chr(int(letter))}: {decode(text)}" for letter, text in zip(letters, strings) if int(letter)]
    return "\n".join(lines)


def render(obs: dict) -> dict[str, str]:
    """BALROG's text-only ("hybrid") layout: message, language observation, cursor, map; inventory."""
    x, y = int(obs["blstats"][0]), int(obs["blstats"][1])
    tty = [decode(line).rstrip() for line in obs["tty_chars"]]
    row, col = (int(v) for v in obs["tty_cursor"])
    descriptions = obs["screen_descriptions"]
    on_map = 1 <= row <= descriptions.shape[0] and 0 <= col < descriptions.shape[1]  # the tty is wider
    under_cursor = decode(descriptions[row - 1, col]) if on_map else ""
    cursor = ("yourself" if (col, row - 1) == (x, y) else under_cursor or "nothing")
    long_term = (f"message:\n{decode(obs['message']).strip()}\n\n"
                 f"language observation:\n{describe_surroundings(descriptions, x, y)}\n\n"
                 f"cursor:\n{cursor}\n(x={col}, y={row})\n\n"
                 "map:\n" + "\n".join(tty[1:]) + "\n")
    short_term = f"inventory:\n{inventory_text(obs['inv_letters'], obs['inv_strs'])}\n"
    return {"long_term_context": long_term, "short_term_context": short_term}


def screen_text(obs: dict) -> str:
    return "\n".join(decode(line) for line in obs["tty_chars"])
