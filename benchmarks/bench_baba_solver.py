"""Time the solver on every BALROG Baba Is AI task x seeds (default 40 x 10 = 400 levels).

Goal on this 2-core machine: every level solved with a proven shortest plan, each under 2 s, all of them
under 60 s. Prints the slowest levels, the levels whose plan is not proven shortest (with the proven lower
bound), the median and max per level, and (last line) the total. `--no-prove` times the fast path
(`solve_engine(..., prove=False)`: a winning plan, not proven shortest).

    .venv/bin/python benchmarks/bench_baba_solver.py [--seeds 10] [--tasks SUBSTRING] [--no-prove]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time

import envs
from envs.babaisai.solver import solve_engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--tasks", default="", help="only tasks whose id contains this")
    parser.add_argument("--show", type=int, default=10, help="how many of the slowest levels to list")
    parser.add_argument("--no-prove", action="store_true", help="skip the exact pass once a plan is found")
    args = parser.parse_args()
    rows = []
    for task in envs.tasks("babaisai"):
        if args.tasks not in task:
            continue
        env = envs.make("babaisai", task)
        for seed in range(args.seeds):
            env.reset(seed=seed)
            t0, c0 = time.perf_counter(), time.process_time()
            result = solve_engine(env.engine, prove=not args.no_prove)
            elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
            length = None if result.plan is None else len(result.plan)
            rows.append((elapsed, task, seed, length, result.seen, cpu, result.optimal, result.lower_bound))
            print(f"{elapsed:7.3f} s (cpu {cpu:6.3f})  {task} seed={seed} plan={length} "
                  f"optimal={result.optimal} lower_bound={result.lower_bound} states={result.seen}", flush=True)
    times = [r[0] for r in rows]
    cpus = [r[5] for r in rows]
    print(f"\nslowest {args.show}:")
    for elapsed, task, seed, length, _, cpu, optimal, _ in sorted(rows, reverse=True)[:args.show]:
        print(f"  {elapsed:7.3f} s (cpu {cpu:.3f})  {task} seed={seed} plan={length} optimal={optimal}")
    if not args.no_prove:
        print("\nnot proven shortest (plan length vs proven lower bound):")
        for _, task, seed, length, _, _, optimal, bound in rows:
            if not optimal:
                print(f"  {task} seed={seed}: plan {length}, lower bound {bound}")
    unsolved = sum(1 for r in rows if r[3] is None)
    unproven = sum(1 for r in rows if not r[6])
    print(f"levels: {len(rows)}, unsolved: {unsolved}, plan not proven shortest: {unproven}, "
          f"over 2 s wall: {sum(t > 2.0 for t in times)}, over 2 s cpu: {sum(c > 2.0 for c in cpus)}")
    print(f"per level wall: median {statistics.median(times):.3f} s, max {max(times):.3f} s; "
          f"cpu: median {statistics.median(cpus):.3f} s, max {max(cpus):.3f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # kilobytes on Linux
    print(f"peak memory (largest single search): {peak:.0f} MB")
    print(f"total: {sum(times):.1f} s wall, {sum(cpus):.1f} s cpu for {len(rows)} levels "
          f"(goal: < 60 s, each < 2 s)")


if __name__ == "__main__":
    main()
