"""The loop's stages, as thin adapters over the packages that do the work.

Keeping these calls in one module keeps `loop.py` about *when* things happen (resume, order, records)
and this module about *how* (which function of envs/autolibra/optimizer does each stage).
"""

from __future__ import annotations

import fnmatch
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autolibra.errors import ConfigError, LMError
from autolibra.jsonl import write_json, write_jsonl
from autolibra.schema import Instance, MetricSet, Trait, Trajectory

log = logging.getLogger(__name__)

ANNOTATOR_TOKEN_BUDGET = 1500  # the embedded model reads ~40 tokens/s: keep annotator prompts short


def resolve_tasks(env: str, patterns: Sequence[str]) -> list[str]:
    """Task ids or shell globs -> the env's task ids, in the env's order; unknown ones are an error."""
    import envs
    from envs.registry import closest

    try:
        known = envs.tasks(env)
    except (KeyError, ImportError) as error:
        raise ConfigError(str(error)) from None
    chosen: list[str] = []
    for pattern in patterns:
        matches = [t for t in known if fnmatch.fnmatchcase(t, pattern)]
        if not matches:
            hint = closest(pattern, known)
            raise ConfigError(f"task {pattern!r} matches no {env} task"
                              + (f"; did you mean {', '.join(map(repr, hint))}?" if hint else ""))
        chosen += [t for t in matches if t not in chosen]
    return chosen


def model_name(session, role: str) -> str:
    return session.roles.for_role(role).model


def rollouts(jobs: list[tuple[str, str, int]], prompt: str, config, session, out: Path,
             *, progress: bool = True) -> list[Trajectory]:
    from optimizer.agent import AgentConfig, GameAgent
    from optimizer.rollout import RolloutJob, run_rollouts

    agent = GameAgent(prompt, AgentConfig(**config.agent.model_dump()))
    work = [RolloutJob(env=env, task=task, seed=seed, max_steps=config.max_steps) for env, task, seed in jobs]
    result = run_rollouts(work, agent, session.lm("agent"), out, concurrency=config.concurrency, progress=progress)
    if result.failures:
        log.warning("%d of %d episodes failed (LM errors); a resume re-runs them: %s", result.failed, len(work),
                    result.failures[0].error)
    if not result.trajectories:
        raise LMError(f"every one of {len(work)} episodes failed; first error: "
                      f"{result.failures[0].error if result.failures else 'unknown'}")
    return result.trajectories


def render_for_annotator(trajectory: Trajectory) -> str:
    from autolibra.render import render_trajectory

    return render_trajectory(trajectory, token_budget=ANNOTATOR_TOKEN_BUDGET).text


def induce(instances: list[Instance], existing: MetricSet | None, config, session, index: int,
           folder: Path) -> MetricSet:
    """Incremental AutoLibra induction; writes aspects.jsonl and induction.json beside metrics.json."""
    from autolibra.induction import induce_metrics

    settings = config.induction
    result = induce_metrics(instances, session, existing=existing, heldout=settings.heldout,
                            max_rounds=settings.max_rounds, n_metrics=settings.n_metrics,
                            workers=settings.workers, iteration=index, seed=config.random_seed + index,
                            name=f"{config.name}-metrics")
    write_jsonl(folder / "aspects.jsonl", result.aspects)
    write_json(folder / "induction.json", result.report_dict())
    return result.metrics


def judge(trajectory: Trajectory, metrics: MetricSet, lm) -> list[Trait]:
    from autolibra.operators.judging import judge_trajectory

    return judge_trajectory(trajectory, metrics, lm)


def export_selection(trajectories, metrics, traits, selection: dict[str, Any], out_dir: Path, session) -> None:
    from optimizer.selection import SelectionConfig, run_selection

    config = SelectionConfig.model_validate(selection)
    run_selection(trajectories, metrics, traits, config, out_dir)


def gepa_rewrite(prompt: str, trajectories, metrics, config, session, folder: Path):
    from optimizer.gepa import gepa_rewrite as run_gepa

    return run_gepa(prompt, trajectories, metrics, config, session, folder)
