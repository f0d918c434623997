"""`ladder annotate --web`: a local page for annotators, served by the standard library.

One HTML page, a script, a stylesheet and a small JSON API. Security, since the page shows model output
and writes files: it binds 127.0.0.1 unless told otherwise; every request (page, assets, API, images)
must carry the session token (`?token=` or the `X-Ladder-Token` header), compared in constant time, or
gets 403; what the server writes into HTML is `html.escape`d, and the script inserts data with
`textContent` only. A strict Content-Security-Policy (no inline script) is a second line of defence.
Request logging never includes the query string, so the token stays out of logs.
"""

from __future__ import annotations

import hmac
import html
import json
import logging
import secrets
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from autolibra.errors import InputError

from optimizer.annotate.agreement import agreement
from optimizer.annotate.store import AnnotationSource, FeedbackStore, annotator_id, open_source
from optimizer.annotate.views import (list_plots, load_aspects, load_metrics, load_traits,
                                      trajectory_view)

log = logging.getLogger(__name__)

MAX_BODY = 256 * 1024  # a feedback is a few sentences; refuse anything far larger
_ASSETS = {"app.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8"}
_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def _asset(name: str) -> bytes:
    return resources.files("optimizer.annotate").joinpath("static", name).read_bytes()


class AnnotationApp:
    """The API behind the page; plain methods returning JSON-able data, so they are easy to test."""

    def __init__(self, source: AnnotationSource, annotator: str):
        self.source = source
        self.store = FeedbackStore(source)
        self.annotator = annotator_id(annotator)

    def state(self, annotator: str) -> dict[str, Any]:
        feedback = self.store.all_feedback()
        by_trajectory: dict[str, list[str]] = {}
        for record in feedback:
            by_trajectory.setdefault(record.trajectory_id, []).append(record.annotator)
        queue = [{"id": t.id, "task": t.task, "outcome": t.outcome, "success": t.success,
                  "num_steps": len(t.steps), "mine": annotator in by_trajectory.get(t.id, []),
                  "annotators": sorted(set(by_trajectory.get(t.id, [])))} for t in self.source.trajectories]
        return {"label": self.source.label, "annotator": annotator, "feedback_path": str(self.store.path),
                "queue": queue, "done": sum(q["mine"] for q in queue), "total": len(queue),
                "plots": list_plots(self.source), "has_metrics": load_metrics(self.source) is not None}

    def trajectory(self, trajectory_id: str, annotator: str) -> dict[str, Any]:
        trajectory = self.source.get(trajectory_id)
        feedback = [f for f in self.store.all_feedback() if f.trajectory_id == trajectory_id]
        mine = next((f.text for f in feedback if f.annotator == annotator), None)
        traits = load_traits(self.source).get(trajectory_id, [])
        return {"trajectory": trajectory_view(trajectory), "mine": mine,
                "others": [{"annotator": f.annotator, "text": f.text} for f in feedback if f.annotator != annotator],
                "traits": [t.model_dump(mode="json") for t in traits],
                "agreement": agreement(feedback, load_aspects(self.source), trajectory_id).model_dump(mode="json")}

    def submit(self, body: dict[str, Any]) -> dict[str, Any]:
        annotator = annotator_id(str(body.get("annotator") or self.annotator))
        trajectory_id, text = body.get("trajectory_id"), body.get("text")
        if not isinstance(trajectory_id, str) or not isinstance(text, str):
            raise InputError("expected JSON {\"trajectory_id\": str, \"text\": str, \"annotator\": str}")
        record = self.store.save(trajectory_id, text, annotator)
        return {"saved": record.model_dump(mode="json"), "state": self.state(annotator)}

    def metrics(self) -> Any:
        metrics = load_metrics(self.source)
        return metrics.model_dump(mode="json") if metrics else None

    def agreement(self) -> dict[str, Any]:
        return agreement(self.store.all_feedback(), load_aspects(self.source)).model_dump(mode="json")


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    server_version = "ladder-annotate"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        # the default logs the request line, token included; log the path only
        log.debug("%s %s", self.command, urlsplit(self.path).path)

    def _authorized(self, query: dict[str, list[str]]) -> bool:
        given = self.headers.get("X-Ladder-Token") or (query.get("token") or [""])[0]
        return hmac.compare_digest(given.encode(), self.server.token.encode())

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", _CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, data: Any, status: int = 200) -> None:
        self._send(status, json.dumps(data).encode(), "application/json; charset=utf-8")

    def _handle(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if not self._authorized(query):
            self._send(HTTPStatus.FORBIDDEN, b"forbidden: missing or wrong session token\n", "text/plain")
            return
        app = self.server.app
        try:
            annotator = annotator_id((query.get("annotator") or [app.annotator])[0])
            if self.command == "POST":
                self._post(url.path, app)
            elif url.path == "/":
                self._send(200, self.server.page(annotator), "text/html; charset=utf-8")
            elif url.path.startswith("/static/") and url.path[8:] in _ASSETS:
                self._send(200, _asset(url.path[8:]), _ASSETS[url.path[8:]])
            elif url.path.startswith("/plots/") and unquote(url.path[7:]) in list_plots(app.source):
                # only names from the listing are served, so no path can escape the plots folder
                assert app.source.run_dir is not None
                self._send(200, (app.source.run_dir / "plots" / unquote(url.path[7:])).read_bytes(), "image/png")
            elif url.path == "/api/state":
                self._json(app.state(annotator))
            elif url.path == "/api/trajectory":
                self._json(app.trajectory((query.get("id") or [""])[0], annotator))
            elif url.path == "/api/metrics":
                self._json(app.metrics())
            elif url.path == "/api/agreement":
                self._json(app.agreement())
            else:
                self._json({"error": "not found"}, HTTPStatus.NOT_FOUND)
        except InputError as error:
            self._json({"error": str(error)}, HTTPStatus.BAD_REQUEST)
        except Exception:
            log.exception("annotate web: failed on %s", url.path)
            self._json({"error": "internal error; see the server's log"}, HTTPStatus.INTERNAL_SERVER_ERROR)

    def _post(self, path: str, app: AnnotationApp) -> None:
        if path != "/api/feedback":
            self._json({"error": "not found"}, HTTPStatus.NOT_FOUND)
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length <= 0 or length > MAX_BODY:
            raise InputError(f"expected a JSON body of 1..{MAX_BODY} bytes, got {length}")
        try:
            body = json.loads(self.rfile.read(length))
        except ValueError:
            raise InputError("the body is not valid JSON") from None
        if not isinstance(body, dict):
            raise InputError("expected a JSON object")
        self._json(app.submit(body))

    do_GET = do_HEAD = do_POST = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], app: AnnotationApp, token: str):
        super().__init__(address, _Handler)
        self.app, self.token = app, token
        self._template = Template(_asset("index.html").decode())

    def page(self, annotator: str) -> bytes:
        return self._template.substitute(token=html.escape(self.token), annotator=html.escape(annotator),
                                         label=html.escape(self.app.source.label)).encode()


