"""Throughput of the embedded model through the whole LM stack versus the bare llama.cpp server.

    .venv/bin/python benchmarks/bench_lm_throughput.py [--model local|local-tiny] [--steps 4] [--repeats 2]

Workload: an agent-like episode. Each step sends a stable system prompt, the growing history of
earlier steps and a new observation, and asks for a short reply (temperature 0).
  * "with prefix reuse": the message prefix is stable across steps, so llama.cpp's prompt cache
    re-reads only the new tail;
  * "without": a per-step token at the very start of the system prompt defeats the prompt cache,
    so every step re-reads the whole prompt.
Each mode runs once through the bare server (plain HTTP to its OpenAI-compatible endpoint) and once
through the stack (`make_lm(...)`: LadderLM -> our engine with disk cache and JSONL log ->
inner dspy.LM -> HTTP), same server, alternating, each run with its own fresh episode text so
neither benefits from the other's cache. Tokens/s counts prompt + completion tokens as the server
reports them, over wall time. Goal: stack/bare >= 0.9. The last line prints the smaller ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import warnings

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SYSTEM = ("You are an agent in a grid puzzle. Rules are text blocks such as BABA IS YOU or FLAG IS WIN; "
          "pushing words changes the rules. Reply with exactly one action from: up, down, left, right, idle. "
          "Think about which rule blocks matter, where the win object is, and what is blocking the path. ") * 3


def episode(steps: int, salt: str, reuse: bool):
    """Yield the message list for each step of one episode."""
    history: list[dict] = []
    for step in range(steps):
        system = SYSTEM if reuse else f"[step {uuid.uuid4().hex}] " + SYSTEM
        observation = (f"Episode {salt}, step {step}: BABA at (2,{step}); FLAG at (5,{7 - step}); "
                       f"rule WALL IS STOP at row 3; key at ({step},4). What do you do?")
        messages = [{"role": "system", "content": system}, *history, {"role": "user", "content": observation}]
        yield messages
        history += [{"role": "user", "content": observation}, {"role": "assistant", "content": "left"}]


def run_bare(base_url: str, steps: int, salt: str, reuse: bool, max_tokens: int) -> tuple[int, float]:
    tokens, started = 0, time.perf_counter()
    with httpx.Client(timeout=900) as client:
        for messages in episode(steps, salt, reuse):
            reply = client.post(f"{base_url}/chat/completions", json={
                "model": "local", "messages": messages, "max_tokens": max_tokens, "temperature": 0.0})
            reply.raise_for_status()
            tokens += reply.json()["usage"]["total_tokens"]
    return tokens, time.perf_counter() - started


def run_stack(lm, steps: int, salt: str, reuse: bool) -> tuple[int, float]:
    before = lm.engine_impl.usage.snapshot().get("agent")
    started = time.perf_counter()
    for messages in episode(steps, salt, reuse):
        lm(messages=messages)
    elapsed = time.perf_counter() - started
    after = lm.engine_impl.usage.snapshot()["agent"]
    tokens = after.total_tokens - (before.total_tokens if before else 0)
    return tokens, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="local", help="local, local-tiny or local:/path.gguf")
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=16)
    args = parser.parse_args()
    # messages= is DSPy's deprecated-but-supported call form; the warning is noise here.
    warnings.filterwarnings("ignore", category=DeprecationWarning)

    from autolibra.lm import make_lm
    from autolibra.lm.local_server import get_server

    server = get_server(args.model)
    print(f"model {args.model}: server up in {server.load_seconds:.1f} s at {server.base_url}")
    work = Path(tempfile.mkdtemp(prefix="bench_lm_"))
    lm = make_lm({"model": args.model, "temperature": 0.0, "max_tokens": args.max_tokens}, role="agent",
                 cache_dir=work, log_path=work / "lm_calls.jsonl")
    run_bare(server.base_url, 1, "warmup", True, args.max_tokens)  # first-request costs out of the way

    ratios = {}
    for reuse in (True, False):
        label = "with prefix reuse" if reuse else "without prefix reuse"
        bare_rates, stack_rates = [], []
        for repeat in range(args.repeats):
            tokens, seconds = run_bare(server.base_url, args.steps, uuid.uuid4().hex[:8], reuse, args.max_tokens)
            bare_rates.append(tokens / seconds)
            tokens, seconds = run_stack(lm, args.steps, uuid.uuid4().hex[:8], reuse)
            stack_rates.append(tokens / seconds)
            print(f"  {label} #{repeat}: bare {bare_rates[-1]:.1f} tok/s, stack {stack_rates[-1]:.1f} tok/s")
        bare, stack = statistics.median(bare_rates), statistics.median(stack_rates)
        ratios[label] = stack / bare
        print(f"{label}: bare {bare:.1f} tok/s, stack {stack:.1f} tok/s, ratio {ratios[label]:.2f}x")
    print(f"calls logged: {sum(1 for _ in open(work / 'lm_calls.jsonl'))}")
    worst = min(ratios, key=ratios.get)
    print(f"ratio stack/bare: {ratios[worst]:.2f}x (worst case: {worst}; goal >= 0.90x)")


if __name__ == "__main__":
    main()
