"""The embedded model: llama.cpp running in this process through xllamacpp, behind its own
OpenAI-compatible HTTP endpoint on 127.0.0.1.

One server per model file per process, started lazily on first use and shared by every LM that
names that model (thread-safe). It runs with parallel slots (continuous batching), so concurrent
episodes decode together, and with prompt caching on, so an episode whose message prefix is stable
re-reads only the new tail of its prompt: on 2 CPU threads reading the prompt is the dominant cost.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from autolibra.errors import ConfigError, LadderError
from autolibra.lm import model_store

log = logging.getLogger(__name__)

DEFAULT_PARALLEL = 4


@dataclass(frozen=True)
class ServerSettings:
    n_parallel: int = DEFAULT_PARALLEL  # slots decoded together
    n_ctx_per_slot: int = 4096  # each slot's context; the server allocates n_parallel times this
    n_threads: int = 0  # 0: all cores this process may use
    n_cache_reuse: int = 256  # reuse cached KV chunks of at least this many tokens after a shifted prefix
    verbosity: int = -1  # llama.cpp's own logging: errors only
    # Busy-wait level of llama.cpp's worker threads (0-100). Spinning wins on an idle machine but
    # collapses throughput when cores are shared (measured here: under 1 token/s at load 7 on 2 cores).
    poll: int = 0


class LocalServer:
    """An xllamacpp server for one GGUF file. `base_url` is the OpenAI-compatible root (…/v1)."""

    def __init__(self, model_path: Path, settings: ServerSettings | None = None):
        self.model_path = Path(model_path)
        self.settings = settings or ServerSettings()
        self._server = None
        self.base_url = ""
        self.load_seconds = 0.0

    def start(self) -> "LocalServer":
        try:
            import xllamacpp
        except ImportError as error:  # a broken install, not a user mistake we can fix here
            raise LadderError(f"the embedded model needs the `xllamacpp` package: {error}") from error
        s = self.settings
        params = xllamacpp.CommonParams()
        params.model.path = str(self.model_path)
        params.n_parallel = s.n_parallel
        params.n_ctx = s.n_ctx_per_slot * s.n_parallel
        params.cont_batching = True
        params.cache_prompt = True
        params.n_cache_reuse = s.n_cache_reuse
        threads = s.n_threads or _available_cores()
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        params.cpuparams.poll = s.poll
        params.cpuparams_batch.poll = s.poll
        params.hostnames = ["127.0.0.1"]  # never listen beyond this machine
        params.port = 0  # a free port, chosen by the OS
        params.ui = False
        params.endpoint_slots = False
        params.verbosity = s.verbosity
        started = time.perf_counter()
        try:
            self._server = xllamacpp.Server(params)
        except Exception as error:
            raise LadderError(f"could not start the embedded model on {self.model_path}: {error}") from error
        self.load_seconds = time.perf_counter() - started
        self.base_url = self._server.listening_address.rstrip("/") + "/v1"
        log.info("embedded model %s ready at %s in %.1f s (%d slots, %d threads)",
                 self.model_path.name, self.base_url, self.load_seconds, s.n_parallel, threads)
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            del server  # the binding stops its loop when the object is released

    @property
    def running(self) -> bool:
        return self._server is not None


def _available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


_servers: dict[Path, LocalServer] = {}
_lock = threading.Lock()


def resolve_local_model(model: str) -> Path:
    """`local` / `local-tiny` (pulled and verified on demand) or `local:/path/to/model.gguf`."""
    if model.startswith("local:"):
        return model_store.verify_gguf(Path(model[len("local:"):]))
    if model in model_store.MODELS:
        return model_store.ensure_model(model)
    raise ConfigError(f"unknown local model {model!r}; use `local`, `local-tiny` or `local:/path/to/model.gguf`")


def get_server(model: str, settings: ServerSettings | None = None) -> LocalServer:
    """The running server for `model`, started on first use (once per process, thread-safe)."""
    path = resolve_local_model(model).resolve()
    with _lock:
        server = _servers.get(path)
        if server is None or not server.running:
            server = LocalServer(path, settings or settings_from_env()).start()
            _servers[path] = server
        return server


def stop_all() -> None:
    """Stop every embedded server (sessions call this on close; also runs at exit)."""
    with _lock:
        servers = list(_servers.values())
        _servers.clear()
    for server in servers:
        server.stop()


def settings_from_env() -> ServerSettings:
    """Operator overrides: LADDER_LOCAL_PARALLEL, LADDER_LOCAL_CTX (per slot), LADDER_LOCAL_THREADS."""
    def number(name: str, default: int) -> int:
        raw = os.environ.get(name)
        if raw is None:
            return default
        if not raw.isdigit():
            raise ConfigError(f"{name} must be a non-negative integer, got {raw!r}")
        return int(raw)

    base = ServerSettings()
    return ServerSettings(n_parallel=max(1, number("LADDER_LOCAL_PARALLEL", base.n_parallel)),
                          n_ctx_per_slot=max(512, number("LADDER_LOCAL_CTX", base.n_ctx_per_slot)),
                          n_threads=number("LADDER_LOCAL_THREADS", base.n_threads))


atexit.register(stop_all)
