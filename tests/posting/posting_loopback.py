"""Loopback HTTP helpers for the posting tests: a scripted forum, and a fault proxy in front of a real one."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, parse_qsl, urlsplit

# Answers a handler may give instead of a Response.
DROP = "drop"  # close the connection without a word


@dataclass
class Request:
    """One request as the forum received it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    at: float  # monotonic time of arrival

    @property
    def fields(self) -> list[tuple[str, str]]:
        """Return the urlencoded form fields, in order."""
        return parse_qsl(self.body.decode("ascii"), keep_blank_values=True)

    def field(self, name: str) -> str | None:
        """Return the last value of a form field (as PHP would), or None."""
        found = [v for n, v in self.fields if n == name]
        return found[-1] if found else None

    @property
    def cookies(self) -> dict[str, str]:
        """Return the cookies the client sent."""
        jar = SimpleCookie(self.headers.get("cookie", ""))
        return {name: morsel.value for name, morsel in jar.items()}


@dataclass
class Response:
    """What the scripted forum answers."""

    status: int = 200
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)


Handler = Callable[[Request], "Response | str"]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class _Loop:
    """Start a handler class on 127.0.0.1 in a thread; stop it cleanly."""

    def __init__(self, handler_class: type[BaseHTTPRequestHandler]) -> None:
        """Bind to a free port."""
        self.httpd = _Server(("127.0.0.1", 0), handler_class)
        self.httpd.owner = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.stopping = threading.Event()

    @property
    def base_url(self) -> str:
        """Return http://127.0.0.1:<port>."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self):
        """Start serving."""
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop serving and close the socket."""
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


class _ScriptedHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""

    def _handle(self) -> None:
        forum: ScriptedForum = self.server.owner  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        length = int(self.headers.get("content-length") or 0)
        request = Request(self.command, parts.path, {k: v[-1] for k, v in parse_qs(parts.query).items()},
                          {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length), time.monotonic())
        forum.requests.append(request)
        answer = forum.handler(request)
        if answer == DROP:
            self.close_connection = True
            return
        self.send_response(answer.status)
        for name, value in answer.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    do_GET = _handle
    do_POST = _handle


class ScriptedForum(_Loop):
    """A tiny forum on loopback: `handler(request)` plays the forum, every request is recorded."""

    def __init__(self, handler: Handler) -> None:
        """Serve with handler."""
        super().__init__(_ScriptedHandler)
        self.handler = handler
        self.requests: list[Request] = []

    @property
    def posts(self) -> list[Request]:
        """Return the POST requests received, in order."""
        return [r for r in self.requests if r.method == "POST"]


_HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
               "transfer-encoding", "upgrade", "content-length"}


class _ProxyHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""

    def _handle(self) -> None:
        proxy: FaultProxy = self.server.owner  # type: ignore[attr-defined]
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length)
        fault = proxy.take_fault(self.command, self.path)
        if fault == "500":
            proxy.log.append(("500", self.command, self.path))
            self._answer(500, [("Content-Type", "text/html")], b"<h1>Internal Server Error</h1>")
            return
        if fault == "drop-before":
            proxy.log.append(("dropped", self.command, self.path))
            self.close_connection = True
            return
        status, headers, answer = self._forward(proxy, body)
        if fault == "hang-after":
            # The forum has stored the post; its answer never reaches the client.
            proxy.log.append(("withheld", self.command, self.path, status))
            proxy.stopping.wait(proxy.hold_seconds)
            self.close_connection = True
            return
        self._answer(status, headers, answer)

    def _forward(self, proxy: FaultProxy, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        upstream = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port, timeout=30)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            upstream.request(self.command, self.path, body=body or None, headers=headers)
            response = upstream.getresponse()
            answer = response.read()
            kept = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP]
            return response.status, kept, answer
        finally:
            upstream.close()

    def _answer(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = _handle
    do_POST = _handle


class FaultProxy(_Loop):
    """Forward to a real forum; inject one fault into the next request that matches.

    Faults: "500" (answer 500, forward nothing), "hang-after" (forward, then withhold the answer),
    "drop-before" (forward nothing, drop the connection at once).
    """

    def __init__(self, upstream_base: str, *, hold_seconds: float = 10.0) -> None:
        """Proxy to upstream_base."""
        super().__init__(_ProxyHandler)
        upstream = urlsplit(upstream_base)
        self.upstream_host, self.upstream_port = upstream.hostname, upstream.port
        self.hold_seconds = hold_seconds
        self._faults: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()
        self.log: list[tuple] = []

    def inject(self, fault: str, method: str, path_contains: str) -> None:
        """Fail the next `method` request whose path contains `path_contains`."""
        with self._lock:
            self._faults.append((fault, method, path_contains))

    def take_fault(self, method: str, path: str) -> str | None:
        """Return (and forget) the fault planned for this request, if any."""
        with self._lock:
            for planned in self._faults:
                fault, wanted_method, fragment = planned
                if method == wanted_method and fragment in path:
                    self._faults.remove(planned)
                    return fault
        return None
