"""The `metrics` and `success` objectives: one DSPy rewriter reads a digest of the incumbent's episodes
and writes new instructions. They differ only in what the digest holds: the judge's verdicts on the
induced metrics (metric-driven), or episode success alone (the success-driven baseline)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from optimizer.agent import GameAgent
from optimizer.context import RunContext
from optimizer.objectives.base import Proposal, TrainingData
from optimizer.objectives.digest import metrics_digest, success_digest
from optimizer.objectives.rewriter import metric_definitions_text, rewrite_prompt
from optimizer.records import RewriteRecord


class _Reflective:
    name: ClassVar[str]
    uses_metrics: ClassVar[bool]

    def evidence(self, ctx: RunContext, train: TrainingData) -> tuple[str, str]:
        """(metric definitions, evidence) as the rewriter reads them."""
        raise NotImplementedError

    def propose(self, ctx: RunContext, agent: GameAgent, train: TrainingData,
                validation: Sequence[tuple[str, int]], folder: Path) -> Proposal:
        settings = ctx.config.rewriter
        definitions, evidence = self.evidence(ctx, train)
        result = rewrite_prompt(agent.instructions, definitions, evidence, ctx.session.lm("rewriter"),
                                objective=self.name, agent_format=agent.config.format,
                                max_chars=settings.max_chars, retries=settings.retries)
        record = RewriteRecord(objective=self.name, accepted_by_checks=result.accepted, attempts=result.attempts,
                               rejections=result.rejections, evidence=evidence)
        return Proposal(instructions=result.instructions.strip(), record=record)


class MetricsObjective(_Reflective):
    name = "metrics"
    uses_metrics = True

    def evidence(self, ctx: RunContext, train: TrainingData) -> tuple[str, str]:
        settings = ctx.config.rewriter
        digest = metrics_digest(train.metrics, train.trajectories, train.traits, worst=settings.worst_failures,
                                successes=settings.successes, excerpt_steps=settings.excerpt_steps)
        return metric_definitions_text(train.metrics), digest


class SuccessObjective(_Reflective):
    name = "success"
    uses_metrics = False

    def evidence(self, ctx: RunContext, train: TrainingData) -> tuple[str, str]:
        settings = ctx.config.rewriter
        digest = success_digest(train.trajectories, worst=settings.worst_failures, successes=settings.successes,
                                excerpt_steps=settings.excerpt_steps)
        return "none: only episode success is measured", digest
