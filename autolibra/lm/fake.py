"""A scripted fake LM, registered as the `fake/...` provider, for unit tests.

It plugs into DSPy as a custom engine (``dspy.LM(..., engine=FakeEngine(...))``), so everything
above the engine (adapters, parsing, our cache and logging) runs exactly as with a real model.

A script is one of:
  * a list of replies, consumed in order;
  * a mapping ``{substring: reply}``: the first key found in the last user message wins;
  * a function ``(messages) -> reply``.
A reply is a string (the raw completion) or a dict of output fields, rendered in the format of the
calling adapter (DSPy's ChatAdapter ``[[ ## field ## ]]`` sections, else a JSON object), so tests can
script typed outputs directly.
The engine records every call and raises ``FakeScriptExhausted`` when its script runs out, so a test
can never pass by silently reading a default answer.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

import dspy
from dspy.lm15 import Message, Request, Response, TextPart, Usage, response_to_events

Reply = Union[str, Mapping[str, Any]]
Script = Union[Sequence[Reply], Mapping[str, Reply], Callable[[list[dict]], Reply]]


class FakeScriptExhausted(RuntimeError):
    """The fake LM was called more times than its script allows (or no mapping key matched)."""


@dataclass
class FakeCall:
    messages: list[dict]  # [{"role": ..., "content": ...}], the system prompt first when present

    @property
    def text(self) -> str:
        """All message contents joined: handy for `assert "x" in call.text`."""
        return "\n".join(m["content"] for m in self.messages)

    @property
    def last_user(self) -> str:
        users = [m["content"] for m in self.messages if m["role"] == "user"]
        return users[-1] if users else ""


def render_fields(fields: Mapping[str, Any]) -> str:
    """Render output fields the way DSPy's ChatAdapter expects to parse them."""
    chunks = []
    for name, value in fields.items():
        if not isinstance(value, str):
            value = json.dumps(value)
        chunks.append(f"[[ ## {name} ## ]]\n{value}")
    chunks.append("[[ ## completed ## ]]")
    return "\n\n".join(chunks)


def _render(fields: Mapping[str, Any], messages: list[dict]) -> str:
    """Dict replies take the shape the calling adapter parses: ChatAdapter sections or a JSON object."""
    system = messages[0]["content"] if messages and messages[0]["role"] == "system" else ""
    if "[[ ## completed ## ]]" in system:
        return render_fields(fields)
    return json.dumps(dict(fields))


@dataclass
class FakeEngine:
    script: Script
    calls: list[FakeCall] = field(default_factory=list)
    _position: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def complete(self, request: Request) -> Response:
        messages = _request_messages(request)
        with self._lock:
            self.calls.append(FakeCall(messages))
            if not callable(self.script):
                reply = self._next_reply(messages)
        if callable(self.script):
            # A function script runs outside the lock, so concurrent calls really overlap
            # (concurrency tests rely on it); it owns its own thread safety.
            reply = self.script(messages)
        text = reply if isinstance(reply, str) else _render(reply, messages)
        prompt_tokens = sum(len(m["content"].split()) for m in messages)
        usage = Usage(input_tokens=prompt_tokens, output_tokens=len(text.split()),
                      total_tokens=prompt_tokens + len(text.split()))
        return Response(id=None, model="fake", message=Message.assistant([TextPart(text)]),
                        finish_reason="stop", usage=usage)

    def _next_reply(self, messages: list[dict]) -> Reply:
        script = self.script
        if callable(script):
            return script(messages)
        if isinstance(script, Mapping):
            last = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
            for key, reply in script.items():
                if key in last:
                    return reply
            raise FakeScriptExhausted(f"no scripted reply matches the last user message: {last[:200]!r}")
        if self._position >= len(script):
            raise FakeScriptExhausted(f"fake LM script exhausted after {len(script)} replies")
        reply = script[self._position]
        self._position += 1
        return reply

    def stream(self, request: Request):
        return response_to_events(self.complete(request))

    def close(self) -> None:
        pass


def _request_messages(request: Request) -> list[dict]:
    messages = []
    if request.system is not None:
        system = request.system if isinstance(request.system, str) else "".join(
            getattr(p, "text", "") for p in request.system)
        messages.append({"role": "system", "content": system})
    messages.extend({"role": m.role, "content": m.text or ""} for m in request.messages)
    return messages


def fake_lm(script: Script, name: str = "fake/scripted", **kwargs: Any) -> dspy.LM:
    """A `dspy.LM` driven by a script; the engine (with `.calls`) is at `lm.fake`."""
    engine = FakeEngine(script)
    lm = dspy.LM(name, engine=engine, cache=False, **kwargs)
    lm.fake = engine  # type: ignore[attr-defined]
    return lm
