"""Building LMs: `make_lm` for one-off use, `LMSession` for a run (one LM per role, shared cache,
usage and call log).

Every LM we return is a real `dspy.LM` (our subclass `LadderLM`) running on `LadderEngine`, whose
`send` reaches one of three backends:

* a provider (`openai/...`, `anthropic/...`, `hosted_vllm/...` with `api_base`, ...): an inner plain
  `dspy.LM` with DSPy's response cache and retries off (ours do that), called with the Request;
* the embedded model (`local`, `local-tiny`, `local:/path.gguf`): the same, pointed at the
  in-process llama.cpp server's OpenAI-compatible endpoint;
* the scripted fake (`fake/<name>` with `script=`, or `fake/file:replies.json`).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

import dspy
from dspy.lm15 import Request, Response

from autolibra.errors import ConfigError, LMError
from autolibra.lm.cache import CallCache
from autolibra.lm.calllog import LMCallLog
from autolibra.lm.config import ROLES, LMConfig, RolesConfig
from autolibra.lm.engine import ROLLOUT_ID, AsyncLadderEngine, Capabilities, LadderEngine
from autolibra.lm import local_server
from autolibra.lm.fake import FakeEngine, FakeScriptExhausted, Script
from autolibra.lm.usage import Usage, UsageBook

log = logging.getLogger(__name__)

LOCAL_WIRE_MODEL = "openai/local"  # the embedded server serves one model whatever the name says
LOCAL_PARAMS = frozenset({"temperature", "max_tokens", "top_p", "stop", "seed", "response_format"})
DEFAULT_CONCURRENCY = {"local": 4, "fake": 64}
# Without a cap llama.cpp writes until the context is full: a small model caught in a repetition loop then
# spends minutes of CPU on one reply (seen: 2,643 tokens from the grounder). Set `max_tokens` to change it.
LOCAL_DEFAULT_MAX_TOKENS = 1536
LOCAL_ROLE_MAX_TOKENS = {"annotator": 400}  # a 3-6 sentence feedback; seen: a 1,536-token loop of one sentence
REMOTE_CONCURRENCY = 8


class LadderLM(dspy.LM):
    """A `dspy.LM` on our engine. Adds `.role`, `.config`, `.fake` (fake models) and turns a call
    that failed after its retries into `autolibra.errors.LMError` (the CLI prints it, exit 1)."""

    role: str = "default"
    config: LMConfig | None = None
    fake: FakeEngine | None = None

    def __call__(self, prompt=None, *, messages=None, **kwargs):
        token = ROLLOUT_ID.set(kwargs.get("rollout_id", self.kwargs.get("rollout_id")))
        try:
            return super().__call__(prompt, messages=messages, **kwargs)
        except Exception as error:
            raise _translated(error, self) from error
        finally:
            ROLLOUT_ID.reset(token)

    async def acall(self, prompt=None, *, messages=None, **kwargs):
        token = ROLLOUT_ID.set(kwargs.get("rollout_id", self.kwargs.get("rollout_id")))
        try:
            return await super().acall(prompt, messages=messages, **kwargs)
        except Exception as error:
            raise _translated(error, self) from error
        finally:
            ROLLOUT_ID.reset(token)


def _translated(error: Exception, lm: LadderLM) -> Exception:
    from dspy import LMError as DSPyLMError

    cause: BaseException | None = error
    while cause is not None:  # a test's exhausted script must stay recognisable
        if isinstance(cause, FakeScriptExhausted):
            return cause
        cause = cause.__cause__
    if isinstance(error, DSPyLMError):
        attempts = getattr(error.__cause__, "ladder_attempts", None) or getattr(error, "ladder_attempts", None)
        tried = f" after {attempts} attempt(s)" if attempts else ""
        return LMError(f"{lm.role} model {lm.model!r} failed{tried}: {error}")
    return error


class LMSession:
    """The LMs of one run: one per role, sharing a disk cache, usage book and call log."""

    def __init__(self, roles: RolesConfig | str | dict, cache_dir: Path | None = None,
                 log_path: Path | None = None, scripts: dict[str, Script] | None = None):
        load_env_file()
        self.roles = roles if isinstance(roles, RolesConfig) else RolesConfig.model_validate(roles)
        self.cache = CallCache(Path(cache_dir)) if cache_dir is not None else None
        self.usage_book = UsageBook()
        self.call_log = LMCallLog(Path(log_path), secrets=_configured_secrets(self.roles)) if log_path else None
        self._scripts = scripts or {}  # role -> script, for `fake/...` models built in tests
        self._lms: dict[str, LadderLM] = {}
        self._lock = threading.Lock()

    def lm(self, role: str = "default") -> LadderLM:
        """The LM for `role` (the same object on every call)."""
        config = self.roles.for_role(role)
        with self._lock:
            if role not in self._lms:
                self._lms[role] = _build(config, role, cache=self.cache, usage=self.usage_book,
                                         call_log=self.call_log, script=self._scripts.get(role))
            return self._lms[role]

    def usage(self) -> dict[str, Usage]:
        return self.usage_book.snapshot()

    def close(self) -> None:
        """Release the cache and stop the embedded server if this session started one."""
        if any(lm.config and lm.config.provider == "local" for lm in self._lms.values()):
            local_server.stop_all()
        if self.cache is not None:
            self.cache.close()

    def __enter__(self) -> "LMSession":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def make_lm(config: LMConfig | str | dict, role: str = "default", *, script: Script | None = None,
            cache_dir: Path | None = None, log_path: Path | None = None,
            usage: UsageBook | None = None) -> LadderLM:
    """One LM outside a session (CLI one-offs, tests). Same engine; cache and log only if asked."""
    load_env_file()
    config = config if isinstance(config, LMConfig) else LMConfig.model_validate(config)
    return _build(config, role, cache=CallCache(Path(cache_dir)) if cache_dir else None,
                  usage=usage or UsageBook(), call_log=LMCallLog(Path(log_path)) if log_path else None,
                  script=script)


def _configured_secrets(roles: RolesConfig) -> tuple[str, ...]:
    """The keys this session's configs point at, so the log scrubs them whatever their variable name."""
    names = {config.api_key_env for config in [roles.default, *(getattr(roles, r) for r in ROLES)]
             if config is not None and config.api_key_env}
    return tuple(os.environ[name] for name in names if os.environ.get(name))


