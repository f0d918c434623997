"""BALROG's text rendering of a Crafter state (spec §C.2), computed from the world itself.

The long-term text lists what lies in the 9x7 window around the player (nearest instance of each kind,
Manhattan distance, compass direction) and what the player faces; the short-term text is the status bars
and the inventory.
"""

from __future__ import annotations

from envs._face import plural

VITALS = ("health", "food", "drink", "energy")
HALF_WIDTH, HALF_HEIGHT = 4, 3  # the 9-wide x 7-tall local view (crafter keeps 2 of its 9 rows for items)


def _cell_name(world, pos) -> str | None:
    material, obj = world[pos]
    if obj is not None:
        return type(obj).__name__.lower()
    return material


def _direction(dx: int, dy: int) -> str:
    vertical = "north" if dy < 0 else "south" if dy > 0 else ""
    horizontal = "west" if dx < 0 else "east" if dx > 0 else ""
    return "-".join(part for part in (vertical, horizontal) if part)


def _inside(world, pos) -> bool:
    return 0 <= pos[0] < world.area[0] and 0 <= pos[1] < world.area[1]


def visible_items(world, player) -> list[tuple[str, int, int, int]]:
    """(name, distance, dx, dy) of the nearest instance of each kind in the window, in first-seen order.

    Scanned column by column from west to east, north to south inside a column; ties keep the first seen.
    Cells beyond the map edge are skipped (BALROG replaces the whole text with an error there instead).
    """
    px, py = (int(v) for v in player.pos)
    nearest: dict[str, tuple[str, int, int, int]] = {}
    for dx in range(-HALF_WIDTH, HALF_WIDTH + 1):
        for dy in range(-HALF_HEIGHT, HALF_HEIGHT + 1):
            pos = (px + dx, py + dy)
            if (dx, dy) == (0, 0) or not _inside(world, pos):
                continue
            name = _cell_name(world, pos)
            distance = abs(dx) + abs(dy)
            if name is not None and (name not in nearest or distance < nearest[name][1]):
                nearest[name] = (name, distance, dx, dy)
    return list(nearest.values())


def faced_item(world, player) -> str:
    fx, fy = (int(v) for v in player.facing)
    if abs(fx) > HALF_WIDTH or abs(fy) > HALF_HEIGHT:
        return "nothing"
    pos = (int(player.pos[0]) + fx, int(player.pos[1]) + fy)
    return (_cell_name(world, pos) if _inside(world, pos) else None) or "nothing"


def long_term_text(world, player) -> str:
    status = ""
    if player.health <= 0:
        status = "You died.\n\n"
    elif player.sleeping:
        status = "You are sleeping, and will not be able take actions until energy is full.\n\n"
    items = visible_items(world, player)
    if items:
        seen = "You see:\n" + "\n".join(f"- {name} {plural(distance)} to your {_direction(dx, dy)}"
                                        for name, distance, dx, dy in items)
    else:
        seen = "You see nothing away from you."
    return f"{status}{seen}\n\nYou face {faced_item(world, player)} at your front."


def short_term_text(inventory: dict[str, int]) -> str:
    vitals = "".join(f"- {name}: {int(inventory[name])}/9\n" for name in VITALS)
    held = [f"- {name}: {int(count)}" for name, count in inventory.items() if name not in VITALS and count > 0]
    things = "Your inventory:\n" + "\n".join(held) if held else "You have nothing in your inventory."
    return f"Your status:\n{vitals}\n{things}"
