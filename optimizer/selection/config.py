"""The typed configuration of `ladder select` and of the loop's per-iteration selection step.

A run config's `selection:` section is this model, so a mistake in it fails when the config is loaded.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

DEFAULT_SYSTEM_PROMPT = (
    "You are an agent acting in an interactive environment to complete the user's task. "
    "Each turn you see the current observation; reply with your reasoning, then one action on a line "
    "starting with 'Action:'."
)


class SelectionConfig(BaseModel):
    """How trajectories are scored, selected and exported. Unknown keys are an error (typos in YAML)."""

    model_config = ConfigDict(extra="forbid")

    # --- scoring (see docs/selection.md for how 0-rated and unscored traits count)
    aggregate: Literal["pass_fraction", "mean_rating"] = "pass_fraction"
    weights: dict[str, float] = Field(default_factory=dict)  # metric name -> weight; missing names weigh 1.0
    require_success: bool = False  # drop trajectories whose success is not True
    min_applicable: int = Field(default=1, ge=0)  # fewer applicable metrics than this -> no score
    rejudge_unscored: bool = False  # re-ask the judge for traits stored with rating None

    # --- selection
    top_k: int | None = Field(default=None, ge=1)
    threshold: float | None = None  # keep scores >= threshold (pass_fraction: 0..1, mean_rating: -1..1)
    per_task_cap: int | None = Field(default=None, ge=1)
    diversity: Literal["round_robin", "none"] = "round_robin"  # interleave tasks so none dominates top-k
    dedupe_actions: bool = True  # skip a trajectory whose action sequence repeats a selected one of its task

    # --- iterative mode (select, re-induce from feedback on the selected set, select again)
    iterations: int = Field(default=1, ge=1)

    # --- export
    formats: list[Literal["openai", "hf"]] = Field(default_factory=lambda: ["openai"])
    per: Literal["step", "episode"] = "step"
    history: int = Field(default=4, ge=0)  # per-step examples: how many earlier steps to include
    include_reasoning: bool = True
    system_prompt: str = DEFAULT_SYSTEM_PROMPT

    @model_validator(mode="after")
    def _check(self) -> "SelectionConfig":
        if self.top_k is None and self.threshold is None:
            raise ValueError("give `top_k` or `threshold` (or both): otherwise nothing limits the selection")
        bad = {name: w for name, w in self.weights.items() if w < 0}
        if bad:
            raise ValueError(f"metric weights must be >= 0, got {bad}")
        if not self.formats:
            raise ValueError("`formats` is empty; use 'openai', 'hf' or both")
        return self
