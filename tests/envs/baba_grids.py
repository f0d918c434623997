"""Test helper: build a Baba Is AI engine from a small drawing (tokens as in `render_grid_text`)."""

from __future__ import annotations

from envs.babaisai import vocab as v
from envs.babaisai.engine import Engine

_COLOURS = {"r": "red", "g": "green", "b": "blue", "w": "white", "p": "purple", "y": "yellow"}


def token_code(token: str) -> int:
    if token == "#":
        return v.code(v.BORDER)
    word = token.lower()
    if token.isupper():
        if word in v.OBJECT_NOUNS:
            return v.noun_block(word)
        if word == "is":
            return v.code(v.IS_BLOCK)
        if word in v.PROPERTIES:
            return v.prop_block(word)
        return v.colour_block(word)
    colour, noun = _COLOURS[token[0]], token[1:]
    return v.obj(noun, "grey" if token == "gwall" else colour)


def engine_from(drawing: str, max_steps: int = 100) -> Engine:
    """Rows of whitespace-separated tokens; `.` empty, `a+b` stacks b on a. No frame is added."""
    rows = [line.split() for line in drawing.strip().splitlines()]
    if len({len(row) for row in rows}) != 1:
        raise ValueError(f"rows of unequal length: {[len(row) for row in rows]}")
    cells = []
    for row in rows:
        for token in row:
            cell = 0
            for part in token.split("+"):
                if part != ".":
                    cell = (cell << v.CODE_BITS) | token_code(part)
            cells.append(cell)
    return Engine(len(rows[0]), len(rows), cells, max_steps=max_steps)
