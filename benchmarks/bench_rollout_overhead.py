"""Harness overhead of `run_rollouts`: a fake LM that sleeps a fixed latency per call, many episodes.

Ideal wall time = (number of model calls x latency) / concurrency: what a harness with zero cost of its
own would take. The harness (env steps, message building, DSPy adapter and usage tracking, JSONL writes)
should stay within 1.2x of it. Episodes are Baba Is AI `env/goto_win` with a model that always says
`idle`, so each episode takes exactly --steps calls.

    .venv/bin/python benchmarks/bench_rollout_overhead.py [--episodes 40 --concurrency 8 --latency 0.2]

The last line is the ratio (wall / ideal).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import dspy

from autolibra.lm.fake import FakeEngine
from optimizer.agent import AgentConfig, GameAgent
from optimizer.rollout import make_jobs, run_episode, run_rollouts


@dataclass
class SlowEngine(FakeEngine):
    """The fake engine, plus a fixed latency per call spent outside its lock (as a server would)."""

    latency: float = 0.0

    def complete(self, request):
        time.sleep(self.latency)
        return super().complete(request)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per model call")
    parser.add_argument("--steps", type=int, default=10, help="steps per episode")
    parser.add_argument("--format", default="constrained")
    args = parser.parse_args()

    reply = '{"reasoning": "wait and see", "action": "idle"}' if args.format == "constrained" else "idle"
    engine = SlowEngine(lambda messages: reply, latency=args.latency)
    lm = dspy.LM("fake/bench", engine=engine, cache=False)

    agent = GameAgent("Reach the WIN object.", AgentConfig(format=args.format))
    jobs = make_jobs("babaisai", ["env/goto_win"], list(range(args.episodes)), max_steps=args.steps)
    with tempfile.TemporaryDirectory() as folder:
        # One untimed episode first: module imports and first-use setup are paid once per process, not
        # per episode, and are not what this measures.
        run_episode("babaisai", "env/goto_win", 10_000, agent, dspy.LM("fake/warmup", engine=FakeEngine(
            lambda messages: reply), cache=False), max_steps=2)
        started, cpu_started = time.perf_counter(), time.process_time()
        result = run_rollouts(jobs, agent, lm, Path(folder) / "rollouts.jsonl", concurrency=args.concurrency,
                              progress=False)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    calls = len(engine.calls)
    if result.failed or calls != args.episodes * args.steps:
        raise SystemExit(f"benchmark broken: {result.failed} failed episodes, {calls} calls")
    ideal = calls * args.latency / args.concurrency
    print(f"episodes {args.episodes}, concurrency {args.concurrency}, latency {args.latency:.3f}s, calls {calls}")
    print(f"ideal {ideal:.2f}s, wall {wall:.2f}s, overhead per call {(wall - ideal) * args.concurrency / calls * 1000:.1f}ms")
    # CPU time does not depend on how busy the machine is: on a shared, loaded machine the wall ratio
    # mostly measures waiting for a core, this line what the harness itself costs.
    print(f"harness CPU {cpu:.2f}s in all, {cpu / calls * 1000:.2f}ms per call")
    print(f"ratio {wall / ideal:.3f} (target <= 1.2)")


if __name__ == "__main__":
    main()
