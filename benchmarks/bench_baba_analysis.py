"""Time the solver's analysis of a random trajectory on every BALROG Baba Is AI task.

Per task: 100 random actions (idle included, a fixed random.Random per task) played from seed 0 and
analysed move by move (`analyze_actions` + `describe_analysis`, what an annotator reads). Target on this
2-core machine (issue 28): median under 5 s across the 40 tasks. Prints one line per task (time, moves
analysed, moves whose distances are proven), then the median, max and total.

    .venv/bin/python benchmarks/bench_baba_analysis.py [--steps 100] [--seed 0] [--tasks SUBSTRING]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import envs
from envs.babaisai.solver.analysis import analyze_actions, describe_analysis

TARGET_MEDIAN_S = 5.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0, help="level seed")
    parser.add_argument("--tasks", default="", help="only tasks whose id contains this")
    args = parser.parse_args()
    times = []
    for n, task in enumerate(envs.tasks("babaisai")):
        if args.tasks not in task:
            continue
        rng = random.Random(n)
        actions = [rng.choice(["idle", "up", "right", "down", "left"]) for _ in range(args.steps)]
        start = time.perf_counter()
        steps = analyze_actions(task, args.seed, actions)
        describe_analysis(steps)
        times.append(time.perf_counter() - start)
        print(f"{times[-1]:7.2f} s  {task}  moves={len(steps)} proven={sum(s.exact for s in steps)}", flush=True)
    print(f"analysis of a {args.steps}-step random trajectory, {len(times)} tasks: median "
          f"{statistics.median(times):.2f} s, max {max(times):.2f} s, total {sum(times):.1f} s "
          f"(target: median < {TARGET_MEDIAN_S:.0f} s)")


if __name__ == "__main__":
    main()
