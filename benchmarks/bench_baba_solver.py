"""Time the solver on every BALROG Baba Is AI task x seeds (default 40 x 10 = 400 levels).

Goal on this 2-core machine: every level solved with a proven shortest plan, each under 2 s, all of them
under 60 s. Prints the slowest levels, the levels whose plan is not proven shortest (with the proven lower
bound), the median and max per level, and (last line) the total. `--no-prove` times the fast path
(`solve_engine(..., prove=False)`: a winning plan, not proven shortest). `--jobs 2` solves two levels at a
time in worker processes (the machine has 2 cores); the last line then gives the whole run's wall time
next to the sum of the per-level times. Each process first solves one small level, timed apart: loading
the compiled solver (numba), or compiling it on a fresh install, is a cost per process, not per level.
`--deep` lets the solver go on past its exact budget with the memory-lean depth-first check
(`solve_engine(..., deep=True)`): minutes on the one level that needs it, and then every plan is proven.

    .venv/bin/python benchmarks/bench_baba_solver.py [--seeds 10] [--tasks SUBSTRING] [--no-prove] [--deep] [--jobs 2]
"""

from __future__ import annotations

import argparse
import multiprocessing
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
    parser.add_argument("--deep", action="store_true",
                        help="past the exact budget, prove with the depth-first check (slow)")
    parser.add_argument("--jobs", type=int, default=1, help="levels solved at once, in worker processes")
    args = parser.parse_args()
    levels = [(task, seed) for task in envs.tasks("babaisai") if args.tasks in task
              for seed in range(args.seeds)]
    jobs = [(task, seed, not args.no_prove, args.deep) for task, seed in levels]
    start = time.perf_counter()
    if args.jobs > 1:
        with multiprocessing.Pool(args.jobs, initializer=_warm_up) as pool:
            rows = list(pool.imap(_timed_solve, jobs, chunksize=1))
    else:
        _warm_up()
        rows = [_timed_solve(job) for job in jobs]
    run_wall = time.perf_counter() - start
    times = [r[0] for r in rows]
    cpus = [r[5] for r in rows]
    print(f"\nslowest {args.show}:")
    for elapsed, task, seed, length, _, cpu, optimal, _, _ in sorted(rows, reverse=True)[:args.show]:
        print(f"  {elapsed:7.3f} s (cpu {cpu:.3f})  {task} seed={seed} plan={length} optimal={optimal}")
    if not args.no_prove:
        print("\nnot proven shortest (plan length vs proven lower bound):")
        for _, task, seed, length, _, _, optimal, bound, _ in rows:
            if not optimal:
                print(f"  {task} seed={seed}: plan {length}, lower bound {bound}")
    unsolved = sum(1 for r in rows if r[3] is None)
    unproven = sum(1 for r in rows if not r[6])
    print(f"levels: {len(rows)}, unsolved: {unsolved}, plan not proven shortest: {unproven}, "
          f"over 2 s wall: {sum(t > 2.0 for t in times)}, over 2 s cpu: {sum(c > 2.0 for c in cpus)}")
    print(f"per level wall: median {statistics.median(times):.3f} s, max {max(times):.3f} s; "
          f"cpu: median {statistics.median(cpus):.3f} s, max {max(cpus):.3f} s")
    peak = max(r[8] for r in rows)
    print(f"peak memory (largest single process): {peak:.0f} MB")
    print(f"total: {sum(times):.1f} s wall, {sum(cpus):.1f} s cpu for {len(rows)} levels, summed per level; "
          f"whole run {run_wall:.1f} s wall with {args.jobs} process(es), warm-up included "
          f"(goal: < 60 s, each < 2 s)")


def _warm_up() -> None:
    """Solve one small level so that the compiled solver is loaded (or compiled) before any timing."""
    t0 = time.perf_counter()
    env = envs.make("babaisai", "env/two_room-make_win")
    env.reset(seed=1)
    solve_engine(env.engine)
    print(f"warm-up (load or compile the solver, then solve one level): {time.perf_counter() - t0:.2f} s",
          flush=True)


def _timed_solve(job: tuple) -> tuple:
    """Solve one level (in a worker process with --jobs): the row the report is built from."""
    task, seed, prove, deep = job
    env = envs.make("babaisai", task)
    env.reset(seed=seed)
    t0, c0 = time.perf_counter(), time.process_time()
    result = solve_engine(env.engine, prove=prove, deep=deep)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    length = None if result.plan is None else len(result.plan)
    print(f"{elapsed:7.3f} s (cpu {cpu:6.3f})  {task} seed={seed} plan={length} "
          f"optimal={result.optimal} lower_bound={result.lower_bound} states={result.seen}", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # kilobytes on Linux
    return (elapsed, task, seed, length, result.seen, cpu, result.optimal, result.lower_bound, peak)


if __name__ == "__main__":
    main()
