"""`ladder compare`: metric-driven vs success-driven optimization on identical splits and budgets.

Every arm is a full run (its own run directory under the compare directory) built from one base config,
so tasks, seed splits, iterations, episode caps and models are identical; only `objective` (and what the
arm's overrides say) differs. Arms share one LM cache: identical requests (iteration 0's rollouts of the
shared seed prompt, say) are computed once. Fixed reference prompts are evaluated on the same test seeds.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from autolibra.errors import ConfigError
from autolibra.schema import Trajectory
from optimizer.config import RunConfig, load_config, set_value, validate_config
from optimizer.context import RunContext
from optimizer.loop import resume_run, start_run
from optimizer.records import CompareRecord, write_record
from optimizer.reporting.compare import build_compare_report
from optimizer.rewrite import read_prompt, write_prompt
from optimizer.rollout import rollout_stage
from optimizer.rundir import RunDir

log = logging.getLogger(__name__)


class Arm(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    objective: str
    overrides: dict[str, Any] = Field(default_factory=dict)


class Reference(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    prompt: str | None = None  # None = the base config's seed prompt
    prompt_file: Path | None = None


class CompareConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = "compare"
    base: Path  # a run config; relative paths are resolved against the compare config's folder
    overrides: dict[str, Any] = Field(default_factory=dict)
    arms: list[Arm] = Field(default_factory=lambda: [Arm(name="metrics", objective="metrics"),
                                                     Arm(name="success", objective="success")])
    references: list[Reference] = Field(default_factory=list)
    out_dir: Path = Path("runs")
    bootstrap_seed: int = 0


def load_compare_config(path: str | Path, overrides: list[str] | None = None) -> tuple[CompareConfig, RunConfig]:
    path = Path(path)
    raw = load_config(path, overrides, model=CompareConfig)
    base_path = raw.base if raw.base.is_absolute() else path.parent / raw.base
    if not base_path.exists():
        base_path = raw.base  # also accept paths relative to the working directory
    base = load_config(base_path).model_dump(mode="json")
    for key, value in _flatten(raw.overrides):
        set_value(base, key, value)
    base_config = validate_config(base, RunConfig, source=str(base_path))
    if not base_config.seeds.test:
        raise ConfigError(f"{path}: the base config needs seeds.test (held-out seeds for the comparison)")
    for ref in raw.references:
        if ref.prompt_file is not None and not ref.prompt_file.is_absolute():
            candidate = path.parent / ref.prompt_file
            ref.prompt_file = candidate if candidate.exists() else ref.prompt_file
    return raw, base_config


def _flatten(data: dict, prefix: str = ""):
    for key, value in data.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def arm_config(base: RunConfig, arm: Arm) -> RunConfig:
    data = base.model_dump(mode="json")
    data["objective"] = arm.objective
    data["name"] = arm.name
    for key, value in _flatten(arm.overrides):
        set_value(data, key, value)
    return validate_config(data, RunConfig, source=f"arm {arm.name}")


def run_compare(config: CompareConfig, base: RunConfig, *, directory: Path | None = None) -> Path:
    if directory is None:
        directory = Path(config.out_dir) / f"{datetime.now():%Y%m%d-%H%M%S}_{config.name}"
    directory.mkdir(parents=True, exist_ok=True)
    write_record(directory / "compare_config.json",
                 CompareRecord(compare=config.model_dump(mode="json"), base=base.model_dump(mode="json")))
    cache = directory / "lm_cache"
    for arm in config.arms:
        arm_dir = directory / "arms" / arm.name
        if (arm_dir / "run.json").exists():
            resume_run(arm_dir, cache_dir=cache)
        else:
            start_run(arm_config(base, arm), cache_dir=cache, run_path=arm_dir)
    for ref in config.references:
        evaluate_reference(ref, base, directory / "references" / ref.name, cache)
    build_compare_report(directory)
    return directory


def reference_prompt(ref: Reference, base: RunConfig) -> str:
    if ref.prompt_file is not None:
        if not Path(ref.prompt_file).exists():
            raise ConfigError(f"reference {ref.name!r}: prompt_file {ref.prompt_file} not found")
        return Path(ref.prompt_file).read_text(encoding="utf-8").strip()
    return (ref.prompt or base.seed_prompt).strip()


def evaluate_reference(ref: Reference, base: RunConfig, folder: Path, cache: Path) -> list[Trajectory]:
    """A fixed prompt on the test seeds, with the same agent settings as the arms."""
    folder.mkdir(parents=True, exist_ok=True)
    prompt = reference_prompt(ref, base)
    write_prompt(folder / "prompt.md", prompt)
    ctx = RunContext.open(RunDir(folder), base, cache)
    try:
        return rollout_stage(ctx, read_prompt(folder / "prompt.md"), base.seeds.test, folder / "test_rollouts.jsonl")
    finally:
        ctx.close()