class WebAnnotator:
    """A running server; `url` carries the token. Use `close()` (or `with`) to stop it."""

    def __init__(self, server: _Server, thread: threading.Thread | None):
        self._server, self._thread = server, thread
        host, port = server.server_address[:2]
        self.token = server.token
        self.url = f"http://{host}:{port}/?token={server.token}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "WebAnnotator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _make_server(source: str | Path | AnnotationSource, annotator: str | None, out: str | Path | None,
                 host: str, port: int) -> _Server:
    if not isinstance(source, AnnotationSource):
        source = open_source(source, out)
    if host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("serving on %s: anyone who can reach it and has the URL can read and write feedback", host)
    app = AnnotationApp(source, annotator_id(annotator))
    try:
        return _Server((host, port), app, secrets.token_urlsafe(24))
    except OSError as error:
        raise InputError(f"cannot listen on {host}:{port}: {error.strerror}") from None


def start_web(source: str | Path | AnnotationSource, annotator: str | None = None, *,
              out: str | Path | None = None, host: str = "127.0.0.1", port: int = 0) -> WebAnnotator:
    """Serve in a background thread and return at once (for tests and for embedding in the loop)."""
    server = _make_server(source, annotator, out, host, port)
    thread = threading.Thread(target=server.serve_forever, name="ladder-annotate-web", daemon=True)
    thread.start()
    return WebAnnotator(server, thread)


def serve_web(source: str | Path | AnnotationSource, annotator: str | None = None, *,
              out: str | Path | None = None, host: str = "127.0.0.1", port: int = 0,
              open_browser: bool = False) -> None:
    """Serve until Ctrl-C, printing the URL (with its token) for the annotator to open."""
    server = _make_server(source, annotator, out, host, port)
    web = WebAnnotator(server, None)
    print(f"ladder annotate: open {web.url}\n(feedback goes to {server.app.store.path}; Ctrl-C stops)", flush=True)
    if open_browser:
        import webbrowser
        webbrowser.open(web.url)
    try:
        server.serve_forever()
    finally:
        server.server_close()
