"""The outer loop: it only orders the stages; each stage owns its records and its resume check.

    rollout -> feedback -> induce -> judge -> rewrite -> validate -> select     (one iteration)

Each stage writes its output into `iterations/NNN/` and is skipped when that output is complete, so
`ladder run --resume RUN` after a kill at any moment redoes only unfinished work (and the LM cache in the
run directory answers every LM call that had already finished). The objective (`metrics`, `success`,
`gepa`) decides whether the metric stages run and how the rewrite is made.
"""

from __future__ import annotations

import logging
from pathlib import Path

from autolibra.errors import InputError
from autolibra.schema import MetricSet
from optimizer.config import RunConfig, validate_config
from optimizer.context import RunContext, resolve_tasks
from optimizer.feedback import Paused, feedback_stage
from optimizer.induce import induce_stage
from optimizer.judge import judge_stage, write_scores
from optimizer.objectives import OBJECTIVES, TrainingData
from optimizer.reporting import build_report
from optimizer.rewrite import read_prompt, rewrite_stage, write_prompt
from optimizer.rollout import rollout_stage
from optimizer.rundir import RunDir
from optimizer.select import select_stage
from optimizer.validate import validate_stage

log = logging.getLogger(__name__)


def run_iteration(ctx: RunContext, index: int, prompt: str, metrics: MetricSet | None) -> tuple[str, MetricSet | None]:
    """One iteration from `prompt`; returns the prompt the next iteration starts from, and the metrics."""
    config = ctx.config
    folder = ctx.run.iteration(index)
    write_prompt(folder / "prompt.md", prompt)
    prompt = read_prompt(folder / "prompt.md")  # on resume, the prompt this iteration really used
    trajectories = rollout_stage(ctx, prompt, config.seeds.train, folder / "rollouts.jsonl")
    if config.seeds.test:  # measured, never shown to the loop
        rollout_stage(ctx, prompt, config.seeds.test, folder / "test_rollouts.jsonl")
    train = TrainingData(trajectories)
    if OBJECTIVES[config.objective].uses_metrics:
        feedback = feedback_stage(ctx, index, folder, trajectories)
        metrics = induce_stage(ctx, index, folder, trajectories, feedback, metrics)
        train = TrainingData(trajectories, metrics, judge_stage(ctx, folder, trajectories, metrics))
    write_scores(folder, trajectories, train.metrics, train.traits)
    candidate = rewrite_stage(ctx, folder, prompt, train)
    accepted = validate_stage(ctx, folder, prompt, candidate)
    select_stage(ctx, folder, trajectories, train.metrics, train.traits)
    return (candidate if accepted else prompt), metrics


def run_loop(ctx: RunContext) -> str:
    """Run (or resume) every iteration, then the final prompt's test episodes; returns the final status."""
    config, run = ctx.config, ctx.run
    first = run.path / "iterations" / "000" / "prompt.md"
    prompt = read_prompt(first) if first.exists() else config.seed_prompt.strip()
    metrics: MetricSet | None = None
    try:
        for index in range(config.iterations):
            run.set_status("running", iteration=index)
            prompt, metrics = run_iteration(ctx, index, prompt, metrics)
    except Paused as pause:
        run.set_status("waiting_for_feedback", message=str(pause))
        return "waiting_for_feedback"
    write_prompt(run.path / "final" / "prompt.md", prompt)
    if config.seeds.test:
        rollout_stage(ctx, prompt, config.seeds.test, run.path / "final" / "test_rollouts.jsonl")
    run.set_status("done", iteration=config.iterations - 1)
    return "done"


def start_run(config: RunConfig, *, cache_dir: Path | None = None, run_path: Path | None = None) -> tuple[RunDir, str]:
    """Create the run directory (or use `run_path`) and run the loop to the end or a pause."""
    resolve_tasks(config.env, config.tasks)  # a bad task id fails before anything is created
    data = config.model_dump(mode="json")
    run = RunDir.initialize(run_path, config.name, data) if run_path is not None else \
        RunDir.create(config.out_dir, config.name, data)
    return run, _execute(run, config, cache_dir)


def resume_run(path: str | Path, *, cache_dir: Path | None = None) -> tuple[RunDir, str]:
    run = RunDir.open(path)
    record = run.read_record()
    if record.status == "done":
        log.info("run %s is already done; rebuilding its report", run.path)
    config = validate_config(record.config, RunConfig, source=str(run.record_path))
    return run, _execute(run, config, cache_dir)


def _execute(run: RunDir, config: RunConfig, cache_dir: Path | None) -> str:
    ctx = RunContext.open(run, config, cache_dir)
    try:
        status = run_loop(ctx)
    except BaseException as error:
        # A crash or Ctrl-C leaves the run resumable; say so in run.json rather than leaving "running".
        if not isinstance(error, InputError):
            run.set_status("failed", message=f"{type(error).__name__}: {error}"[:500])
        raise
    finally:
        ctx.close()
    build_report(run.path)
    return status
