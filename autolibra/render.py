"""Render a trajectory as compact, step-indexed text that fits a token budget.

Every operator shows the model a trajectory; small local models read slowly (about 40 tokens/s), so
the text must be short. A long trajectory keeps its start, a window around each step the caller says
matters (the steps a feedback or an aspect refers to), and its end; gaps are stated explicitly
("... 12 steps omitted (5-16) ...") so the model never mistakes a cut for the agent doing nothing.

Token counts are estimates (no tokenizer is loaded here): see `estimate_tokens`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from autolibra.schema import Step, Trajectory

# Detail levels tried in order until the kept steps fit: (observation chars, reasoning chars).
_DETAIL_LEVELS = ((360, 160), (160, 80), (60, 0), (0, 0))
_STEP_REFERENCE = re.compile(r"\bsteps?\s*#?\s*(\d+)(?:\s*(?:-|to|–)\s*(\d+))?", re.IGNORECASE)


@dataclass(frozen=True)
class RenderedTrajectory:
    """The rendered text plus what it holds: `str()` of it is the text."""

    text: str
    tokens: int  # estimated
    steps_shown: tuple[int, ...]
    steps_omitted: int

    def __str__(self) -> str:
        return self.text


def estimate_tokens(text: str) -> int:
    """A conservative token estimate: the larger of chars/3.5 and words*1.4.

    BPE tokenizers average about 4 characters per English token; game observations are full of short
    words, digits and punctuation, which tokenize worse, so both bounds are pessimistic on purpose.
    """
    if not text:
        return 0
    return math.ceil(max(len(text) / 3.5, len(text.split()) * 1.4))


def steps_mentioned(text: str, num_steps: int) -> list[int]:
    """Step indices a free text refers to ("step 12", "steps 3-5"), clipped to the trajectory."""
    found: set[int] = set()
    for match in _STEP_REFERENCE.finditer(text):
        start = int(match.group(1))
        end = int(match.group(2)) if match.group(2) else start
        for index in range(start, min(end, start + 20) + 1):
            if 0 <= index < num_steps:
                found.add(index)
    return sorted(found)


def render_trajectory(
    trajectory: Trajectory,
    *,
    token_budget: int = 1200,
    focus_steps: Iterable[int] = (),
    context: int = 1,
    include_instruction: bool = True,
) -> RenderedTrajectory:
    """Step-indexed text of `trajectory` within about `token_budget` tokens.

    `focus_steps` are kept (with `context` steps either side) whenever anything is cut.
    """
    header = _header(trajectory, include_instruction)
    footer = _footer(trajectory)
    budget = token_budget - estimate_tokens(header) - estimate_tokens(footer)
    steps = trajectory.steps
    must = _must_keep(len(steps), focus_steps, context)
    for obs_chars, reason_chars in _DETAIL_LEVELS:
        lines = [_step_line(step, prev, obs_chars, reason_chars) for step, prev in zip(steps, [None, *steps])]
        kept = _select(lines, must, budget)
        if kept is not None:
            return _result(header, lines, kept, footer)
    # Even one-line-per-step does not fit the required steps: keep what fits, in priority order.
    lines = [_step_line(step, None, 0, 0) for step in steps]
    kept = _greedy(lines, _priority(len(steps), must), budget)
    return _result(header, lines, kept, footer)


def _result(header: str, lines: list[str], kept: set[int], footer: str) -> RenderedTrajectory:
    text = "\n".join(part for part in [header, *_with_gaps(lines, kept), footer] if part)
    return RenderedTrajectory(text=text, tokens=estimate_tokens(text), steps_shown=tuple(sorted(kept)),
                              steps_omitted=len(lines) - len(kept))


def _header(trajectory: Trajectory, include_instruction: bool) -> str:
    parts = [f"Task: {trajectory.task} ({trajectory.env}); {len(trajectory.steps)} steps; outcome: "
             f"{trajectory.outcome}; progression {trajectory.progression:.2f}"]
    if include_instruction and trajectory.instruction.strip():
        parts.append("Goal: " + _clip(_flat(trajectory.instruction), 300))
    return "\n".join(parts)


def _footer(trajectory: Trajectory) -> str:
    if trajectory.final_observation:
        return "Final observation: " + _clip(_flat(trajectory.final_observation), 200)
    return ""


def _step_line(step: Step, previous: Step | None, obs_chars: int, reason_chars: int) -> str:
    line = f"[{step.index}] action: {_clip(_flat(step.action), 60)}"
    if not step.valid:
        line += f" (invalid output {_clip(_flat(step.raw_output), 40)!r}, default used)"
    if step.reward:
        line += f"; reward {step.reward:g}"
    if reason_chars and step.reasoning:
        line += f"; thought: {_clip(_flat(step.reasoning), reason_chars)}"
    if obs_chars and step.observation:
        # Repeating an unchanged observation costs tokens and says nothing (bumping a wall shows here).
        same = previous is not None and previous.observation == step.observation
        line += "; saw: (unchanged)" if same else f"; saw: {_clip(_flat(step.observation), obs_chars)}"
    return line


def _must_keep(num_steps: int, focus_steps: Iterable[int], context: int) -> set[int]:
    must = {0, num_steps - 1} if num_steps else set()
    for focus in focus_steps:
        for index in range(focus - context, focus + context + 1):
            if 0 <= index < num_steps:
                must.add(index)
    return must


def _priority(num_steps: int, must: set[int]) -> list[int]:
    """Required steps first (in order), then alternately from the start and the end."""
    order = sorted(must)
    rest = [i for i in range(num_steps) if i not in must]
    front, back = 0, len(rest) - 1
    while front <= back:
        order.append(rest[front])
        front += 1
        if front <= back:
            order.append(rest[back])
            back -= 1
    return order


def _select(lines: list[str], must: set[int], budget: int) -> set[int] | None:
    """All lines when they fit; else the required ones plus whatever else fits; None if required don't."""
    costs = [estimate_tokens(line) for line in lines]
    if sum(costs) <= budget:
        return set(range(len(lines)))
    # Each gap marker costs a few tokens; reserve for one per required run of steps.
    reserve = 8 * (len(must) + 1)
    if sum(costs[i] for i in must) + reserve > budget:
        return None
    return _greedy(lines, _priority(len(lines), must), budget - reserve)


def _greedy(lines: list[str], order: list[int], budget: int) -> set[int]:
    kept, used = set(), 0
    for index in order:
        cost = estimate_tokens(lines[index])
        if used + cost > budget:
            continue
        kept.add(index)
        used += cost
    return kept


def _with_gaps(lines: list[str], kept: set[int]) -> list[str]:
    out, gap_start = [], None
    for index, line in enumerate(lines):
        if index in kept:
            if gap_start is not None:
                out.append(_gap(gap_start, index - 1))
                gap_start = None
            out.append(line)
        elif gap_start is None:
            gap_start = index
    if gap_start is not None:
        out.append(_gap(gap_start, len(lines) - 1))
    return out


def _gap(first: int, last: int) -> str:
    count = last - first + 1
    return f"... {count} step{'s' if count > 1 else ''} omitted ({first}-{last}) ..."


def _flat(text: str) -> str:
    return " ".join(text.split())


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"
