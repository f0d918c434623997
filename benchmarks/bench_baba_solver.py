"""Time the solver on every BALROG Baba Is AI task x seeds (default 40 x 10 = 400 levels).

Targets on this 2-core machine (issue 28): every level gets a plan that wins on replay, and the whole run
with `--jobs 2` takes under 2 minutes. Prints the slowest levels, the levels whose plan is not proven
shortest (with the proven lower bound), the median and max per level, how many plans are proven
shortest, and (last line) the whole run's wall time. Every plan is replayed in a fresh env; a plan that
does not win is counted as unsolved. `--no-prove` times the fast path (`solve_engine(..., prove=False)`:
a winning plan, not proven shortest). `--jobs 2` solves two levels at a time in worker processes.

    .venv/bin/python benchmarks/bench_baba_solver.py [--seeds 10] [--tasks SUBSTRING] [--no-prove] [--jobs 2]
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import statistics
import time

import envs
from envs.babaisai import vocab as v
from envs.babaisai.solver.search import solve_engine

TARGET_WHOLE_RUN_S = 120.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--tasks", default="", help="only tasks whose id contains this")
    parser.add_argument("--show", type=int, default=10, help="how many of the slowest levels to list")
    parser.add_argument("--no-prove", action="store_true", help="skip the exact pass once a plan is found")
    parser.add_argument("--jobs", type=int, default=1, help="levels solved at once, in worker processes")
    args = parser.parse_args()
    jobs = [(task, seed, not args.no_prove) for task in envs.tasks("babaisai") if args.tasks in task
            for seed in range(args.seeds)]
    start = time.perf_counter()
    if args.jobs > 1:
        with multiprocessing.Pool(args.jobs) as pool:
            rows = list(pool.imap(_timed_solve, jobs, chunksize=1))
    else:
        rows = [_timed_solve(job) for job in jobs]
    _report(rows, args, time.perf_counter() - start)


def _report(rows: list[dict], args: argparse.Namespace, run_wall: float) -> None:
    print(f"\nslowest {args.show}:")
    for r in sorted(rows, key=lambda r: -r["wall"])[:args.show]:
        print(f"  {r['wall']:7.3f} s (cpu {r['cpu']:.3f})  {r['task']} seed={r['seed']} plan={r['length']} "
              f"proven={r['proven']} states={r['states']}")
    unproven = [r for r in rows if not r["proven"]]
    if not args.no_prove:
        print("\nnot proven shortest (plan length vs proven lower bound):")
        for r in unproven:
            print(f"  {r['task']} seed={r['seed']}: plan {r['length']}, lower bound {r['lower_bound']}")
    walls, cpus = [r["wall"] for r in rows], [r["cpu"] for r in rows]
    print(f"levels: {len(rows)}, won on replay: {sum(r['wins'] for r in rows)}, "
          f"proven shortest: {len(rows) - len(unproven)}")
    print(f"per level wall: median {statistics.median(walls):.3f} s, max {max(walls):.3f} s; "
          f"cpu: median {statistics.median(cpus):.3f} s, max {max(cpus):.3f} s; "
          f"states stored: {sum(r['states'] for r in rows):,}")
    print(f"peak memory (largest single process): {max(r['peak_mb'] for r in rows):.0f} MB")
    print(f"total: {sum(walls):.1f} s wall, {sum(cpus):.1f} s cpu summed per level; whole run {run_wall:.1f} s "
          f"wall with {args.jobs} process(es) (target: < {TARGET_WHOLE_RUN_S:.0f} s with 2)")


def _timed_solve(job: tuple) -> dict:
    """Solve one level (in a worker process with --jobs) and replay the plan: the row of the report."""
    task, seed, prove = job
    env = envs.make("babaisai", task)
    env.reset(seed=seed)
    t0, c0 = time.perf_counter(), time.process_time()
    result = solve_engine(env.engine, prove=prove)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    actions = None if result.plan is None else [v.ACTIONS[a] for a in result.plan]
    row = {"task": task, "seed": seed, "wall": wall, "cpu": cpu, "proven": result.optimal,
           "length": None if actions is None else len(actions), "lower_bound": result.lower_bound,
           "states": result.seen, "wins": actions is not None and _wins(env, seed, actions),
           "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}   # kilobytes on Linux
    print(f"{wall:7.3f} s (cpu {cpu:6.3f})  {task} seed={seed} plan={row['length']} proven={row['proven']} "
          f"lower_bound={row['lower_bound']} states={row['states']} wins={row['wins']}", flush=True)
    return row


def _wins(env, seed: int, actions: list[str]) -> bool:
    env.reset(seed=seed)
    for action in actions:
        _, reward, terminated, truncated, _ = env.step(action)
        if terminated or truncated:
            return reward > 0
    return False


if __name__ == "__main__":
    main()
