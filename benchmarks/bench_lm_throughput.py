"""Throughput of the embedded model through the whole LM stack versus the bare llama.cpp server.

    .venv/bin/python benchmarks/bench_lm_throughput.py [--model local|local-tiny] [--steps 4] [--repeats 2]

Workload: an agent-like episode. Each step sends a stable system prompt, the growing history of
earlier steps and a new observation, and asks for a short reply (temperature 0).
  * "with prefix reuse": the message prefix is stable across steps, so llama.cpp's prompt cache
    re-reads only the new tail;
  * "without": a per-step token at the very start of the system prompt defeats the prompt cache,
    so every step re-reads the whole prompt.
Each mode runs an episode through the bare server (plain HTTP to its OpenAI-compatible endpoint) and
one through the stack (`make_lm(...)`: LadderLM -> our engine with disk cache and JSONL log ->
inner dspy.LM -> HTTP), same server, their steps interleaved so both see the same machine load, each
episode with its own text so neither benefits from the other's prompt cache. Tokens/s counts prompt + completion tokens as the server
reports them, over wall time. Goal: stack/bare >= 0.9. The last line prints the smaller ratio.

On a shared machine the model's speed swings from run to run, so the script also prints the stack's
own cost per call: wall time minus the compute time the server reports for each reply. That figure
does not depend on how fast the model happened to run.
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


def server_seconds(raw: dict) -> float:
    """The server's own compute time for one reply (llama.cpp reports it under `timings`)."""
    timings = raw.get("timings") or {}
    return (timings.get("prompt_ms", 0.0) + timings.get("predicted_ms", 0.0)) / 1000


def call_bare(client: httpx.Client, base_url: str, messages: list[dict], max_tokens: int) -> tuple[int, float]:
    """(tokens, server seconds) for one request over plain HTTP."""
    reply = client.post(f"{base_url}/chat/completions", json={
        "model": "local", "messages": messages, "max_tokens": max_tokens, "temperature": 0.0})
    reply.raise_for_status()
    raw = reply.json()
    return raw["usage"]["total_tokens"], server_seconds(raw)


def call_stack(lm, messages: list[dict], max_tokens: int) -> tuple[int, float]:
    """The same through the whole stack (an explicit lm15 Request, so the raw reply comes back)."""
    from dspy.lm15 import request_from_openai_chat

    request = request_from_openai_chat({"model": lm.model, "messages": messages,
                                        "max_tokens": max_tokens, "temperature": 0.0})
    response = lm(request)
    return response.usage.input_tokens + response.usage.output_tokens, server_seconds(response.provider_data or {})


def run_pair(lm, base_url: str, steps: int, reuse: bool, max_tokens: int) -> dict[str, list[float]]:
    """One bare and one stack episode, their steps interleaved so both see the same machine load.
    Returns per path: [tokens, wall seconds, server seconds]."""
    totals = {"bare": [0, 0.0, 0.0], "stack": [0, 0.0, 0.0]}
    bare_steps = episode(steps, uuid.uuid4().hex[:8], reuse)
    stack_steps = episode(steps, uuid.uuid4().hex[:8], reuse)
    with httpx.Client(timeout=900) as client:
        for step, (bare_messages, stack_messages) in enumerate(zip(bare_steps, stack_steps)):
            for name in (("bare", "stack") if step % 2 == 0 else ("stack", "bare")):  # no order bias
                started = time.perf_counter()
                if name == "bare":
                    tokens, compute = call_bare(client, base_url, bare_messages, max_tokens)
                else:
                    tokens, compute = call_stack(lm, stack_messages, max_tokens)
                wall = time.perf_counter() - started
                for index, value in enumerate((tokens, wall, compute)):
                    totals[name][index] += value
    return totals


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
    run_pair(lm, server.base_url, 1, True, args.max_tokens)  # first-request costs out of the way

    ratios = {}
    for reuse in (True, False):
        label = "with prefix reuse" if reuse else "without prefix reuse"
        sums = {"bare": [0, 0.0, 0.0], "stack": [0, 0.0, 0.0]}
        for repeat in range(args.repeats):
            totals = run_pair(lm, server.base_url, args.steps, reuse, args.max_tokens)
            for name, (tokens, wall, compute) in totals.items():
                sums[name] = [a + b for a, b in zip(sums[name], (tokens, wall, compute))]
                print(f"  {label} #{repeat} {name}: {tokens / wall:.1f} tok/s ({tokens} tokens, "
                      f"{wall:.1f} s wall, {compute:.1f} s computing in the server)")
        rate = {name: tokens / wall for name, (tokens, wall, _) in sums.items()}
        calls = args.steps * args.repeats
        extra = {name: (wall - compute) / calls for name, (_, wall, compute) in sums.items()}
        ratios[label] = rate["stack"] / rate["bare"]
        print(f"{label}: bare {rate['bare']:.1f} tok/s, stack {rate['stack']:.1f} tok/s, "
              f"ratio {ratios[label]:.2f}x; per call outside the server: bare {extra['bare'] * 1000:.0f} ms, "
              f"stack {extra['stack'] * 1000:.0f} ms")
    print(f"calls logged: {sum(1 for _ in open(work / 'lm_calls.jsonl'))}")
    worst = min(ratios, key=ratios.get)
    print(f"ratio stack/bare: {ratios[worst]:.2f}x (worst case: {worst}; goal >= 0.90x)")


if __name__ == "__main__":
    main()
