"""A disk cache of LM calls, keyed on the full request, kept in the run directory.

A resumed run replays every call it already finished from here instead of asking the model again.
SQLite (stdlib) gives atomic writes and safe concurrent readers with no extra dependency; one
connection is shared behind a lock because calls arrive from many threads.

Requests and replies are lm15 frozen dataclasses (public through `dspy.lm15`); DSPy exports no way to
write them as JSON, so this module has its own small form: any request is reduced to plain values for
the key, and a reply is stored as its message (text, thinking, refusal, citation, tool-call and data
parts), finish reason and usage. A reply with any other part (images, audio) is not cached, so a replay
is never a lossy copy of what the model said; telemetry (logprobs, provider data) is not kept.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import sqlite3
import threading
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import Any

from dspy.lm15 import (CitationPart, ContinuationState, DataPart, Message, RefusalPart, Request, Response,
                       TextPart, ThinkingPart, ToolCallPart, Usage)

log = logging.getLogger(__name__)

# 2: our own JSON form of requests and replies (1 used the private lm15 serializer; its rows never match).
CACHE_FORMAT = 2
_PARTS: dict[str, type] = {"text": TextPart, "thinking": ThinkingPart, "refusal": RefusalPart,
                           "citation": CitationPart, "tool_call": ToolCallPart, "data": DataPart}


class Uncacheable(ValueError):
    """A reply holding a part the cache does not store."""


def request_key(model: str, request: Request, rollout_id: Any = None) -> str:
    """A stable hash of everything that shapes the reply: model, messages, tools, parameters."""
    body = plain(request)
    body.pop("model", None)  # the model *as configured* below is the identity, not the wire alias
    payload = {"v": CACHE_FORMAT, "model": model, "request": body, "rollout_id": rollout_id}
    text = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def plain(value: Any) -> Any:
    """`value` as JSON-able plain data: dataclasses as dicts tagged with their class, tuples as lists,
    bytes as their hash (a key needs to tell media apart, not to hold them)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"__class__": type(value).__name__, **fields}
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, (bytes, bytearray)):
        return {"sha256": hashlib.sha256(value).hexdigest()}
    if isinstance(value, Enum):
        return plain(value.value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


def response_to_json(response: Response) -> str:
    """The reply's message, finish reason and usage as JSON; raises Uncacheable for other parts."""
    body = {"id": response.id, "model": response.model, "finish_reason": response.finish_reason,
            "usage": dataclasses.asdict(response.usage), "parts": [_part(p) for p in response.message.parts],
            "continuation": [_continuation(c) for c in response.message.continuation]}
    return json.dumps(body, ensure_ascii=False)


def response_from_json(text: str) -> Response:
    body = json.loads(text)
    parts = tuple(_part_from(fields) for fields in body["parts"])
    message = Message(role="assistant", parts=parts, continuation=_continuations(body["continuation"]))
    return Response(id=body["id"], model=body["model"], message=message, finish_reason=body["finish_reason"],
                    usage=Usage(**body["usage"]))


def _part(part: Any) -> dict[str, Any]:
    kind = getattr(part, "type", None)
    if _PARTS.get(kind) is not type(part):
        raise Uncacheable(f"a part of type {kind or type(part).__name__!r}")
    fields = {f.name: getattr(part, f.name) for f in dataclasses.fields(part) if f.init}
    fields["continuation"] = [_continuation(c) for c in part.continuation]
    return {"type": kind, **fields}


def _part_from(fields: dict[str, Any]) -> Any:
    kind, states = fields.pop("type"), _continuations(fields.pop("continuation"))
    return _PARTS[kind](**fields, continuation=states)


def _continuation(state: ContinuationState) -> dict[str, Any]:
    return {"provider": state.provider, "kind": state.kind, "data": state.data}


def _continuations(items: list[dict[str, Any]]) -> tuple[ContinuationState, ...]:
    return tuple(ContinuationState(**item) for item in items)


class CallCache:
    """key -> Response, persisted in `<dir>/lm_cache.sqlite`."""

    def __init__(self, directory: Path):
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / "lm_cache.sqlite"
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS calls (key TEXT PRIMARY KEY, model TEXT, response TEXT)")

    def get(self, key: str) -> Response | None:
        with self._lock:
            row = self._db.execute("SELECT response FROM calls WHERE key = ?", (key,)).fetchone()
        return None if row is None else response_from_json(row[0])

    def put(self, key: str, model: str, response: Response) -> None:
        try:
            text = response_to_json(response)
        except Uncacheable as why:
            log.debug("not caching a reply of %s: it holds %s", model, why)
            return
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO calls VALUES (?, ?, ?)", (key, model, text))

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM calls").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()
