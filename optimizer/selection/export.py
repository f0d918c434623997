"""Turning selected trajectories into chat fine-tuning data.

Two layouts: OpenAI's chat fine-tuning JSONL (one ``{"messages": [...]}`` object a line, nothing else, since
that format rejects unknown keys), and a Hugging Face dataset directory (``data/train.jsonl`` with the same
messages plus provenance columns, and a README.md dataset card whose YAML ``configs`` block tells
`datasets.load_dataset(DIR)` where the split is).

One example per episode (the whole conversation) or per step (that step's decision with up to ``history``
earlier steps as context, earlier actions beyond that summarised in one line).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from autolibra.errors import InputError
from autolibra.jsonl import atomic_write_text
from autolibra.schema import Step, Trajectory
from optimizer.selection.config import DEFAULT_SYSTEM_PROMPT

Per = Literal["step", "episode"]


def trajectory_examples(trajectory: Trajectory, *, per: Per = "step", history: int = 4,
                        system_prompt: str = DEFAULT_SYSTEM_PROMPT,
                        include_reasoning: bool = True) -> Iterator[tuple[int, list[dict[str, str]]]]:
    """Yield (step index or -1 for a whole episode, messages) for one trajectory."""
    if per not in ("step", "episode"):
        raise InputError(f"`per` must be 'step' or 'episode', got {per!r}")
    if history < 0:
        raise InputError(f"`history` must be >= 0, got {history}")
    steps = trajectory.steps
    if not steps:
        return
    if per == "episode":
        yield -1, _conversation(trajectory, steps, [], system_prompt, include_reasoning)
        return
    for i, step in enumerate(steps):
        if not step.valid:
            continue  # the model's output was illegal and a default action ran: not something to imitate
        start = max(0, i - history)
        yield step.index, _conversation(trajectory, steps[start:i + 1], steps[:start], system_prompt,
                                        include_reasoning)


def _conversation(trajectory: Trajectory, window: Sequence[Step], omitted: Sequence[Step], system_prompt: str,
                  include_reasoning: bool) -> list[dict[str, str]]:
    messages = [{"role": "system", "content": system_prompt}]
    for position, step in enumerate(window):
        parts = []
        if position == 0:
            parts.append(f"Task: {trajectory.instruction}" if trajectory.instruction else "")
            if omitted:
                earlier = "; ".join(s.action for s in omitted)
                parts.append(f"Earlier actions ({len(omitted)}, observations not shown): {earlier}")
        parts.append(f"Observation:\n{step.observation}")
        messages.append({"role": "user", "content": "\n\n".join(p for p in parts if p)})
        messages.append({"role": "assistant", "content": render_decision(step, include_reasoning)})
    return messages


def render_decision(step: Step, include_reasoning: bool = True) -> str:
    if include_reasoning and step.reasoning:
        return f"{step.reasoning.strip()}\nAction: {step.action}"
    return f"Action: {step.action}"


def export_chat_jsonl(trajectories: Sequence[Trajectory], path: str | Path, *, per: Per = "step",
                      history: int = 4, system_prompt: str = DEFAULT_SYSTEM_PROMPT,
                      include_reasoning: bool = True) -> int:
    """Write OpenAI chat fine-tuning JSONL; returns the number of examples written."""
    lines = []
    for trajectory in trajectories:
        for _, messages in trajectory_examples(trajectory, per=per, history=history, system_prompt=system_prompt,
                                               include_reasoning=include_reasoning):
            lines.append(json.dumps({"messages": messages}, ensure_ascii=False))
    atomic_write_text(path, "".join(line + "\n" for line in lines))
    return len(lines)


def export_hf_dataset(trajectories: Sequence[Trajectory], out_dir: str | Path, *, per: Per = "step",
                      history: int = 4, system_prompt: str = DEFAULT_SYSTEM_PROMPT, include_reasoning: bool = True,
                      scores: Mapping[str, float | None] | None = None, name: str = "ladder-selection") -> Path:
    """Write a directory that `datasets.load_dataset(str(out_dir))` loads as one `train` split."""
    out_dir = Path(out_dir)
    rows = []
    for trajectory in trajectories:
        for step, messages in trajectory_examples(trajectory, per=per, history=history,
                                                  system_prompt=system_prompt, include_reasoning=include_reasoning):
            rows.append(_row(trajectory, step, messages, (scores or {}).get(trajectory.id)))
    atomic_write_text(out_dir / "data" / "train.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n"
                                                               for r in rows))
    atomic_write_text(out_dir / "README.md", dataset_card(name, rows, per=per, history=history))
    return out_dir


def _row(trajectory: Trajectory, step: int, messages: list[dict[str, str]], score: float | None) -> dict[str, Any]:
    # Fixed column types in every row (floats stay floats, missing values are null) so the JSON loader
    # infers one schema for the whole file.
    return {"messages": messages, "trajectory_id": trajectory.id, "task": trajectory.task, "env": trajectory.env,
            "step": step, "score": None if score is None else float(score), "success": trajectory.success,
            "source": str(trajectory.metadata.get("source", trajectory.env))}


def dataset_card(name: str, rows: list[dict[str, Any]], *, per: str, history: int) -> str:
    tasks = sorted({r["task"] for r in rows})
    trajectories = len({r["trajectory_id"] for r in rows})
    size = "n<1K" if len(rows) < 1000 else "1K<n<10K" if len(rows) < 10000 else "10K<n<100K"
    unit = "one example per episode" if per == "episode" else f"one example per step, with up to {history} earlier steps"
    return f"""---
configs:
- config_name: default
  data_files:
  - split: train
    path: data/train.jsonl
task_categories:
- text-generation
tags:
- agents
- fine-tuning
- ladder
size_categories:
- {size}
---

# {name}

Agent trajectories selected by `ladder select` with metrics induced by AutoLibra, in chat format
({unit}).

- examples: {len(rows)}
- trajectories: {trajectories}
- tasks: {len(tasks)}

## Columns

- `messages`: list of `{{role, content}}` turns: system, then alternating user (task and observation)
  and assistant (reasoning and `Action: ...`).
- `trajectory_id`, `task`, `env`, `source`: where the example comes from.
- `step`: the step index the final assistant turn decides (-1: a whole episode).
- `score`: the trajectory's selection score; `success`: its outcome (null when unknown).

Load it with `datasets.load_dataset("path/to/this/directory")`.
"""
