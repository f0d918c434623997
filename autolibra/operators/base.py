"""What every operator shares: one LM call with retries and token accounting, and a thread pool.

Operators use DSPy's JSONAdapter: small local models follow a JSON object far more reliably than
DSPy's `[[ ## field ## ]]` chat format, and the local server can constrain decoding to the schema.
The JSONAdapter never falls back to a second adapter, so one attempt is exactly one LM call.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import dspy
from pydantic import BaseModel

from autolibra.errors import UnparseableReply
from autolibra.lm.usage import tokens_used
from autolibra.schema import TokenUsage

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")

DEFAULT_RETRIES = 2  # attempts = 1 + retries


class OperatorCall(BaseModel):
    """One attempt of an operator: what for, how many tokens, whether it produced a usable reply.
    (The LM layer's `LMCallRecord` is the other view of the same call: the request and reply as sent.)"""

    operator: str
    subject: str  # the instance, trajectory or metric-set the call was about
    attempt: int
    ok: bool
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    error: str | None = None


class OperatorCalls:
    """The operator attempts of a run, in memory (thread-safe); operators append to it when one is passed
    in, and the induction reports read its token and failure totals."""

    def __init__(self) -> None:
        self.records: list[OperatorCall] = []
        self._lock = threading.Lock()

    def add(self, record: OperatorCall) -> None:
        with self._lock:
            self.records.append(record)

    def __len__(self) -> int:
        return len(self.records)

    def usage(self, since: int = 0) -> TokenUsage:
        with self._lock:
            chosen = self.records[since:]
        return TokenUsage(input=sum(r.prompt_tokens for r in chosen), output=sum(r.completion_tokens for r in chosen))

    def failures(self, since: int = 0) -> int:
        with self._lock:
            return sum(1 for r in self.records[since:] if not r.ok)


class InvalidReply(ValueError):
    """Raised by an operator's validator: the reply parsed but breaks a rule (unknown metric, ...)."""


class BestPartial:
    """The largest partial answer seen across an operator's retries, and what was wrong with it, so the
    valid part of the last attempts survives a final failure. `validator(parse)` turns a parser
    `prediction -> (answer dict, issues)` into a validator for `call_with_retries`."""

    def __init__(self) -> None:
        self.answer: dict = {}
        self.problems: list[str] = []

    def validator(self, parse: Callable[[dspy.Prediction], tuple[dict, list[str]]]
                  ) -> Callable[[dspy.Prediction], dict]:
        def validate(prediction: dspy.Prediction) -> dict:
            answer, issues = parse(prediction)
            if len(answer) >= len(self.answer):
                self.answer, self.problems = dict(answer), list(issues)
            if issues:
                raise InvalidReply("; ".join(issues))
            return answer
        return validate

    def reason(self, error: Exception) -> str:
        return "; ".join(self.problems) or str(error)


def call_with_retries(
    signature: type[dspy.Signature],
    inputs: dict[str, Any],
    lm: dspy.LM,
    validate: Callable[[dspy.Prediction], T],
    *,
    operator: str,
    subject: str,
    retries: int = DEFAULT_RETRIES,
    calls: OperatorCalls | None = None,
) -> T:
    """Call `signature` on `lm`, validate the prediction, retry on failure; raise UnparseableReply at the end.

    Retries pass a fresh `rollout_id` (and a non-zero temperature) so a cached bad reply is not replayed.
    """
    predict = dspy.Predict(signature)
    last_error, transcript = "", ""
    for attempt in range(retries + 1):
        config: dict[str, Any] = {}
        if attempt:
            config = {"rollout_id": attempt, "temperature": max(float(lm.kwargs.get("temperature") or 0), 0.7)}
        started = time.monotonic()
        with dspy.context(lm=lm, adapter=dspy.JSONAdapter()), dspy.track_usage() as tracker:
            try:
                prediction = predict(**inputs, config=config)
                result, error = validate(prediction), None
            except Exception as exc:  # a failed call or an unusable reply: both are retried
                result, error = None, f"{type(exc).__name__}: {_short(str(exc))}"
                transcript = str(getattr(exc, "lm_response", "") or "") or transcript
        tokens = tokens_used(tracker, str(lm.model))
        if calls is not None:
            calls.add(OperatorCall(operator=operator, subject=subject, attempt=attempt, ok=error is None,
                                   prompt_tokens=tokens.input, completion_tokens=tokens.output,
                                   seconds=round(time.monotonic() - started, 3), error=error))
        log.debug("%s %s attempt %d: %d prompt tokens, %d completion tokens%s", operator, subject, attempt,
                  tokens.input, tokens.output, f", error {error}" if error else "")
        if error is None:
            return result  # type: ignore[return-value]
        last_error = error
        log.warning("%s for %s: attempt %d failed: %s", operator, subject, attempt + 1, error)
    raise UnparseableReply(f"{operator} for {subject}: no usable reply after {retries + 1} attempts ({last_error})",
                           transcript=transcript)


def parallel_map(function: Callable[[T], R], items: Iterable[T], workers: int = 4) -> list[R]:
    """`function` over `items` on a thread pool, results in input order.

    Threads (not processes): the work is waiting on LM servers, and the LM layer limits per-provider
    concurrency itself. DSPy's context is thread-local, so each operator sets its own `dspy.context`.
    """
    items = list(items)
    if workers <= 1 or len(items) <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="autolibra") as pool:
        return list(pool.map(function, items))


def with_instructions(signature: type[dspy.Signature], template: str | None) -> type[dspy.Signature]:
    """The signature with the caller's instructions, if any: prompts are data, overridable per call."""
    return signature if template is None else signature.with_instructions(template)


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"
