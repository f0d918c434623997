"""`ladder judge DATA --metrics metrics.json --out traits.jsonl`: rate every trajectory on every metric.

Traits are appended as each trajectory is judged, so an interrupted run keeps its work; running the same
command again judges only the trajectories not yet in --out.
"""

from __future__ import annotations

import argparse
import threading
from pathlib import Path

from autolibra.instances import load_metric_set, load_trajectories
from autolibra.jsonl import append_jsonl, read_jsonl_tolerant
from autolibra.operators import judge_trajectory, parallel_map
from autolibra.schema import Trait
from autolibra.scoring import MetricRate, metric_rates
from optimizer.commands.induce import add_lm_arguments, build_session


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data", help="JSONL of instances or trajectories, or a BALROG run directory")
    parser.add_argument("--metrics", required=True, help="the MetricSet JSON")
    parser.add_argument("--out", required=True, help="JSONL of Trait records (appended; resumable)")
    add_lm_arguments(parser)


def run(args: argparse.Namespace) -> int:
    metrics = load_metric_set(args.metrics)
    trajectories = load_trajectories(args.data)
    out = Path(args.out)
    done, _ = read_jsonl_tolerant(out, Trait)
    done_ids = {t.trajectory_id for t in done}
    todo = [t for t in trajectories if t.id not in done_ids]
    if done_ids:
        print(f"{len(trajectories) - len(todo)} trajectories already judged in {out}; judging {len(todo)}")
    lock = threading.Lock()
    with build_session(args) as session:
        lm = session.lm("judge")

        def one(trajectory):
            traits = judge_trajectory(trajectory, metrics, lm, token_budget=args.token_budget)
            with lock:  # one trajectory's traits land together, never interleaved with another's
                for trait in traits:
                    append_jsonl(out, trait)
            return traits

        parallel_map(one, todo, args.workers)
    wanted = {t.id for t in trajectories}
    traits = [t for t in read_jsonl_tolerant(out, Trait)[0] if t.trajectory_id in wanted]
    print_rates(metric_rates(metrics, traits))
    unscored = sum(1 for t in traits if t.rating is None)
    print(f"{len(wanted)} trajectories, {len(traits)} traits ({unscored} unscored) -> {out}")
    return 0


def print_rates(rates: list[MetricRate], matched: dict[str, int] | None = None) -> None:
    """The +1 / 0 / -1 / unscored counts per metric, in the metric set's order."""
    width = max([len(r.metric) for r in rates] + [6])
    header = f"{'metric':{width}} {'+1':>4} {'0':>4} {'-1':>4} {'unscored':>8}"
    print(header + (f" {'matched':>7}" if matched is not None else ""))
    for r in rates:
        line = f"{r.metric:{width}} {r.passed:>4} {r.not_applicable:>4} {r.failed:>4} {r.unscored:>8}"
        print(line + (f" {matched.get(r.metric, 0):>7}" if matched is not None else ""))