def load_env_file() -> None:
    """Keys may come from a `.env` file in the working directory; the real environment wins."""
    try:
        from dotenv import find_dotenv, load_dotenv
    except ImportError:
        return
    path = find_dotenv(usecwd=True)
    if path:
        load_dotenv(path, override=False)


def _build(config: LMConfig, role: str, *, cache, usage, call_log, script) -> LadderLM:
    if role != "default" and role not in ROLES:
        raise ConfigError(f"unknown LM role {role!r}; expected one of: default, {', '.join(ROLES)}")
    send, capabilities, limit_key, price, fake = _backend(config, script)
    concurrency = config.max_concurrency or DEFAULT_CONCURRENCY.get(config.provider, REMOTE_CONCURRENCY)
    engine = LadderEngine(model=config.model, role=role, send=send, limit_key=limit_key,
                          max_concurrency=concurrency, num_retries=config.num_retries,
                          capabilities=capabilities, cache=cache, usage=usage, call_log=call_log, price=price)
    kwargs = dict(config.extra)
    if config.temperature is not None:
        kwargs["temperature"] = config.temperature
    if config.max_tokens is not None:
        kwargs["max_tokens"] = config.max_tokens
    elif config.provider == "local":
        kwargs["max_tokens"] = LOCAL_ROLE_MAX_TOKENS.get(role, LOCAL_DEFAULT_MAX_TOKENS)
    # DSPy's own response cache and retries are off: ours key on the run directory and log each try.
    lm = LadderLM(config.model, engine=engine, async_engine=AsyncLadderEngine(engine), cache=False,
                  num_retries=0, **kwargs)
    lm.role, lm.config, lm.fake = role, config, fake
    lm.engine_impl = engine  # type: ignore[attr-defined]
    return lm


