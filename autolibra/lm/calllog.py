"""The JSONL log of LM calls (`lm_calls.jsonl`): one line per request, never a secret.

Keys never enter a request object in the first place (engines own their credentials), and each line
is also scrubbed of the values of secret-looking environment variables, in case a provider echoes a
key back inside an error message.
"""

from __future__ import annotations

import os
import re
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from autolibra.schema import utc_now

_SECRET_NAME = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL)", re.IGNORECASE)
REDACTED = "[redacted]"


class LMCallRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    time: datetime = Field(default_factory=utc_now)
    role: str
    model: str
    messages: list[dict[str, str]]
    params: dict[str, Any] = Field(default_factory=dict)  # temperature, max_tokens, response_format, ...
    response: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    latency_s: float = 0.0
    cache_hit: bool = False
    attempts: int = 0
    error: str | None = None


def secret_values(extra: tuple[str, ...] = ()) -> list[str]:
    """Values that must never be written: secret-looking env vars and any keys we were handed."""
    values = [value for name, value in os.environ.items() if _SECRET_NAME.search(name) and len(value) >= 8]
    values.extend(value for value in extra if value and len(value) >= 8)
    return sorted(set(values), key=len, reverse=True)  # longest first: no partial leftovers


def redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


class LMCallLog:
    """The writer of `lm_calls.jsonl`: one LMCallRecord line per request, append-only, safe to share
    between threads. (An operator's in-memory attempts are `autolibra.operators.OperatorCalls`.)"""

    def __init__(self, path: Path, secrets: tuple[str, ...] = ()):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._extra = secrets
        self._lock = threading.Lock()

    def write(self, record: LMCallRecord) -> None:
        line = redact(record.model_dump_json(), secret_values(self._extra))
        with self._lock, open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
