"""Stage 5, rewrite: the run's objective proposes the next prompt (candidate/prompt.md) and says how
(candidate/rewrite.json). The prompt file is written last, so its presence means the stage is done."""

from __future__ import annotations

from pathlib import Path

from autolibra.jsonl import atomic_write_text
from optimizer.agent import GameAgent
from optimizer.context import RunContext
from optimizer.objectives import TrainingData, objective_named
from optimizer.records import write_record


def rewrite_stage(ctx: RunContext, folder: Path, prompt: str, train: TrainingData) -> str:
    target = folder / "candidate" / "prompt.md"
    if target.exists():
        return read_prompt(target)
    config = ctx.config
    agent = GameAgent(prompt, config.agent)
    validation = [(task, seed) for task in ctx.tasks for seed in config.seeds.validation]
    proposal = objective_named(config.objective).propose(ctx, agent, train, validation, folder)
    write_record(folder / "candidate" / "rewrite.json", proposal.record)
    write_prompt(target, proposal.instructions)
    return read_prompt(target)


def read_prompt(path: Path) -> str:
    return path.read_text(encoding="utf-8").strip()


def write_prompt(path: Path, text: str) -> None:
    """Write a prompt once. Prompts are stored stripped plus one newline, so their ids survive a round trip
    through disk; an existing file is never rewritten (it is what that iteration really used)."""
    if not path.exists():
        atomic_write_text(path, text.strip() + "\n")
