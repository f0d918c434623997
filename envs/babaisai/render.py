"""RGB drawing of the grid (32 px per cell), only built when `render_mode="rgb_array"` asks for it.

Tiles are drawn once per (kind, colour, facing) and cached, so a frame is a few array copies.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from envs.babaisai import vocab as v
from envs.babaisai.engine import Engine

TILE = 32
_RGB = {v.RED: (220, 50, 50), v.GREEN: (60, 180, 75), v.BLUE: (60, 100, 230), v.PURPLE: (150, 70, 200),
        v.YELLOW: (230, 210, 50), v.GREY: (128, 128, 128), v.WHITE: (245, 245, 245)}
_TILES: dict[int, np.ndarray] = {}
_FONT = ImageFont.load_default()


def _tile(top: int, facing: int) -> np.ndarray:
    key = (top & v.IDENT_MASK) | (facing << 8)
    tile = _TILES.get(key)
    if tile is None:
        tile = _TILES[key] = _draw(top, facing)
    return tile


def _draw(top: int, facing: int) -> np.ndarray:
    image = Image.new("RGB", (TILE, TILE), (0, 0, 0))
    pen = ImageDraw.Draw(image)
    kind, colour = top & 0x1F, _RGB.get(v.colour_of(top), (200, 200, 200))
    word = v.block_word(kind)
    if kind == v.BORDER:
        pen.rectangle([0, 0, TILE - 1, TILE - 1], fill=(90, 90, 90))
    elif word is not None:
        pen.rectangle([1, 1, TILE - 2, TILE - 2], fill=(200, 200, 200))
        pen.text((TILE // 2, TILE // 2), word.upper()[:4], fill=(0, 0, 0), font=_FONT, anchor="mm")
    elif kind == v.FBALL:
        pen.ellipse([6, 6, TILE - 7, TILE - 7], fill=colour)
    elif kind == v.FKEY:
        pen.ellipse([4, 10, 14, 20], outline=colour, width=3)
        pen.rectangle([14, 14, 28, 16], fill=colour)
        pen.rectangle([22, 16, 24, 22], fill=colour)
    elif kind == v.FDOOR:
        pen.rectangle([6, 3, TILE - 7, TILE - 4], outline=colour, width=3)
        pen.ellipse([19, 15, 22, 18], fill=colour)
    elif kind == v.FWALL:
        pen.rectangle([8, 8, TILE - 9, TILE - 9], fill=colour)
    elif kind == v.BABA:
        points = {0: [(6, 6), (26, 16), (6, 26)], 1: [(6, 6), (26, 6), (16, 26)],
                  2: [(26, 6), (6, 16), (26, 26)], 3: [(6, 26), (26, 26), (16, 6)]}[facing]
        pen.polygon(points, fill=colour)
    return np.asarray(image, dtype=np.uint8)


def render_rgb(engine: Engine) -> np.ndarray:
    w, h = engine.width, engine.height
    frame = np.zeros((h * TILE, w * TILE, 3), dtype=np.uint8)
    # Without MOVE blocks the engine keeps facings at 0; draw the last move direction instead.
    last = v.FACING_OF_ACTION.get(engine.last_dir, 0)
    for i, cell in enumerate(engine.cells):
        if cell:
            top = cell & v.CODE_MASK
            facing = (top & v.FACING_MASK) >> v.FACING_SHIFT if engine.track_facing else last
            x, y = i % w, i // w
            frame[y * TILE:(y + 1) * TILE, x * TILE:(x + 1) * TILE] = _tile(top, facing)
    return frame
