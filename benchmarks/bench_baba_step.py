"""Steps per second of BabaIsAIEnv.step() with text observations (no images).

Workload as for the upstream figure we compare with: random actions over the 40 BALROG tasks, 5 seeds
each, each episode played until it ends (at most 100 steps). Reference: the upstream game behind BALROG's
wrapper does about 630 steps/s on this machine with its image rendering; the target is 20x that.

    .venv/bin/python benchmarks/bench_baba_step.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import time

import envs

UPSTREAM_STEPS_PER_S = 630.0


def run_once(seeds: int, rng: random.Random) -> tuple[int, float, float]:
    steps, step_time, reset_time = 0, 0.0, 0.0
    actions = ["idle", "up", "right", "down", "left"]
    for task in envs.tasks("babaisai"):
        env = envs.make("babaisai", task)
        for seed in range(seeds):
            t0 = time.perf_counter()
            env.reset(seed=seed)
            t1 = time.perf_counter()
            reset_time += t1 - t0
            plan = [rng.choice(actions) for _ in range(env.max_steps)]
            t0 = time.perf_counter()
            for action in plan:
                _, _, terminated, truncated, _ = env.step(action)
                steps += 1
                if terminated or truncated:
                    break
            step_time += time.perf_counter() - t0
    return steps, step_time, reset_time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs (the machine is shared)")
    args = parser.parse_args()
    best = None
    for r in range(args.repeat):
        steps, step_time, reset_time = run_once(args.seeds, random.Random(r))
        rate = steps / step_time
        print(f"run {r}: {steps} steps in {step_time:.3f} s -> {rate:,.0f} steps/s "
              f"({reset_time / (40 * args.seeds) * 1e6:.0f} us per reset)")
        best = rate if best is None else max(best, rate)
    print(f"best: {best:,.0f} steps/s; upstream reference {UPSTREAM_STEPS_PER_S:.0f} steps/s; "
          f"target {20 * UPSTREAM_STEPS_PER_S:,.0f}")
    print(f"ratio to upstream: {best / UPSTREAM_STEPS_PER_S:.1f}x")


if __name__ == "__main__":
    main()
