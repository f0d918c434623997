"""Rule parsing (spec A.3) and the per-object property tables derived from the rules in force.

A rule is a small tuple, kept in discovery order with duplicates (the text observation lists them):
  ("prop", noun, property, colour_or_None)   e.g. ("prop", "door", "win", None)
  ("become", noun, other_noun, None)         transformation `noun IS noun`
"""

from __future__ import annotations

from functools import lru_cache

from envs.babaisai import vocab as v

Rule = tuple[str, str, str, "str | None"]


def _noun(kind: int) -> str | None:
    return v.OBJECT_NOUNS[kind - v.NOUN_BLOCK0] if v.NOUN_BLOCK0 <= kind < v.IS_BLOCK else None


def _prop(kind: int) -> str | None:
    return v.PROPERTIES[kind - v.PROP_BLOCK0] if v.PROP_BLOCK0 <= kind < v.COLOUR_BLOCK0 else None


def _colour(kind: int) -> str | None:
    return v.COLOURS[kind - v.COLOUR_BLOCK0] if v.COLOUR_BLOCK0 <= kind < v.COLOUR_BLOCK0 + 6 else None


def _triple(left: int, right: int) -> Rule | None:
    noun = _noun(left & 0x1F) if left else None
    if noun is None or not right:
        return None
    prop = _prop(right & 0x1F)
    if prop is not None:
        return ("prop", noun, prop, None)
    other = _noun(right & 0x1F)
    return ("become", noun, other, None) if other is not None else None


def _quad(colour: int, left: int, right: int) -> Rule | None:
    if not (colour and left and right):
        return None
    col, noun, prop = _colour(colour & 0x1F), _noun(left & 0x1F), _prop(right & 0x1F)
    if col is None or noun is None or prop is None:
        return None
    return ("prop", noun, prop, col)


def parse_rules(cells: list[int], width: int, height: int, scan=None) -> tuple[Rule, ...]:
    """All rules formed by the top objects of `cells` (row-major IS scan; horizontal before vertical).
    `scan` optionally restricts the IS search to the given cell indices (rule blocks never sit on the frame)."""
    rules: list[Rule] = []
    indices = range(len(cells)) if scan is None else scan
    for i in [i for i in indices if cells[i] & 0x1F == v.IS_BLOCK]:
        x, y = i % width, i // width
        for step, pos, size in ((1, x, width), (width, y, height)):
            if pos - 1 < 0 or pos + 1 >= size:
                continue
            left = cells[i - step] & v.CODE_MASK
            right = cells[i + step] & v.CODE_MASK
            rule = _quad(cells[i - 2 * step] & v.CODE_MASK, left, right) if pos - 2 >= 0 else None
            if rule is None:
                rule = _triple(left, right)
            if rule is not None:
                rules.append(rule)
    return tuple(rules)


class RuleInfo:
    """Everything the engine and solver derive from one rule list, computed once per distinct list."""

    def __init__(self, rules: tuple[Rule, ...]):
        self.rules = rules
        self.flags = flag_table(rules)
        self.xforms = transformations(rules)
        merged = 0
        for ident, bits in enumerate(self.flags):
            if v.BABA <= ident & 0x1F <= v.FDOOR:
                merged |= bits
        self.any_move, self.any_pull = bool(merged & v.MOVE), bool(merged & v.PULL)
        self.any_open_shut = bool(merged & v.OPEN) and bool(merged & v.SHUT)
        self.you_table = tuple(bool(bits & v.YOU) for bits in self.flags)
        # Classes for the solver's heuristic scan: 1 YOU, 2 WIN, 4 rule block, 8 object.
        self.hclass = tuple((1 if bits & v.YOU else 0) | (2 if bits & v.WIN else 0) |
                            (4 if ident & 0x1F >= v.NOUN_BLOCK0 else 0) |
                            (8 if v.BABA <= ident & 0x1F <= v.FDOOR else 0)
                            for ident, bits in enumerate(self.flags))
        self.coloured_you = any(kind == "prop" and target == "you" and colour is not None
                                for kind, _, target, colour in rules)
        # Rules under which objects can move without a YOU walking into them, or appear/vanish: the
        # solver's distance bound does not hold there (solver/bound.py).
        self.loose = bool(self.xforms) or bool(merged & (v.PUSH | v.PULL | v.MOVE | v.OPEN | v.SHUT))


@lru_cache(maxsize=4096)
def compile_rules(rules: tuple[Rule, ...]) -> RuleInfo:
    return RuleInfo(rules)


@lru_cache(maxsize=4096)
def flag_table(rules: tuple[Rule, ...]) -> tuple[int, ...]:
    """Property bits for every (kind, colour) identity, indexed by `code & IDENT_MASK`."""
    plain: set[tuple[str, str]] = set()
    coloured: dict[tuple[str, str], set[int]] = {}
    for kind, noun, target, colour in rules:
        if kind != "prop":
            continue
        if colour is None:
            plain.add((noun, target))
        else:
            coloured.setdefault((noun, target), set()).add(v.COLOURS.index(colour))
    table = [0] * 256
    for ident in range(256):
        kind, colour = ident & 0x1F, ident >> 5
        if kind == v.BORDER:
            table[ident] = v.STOP
        elif v.NOUN_BLOCK0 <= kind < v.COLOUR_BLOCK0 + 6:
            table[ident] = v.STOP | v.PUSH      # rule blocks: never passable, always pushable
        elif v.BABA <= kind <= v.FDOOR:
            table[ident] = _object_flags(v.OBJECT_NOUNS[kind - v.BABA], colour, plain, coloured)
    return tuple(table)


def _object_flags(noun: str, colour: int, plain, coloured) -> int:
    bits = 0
    for prop, bit in v.PROP_BITS.items():
        colours = coloured.get((noun, prop))
        if colours:
            if colour in colours:
                bits |= bit
                # The reference tries to make YOU/PULL objects implicitly STOP, but that test only
                # fires for colour-restricted rules (spec A.3); we reproduce exactly that.
                if prop in ("you", "pull"):
                    bits |= v.STOP
        elif (noun, prop) in plain:
            bits |= bit
    return bits


@lru_cache(maxsize=4096)
def transformations(rules: tuple[Rule, ...]) -> tuple[tuple[int, int], ...]:
    """(from object kind, new object code) for every `noun IS noun` rule, in rule order."""
    return tuple((v.object_kind(noun), v.obj(other)) for kind, noun, other, _ in rules if kind == "become")


def rule_lines(rules: tuple[Rule, ...]) -> list[str]:
    """BALROG's rule lines: property rules only, colour dropped, in parse order."""
    return [f"{noun} is {target}" for kind, noun, target, _ in rules if kind == "prop"]
