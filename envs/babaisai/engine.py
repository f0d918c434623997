"""The Baba Is AI game engine (spec A.2-A.5): stacked cells, push chains, rules re-parsed after each move.

State lives in `cells`, a flat row-major list of packed stacks (see vocab). Everything else (rules, the
property table, transformations) is derived from `cells`, so a snapshot is the cells tuple plus the step
counter, and the solver's state key is just `tuple(cells)`.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from envs.babaisai import rules as R
from envs.babaisai import vocab as v

_MASK, _BITS = v.CODE_MASK, v.CODE_BITS
_YOU, _WIN, _STOP, _PUSH, _LOSE, _PULL, _MOVE = v.YOU, v.WIN, v.STOP, v.PUSH, v.LOSE, v.PULL, v.MOVE
_OPEN, _SHUT, _MOVED = v.OPEN, v.SHUT, v.MOVED_BIT
_FACING_DELTA = ((1, 0), (0, 1), (-1, 0), (0, -1))   # facing 0..3 = right, down, left, up


@dataclass(frozen=True)
class Outcome:
    reward: float
    done: bool
    won: bool
    lost: bool


class Engine:
    """One level in play. `step(action_index)` follows spec A.4 exactly (idle = 0, up, right, down, left)."""

    def __init__(self, width: int, height: int, cells: list[int], max_steps: int = 100):
        self.width, self.height, self.max_steps = width, height, max_steps
        self.cells = list(cells)
        self.step_count = 0
        # Frame cells only ever hold border walls, so scans skip them.
        self.scan = [i for i in range(width * height)
                     if 0 < i % width < width - 1 and 0 < i // width < height - 1]
        # Facing only changes the game through MOVE objects; levels without a MOVE block keep every
        # facing at 0 so that equal positions give equal state keys (last_dir is kept for drawing).
        kinds = {c & 0x1F for cell in cells for c in v.stack_of(cell)}
        self.track_facing = v.PROP_BLOCK0 + v.PROPERTIES.index("move") in kinds
        self.last_dir = 0
        self._set_rules(R.parse_rules(self.cells, width, height))

    # -- state -------------------------------------------------------------------------------
    def _set_rules(self, rules: tuple) -> None:
        info = R.compile_rules(rules)
        self.rules, self.info, self.flags, self.xforms = rules, info, info.flags, info.xforms
        self.any_move, self.any_pull, self.any_open_shut = info.any_move, info.any_pull, info.any_open_shut
        self._scan_you()

    def _scan_you(self) -> None:
        """Cells whose top object is YOU, in row-major order (kept up to date after every step)."""
        cells, you = self.cells, self.info.you_table
        self.you_cells = [i for i in self.scan if you[cells[i] & 0xFF]]

    def key(self) -> tuple[int, ...]:
        return tuple(self.cells)

    def snapshot(self) -> tuple:
        return (tuple(self.cells), self.step_count, self.last_dir, self.rules, tuple(self.you_cells))

    def restore(self, snap: tuple) -> None:
        cells, self.step_count, self.last_dir, rules, you_cells = snap
        self.cells = list(cells)
        if rules is not self.rules:
            self._set_rules(rules)
        self.you_cells = list(you_cells)

    def clone(self) -> "Engine":
        other = object.__new__(Engine)
        other.__dict__.update(self.__dict__)
        other.cells = list(self.cells)
        other.you_cells = list(self.you_cells)
        return other

    def top(self, x: int, y: int) -> int:
        return self.cells[y * self.width + x] & _MASK

    # -- dynamics ----------------------------------------------------------------------------
    def step(self, action: int) -> Outcome:
        self.step_count += 1
        won = lost = False
        if action:
            won, lost = self._move_all(action)
        if won:
            reward, done = 1.0 - 0.9 * (self.step_count / self.max_steps), True
        elif lost:
            reward, done = -1.0, True
        else:
            reward, done = 0.0, False
        return Outcome(reward, done or self.step_count >= self.max_steps, won, lost)

    def _move_all(self, action: int) -> tuple[bool, bool]:
        """One non-idle step. The reference clears the moved flag of top YOU/MOVE objects at the start of
        each step; we keep the equivalent invariant "no top YOU/MOVE object carries the flag between
        steps" by clearing, at the end of a step, only the cells the step touched (all of them when the
        rules changed). That spares two full-grid scans per step."""
        cells, flags, width = self.cells, self.flags, self.width
        dx, dy = v.DIRECTIONS[action]
        d = dx + dy * width
        facing = v.FACING_OF_ACTION[action]
        self.last_dir, self.dirty = action, False
        touched = self.touched = []
        # YOU objects in row-major order, each cell's top seen at the moment it is visited. Candidates are
        # the cells topped by a YOU now, plus later cells whose top changes during the scan.
        queue = list(self.you_cells)
        before = self.you_cells
        won = lost = False
        k = 0
        while k < len(queue):
            i = queue[k]
            k += 1
            c = cells[i]
            if not c or c & _MOVED or not flags[c & 0xFF] & _YOU:
                continue
            if self.track_facing:
                cells[i] = c = (c & ~v.FACING_MASK) | (facing << v.FACING_SHIFT)
            mark = len(touched)
            dest, won, lost = self._move(i, d, facing)
            self._mark_moved(dest, c)
            for t in touched[mark:]:
                if t > i and t not in queue[k:]:
                    bisect.insort(queue, t, lo=k)
        if self.any_move:
            self._move_movers()
        changed = False
        if self.dirty:
            rules = R.parse_rules(cells, width, self.height, self.scan)
            if rules != self.rules:
                self._set_rules(rules)
                changed = True
        for from_kind, new_code in self.xforms:
            for i in self.scan:
                if cells[i] & 0x1F == from_kind:
                    cells[i] = (cells[i] << _BITS) | new_code
        flags = self.flags
        full = changed or self.any_move or bool(self.xforms)
        for i in (self.scan if full else touched):
            c = cells[i]
            if c & _MOVED and flags[c & 0xFF] & (_YOU | _MOVE):
                cells[i] = c & ~_MOVED
        if full:
            self._scan_you()
        elif touched:
            # Tops only changed where the step touched, so YOU cells are the old ones plus touched ones.
            you = self.info.you_table
            self.you_cells = sorted({i for i in (*before, *touched) if you[cells[i] & 0xFF]})
        return won, lost

    def _move_movers(self) -> None:
        cells, flags = self.cells, self.flags
        for i in self.scan:
            c = cells[i]
            if c and not c & _MOVED and flags[c & 0xFF] & _MOVE:
                facing = (c & v.FACING_MASK) >> v.FACING_SHIFT
                fdx, fdy = _FACING_DELTA[facing]
                dest, _, _ = self._move(i, fdx + fdy * self.width, facing)
                self._mark_moved(dest, c)

    def _mark_moved(self, dest: int, mover: int) -> None:
        c = self.cells[dest]
        if c and (c & 0xFF) == (mover & 0xFF):
            self.cells[dest] = c | _MOVED
            self.touched.append(dest)

    def _move(self, p: int, d: int, facing: int) -> tuple[int, bool, bool]:
        """Spec A.4 move procedure from cell p in direction d: (destination, win flag, lose flag)."""
        cells, flags = self.cells, self.flags
        f = p + d
        if self.any_open_shut and cells[p] and cells[f]:
            a, b = flags[cells[p] & 0xFF], flags[cells[f] & 0xFF]
            if (a & _OPEN and b & _SHUT) or (a & _SHUT and b & _OPEN):
                cells[p] >>= _BITS
                cells[f] >>= _BITS
                self.dirty = True
                self.touched += (p, f)
        if not cells[p]:
            return p, False, False
        cf = cells[f]
        if cf and flags[cf & 0xFF] & _PUSH:
            self._move(f, d, facing)
            cf = cells[f]
        dest = f if not cf or not flags[cf & 0xFF] & _STOP else p
        target = cells[dest]
        bits = flags[target & 0xFF] if target else 0
        if dest != p:
            cp = cells[p]
            if cp:
                mover = cp & _MASK
                cells[p] = cp >> _BITS
                if self.track_facing:
                    mover = (mover & ~v.FACING_MASK) | (facing << v.FACING_SHIFT)
                cells[dest] = (cells[dest] << _BITS) | mover
                self.touched += (p, dest)
                if mover & 0x1F >= v.NOUN_BLOCK0:
                    self.dirty = True
        if self.any_pull:
            cb = cells[p - d]
            if cb and flags[cb & 0xFF] & _PULL:
                self._move(p - d, d, facing)
        return dest, bool(bits & _WIN), bool(bits & _LOSE)

    # -- queries -----------------------------------------------------------------------------
    def you_reference(self) -> int | None:
        """BALROG's reference cell: first top object of the noun of the *last* `X is you` rule, or None
        (which is exactly when BALROG's wrapper resets the level, spec A.9.4)."""
        noun = None
        for kind, subject, target, _ in self.rules:
            if kind == "prop" and target == "you":
                noun = subject
        if noun is None:
            return None
        want = v.object_kind(noun)
        cells = self.cells
        # With a plain `noun is you` rule every top of that kind is YOU, so the YOU list suffices.
        for i in (self.scan if self.info.coloured_you else self.you_cells):
            if cells[i] & 0x1F == want:
                return i
        return None
