"""Object kinds, colours, properties and the packed integer codes the engine stores in its grid.

Why packed ints: a cell is a *stack* of objects, and the solver hashes whole grids millions of times.
Each object is an 11-bit code (kind, colour, facing, moved flag); a cell is its stack packed into one
Python int, bottom object in the high bits and the top object in the low 11 bits. A grid is then a flat
list of ints: copying it is a list slice and its hashable key is `tuple(cells)`.
"""

from __future__ import annotations

CODE_BITS = 11
CODE_MASK = (1 << CODE_BITS) - 1   # the whole top object
IDENT_MASK = 0xFF                  # kind (5 bits) + colour (3 bits): what rules look at
FACING_SHIFT = 8
FACING_MASK = 0x3 << FACING_SHIFT
MOVED_BIT = 1 << 10

# Kinds (never 0, so a packed cell of 0 means "empty").
BORDER = 1
OBJECT_NOUNS = ("baba", "wall", "ball", "key", "door")
BABA, FWALL, FBALL, FKEY, FDOOR = 2, 3, 4, 5, 6
NOUN_BLOCK0 = 7                      # noun blocks 7..11, same order as OBJECT_NOUNS
IS_BLOCK = 12
PROPERTIES = ("you", "win", "stop", "push", "lose", "pull", "move", "open", "shut")
PROP_BLOCK0 = 13                     # property blocks 13..21
COLOURS = ("red", "green", "blue", "purple", "yellow", "grey", "white")
COLOUR_BLOCK0 = 22                   # colour blocks 22..27 (the first six colours)

OBJECT_KINDS = range(BABA, FDOOR + 1)
BLOCK_KINDS = range(NOUN_BLOCK0, COLOUR_BLOCK0 + 6)

# Property bits in the per-code flag tables (engine.flags[code & IDENT_MASK]).
YOU, WIN, STOP, PUSH, LOSE, PULL, MOVE, OPEN, SHUT = (1 << i for i in range(9))
PROP_BITS = {name: 1 << i for i, name in enumerate(PROPERTIES)}

RED, GREEN, BLUE, PURPLE, YELLOW, GREY, WHITE = range(7)
DEFAULT_COLOUR = {BABA: WHITE, FWALL: GREY, FBALL: GREEN, FKEY: BLUE, FDOOR: RED}

# Directions: action index -> (dx, dy); facing is stored as 0..3 = right, down, left, up.
ACTIONS = ("idle", "up", "right", "down", "left")
DIRECTIONS = {1: (0, -1), 2: (1, 0), 3: (0, 1), 4: (-1, 0)}
FACING_OF_ACTION = {1: 3, 2: 0, 3: 1, 4: 2}


def code(kind: int, colour: int = 0, facing: int = 0) -> int:
    return kind | (colour << 5) | (facing << FACING_SHIFT)


def kind_of(c: int) -> int:
    return c & 0x1F


def colour_of(c: int) -> int:
    return (c >> 5) & 0x7


def object_kind(noun: str) -> int:
    return BABA + OBJECT_NOUNS.index(noun)


def noun_block(noun: str) -> int:
    return code(NOUN_BLOCK0 + OBJECT_NOUNS.index(noun))


def prop_block(prop: str) -> int:
    return code(PROP_BLOCK0 + PROPERTIES.index(prop))


def colour_block(colour: str) -> int:
    return code(COLOUR_BLOCK0 + COLOURS.index(colour))


def obj(noun: str, colour: str | None = None) -> int:
    kind = object_kind(noun)
    return code(kind, DEFAULT_COLOUR[kind] if colour is None else COLOURS.index(colour))


def block_word(kind: int) -> str | None:
    """The lowercase word written on a rule block, or None for a non-block kind."""
    if NOUN_BLOCK0 <= kind < IS_BLOCK:
        return OBJECT_NOUNS[kind - NOUN_BLOCK0]
    if kind == IS_BLOCK:
        return "is"
    if PROP_BLOCK0 <= kind < COLOUR_BLOCK0:
        return PROPERTIES[kind - PROP_BLOCK0]
    if COLOUR_BLOCK0 <= kind < COLOUR_BLOCK0 + 6:
        return COLOURS[kind - COLOUR_BLOCK0]
    return None


def stack_of(cell: int) -> list[int]:
    """Unpack a cell into its object codes, bottom first."""
    out = []
    while cell:
        out.append(cell & CODE_MASK)
        cell >>= CODE_BITS
    out.reverse()
    return out


def pack(codes: list[int]) -> int:
    cell = 0
    for c in codes:
        cell = (cell << CODE_BITS) | c
    return cell
