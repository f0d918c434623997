"""The data model shared by every stage: trajectories, feedback, aspects, metrics, traits.

Every record is a pydantic model written with ``model_dump_json()`` (one per line in JSONL files) and
read back with ``model_validate_json()``. Rollouts write `Trajectory`; annotators write `Feedback`;
AutoLibra's operators produce `Aspect`, `MetricSet` and `Trait`.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

SCHEMA_VERSION = 1

Rating = Literal[-1, 0, 1]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Record(BaseModel):
    # Unknown keys are an error: a typo in a hand-written JSONL line should not vanish silently.
    model_config = ConfigDict(extra="forbid")


class TokenUsage(Record):
    input: int = 0
    output: int = 0

    def __add__(self, other: "TokenUsage") -> "TokenUsage":
        return TokenUsage(input=self.input + other.input, output=self.output + other.output)

    @property
    def total(self) -> int:
        return self.input + self.output


class Step(Record):
    """One agent decision: what it saw, what it said, what was executed, what came back."""

    index: int = Field(ge=0)
    observation: str  # the observation text the agent saw before acting
    action: str  # the action executed in the env (the default action when the output was invalid)
    raw_output: str = ""  # the model's raw completion
    reasoning: str | None = None
    valid: bool = True  # False when the output was not a legal action and the default was used
    reward: float = 0.0
    tokens: TokenUsage = Field(default_factory=TokenUsage)
    info: dict[str, Any] = Field(default_factory=dict)  # env-specific extras (e.g. solver analysis)


class Trajectory(Record):
    """One episode of one agent on one task and seed (also used for imported web-agent runs)."""

    id: str
    env: str  # "babaisai", "babyai", "web", ...
    task: str  # "env/goto_win", a web task id, ...
    seed: int | None = None
    prompt_id: str | None = None  # which agent prompt produced it
    model: str | None = None
    instruction: str = ""  # the env's instruction prompt, or a web task's intent
    steps: list[Step] = Field(default_factory=list)
    final_observation: str | None = None  # the observation after the last step
    final_answer: str | None = None  # web agents: the answer they returned
    success: bool | None = None  # None when unknown
    outcome: str = "unknown"  # "win", "loss", "timeout", "error", "success", "failure", "unknown"
    episode_return: float = 0.0
    progression: float = Field(default=0.0, ge=0.0, le=1.0)
    num_steps: int = 0
    tokens: TokenUsage = Field(default_factory=TokenUsage)
    stats: dict[str, Any] = Field(default_factory=dict)  # the env's get_stats() at the end
    metadata: dict[str, Any] = Field(default_factory=dict)


class Feedback(Record):
    """One free-text feedback about one trajectory, by one annotator (a person or a model)."""

    trajectory_id: str
    text: str
    annotator: str = "anonymous"  # "human:alice", "llm:local", ...
    created_at: datetime = Field(default_factory=utc_now)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("feedback text is empty")
        return value


class Instance(Record):
    """AutoLibra's unit of input: a trajectory and one feedback written about it."""

    trajectory: Trajectory
    feedback: str
    annotator: str = "anonymous"

    @property
    def id(self) -> str:
        return f"{self.trajectory.id}#{self.annotator}"


class Aspect(Record):
    """One point of a feedback, grounded in the behaviour (and steps) it is about."""

    instance_id: str
    behavior: str  # what the agent did, concretely
    feedback: str  # the part of the feedback that talks about it
    is_positive: bool
    steps: list[int] = Field(default_factory=list)  # step indices it refers to


class Metric(Record):
    name: str
    explanation: str
    good_behaviors: list[str] = Field(default_factory=list)
    bad_behaviors: list[str] = Field(default_factory=list)


class Provenance(Record):
    instance_ids: list[str] = Field(default_factory=list)  # instances the metrics were induced from
    iteration: int = 0  # induction round / optimization stage
    models: dict[str, str] = Field(default_factory=dict)  # role -> model
    created_at: datetime = Field(default_factory=utc_now)
    notes: str = ""


class MetricSet(Record):
    name: str
    version: int = 1
    metrics: list[Metric] = Field(default_factory=list)
    provenance: list[Provenance] = Field(default_factory=list)  # one entry per round that changed it
    schema_version: int = SCHEMA_VERSION

    def names(self) -> list[str]:
        return [m.name for m in self.metrics]

    def get(self, name: str) -> Metric:
        for metric in self.metrics:
            if metric.name == name:
                return metric
        raise KeyError(f"unknown metric {name!r}; known: {', '.join(self.names())}")


class Trait(Record):
    """The judge's verdict of one metric on one trajectory. `rating` None means unscored (the judge's
    reply could not be parsed or the call failed); it is never silently turned into 0."""

    trajectory_id: str
    metric: str
    rating: Rating | None
    reasoning: str = ""
    steps: list[int] = Field(default_factory=list)
    error: str | None = None  # why it is unscored

    @property
    def scored(self) -> bool:
        return self.rating is not None
