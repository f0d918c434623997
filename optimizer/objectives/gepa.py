"""`objective: gepa`: DSPy's GEPA optimizer, driven by AutoLibra's judged metrics.

GEPA evolves the agent's instructions by reflection. Its metric plays an episode, judges it on the
iteration's MetricSet and returns the judged score (the objectives' one `judged_score`) together with the
failing traits (the judge's reasoning) as text feedback: the textual signal GEPA is built to read. It trains
on the training seeds and selects on the validation seeds, like the other objectives' acceptance step; the
budget is bounded by `max_metric_calls` (episodes), so the arm stays comparable with the others. Only
prompt text changes; nothing a model writes is executed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import dspy

from autolibra.operators.judging import judge_trajectory
from autolibra.schema import MetricSet, Trajectory
from optimizer.agent import GameAgent
from optimizer.context import RunContext
from optimizer.objectives.base import Proposal, TrainingData, judged_score
from optimizer.objectives.rewriter import check_rewrite
from optimizer.records import RewriteRecord
from optimizer.rollout import run_episode


class EpisodeProgram(dspy.Module):
    """One whole episode as a DSPy program, so GEPA can optimize the agent predictor inside it."""

    def __init__(self, agent: GameAgent, env: str, lm: dspy.LM, max_steps: int | None):
        super().__init__()
        self.agent = agent
        self.env = env
        self.lm = lm
        self.max_steps = max_steps

    def forward(self, task: str, seed: int):
        trajectory = run_episode(self.env, task, int(seed), self.agent, self.lm, max_steps=self.max_steps)
        return dspy.Prediction(trajectory=trajectory)


def episode_feedback(trajectory: Trajectory, metrics: MetricSet | None, judge_lm) -> tuple[float, str]:
    """GEPA's score and text feedback for one played episode: judged on `metrics` when there are any."""
    traits = judge_trajectory(trajectory, metrics, judge_lm) if metrics is not None and metrics.metrics else []
    failing = [f"- {t.metric}: {t.reasoning.strip()[:300]}" for t in traits if t.rating == -1]
    text = (f"Episode {'won' if trajectory.success else 'lost'} in {trajectory.num_steps} steps. "
            + ("Failed metrics:\n" + "\n".join(failing) if failing else "No metric failed."))
    return judged_score(trajectory, traits), text


def _examples(pairs: Sequence[tuple[str, int]]) -> list[dspy.Example]:
    return [dspy.Example(task=task, seed=seed).with_inputs("task", "seed") for task, seed in sorted(set(pairs))]


class GepaObjective:
    name: ClassVar[str] = "gepa"
    uses_metrics: ClassVar[bool] = True

    def propose(self, ctx: RunContext, agent: GameAgent, train: TrainingData,
                validation: Sequence[tuple[str, int]], folder: Path) -> Proposal:
        config = ctx.config
        program = EpisodeProgram(agent, config.env, ctx.session.lm("agent"), config.max_steps)
        judge_lm = ctx.session.lm("judge")

        def metric(gold, pred, trace=None, pred_name=None, pred_trace=None):
            score, feedback = episode_feedback(pred.trajectory, train.metrics, judge_lm)
            return dspy.Prediction(score=score, feedback=feedback)

        trainset = _examples([(t.task, t.seed) for t in train.trajectories])
        valset = _examples(validation) or trainset
        budget = max(len(trainset) * 2, 4)  # episodes GEPA may play: about one more round of the train set
        optimizer = dspy.GEPA(metric=metric, max_metric_calls=budget, reflection_lm=ctx.session.lm("rewriter"),
                              reflection_minibatch_size=min(3, len(trainset)), use_merge=False,
                              num_threads=config.concurrency, track_stats=False, seed=config.random_seed,
                              log_dir=str(folder / "gepa"))
        optimized = optimizer.compile(program, trainset=trainset, valset=valset)
        text = optimized.agent.instructions.strip()
        problems = check_rewrite(text, agent.config.format, config.rewriter.max_chars)
        record = RewriteRecord(objective=self.name, accepted_by_checks=not problems, rejections=problems,
                               attempts=1, max_metric_calls=budget)
        return Proposal(instructions=agent.instructions if problems else text, record=record)
