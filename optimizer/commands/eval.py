"""`ladder eval`: run the agent on tasks x seeds and print BALROG's table.

    ladder eval --env babaisai --tasks 'env/goto_win*' --episodes 3 --seed 0 --model local --out runs/eval1

    ladder eval --agent oracle --tasks 'env/two_room*' --episodes 3 --out runs/oracle

`--agent oracle` plays with the env's oracle instead of a model (Baba Is AI: every move is the next move of
the solver's shortest plan), the reference an agent's records are compared with. It calls no model.

Writes a run directory into --out, like `ladder run`: run.json (kind "eval", the resolved settings,
status), prompt.md (the agent instructions), rollouts.jsonl (one Trajectory per episode, appended as each
ends), eval.json (episodes planned, run, resumed and failed) and summary.json (BALROG's numbers).
Rerunning the same command resumes: recorded episodes are kept, failed or missing ones are run.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import get_args

from pydantic import BaseModel

import envs
from autolibra.errors import ConfigError, InputError
from autolibra.lm import make_lm
from optimizer.agent import DEFAULT_INSTRUCTIONS, AgentConfig, GameAgent, OracleAgent
from optimizer.prompting import Format
from optimizer.context import resolve_tasks as resolve_run_tasks
from optimizer.records import EpisodeCounts, EvalRecord, write_record
from optimizer.reporting import balrog_summary, print_balrog_table
from optimizer.rewrite import write_prompt
from optimizer.rollout import make_jobs, run_rollouts
from optimizer.rundir import RunDir

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--env", default="babaisai", help="BALROG env name (default: babaisai)")
    parser.add_argument("--tasks", nargs="+", default=["*"],
                        help="task ids or shell globs, space- or comma-separated (default: all tasks)")
    parser.add_argument("--episodes", type=int, default=3, help="episodes per task (seeds S..S+N-1; default 3)")
    parser.add_argument("--seed", type=int, default=0, help="first seed (default 0)")
    parser.add_argument("--model", default="local", help="model: local, openai/gpt-4o, fake/..., ...")
    parser.add_argument("--agent", default="llm", choices=["llm", "oracle"],
                        help="llm: the prompted model (default); oracle: the exact solver's shortest plans "
                             "(babaisai only, no model)")
    parser.add_argument("--out", required=True, type=Path, help="output directory (reused to resume)")
    parser.add_argument("--format", default="constrained", choices=get_args(Format),
                        help="agent output format (default: constrained)")
    parser.add_argument("--history", type=int, default=16, help="past turns shown to the agent (default 16)")
    parser.add_argument("--max-steps", type=int, default=None, help="episode step cap (default: the env's)")
    parser.add_argument("--max-tokens", type=int, default=256, help="max tokens per agent reply (default 256)")
    parser.add_argument("--temperature", type=float, default=0.0, help="sampling temperature (default 0)")
    parser.add_argument("--concurrency", type=int, default=8, help="episodes in parallel (default 8)")
    prompt = parser.add_mutually_exclusive_group()
    prompt.add_argument("--instructions", help="agent instructions text (default: a generic game prompt)")
    prompt.add_argument("--instructions-file", type=Path, help="read the agent instructions from this file")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


class EvalSettings(BaseModel):
    """What `ladder eval` ran: the config recorded in its run.json."""

    env: str
    tasks: list[str]
    seeds: list[int]
    model: str | None  # None: the oracle, which calls no model
    agent_kind: str
    agent: AgentConfig | None
    max_steps: int | None
    concurrency: int
    prompt_id: str


def run(args: argparse.Namespace) -> int:
    _check_numbers(args)
    if args.agent == "oracle" and envs.capabilities(args.env).oracle is None:
        raise InputError(f"--agent oracle: env {args.env!r} offers no oracle player")
    tasks = resolve_tasks(args.env, args.tasks)
    config = AgentConfig(format=args.format, history=args.history, max_tokens=args.max_tokens,
                         temperature=args.temperature)
    seeds = list(range(args.seed, args.seed + args.episodes))
    if args.agent == "oracle":
        agent, lm, model = OracleAgent(), None, None
        instructions = "(no prompt: the oracle plays the env's reference player)"
    else:
        instructions = _instructions(args) or DEFAULT_INSTRUCTIONS
        agent, lm, model = GameAgent(instructions, config), build_lm(args.model), args.model
    settings = EvalSettings(env=args.env, tasks=tasks, seeds=seeds, model=model, agent_kind=args.agent,
                            agent=config if args.agent == "llm" else None, max_steps=args.max_steps,
                            concurrency=args.concurrency, prompt_id=agent.prompt_id)
    run_dir = RunDir.initialize(args.out, "eval", settings.model_dump(mode="json"), kind="eval")
    write_prompt(run_dir.path / "prompt.md", instructions)
    jobs = make_jobs(args.env, tasks, seeds, args.max_steps)
    result = run_rollouts(jobs, agent, lm, run_dir.path / "rollouts.jsonl", concurrency=args.concurrency,
                          progress=not args.no_progress)
    write_record(run_dir.path / "eval.json", EvalRecord(
        episodes=EpisodeCounts(total=len(jobs), ran=result.ran, resumed=result.resumed, failed=result.failed),
        wall_seconds=round(result.wall_seconds, 2), failures=result.failures))
    run_dir.set_status("incomplete" if result.failures else "done")
    if result.trajectories:
        summary = balrog_summary(result.trajectories)
        write_record(run_dir.path / "summary.json", summary)
        print_balrog_table(summary)
    if result.failures:
        print(f"ladder eval: {result.failed} of {len(jobs)} episodes failed (see the log above); "
              f"rerun the same command to retry them", flush=True)
        return 1
    return 0


def resolve_tasks(env: str, patterns: list[str]) -> list[str]:
    """`--tasks` values (ids or globs, comma-separated too) -> task ids, in BALROG's order."""
    try:
        return resolve_run_tasks(env, patterns)
    except ConfigError as error:
        raise InputError(f"--tasks: {error}") from None


def build_lm(model: str):
    """The agent's LM, from the LM layer (kept as a module function so tests can substitute it)."""
    return make_lm(model)


def _check_numbers(args: argparse.Namespace) -> None:
    for name in ("episodes", "concurrency", "max_tokens"):
        value = getattr(args, name)
        if value < 1:
            raise InputError(f"expected --{name.replace('_', '-')} > 0, got {value}")
    if args.max_steps is not None and args.max_steps < 1:
        raise InputError(f"expected --max-steps > 0, got {args.max_steps}")
    if args.history < 0:
        raise InputError(f"expected --history >= 0, got {args.history}")
    if args.temperature < 0:
        raise InputError(f"expected --temperature >= 0, got {args.temperature}")


def _instructions(args: argparse.Namespace) -> str | None:
    if args.instructions_file is not None:
        if not args.instructions_file.is_file():
            raise InputError(f"--instructions-file not found: {args.instructions_file}")
        text = args.instructions_file.read_text(encoding="utf-8")
    else:
        text = args.instructions
    if text is not None and not text.strip():
        raise InputError("the agent instructions are empty")
    return text.strip() if text is not None else None
