"""`objective: gepa`: DSPy's GEPA optimizer, driven by AutoLibra's judged metrics.

GEPA evolves the agent's instructions by reflection. Its metric here plays an episode, judges it on the
current MetricSet and returns the judged score together with the failing traits (the judge's reasoning)
as text feedback: the textual signal GEPA is built to read. The budget is bounded by `max_metric_calls`
(episodes), so the arm stays comparable with the others. Only prompt text changes; nothing a model writes
is executed.
"""

from __future__ import annotations

import logging
from pathlib import Path

import dspy

from autolibra.schema import MetricSet, Trajectory
from optimizer.rewriter import check_rewrite

log = logging.getLogger(__name__)


class EpisodeProgram(dspy.Module):
    """One whole episode as a DSPy program, so GEPA can optimize the agent predictor inside it."""

    def __init__(self, agent, env: str, lm: dspy.LM, max_steps: int | None):
        super().__init__()
        self.agent = agent
        self.env = env
        self.lm = lm
        self.max_steps = max_steps

    def forward(self, task: str, seed: int):
        from optimizer.rollout import run_episode

        trajectory = run_episode(self.env, task, int(seed), self.agent, self.lm, max_steps=self.max_steps)
        return dspy.Prediction(trajectory=trajectory)


def judged_score(trajectory: Trajectory, metrics: MetricSet | None, judge_lm) -> tuple[float, str]:
    """Score in [0, 1] and feedback text: the passed share of applicable metrics, or success alone."""
    if metrics is None or not metrics.metrics:
        return (1.0 if trajectory.success else 0.0), f"episode {'won' if trajectory.success else 'lost'}"
    from autolibra.operators.judging import judge_trajectory

    traits = judge_trajectory(trajectory, metrics, judge_lm)
    applicable = [t for t in traits if t.rating in (1, -1)]
    score = sum(1 for t in applicable if t.rating == 1) / len(applicable) if applicable else 0.5
    failing = [f"- {t.metric}: {t.reasoning.strip()[:300]}" for t in traits if t.rating == -1]
    feedback = (f"Episode {'won' if trajectory.success else 'lost'} in {trajectory.num_steps} steps. "
                + ("Failed metrics:\n" + "\n".join(failing) if failing else "No metric failed."))
    return score, feedback


def gepa_rewrite(prompt: str, trajectories, metrics: MetricSet | None, config, session, folder: Path):
    from optimizer.agent import AgentConfig, GameAgent

    agent = GameAgent(prompt, AgentConfig(**config.agent.model_dump()))
    program = EpisodeProgram(agent, config.env, session.lm("agent"), config.max_steps)
    judge_lm = session.lm("judge")

    def metric(gold, pred, trace=None, pred_name=None, pred_trace=None):
        score, feedback = judged_score(pred.trajectory, metrics, judge_lm)
        return dspy.Prediction(score=score, feedback=feedback)

    train = sorted({(t.task, t.seed) for t in trajectories})
    examples = [dspy.Example(task=task, seed=seed).with_inputs("task", "seed") for task, seed in train]
    budget = max(len(examples) * 2, 4)  # episodes GEPA may play: about one more round of the train set
    optimizer = dspy.GEPA(metric=metric, max_metric_calls=budget, reflection_lm=session.lm("rewriter"),
                          reflection_minibatch_size=min(3, len(examples)), use_merge=False,
                          num_threads=config.concurrency, track_stats=False, seed=config.random_seed,
                          log_dir=str(folder / "gepa"))
    optimized = optimizer.compile(program, trainset=examples, valset=examples)
    text = optimized.agent.instructions.strip()
    problems = check_rewrite(text, config.agent.format, config.rewriter.max_chars)
    record = {"optimizer": "gepa", "max_metric_calls": budget, "rejections": problems,
              "accepted_by_checks": not problems}
    return (prompt if problems else text), record
