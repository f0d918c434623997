"""A disk cache of LM calls, keyed on the full request, kept in the run directory.

A resumed run replays every call it already finished from here instead of asking the model again.
SQLite (stdlib) gives atomic writes and safe concurrent readers with no extra dependency; one
connection is shared behind a lock because calls arrive from many threads.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

from dspy.lm15 import Request, Response

CACHE_FORMAT = 1


def request_key(model: str, request: Request, rollout_id: Any = None) -> str:
    """A stable hash of everything that shapes the reply: model, messages, tools, parameters."""
    from dspy._vendor.lm15.serde import request_to_dict  # lm15's own canonical form of a request

    body = request_to_dict(request)
    body.pop("model", None)  # the model *as configured* below is the identity, not the wire alias
    payload = {"v": CACHE_FORMAT, "model": model, "request": body, "rollout_id": rollout_id}
    text = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
        from dspy._vendor.lm15.serde import response_from_dict

        with self._lock:
            row = self._db.execute("SELECT response FROM calls WHERE key = ?", (key,)).fetchone()
        return None if row is None else response_from_dict(json.loads(row[0]))

    def put(self, key: str, model: str, response: Response) -> None:
        from dspy._vendor.lm15.serde import response_to_dict

        text = json.dumps(response_to_dict(response), ensure_ascii=False)
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO calls VALUES (?, ?, ?)", (key, model, text))

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM calls").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()
