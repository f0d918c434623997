"""Stage 6, validate: the incumbent and the candidate prompt play the same validation episodes (the run's
tasks x validation seeds), and the acceptance rule decides which one the next iteration starts from
(decision.json)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from autolibra.schema import Trajectory
from optimizer.agent import prompt_id_of
from optimizer.context import RunContext
from optimizer.records import Decision, read_optional, write_record
from optimizer.rollout import rollout_stage


def validate_stage(ctx: RunContext, folder: Path, prompt: str, candidate: str) -> bool:
    """True when the candidate replaces the incumbent. An unchanged candidate is never accepted and costs
    no extra episodes."""
    decision = read_optional(folder / "decision.json", Decision)
    if decision is not None:
        return decision.accepted
    seeds = ctx.config.seeds.validation
    incumbent_runs = rollout_stage(ctx, prompt, seeds, folder / "validation_rollouts.jsonl")
    candidate_runs = incumbent_runs if candidate == prompt else \
        rollout_stage(ctx, candidate, seeds, folder / "candidate" / "validation_rollouts.jsonl")
    incumbent, challenger = success_rate(incumbent_runs), success_rate(candidate_runs)
    rule = ctx.config.acceptance
    accepted = candidate != prompt and (
        rule == "always" or (rule == "not_worse" and challenger >= incumbent)
        or (rule == "better" and challenger > incumbent))
    write_record(folder / "decision.json", Decision(
        rule=rule, accepted=accepted, incumbent_success=incumbent, candidate_success=challenger,
        episodes=len(incumbent_runs), incumbent_prompt_id=prompt_id_of(prompt),
        candidate_prompt_id=prompt_id_of(candidate)))
    return accepted


def success_rate(trajectories: Sequence[Trajectory]) -> float:
    return sum(1 for t in trajectories if t.success) / len(trajectories) if trajectories else 0.0
