"""Stage 1, rollout: the agent plays BALROG envs; one episode (`run_episode`), many in parallel
(`run_rollouts`), or the loop's stage (`rollout_stage`: the run's tasks x some seeds under one prompt).

The episode loop follows BALROG's (spec §B.2): the model's parsed output is checked against the env's
language action space; an illegal one is replaced by the env's default action, the next observation gets
BALROG's invalid-action prefix, and the history shows what the model said. Each finished episode is
appended to a JSONL file at once, so a crash loses only the episodes in flight and a rerun resumes.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import dspy
from pydantic import BaseModel, Field

import envs
from autolibra.errors import LMError
from autolibra.jsonl import append_jsonl, read_jsonl_tolerant, write_jsonl
from autolibra.lm import tokens_used
from autolibra.schema import Step, TokenUsage, Trajectory
from optimizer.agent import GameAgent
from optimizer.context import RunContext
from optimizer.prompting import INVALID_ACTION_PREFIX, action_event, observation_event
from optimizer.records import RolloutFailure, RolloutJob

log = logging.getLogger(__name__)

FALLBACK_MAX_STEPS = 100  # when neither the caller nor the env states a step limit


class RolloutResult(BaseModel):
    trajectories: list[Trajectory]  # every job's record: resumed ones and the ones run now, in job order
    ran: int = 0  # episodes run by this call
    resumed: int = 0  # jobs skipped because out_path already held their record
    failures: list[RolloutFailure] = Field(default_factory=list)  # not in the rollouts file; a rerun redoes them
    wall_seconds: float = 0.0

    @property
    def failed(self) -> int:
        return len(self.failures)


def make_jobs(env: str, tasks: list[str], seeds: list[int], max_steps: int | None = None) -> list[RolloutJob]:
    """Tasks x seeds, task-major (BALROG's order)."""
    return [RolloutJob(env=env, task=task, seed=seed, max_steps=max_steps) for task in tasks for seed in seeds]


def trajectory_id(env: str, task: str, seed: int, prompt_id: str) -> str:
    return f"{env}:{task}:s{seed}:{prompt_id}"


def run_episode(env_name: str, task: str, seed: int, agent: GameAgent, lm: dspy.LM, *,
                max_steps: int | None = None) -> Trajectory:
    """Play one episode and return its record. LM errors propagate (the caller decides)."""
    env = envs.make(env_name, task, **({"max_steps": max_steps} if max_steps else {}))
    grid_view = envs.capabilities(env_name).grid_view
    started = time.monotonic()
    try:
        obs, _info = env.reset(seed=seed)
        player = agent.for_episode(env, env_name)
        actions = [str(a) for a in env.language_action_space]
        limit = max_steps or getattr(env, "max_steps", None) or FALLBACK_MAX_STEPS
        instruction_prompt = env.get_instruction_prompt()
        history: list[dict] = []
        steps: list[Step] = []
        frequency: Counter[str] = Counter()
        failed_candidates: list[str] = []
        terminated = truncated = False
        for index in range(limit):
            long_text, short_text = observation_texts(obs)
            seen = f"{short_text}\n{long_text}" if short_text else long_text
            info = {"grid": grid_view(env)} if grid_view is not None else {}
            with dspy.track_usage() as usage:
                decision = player.act(lm, instruction_prompt=instruction_prompt, history=history,
                                     observation=long_text, short_term_context=short_text, actions=actions)
            executed, valid = envs.to_env_action(env, decision.action)
            if not valid:
                failed_candidates.append(decision.action)
            frequency[executed] += 1
            obs, reward, terminated, truncated, _info = env.step(_env_action(env, executed, actions))
            if not valid:
                obs = _with_prefix(obs, INVALID_ACTION_PREFIX.format(action=executed))
            steps.append(Step(index=index, observation=seen, action=executed, raw_output=decision.raw_output,
                              reasoning=decision.reasoning, valid=valid, reward=float(reward),
                              tokens=tokens_used(usage, getattr(lm, "model", None)), info=info))
            # BALROG's history: the observation as shown, then what the model said (an empty output is
            # not recorded, exactly as BALROG's `if prev_action` skips it).
            history.append(observation_event(long_text))
            if decision.action:
                history.append(action_event(decision.action, decision.reasoning if agent.config.format == "cot"
                                            else None))
            if terminated or truncated:
                break
        stats = dict(env.get_stats())
    finally:
        env.close()
    final_text, final_short = observation_texts(obs)
    progression = float(stats.get("progression", 0.0))
    tokens = sum((s.tokens for s in steps), TokenUsage())
    return Trajectory(
        id=trajectory_id(env_name, task, seed, agent.prompt_id), env=env_name, task=task, seed=seed,
        prompt_id=agent.prompt_id, model=getattr(lm, "model", None), instruction=instruction_prompt,
        steps=steps, final_observation=f"{final_short}\n{final_text}" if final_short else final_text,
        success=progression >= 1.0, outcome=_outcome(steps, progression, terminated, truncated, limit),
        episode_return=sum(s.reward for s in steps), progression=progression, num_steps=len(steps),
        tokens=tokens, stats=_jsonable(stats),
        metadata={"invalid_actions": len(failed_candidates), "failed_candidates": failed_candidates,
                  "action_frequency": dict(frequency), "done": bool(terminated or truncated),
                  "max_steps": limit, "agent": agent.config.model_dump(),
                  "seconds": round(time.monotonic() - started, 3),
                  **player.episode_notes()})


def observation_texts(obs: Any) -> tuple[str, str]:
    """(long-term, short-term) text of a BALROG observation dict (a bare string is taken as long-term)."""
    if isinstance(obs, str):
        return obs, ""
    text = obs["text"]
    return str(text.get("long_term_context", "")), str(text.get("short_term_context", "") or "")


def _with_prefix(obs: Any, prefix: str) -> Any:
    if isinstance(obs, str):
        return prefix + obs
    text = dict(obs["text"])
    text["long_term_context"] = prefix + text.get("long_term_context", "")
    return {**obs, "text": text}


def _env_action(env: Any, action: str, actions: list[str]) -> Any:
    # BALROG envs take the action string; a plain gymnasium face with a Discrete space takes its index.
    space = getattr(env, "action_space", None)
    if space is not None and not space.contains(action):
        return actions.index(action)
    return action


def _outcome(steps: list[Step], progression: float, terminated: bool, truncated: bool, limit: int) -> str:
    if progression >= 1.0:
        return "win"
    if truncated or not terminated:
        return "timeout"
    # Envs built on old-gym games report the time limit as a plain `done`; a non-negative last reward at
    # the limit is that, anything else ended the game (e.g. Baba's LOSE gives -1).
    if steps and steps[-1].reward >= 0 and len(steps) >= limit:
        return "timeout"
    return "loss"


def _jsonable(stats: dict) -> dict:
    return {k: v if isinstance(v, (str, int, float, bool, type(None), list, dict)) else repr(v)
            for k, v in stats.items()}


def run_rollouts(jobs: list[RolloutJob], agent: GameAgent, lm: dspy.LM, out_path: str | Path, *,
                 concurrency: int = 8, progress: bool = True) -> RolloutResult:
    """Run every job not already recorded in `out_path`, `concurrency` episodes at a time (threads; the
    LM layer bounds per-provider concurrency). Records are appended as episodes end."""
    if concurrency < 1:
        raise ValueError(f"expected concurrency >= 1, got {concurrency}")
    out_path = Path(out_path)
    started = time.monotonic()
    done = _load_existing(out_path)
    model = getattr(lm, "model", None)
    key = lambda job: (job.env, job.task, job.seed, agent.prompt_id, model)  # noqa: E731
    todo = [job for job in jobs if key(job) not in done]
    fresh: dict[tuple, Trajectory] = {}
    failures: list[RolloutFailure] = []
    with _Progress(len(todo), enabled=progress) as bar, ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = {pool.submit(run_episode, job.env, job.task, job.seed, agent, lm, max_steps=job.max_steps): job
                   for job in todo}
        try:
            for future in as_completed(futures):
                job = futures[future]
                try:
                    trajectory = future.result()
                except Exception as error:  # noqa: BLE001 - one broken episode must not sink the batch
                    log.error("episode %s seed %d failed: %s", job.task, job.seed, error, exc_info=True)
                    failures.append(RolloutFailure(job=job, error=f"{type(error).__name__}: {error}"))
                    bar.advance(None)
                    continue
                append_jsonl(out_path, trajectory)  # only this thread writes: no interleaved lines
                fresh[key(job)] = trajectory
                bar.advance(trajectory)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    ordered = [fresh.get(key(job)) or done.get(key(job)) for job in jobs]
    return RolloutResult(trajectories=[t for t in ordered if t is not None], ran=len(fresh),
                         resumed=len(jobs) - len(todo), failures=failures,
                         wall_seconds=time.monotonic() - started)


def _load_existing(path: Path) -> dict[tuple, Trajectory]:
    records, bad = read_jsonl_tolerant(path, Trajectory)
    if bad:
        # A killed writer left a partial last line; drop it before appending after it.
        log.warning("%s: dropping a truncated last record left by an interrupted run", path)
        write_jsonl(path, records)
    return {(t.env, t.task, t.seed, t.prompt_id, t.model): t for t in records}


class _Progress:
    """A rich progress bar on stderr: episodes done, successes, tokens, time left."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.enabled = total, enabled and total > 0
        self.successes = self.finished = self.tokens = 0

    def __enter__(self) -> "_Progress":
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
            self._bar = Progress(TextColumn("episodes"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.description}"), TimeRemainingColumn(),
                                 console=Console(stderr=True), transient=False)
            self._bar.start()
            self._task = self._bar.add_task(self._text(), total=self.total)
        return self

    def _text(self) -> str:
        return f"success {self.successes}/{self.finished} · {self.tokens / 1000:.1f}k tokens"

    def advance(self, trajectory: Trajectory | None) -> None:
        self.finished += 1
        if trajectory is not None:
            self.successes += bool(trajectory.success)
            self.tokens += trajectory.tokens.total
        if self.enabled:
            self._bar.update(self._task, advance=1, description=self._text())

    def __exit__(self, *exc) -> None:
        if self.enabled:
            self._bar.stop()


def rollout_stage(ctx: RunContext, prompt: str, seeds: list[int], out: Path, *,
                  progress: bool = True) -> list[Trajectory]:
    """The run's tasks x `seeds` played under `prompt`, recorded in `out` (resumable: recorded episodes are
    kept). Failed episodes are logged and left out; a resume plays them again."""
    config = ctx.config
    agent = GameAgent(prompt, config.agent)
    jobs = make_jobs(config.env, ctx.tasks, seeds, config.max_steps)
    result = run_rollouts(jobs, agent, ctx.session.lm("agent"), out, concurrency=config.concurrency,
                          progress=progress)
    if result.failures:
        log.warning("%d of %d episodes failed (LM errors); a resume re-runs them: %s", result.failed, len(jobs),
                    result.failures[0].error)
    if not result.trajectories:
        raise LMError(f"every one of {len(jobs)} episodes failed; first error: "
                      f"{result.failures[0].error if result.failures else 'unknown'}")
    return result.trajectories
