"""Steps per second of every registered env (random valid actions, fixed seed).

    .venv/bin/python benchmarks/bench_env_speed.py [--steps 300] [--all-tasks] [--full-textworld]

Each env must step far faster than an LLM answers; the target is TARGET_SPS steps per second (an LLM
turn takes ~1 s, so an env at 50 steps/s costs at most 2% of an episode). Prints one line per env and
task, then the slowest env's ratio to the target on the last line (>= 1 means every env meets it).
TextWorld uses its quick games unless --full-textworld (BALROG-sized games: minutes to generate once).
"""

from __future__ import annotations

import argparse
import random
import time

import envs

TARGET_SPS = 50.0


def _kwargs(name: str, task: str, args: argparse.Namespace) -> dict:
    if name != "textworld":
        return {}
    from envs.textworld import QUICK_GENERATION

    if args.full_textworld:
        return {"game": args.textworld_game}
    return {"game": 0, "generation": QUICK_GENERATION[task]}


def bench(name: str, task: str, args: argparse.Namespace) -> tuple[float, float]:
    """(steps per second, seconds per reset) over `args.steps` random valid actions."""
    steps = args.steps
    env = envs.make(name, task, **_kwargs(name, task, args))
    env.reset(seed=0)  # first reset outside the timing: it may build or generate the game once
    rng = random.Random(0)
    actions = list(env.language_action_space) or [env.default_action]
    resets, reset_time = 0, 0.0
    start = time.perf_counter()
    for _ in range(steps):
        _, _, terminated, truncated, _ = env.step(rng.choice(actions))
        if terminated or truncated:
            began = time.perf_counter()
            env.reset(seed=rng.randrange(2**31))
            reset_time += time.perf_counter() - began
            resets += 1
    elapsed = time.perf_counter() - start
    began = time.perf_counter()
    env.reset(seed=rng.randrange(2**31))
    reset_time += time.perf_counter() - began
    return steps / elapsed, reset_time / (resets + 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--full-textworld", action="store_true")
    parser.add_argument("--textworld-game", type=int, default=0, help="game index with --full-textworld")
    parser.add_argument("--all-tasks", action="store_true", help="every task, not just the first of each env")
    args = parser.parse_args()
    per_env: dict[str, float] = {}
    for name in envs.env_names():
        try:
            tasks = envs.tasks(name)
        except envs.MissingExtraError as error:   # only a missing optional extra skips an env
            print(f"{name:<10} skipped: {error}")
            continue
        for task in tasks if args.all_tasks else tasks[:1]:
            sps, per_reset = bench(name, task, args)
            per_env[name] = min(per_env.get(name, float("inf")), sps)
            print(f"{name:<10} {task:<45} {sps:9.1f} steps/s  {per_reset * 1000:8.1f} ms/reset")
    slowest = min(per_env, key=per_env.get)
    print(f"slowest env: {slowest} at {per_env[slowest]:.1f} steps/s; target {TARGET_SPS:.0f} steps/s")
    print(f"ratio (slowest / target): {per_env[slowest] / TARGET_SPS:.2f}")


if __name__ == "__main__":
    main()
