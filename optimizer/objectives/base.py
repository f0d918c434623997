"""The contract every objective meets, in DSPy's spirit: the agent program, training data and validation
data in; new instructions and a typed record out. The loop does not know which objective it runs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Protocol

from autolibra.schema import MetricSet, Trait, Trajectory
from autolibra.scoring import trajectory_score
from optimizer.agent import GameAgent
from optimizer.context import RunContext
from optimizer.records import RewriteRecord


@dataclass
class TrainingData:
    """What the iteration learned about the incumbent prompt: its episodes and, for metric-driven
    objectives, the induced metrics and the judge's traits on those episodes."""

    trajectories: list[Trajectory]
    metrics: MetricSet | None = None
    traits: list[Trait] = field(default_factory=list)

    def traits_of(self, trajectory_id: str) -> list[Trait]:
        return [t for t in self.traits if t.trajectory_id == trajectory_id]


@dataclass
class Proposal:
    instructions: str  # the candidate prompt (the incumbent's when every attempt was rejected)
    record: RewriteRecord


class Objective(Protocol):
    name: ClassVar[str]
    uses_metrics: ClassVar[bool]  # True: the loop gathers feedback, induces metrics and judges first

    def propose(self, ctx: RunContext, agent: GameAgent, train: TrainingData,
                validation: Sequence[tuple[str, int]], folder: Path) -> Proposal: ...


def judged_score(trajectory: Trajectory, traits: Sequence[Trait]) -> float:
    """The one score objectives optimise, in [0, 1]: AutoLibra's pass fraction of the trajectory's
    applicable traits (autolibra.scoring). When no metric applies or none was scored, the episode's outcome
    stands in (1 won, 0 lost), so an unjudged episode is neither rewarded nor punished beyond its result."""
    score = trajectory_score(traits, trajectory_id=trajectory.id)
    if score.value is None:
        return 1.0 if trajectory.success else 0.0
    return score.value
