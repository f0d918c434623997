"""BALROG's text observation (spec A.9.2) and a compact grid drawing for people and annotator models."""

from __future__ import annotations

from functools import lru_cache

from envs.babaisai import rules as R
from envs.babaisai import vocab as v
from envs.babaisai.engine import Engine

# What BALROG lists, by kind: ball/key/door/wall objects and noun/IS/property blocks; never baba objects,
# border walls or colour blocks.
_NAME: list[str | None] = [None] * 32
for _kind in (v.FWALL, v.FBALL, v.FKEY, v.FDOOR):
    _NAME[_kind] = v.OBJECT_NOUNS[_kind - v.BABA]
for _kind in range(v.NOUN_BLOCK0, v.COLOUR_BLOCK0):
    _NAME[_kind] = f"rule `{v.block_word(_kind)}`"

_LISTED = tuple(name is not None for name in _NAME)
_LINES: dict[int, str] = {}   # (width, reference cell, cell, kind) packed in one int -> the line


def _offset(name: str, dx: int, dy: int) -> str:
    # The unit is "steps" only when the *signed* value exceeds 1, so left/up distances always read
    # "step" ("3 step to the left"): a reference quirk models were scored with, kept on purpose.
    parts = []
    if dx:
        unit = "steps" if dx > 1 else "step"
        parts.append(f"{dx} {unit} to the right" if dx > 0 else f"{-dx} {unit} to the left")
    if dy:
        unit = "steps" if dy > 1 else "step"
        parts.append(f"{dy} {unit} down" if dy > 0 else f"{-dy} {unit} up")
    return f"{name} {' and '.join(parts)}" if parts else ""


@lru_cache(maxsize=1024)
def _rules_block(rules: tuple) -> str:
    return "Active rules:\n" + "\n".join(R.rule_lines(rules)) + "\n\nObjects on the map:\n"


def observation_text(engine: Engine) -> str | None:
    """The exact `long_term_context` BALROG shows, or None when no YOU object can be found (BALROG then
    resets the level, spec A.9.4)."""
    ref = engine.you_reference()
    if ref is None:
        return None
    width, cells, listed, cache = engine.width, engine.cells, _LISTED, _LINES
    base = (width << 26) | (ref << 13)
    lines = []
    for i in engine.scan:
        kind = cells[i] & 0x1F
        if listed[kind]:
            key = base | (i << 5) | kind
            line = cache.get(key)
            if line is None:
                line = cache[key] = _offset(_NAME[kind], i % width - ref % width, i // width - ref // width)
            lines.append(line)
    return _rules_block(engine.rules) + "\n".join(lines)


def rules_text(engine: Engine) -> str:
    return "\n".join(R.rule_lines(engine.rules))


_COLOUR_INITIAL = "rgbpygw"   # red green blue purple yellow grey white


def cell_token(top: int) -> str:
    kind = top & 0x1F
    if not top:
        return "."
    if kind == v.BORDER:
        return "#"
    word = v.block_word(kind)
    if word is not None:
        return word.upper()
    return _COLOUR_INITIAL[v.colour_of(top)] + v.OBJECT_NOUNS[kind - v.BABA]


def grid_rows(engine: Engine) -> list[str]:
    """One line per row, each cell's top object right-aligned in 6 characters."""
    w, cells = engine.width, engine.cells
    return ["".join(f"{cell_token(cells[y * w + x] & v.CODE_MASK):>6}" for x in range(w))
            for y in range(engine.height)]


LEGEND = ("legend: # border, . empty, UPPERCASE = rule block (push it to change rules), "
          "lowercase = object with its colour initial (r red, g green/grey, b blue, w white); "
          "only the top of a stacked cell is drawn; x grows right, y grows down")


def render_grid_text(engine: Engine) -> str:
    return "\n".join(grid_rows(engine)) + "\n" + LEGEND
