"""`ladder eval`: run the agent on tasks x seeds and print BALROG's table.

    ladder eval --env babaisai --tasks 'env/goto_win*' --episodes 3 --seed 0 --model local --out runs/eval1

    ladder eval --agent oracle --tasks 'env/two_room*' --episodes 3 --out runs/oracle

`--agent oracle` plays Baba Is AI with the exact solver instead of a model: every move is the next move of
a shortest winning plan, the reference an agent's records are compared with. It calls no model.

Writes into --out: rollouts.jsonl (one Trajectory per episode, appended as each ends), prompt.md (the
agent instructions), summary.json (BALROG's numbers) and eval.json (resolved settings and status).
Rerunning the same command resumes: recorded episodes are kept, failed or missing ones are run.
"""

from __future__ import annotations

import argparse
import fnmatch
import logging
from pathlib import Path

import envs
from autolibra.errors import ConfigError, InputError
from autolibra.jsonl import atomic_write_text, write_json

log = logging.getLogger(__name__)
FORMAT_VERSION = 1


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
    parser.add_argument("--format", default="constrained", choices=["naive", "cot", "robust_cot", "constrained", "constrained_action"],
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


def run(args: argparse.Namespace) -> int:
    from optimizer.agent import DEFAULT_INSTRUCTIONS, AgentConfig, GameAgent, OracleAgent
    from optimizer.balrog_summary import balrog_summary, print_balrog_table
    from optimizer.rollout import make_jobs, run_rollouts

    _check_numbers(args)
    if args.agent == "oracle" and args.env != "babaisai":
        raise InputError(f"--agent oracle plays only babaisai (the exact solver's game), not {args.env!r}")
    tasks = resolve_tasks(args.env, args.tasks)
    instructions = _instructions(args) or DEFAULT_INSTRUCTIONS
    config = AgentConfig(format=args.format, history=args.history, max_tokens=args.max_tokens,
                         temperature=args.temperature)
    seeds = list(range(args.seed, args.seed + args.episodes))
    jobs = make_jobs(args.env, tasks, seeds, args.max_steps)
    if args.agent == "oracle":
        agent, lm, model = OracleAgent(), None, None
        instructions = "(no prompt: the oracle plays the exact solver's shortest plans)"
    else:
        agent, lm, model = GameAgent(instructions, config), build_lm(args.model), args.model

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "prompt.md", instructions + "\n")
    settings = {"env": args.env, "tasks": tasks, "seeds": seeds, "model": model, "agent_kind": args.agent,
                "agent": config.model_dump() if args.agent == "llm" else None, "max_steps": args.max_steps,
                "concurrency": args.concurrency, "prompt_id": agent.prompt_id}
    write_json(out / "eval.json", {"format_version": FORMAT_VERSION, "status": "running", "settings": settings})

    result = run_rollouts(jobs, agent, lm, out / "rollouts.jsonl", concurrency=args.concurrency,
                          progress=not args.no_progress)
    status = "done" if not result.failures else "incomplete"
    record = {"format_version": FORMAT_VERSION, "status": status, "settings": settings,
              "episodes": {"total": len(jobs), "ran": result.ran, "resumed": result.resumed,
                           "failed": result.failed}, "wall_seconds": round(result.wall_seconds, 2),
              "failures": [f.model_dump() for f in result.failures]}
    write_json(out / "eval.json", record)
    if result.trajectories:
        summary = balrog_summary(result.trajectories)
        write_json(out / "summary.json", summary)
        print_balrog_table(summary)
    if result.failures:
        print(f"ladder eval: {result.failed} of {len(jobs)} episodes failed (see the log above); "
              f"rerun the same command to retry them", flush=True)
        return 1
    return 0


def resolve_tasks(env: str, patterns: list[str]) -> list[str]:
    """Task ids from ids and globs (each argument may hold several, comma-separated), in BALROG's order."""
    try:
        known = envs.tasks(env)
    except envs.EnvError as error:
        raise InputError(str(error)) from None
    wanted: set[str] = set()
    for pattern in (p.strip() for arg in patterns for p in arg.split(",")):
        if not pattern:
            continue
        if any(ch in pattern for ch in "*?["):
            matches = fnmatch.filter(known, pattern)
            if not matches:
                raise InputError(f"--tasks {pattern!r} matches no {env} task; e.g. {', '.join(known[:3])}")
            wanted.update(matches)
        elif pattern in known:
            wanted.add(pattern)
        else:
            hint = envs.registry.closest(pattern, known)
            raise InputError(f"unknown {env} task {pattern!r}" + (f"; did you mean {hint[0]!r}?" if hint else ""))
    if not wanted:
        raise InputError("--tasks selected no task")
    return [task for task in known if task in wanted]


def build_lm(model: str):
    """The agent's LM, from the LM layer (kept as a module function so tests can substitute it)."""
    try:
        from autolibra.lm import make_lm
    except ImportError as error:
        raise ConfigError(f"the LM layer is not available ({error})") from None
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
