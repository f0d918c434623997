"""`ladder select`: choose high-scoring trajectories as fine-tuning data and export them.

    ladder select DATA... --metrics metrics.json [--traits traits.jsonl] [--model local]
                  (--top-k K | --threshold T) [--per-task-cap C] [--require-success]
                  [--format openai|hf|both] [--per step|episode] --out DIR

DATA is a trajectory file (our JSONL, or a web-agent dump in WebArena / WebVoyager / NNetNav shape) or a
run directory (its latest iteration's rollouts, with that iteration's metrics, traits and feedback as
defaults).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pydantic import ValidationError

from autolibra.errors import InputError
from autolibra.instances import load_metric_set
from autolibra.jsonl import read_jsonl
from autolibra.lm import local_server, make_lm
from autolibra.schema import Feedback, Trait
from autolibra.web_import import load_web_trajectories
from optimizer.reporting.selection import write_selection_outcome
from optimizer.selection import SelectionConfig, make_inducer, make_judge, run_selection


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data", nargs="+", type=Path, help="trajectory files (.jsonl/.json) or a run directory")
    parser.add_argument("--metrics", type=Path, help="MetricSet JSON (default: the run iteration's metrics.json)")
    parser.add_argument("--traits", type=Path, help="stored judgments (Trait JSONL) to reuse")
    parser.add_argument("--model", help="judge model for missing judgments, e.g. local or openai/gpt-4o-mini")
    limit = parser.add_mutually_exclusive_group(required=True)
    limit.add_argument("--top-k", type=int, help="select at most K trajectories")
    limit.add_argument("--threshold", type=float, help="select every trajectory scoring at least T")
    parser.add_argument("--per-task-cap", type=int, help="at most C trajectories of any one task")
    parser.add_argument("--require-success", action="store_true", help="only trajectories that succeeded")
    parser.add_argument("--aggregate", choices=["pass_fraction", "mean_rating"], default="pass_fraction")
    parser.add_argument("--weight", action="append", default=[], metavar="METRIC=W",
                        help="weight of one metric in the score (repeatable; default 1)")
    parser.add_argument("--no-diversity", action="store_true", help="plain rank order instead of round-robin "
                        "over tasks before the top-k cut")
    parser.add_argument("--format", choices=["openai", "hf", "both"], default="openai")
    parser.add_argument("--per", choices=["step", "episode"], default="step")
    parser.add_argument("--history", type=int, default=4, help="per-step examples: earlier steps shown")
    parser.add_argument("--no-reasoning", action="store_true", help="assistant turns hold the action only")
    parser.add_argument("--system-prompt", type=Path, help="file with the system prompt for the examples")
    parser.add_argument("--feedback", type=Path, help="Feedback JSONL for iterative re-induction")
    parser.add_argument("--iterations", type=int, default=1, help="select / re-induce rounds (needs --model)")
    parser.add_argument("--max-observation-chars", type=int, default=4000,
                        help="cut longer observations on import (0: never)")
    parser.add_argument("--out", type=Path, required=True, help="output directory")


def run(args: argparse.Namespace) -> int:
    trajectories, defaults = _load_data(args.data, args.max_observation_chars)
    metrics_path = args.metrics or defaults.get("metrics")
    if metrics_path is None:
        raise InputError("--metrics is required (a MetricSet JSON, e.g. from `ladder induce`)")
    metrics = load_metric_set(metrics_path)
    traits_path = args.traits or defaults.get("traits")
    traits = read_jsonl(traits_path, Trait) if traits_path else []
    feedback_path = args.feedback or defaults.get("feedback")
    feedback = read_jsonl(feedback_path, Feedback) if feedback_path and args.iterations > 1 else []
    config = _config(args)

    lm = make_lm(args.model, role="judge") if args.model else None
    try:
        result = run_selection(trajectories, metrics, traits, config, args.out,
                               judge=make_judge(lm) if lm is not None else None, feedback=feedback,
                               induce=make_inducer(lm) if lm is not None and args.iterations > 1 else None)
    finally:
        _release(lm)
    write_selection_outcome(result)
    tasks = len({t.task for t in result.selected})
    print(f"selected {len(result.selected)} of {len(trajectories)} trajectories ({tasks} tasks); "
          f"judged {result.judged} new traits, reused {len(result.metrics.metrics) * len(trajectories) - result.judged}")
    for kind, path in result.exports.items():
        print(f"{kind}: {path} ({result.examples[kind]} examples)")
    print(f"report: {Path(result.out_dir) / 'report.md'}")
    return 0


def _load_data(paths: list[Path], max_chars: int):
    trajectories, defaults = [], {}
    for path in paths:
        if path.is_dir():
            rollouts, found = _run_directory(path)
            defaults.update(found)
            path = rollouts
        trajectories.extend(load_web_trajectories(path, max_observation_chars=max_chars))
    if not trajectories:
        raise InputError(f"no trajectories in {', '.join(map(str, paths))}")
    return trajectories, defaults


def _run_directory(run_dir: Path) -> tuple[Path, dict[str, Path]]:
    """The latest iteration with rollouts, and the metric/trait/feedback files next to them."""
    iterations = sorted(p for p in (run_dir / "iterations").glob("*") if (p / "rollouts.jsonl").exists())
    if not iterations:
        raise InputError(f"{run_dir} is a directory but has no iterations/*/rollouts.jsonl; "
                         "pass a trajectory file or a run directory")
    latest = iterations[-1]
    found = {key: latest / name for key, name in (("metrics", "metrics.json"), ("traits", "traits.jsonl"),
                                                  ("feedback", "feedback.jsonl")) if (latest / name).exists()}
    return latest / "rollouts.jsonl", found


def _config(args: argparse.Namespace) -> SelectionConfig:
    weights = {}
    for item in args.weight:
        name, sep, value = item.rpartition("=")
        try:
            weights[name] = float(value)
        except ValueError:
            name = ""
        if not sep or not name:
            raise InputError(f"--weight expects METRIC=NUMBER, got {item!r}")
    fields = dict(top_k=args.top_k, threshold=args.threshold, per_task_cap=args.per_task_cap,
                  require_success=args.require_success, aggregate=args.aggregate, weights=weights,
                  diversity="none" if args.no_diversity else "round_robin", iterations=args.iterations,
                  formats=["openai", "hf"] if args.format == "both" else [args.format], per=args.per,
                  history=args.history, include_reasoning=not args.no_reasoning)
    if args.system_prompt:
        fields["system_prompt"] = args.system_prompt.read_text(encoding="utf-8").strip()
    try:
        return SelectionConfig(**fields)
    except ValidationError as error:
        item = error.errors()[0]
        where = ".".join(str(p) for p in item["loc"])
        raise InputError(f"bad selection option{' ' + where if where else ''}: {item['msg']}") from None


def _release(lm) -> None:
    # The embedded model runs as a server process: stop it so the command exits promptly.
    if lm is not None and getattr(getattr(lm, "config", None), "provider", None) == "local":
        local_server.stop_all()
