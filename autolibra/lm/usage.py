"""Usage per role: calls, tokens, latency and cost, summed across threads; and the tokens of one
`dspy.track_usage()` block."""

from __future__ import annotations

import threading
from typing import Any

from pydantic import BaseModel, ConfigDict

from autolibra.schema import TokenUsage


class Usage(BaseModel):
    """What one role spent. Tokens, latency and cost count fresh calls only (a cache hit is free)."""

    model_config = ConfigDict(extra="forbid")

    calls: int = 0  # every request, cached or not
    cache_hits: int = 0
    errors: int = 0  # requests that failed after their retries
    retries: int = 0  # extra attempts spent on transient failures
    input_tokens: int = 0
    output_tokens: int = 0
    latency_s: float = 0.0  # wall time of fresh calls, retries and backoff included
    cost_usd: float = 0.0  # sum of the calls whose price is known
    unpriced_calls: int = 0  # fresh calls whose price is unknown (cost_usd is then a lower bound)

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def __add__(self, other: "Usage") -> "Usage":
        return Usage(**{name: getattr(self, name) + getattr(other, name) for name in Usage.model_fields})


class UsageBook:
    """Thread-safe running totals, one `Usage` per role."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_role: dict[str, Usage] = {}

    def record(self, role: str, *, cache_hit: bool = False, error: bool = False, retries: int = 0,
               input_tokens: int = 0, output_tokens: int = 0, latency_s: float = 0.0,
               cost_usd: float | None = 0.0) -> None:
        with self._lock:
            usage = self._by_role.setdefault(role, Usage())
            usage.calls += 1
            usage.cache_hits += int(cache_hit)
            usage.errors += int(error)
            usage.retries += retries
            if cache_hit:
                return
            usage.input_tokens += input_tokens
            usage.output_tokens += output_tokens
            usage.latency_s += latency_s
            if cost_usd is None:
                usage.unpriced_calls += int(not error)
            else:
                usage.cost_usd += cost_usd

    def snapshot(self) -> dict[str, Usage]:
        with self._lock:
            return {role: usage.model_copy() for role, usage in self._by_role.items()}


def tokens_used(tracker: Any, model: str | None = None) -> TokenUsage:
    """The tokens recorded by a `dspy.track_usage()` tracker, for the LM named `model`.

    An LM that delegates to an inner `dspy.LM` (the LM layer's provider and local backends do) is tracked
    twice, once under each name: when `model` has entries, only those count; otherwise (no name given, or
    the wrapped LM recorded nothing under its own) every entry does."""
    totals = tracker.get_total_tokens()
    chosen = [totals[model]] if model is not None and totals.get(model) else list(totals.values())
    usage = TokenUsage()
    for entry in chosen:
        usage = usage + TokenUsage(input=int(entry.get("prompt_tokens") or 0),
                                   output=int(entry.get("completion_tokens") or 0))
    return usage
