"""Time the exact solver on every BALROG Baba Is AI task x seeds (default 40 x 10 = 400 levels).

Goal on this 2-core machine: every level under 2 s, all of them under 60 s. Prints the slowest levels,
the median and max per level, and (last line) the total.

    .venv/bin/python benchmarks/bench_baba_solver.py [--seeds 10] [--tasks SUBSTRING]
"""

from __future__ import annotations

import argparse
import statistics
import time

import envs
from envs.babaisai.solver import solve_engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--tasks", default="", help="only tasks whose id contains this")
    parser.add_argument("--show", type=int, default=10, help="how many of the slowest levels to list")
    args = parser.parse_args()
    rows = []
    for task in envs.tasks("babaisai"):
        if args.tasks not in task:
            continue
        env = envs.make("babaisai", task)
        for seed in range(args.seeds):
            env.reset(seed=seed)
            t0 = time.perf_counter()
            result = solve_engine(env.engine)
            elapsed = time.perf_counter() - t0
            length = None if result.plan is None else len(result.plan)
            rows.append((elapsed, task, seed, length, result.expanded))
            print(f"{elapsed:7.3f} s  {task} seed={seed} plan={length} expanded={result.expanded}", flush=True)
    times = [r[0] for r in rows]
    print(f"\nslowest {args.show}:")
    for elapsed, task, seed, length, expanded in sorted(rows, reverse=True)[:args.show]:
        print(f"  {elapsed:7.3f} s  {task} seed={seed} plan={length} expanded={expanded}")
    unsolved = sum(1 for r in rows if r[3] is None)
    over = sum(1 for t in times if t > 2.0)
    print(f"levels: {len(rows)}, unsolved: {unsolved}, over 2 s: {over}")
    print(f"per level: median {statistics.median(times):.3f} s, max {max(times):.3f} s")
    print(f"total: {sum(times):.1f} s for {len(rows)} levels (goal: < 60 s, each < 2 s)")


if __name__ == "__main__":
    main()