def _backend(config: LMConfig, script: Script | None):
    provider = config.provider
    if provider == "fake":
        fake = FakeEngine(script if script is not None else _fake_script(config.model))
        return fake.complete, Capabilities(), f"fake:{id(fake)}", (lambda response: 0.0), fake
    if provider == "local":
        if script is not None:
            raise ConfigError("`script=` is only for `fake/...` models")
        return _local_backend(config) + (None,)
    if script is not None:
        raise ConfigError("`script=` is only for `fake/...` models")
    return _remote_backend(config) + (None,)


def _fake_script(model: str) -> Script:
    name = model.split("/", 1)[1]
    if not name.startswith("file:"):
        raise ConfigError(f"{model!r}: a fake model needs a script (`script=` in code) or a file "
                          "(`fake/file:replies.json`, a JSON list of replies)")
    path = Path(name[len("file:"):]).expanduser()
    try:
        replies = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{model!r}: cannot read {path}: {error.strerror}") from None
    except ValueError as error:
        raise ConfigError(f"{model!r}: {path} is not valid JSON: {error}") from None
    if not isinstance(replies, (list, dict)):
        raise ConfigError(f"{model!r}: {path} must hold a JSON list of replies or an object {{substring: reply}}")
    return replies


def _local_backend(config: LMConfig):
    holder: dict[str, Any] = {}
    start_lock = threading.Lock()

    def inner() -> dspy.LM:
        # The server starts on the first call, not when the LM is built: building a session is cheap.
        # If a session closed it meanwhile (stop_all), the next call starts it again.
        with start_lock:
            if "lm" not in holder or not holder["server"].running:
                server = local_server.get_server(config.model)
                holder["server"] = server
                holder["lm"] = _inner_lm(LOCAL_WIRE_MODEL, api_base=server.base_url, api_key="no-key-needed",
                                         timeout=config.timeout or 900)
            return holder["lm"]

    capabilities = Capabilities(response_schema=True, function_calling=False, params=LOCAL_PARAMS)
    return _sender(inner), capabilities, f"local:{config.model}", (lambda response: 0.0)


def _remote_backend(config: LMConfig):
    api_key = None
    if config.api_key_env:
        api_key = os.environ.get(config.api_key_env)
        if not api_key:
            raise ConfigError(f"{config.model!r}: environment variable {config.api_key_env} is not set "
                              "(set it, or put it in a .env file)")
    lm = _inner_lm(config.model, api_base=config.api_base, api_key=api_key, timeout=config.timeout)
    try:
        capabilities = Capabilities(response_schema=bool(lm.supports_response_schema),
                                    function_calling=bool(lm.supports_function_calling),
                                    params=frozenset(lm.supported_params))
    except Exception:  # an unknown model: plain text in, plain text out
        capabilities = Capabilities()
    return _sender(lambda: lm), capabilities, f"{config.provider}:{config.api_base or ''}", _pricer(config)


def _inner_lm(model: str, **client: Any) -> dspy.LM:
    client = {name: value for name, value in client.items() if value is not None}
    return dspy.LM(model, cache=False, num_retries=0, **client)


def _sender(get_lm):
    def send(request: Request) -> Response:
        lm = get_lm()
        # The inner LM keeps no history: the outer LM already records each call once.
        with dspy.context(disable_history=True):
            return lm(dataclasses.replace(request, model=lm.model))
    return send


def _pricer(config: LMConfig):
    def price(response: Response) -> float | None:
        from dspy.clients.costs import estimate_cost

        model = config.model.split("/", 1)[-1]
        cost, _details = estimate_cost(response, provider=config.provider, requested_model=model)
        return cost
    return price
