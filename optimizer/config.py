"""The run configuration: a YAML file validated into typed models, with `-o key=value` overrides.

Every field has a default that makes sense for the embedded model, so a config only says what differs.
Unknown keys are an error (a misspelt key would otherwise silently do nothing).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from autolibra.errors import ConfigError


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SeedSplits(Strict):
    """Disjoint seed sets: train (rollouts + feedback), validation (acceptance), test (never seen by the loop)."""

    train: list[int] = Field(default_factory=lambda: [0, 1, 2])
    validation: list[int] = Field(default_factory=lambda: [100, 101])
    test: list[int] = Field(default_factory=list)

    @model_validator(mode="after")
    def _disjoint(self) -> "SeedSplits":
        sets = {"train": set(self.train), "validation": set(self.validation), "test": set(self.test)}
        for a, b in (("train", "validation"), ("train", "test"), ("validation", "test")):
            overlap = sets[a] & sets[b]
            if overlap:
                raise ValueError(f"seed splits must be disjoint: {a} and {b} share {sorted(overlap)}")
        if not self.train:
            raise ValueError("seeds.train must not be empty")
        return self


class AgentSettings(Strict):
    format: Literal["naive", "cot", "robust_cot", "constrained", "constrained_action"] = "constrained"
    history: int = Field(default=16, ge=0)
    max_tokens: int = Field(default=256, gt=0)
    temperature: float = Field(default=0.0, ge=0.0)


class FeedbackSettings(Strict):
    source: Literal["llm", "human", "file"] = "llm"
    sample: int = Field(default=18, gt=0)  # trajectories that get feedback per iteration
    path: Path | None = None  # for source: file (a JSONL of Feedback records)
    solver_analysis: bool = True  # give the llm annotator the solver's analysis (Baba Is AI)
    annotator_name: str | None = None

    @model_validator(mode="after")
    def _file_needs_path(self) -> "FeedbackSettings":
        if self.source == "file" and self.path is None:
            raise ValueError("feedback.source is 'file' but feedback.path is not set")
        return self


class InductionSettings(Strict):
    max_rounds: int = Field(default=2, ge=1)
    n_metrics: int | None = Field(default=None, gt=0)
    heldout: float = Field(default=0.0, ge=0.0, lt=1.0)
    workers: int = Field(default=4, gt=0)


class RewriterSettings(Strict):
    max_chars: int = Field(default=4000, gt=0)  # an oversized rewrite is rejected and retried
    retries: int = Field(default=2, ge=0)
    worst_failures: int = Field(default=3, ge=0)
    successes: int = Field(default=2, ge=0)
    excerpt_steps: int = Field(default=6, gt=0)


class RunConfig(Strict):
    name: str = "run"
    env: str = "babaisai"
    tasks: list[str] = Field(default_factory=lambda: ["env/goto_win"])  # ids or globs
    seeds: SeedSplits = Field(default_factory=SeedSplits)
    max_steps: int | None = Field(default=None, gt=0)  # episode cap; None = the env's own
    iterations: int = Field(default=2, ge=1)
    objective: Literal["metrics", "success", "gepa"] = "metrics"
    acceptance: Literal["not_worse", "better", "always"] = "not_worse"
    models: dict[str, Any] = Field(default_factory=lambda: {"default": "local"})
    agent: AgentSettings = Field(default_factory=AgentSettings)
    seed_prompt: str = "Move toward the WIN object."
    feedback: FeedbackSettings = Field(default_factory=FeedbackSettings)
    induction: InductionSettings = Field(default_factory=InductionSettings)
    rewriter: RewriterSettings = Field(default_factory=RewriterSettings)
    concurrency: int = Field(default=4, gt=0)
    selection: dict[str, Any] | None = None  # SelectionConfig fields; None = no fine-tuning export
    out_dir: Path = Path("runs")
    random_seed: int = 0  # feedback sampling and held-out splits


def load_config(path: str | Path, overrides: list[str] | None = None, model: type[BaseModel] = RunConfig):
    """Read a YAML config, apply `key.sub=value` overrides (values parsed as YAML), validate."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"config file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level, got {type(data).__name__}")
    for item in overrides or []:
        apply_override(data, item)
    return validate_config(data, model, source=str(path))


def validate_config(data: dict, model: type[BaseModel] = RunConfig, source: str = "config"):
    try:
        return model.model_validate(data)
    except ValidationError as error:
        lines = []
        for item in error.errors():
            where = ".".join(str(p) for p in item["loc"]) or "(top level)"
            lines.append(f"  {where}: {item['msg']} (got {item.get('input')!r})"[:300])
        raise ConfigError(f"{source}: invalid config:\n" + "\n".join(lines)) from None


def apply_override(data: dict, item: str) -> None:
    if "=" not in item:
        raise ConfigError(f"override {item!r} must look like key.sub=value")
    key, raw = item.split("=", 1)
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError:
        value = raw
    node = data
    parts = key.strip().split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"override {item!r}: {part!r} is not a section")
    node[parts[-1]] = value
