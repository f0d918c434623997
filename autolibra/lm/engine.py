"""The engine behind every LM we hand out: cache, concurrency limit, retries, usage, log.

DSPy 3.4 lets a `dspy.LM` run on a custom engine (`complete(Request) -> Response`). Ours wraps a
`send` function that talks to the real backend (a provider through an inner `dspy.LM`, the embedded
server, or the scripted fake), so adapters, parsing and history above it behave exactly as with a
plain `dspy.LM`, while every call, whatever its source, goes through the same path:

    disk cache -> per-provider concurrency limit -> retries with backoff -> send -> usage + log line
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dspy.lm15 import Request, Response, response_to_events

from autolibra.lm.cache import CallCache, request_key
from autolibra.lm.calllog import LMCallLog, LMCallRecord
from autolibra.lm.usage import UsageBook

log = logging.getLogger(__name__)

# DSPy strips `rollout_id` before building the Request; our LM class puts it here for the cache key.
ROLLOUT_ID: contextvars.ContextVar[Any] = contextvars.ContextVar("ladder_rollout_id", default=None)

_limits: dict[tuple[str, int], threading.BoundedSemaphore] = {}
_limits_lock = threading.Lock()


def provider_limit(key: str, size: int) -> threading.BoundedSemaphore:
    """One semaphore per provider endpoint and limit, shared by every LM in the process that uses both.
    Keying on the size too means an LM configured with its own limit gets exactly that limit, whatever
    LM happened to be built first for the same endpoint."""
    with _limits_lock:
        if (key, size) not in _limits:
            _limits[(key, size)] = threading.BoundedSemaphore(size)
        return _limits[(key, size)]


def is_transient(error: BaseException) -> bool:
    """Rate limits, timeouts, 5xx and dropped connections: worth another try."""
    from dspy import is_retryable_lm_error

    return is_retryable_lm_error(error)


@dataclass
class Capabilities:
    """What DSPy's adapters may ask of this model (read from the engine by dspy's capability check)."""

    response_schema: bool = False
    function_calling: bool = False
    params: frozenset[str] = frozenset({"temperature", "max_tokens"})


@dataclass
class LadderEngine:
    model: str  # as configured (`local`, `openai/gpt-4o`, ...): the cache and log identity
    role: str
    send: Callable[[Request], Response]
    limit_key: str
    max_concurrency: int
    num_retries: int = 4
    capabilities: Capabilities = field(default_factory=Capabilities)
    cache: CallCache | None = None
    usage: UsageBook | None = None
    call_log: LMCallLog | None = None
    price: Callable[[Response], float | None] = lambda response: None
    backoff_base: float = 1.0  # seconds; tests set it to 0
    backoff_cap: float = 60.0
    sleep: Callable[[float], None] = time.sleep

    # DSPy reads these three names off a custom engine to decide e.g. whether to send a JSON schema.
    @property
    def supports_response_schema(self) -> bool:
        return self.capabilities.response_schema

    @property
    def supports_function_calling(self) -> bool:
        return self.capabilities.function_calling

    @property
    def supported_params(self) -> frozenset[str]:
        return self.capabilities.params

    def complete(self, request: Request) -> Response:
        key = request_key(self.model, request, ROLLOUT_ID.get()) if self.cache is not None else None
        if key is not None and (hit := self.cache.get(key)) is not None:
            self._account(request, hit, latency=0.0, attempts=0, cache_hit=True)
            return hit
        started = time.perf_counter()
        attempts = 0
        try:
            with provider_limit(self.limit_key, self.max_concurrency):
                response, attempts = self._send_with_retries(request)
        except Exception as error:
            self._account(request, None, latency=time.perf_counter() - started, attempts=attempts or 1,
                          error=error)
            raise
        if key is not None:
            self.cache.put(key, self.model, response)
        self._account(request, response, latency=time.perf_counter() - started, attempts=attempts)
        return response

    def stream(self, request: Request):
        # Streaming is replayed from the complete response: the cache and log see one whole reply.
        return response_to_events(self.complete(request))

    def close(self) -> None:
        pass

    def _send_with_retries(self, request: Request) -> tuple[Response, int]:
        for attempt in range(self.num_retries + 1):
            try:
                return self.send(request), attempt + 1
            except Exception as error:
                if attempt >= self.num_retries or not is_transient(error):
                    error.ladder_attempts = attempt + 1  # type: ignore[attr-defined]
                    raise
                delay = self._delay(error, attempt)
                log.warning("%s (%s): %s; retry %d/%d in %.1f s", self.role, self.model,
                            type(error).__name__, attempt + 1, self.num_retries, delay)
                self.sleep(delay)
        raise AssertionError("unreachable")

    def _delay(self, error: BaseException, attempt: int) -> float:
        hint = getattr(error, "retry_after", None)
        if isinstance(hint, (int, float)) and 0 <= hint <= self.backoff_cap:
            return float(hint)
        # Full jitter: concurrent episodes that hit the same limit do not retry in lockstep.
        return random.uniform(0, min(self.backoff_cap, self.backoff_base * 2 ** attempt))

    def _account(self, request: Request, response: Response | None, *, latency: float, attempts: int,
                 cache_hit: bool = False, error: BaseException | None = None) -> None:
        usage = getattr(response, "usage", None)
        tokens_in = int(getattr(usage, "input_tokens", 0) or 0)
        tokens_out = int(getattr(usage, "output_tokens", 0) or 0)
        if error is not None:
            attempts = getattr(error, "ladder_attempts", attempts)
        cost = None if response is None or cache_hit else _safe_price(self.price, response)
        if self.usage is not None:
            self.usage.record(self.role, cache_hit=cache_hit, error=error is not None,
                              retries=max(0, attempts - 1), input_tokens=tokens_in, output_tokens=tokens_out,
                              latency_s=latency, cost_usd=cost)
        if self.call_log is not None:
            self.call_log.write(LMCallRecord(
                role=self.role, model=self.model, messages=request_messages(request),
                params=request_params(request), response=response_text(response) if response else None,
                input_tokens=tokens_in, output_tokens=tokens_out, latency_s=round(latency, 4),
                cache_hit=cache_hit, attempts=attempts,
                error=f"{type(error).__name__}: {error}" if error is not None else None))


class AsyncLadderEngine:
    """The async face DSPy needs for `acall`: the same engine, run in a worker thread."""

    def __init__(self, engine: LadderEngine):
        self.engine = engine

    async def complete(self, request: Request) -> Response:
        return await asyncio.to_thread(self.engine.complete, request)

    async def aclose(self) -> None:
        pass


def _safe_price(price: Callable[[Response], float | None], response: Response) -> float | None:
    try:
        return price(response)
    except Exception:  # pricing is advisory: never fail a finished call over it
        return None


def request_messages(request: Request) -> list[dict[str, str]]:
    """The request as plain {role, content} messages, system prompt first."""
    messages = []
    if request.system is not None:
        system = request.system if isinstance(request.system, str) else "".join(
            getattr(part, "text", "") or "" for part in request.system)
        messages.append({"role": "system", "content": system})
    messages.extend({"role": str(m.role), "content": m.text or ""} for m in request.messages)
    return messages


def request_params(request: Request) -> dict[str, Any]:
    config = request.config
    params = {name: getattr(config, name, None) for name in ("temperature", "max_tokens", "top_p", "stop", "seed")}
    response_format = getattr(config, "response_format", None)
    if response_format is not None:
        params["response_format"] = response_format
    return {name: value for name, value in params.items() if value is not None}


def response_text(response: Response) -> str:
    """The reply as text; a schema-constrained reply arrives as a data part, logged as its JSON."""
    text = getattr(response, "text", None)
    if isinstance(text, str) and text:
        return text
    chunks = []
    for part in getattr(response.message, "parts", ()) or ():
        if getattr(part, "text", None):
            chunks.append(part.text)
        elif hasattr(part, "value"):
            chunks.append(json.dumps(part.value, ensure_ascii=False))
    return "".join(chunks)
