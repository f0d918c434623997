"""Every record a run writes to disk, as a typed, versioned pydantic model, with one reader and one writer.

A run directory holds JSON lines of `autolibra.schema` records (trajectories, feedback, aspects, traits)
and the JSON records below. Readers never see loose dicts: `read_record(path, Model)` validates and names
the file when it cannot, `write_record(path, record)` writes atomically. Bump FORMAT_VERSION when a
field changes meaning; new optional fields keep the version.
"""

from __future__ import annotations

import platform
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from autolibra.errors import InputError
from autolibra.induction import RoundReport
from autolibra.jsonl import atomic_write_text
from autolibra.meta_metrics import Ratio
from autolibra.schema import TokenUsage
from autolibra.scoring import MetricRate

FORMAT_VERSION = 2
Status = Literal["running", "waiting_for_feedback", "done", "incomplete", "failed"]
RunKind = Literal["run", "eval", "compare"]
R = TypeVar("R", bound=BaseModel)


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Record(BaseModel):
    """The base of every JSON record: its format version travels with it."""

    format_version: int = FORMAT_VERSION


class RunRecord(Record):
    """run.json: what was run, how it stands, and with which software."""

    kind: RunKind = "run"
    name: str
    status: Status = "running"
    config: dict[str, Any]  # the resolved config (RunConfig for runs, EvalSettings for evals)
    iteration: int = 0  # the iteration in progress (or the last finished, when done)
    created_at: datetime = Field(default_factory=_now)
    updated_at: datetime = Field(default_factory=_now)
    packages: dict[str, str] = Field(default_factory=dict)
    python: str = Field(default_factory=platform.python_version)
    message: str = ""  # why it stopped, when it did


class FeedbackRequest(Record):
    """feedback_request.json: which trajectories get feedback this iteration, and from where."""

    trajectory_ids: list[str]
    source: Literal["llm", "human", "file"]


class InductionRecord(Record):
    """induction.json: AutoLibra's induction report without its per-item lists (those are in JSONL)."""

    metrics: list[str]
    version: int = 0
    rounds: list[RoundReport] = Field(default_factory=list)
    train_ids: list[str] = Field(default_factory=list)
    heldout_ids: list[str] = Field(default_factory=list)
    coverage: Ratio | None = None
    redundancy: Ratio | None = None
    aspects: int = 0
    traits: int = 0
    failed_groundings: dict[str, str] = Field(default_factory=dict)
    unscored_traits: int = 0
    failed_calls: int = 0
    tokens: TokenUsage = Field(default_factory=TokenUsage)


class Scores(Record):
    """scores.json: how the iteration's training episodes did, on success and on the induced metrics."""

    episodes: int
    successes: int
    success_rate: float
    average_steps: float
    invalid_actions: int
    metrics: list[MetricRate] = Field(default_factory=list)  # with their computed pass rates
    unscored_traits: int = 0
    coverage: Ratio | None = None
    redundancy: Ratio | None = None


class RewriteRecord(Record):
    """candidate/rewrite.json: how the objective produced the candidate prompt."""

    objective: Literal["metrics", "success", "gepa"]
    accepted_by_checks: bool  # False: every attempt was rejected and the incumbent was kept
    attempts: int = 0
    rejections: list[str] = Field(default_factory=list)
    evidence: str = ""  # what the rewriter read (metrics and success objectives)
    max_metric_calls: int | None = None  # gepa: the episode budget it was given


class Decision(Record):
    """decision.json: the acceptance rule applied to paired validation episodes."""

    rule: Literal["not_worse", "better", "always"]
    accepted: bool
    incumbent_success: float
    candidate_success: float
    episodes: int  # validation episodes per prompt
    incumbent_prompt_id: str
    candidate_prompt_id: str


class EpisodeCounts(Record):
    total: int
    ran: int = 0
    resumed: int = 0
    failed: int = 0


class RolloutJob(BaseModel):
    """One episode to play."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    env: str
    task: str
    seed: int
    max_steps: int | None = Field(default=None, gt=0)


class RolloutFailure(BaseModel):
    """An episode that failed (its LM calls errored); nothing of it is in the rollouts file."""

    job: RolloutJob
    error: str


class EvalRecord(Record):
    """eval.json of `ladder eval` (beside run.json): the episodes it planned, ran and lost."""

    episodes: EpisodeCounts
    wall_seconds: float = 0.0
    failures: list[RolloutFailure] = Field(default_factory=list)


class CompareRecord(Record):
    """compare_config.json: the comparison's own config and the resolved base run config."""

    compare: dict[str, Any]
    base: dict[str, Any]


def write_record(path: str | Path, record: BaseModel) -> Path:
    """Write a record as indented JSON, atomically (a reader never sees half a file)."""
    path = Path(path)
    atomic_write_text(path, record.model_dump_json(indent=2) + "\n")
    return path


def read_record(path: str | Path, model: type[R]) -> R:
    """Read and validate one record; a missing or malformed file is an InputError naming it."""
    path = Path(path)
    try:
        return model.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: not found") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(record)"
        raise InputError(f"{path}: not a valid {model.__name__} record: {where}: {first['msg']}") from None


def read_optional(path: str | Path, model: type[R]) -> R | None:
    """The record at `path`, or None when the stage that writes it has not run."""
    return read_record(path, model) if Path(path).exists() else None
