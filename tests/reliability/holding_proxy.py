"""A loopback proxy in front of a live forum that can hold one request unanswered, to kill a worker mid-read."""

from __future__ import annotations

import http.client
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

_HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
               "transfer-encoding", "upgrade", "content-length"}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        """Send each write at once (no Nagle delay between headers and body)."""
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""

    def do_GET(self) -> None:  # noqa: N802 - the http.server hook name
        proxy: HoldingProxy = self.server.owner  # type: ignore[attr-defined]
        with proxy.lock:
            proxy.paths.append(self.path)
        if proxy.hold is not None and proxy.hold in self.path:
            proxy.reached.set()
            proxy.stopping.wait(60)  # the worker is killed meanwhile; nobody gets an answer
            self.close_connection = True
            return
        upstream = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port, timeout=30)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            upstream.request("GET", self.path, headers=headers)
            response = upstream.getresponse()
            body = response.read()
            kept = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP]
        finally:
            upstream.close()
        self.send_response(response.status)
        for name, value in kept:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class HoldingProxy:
    """Forward GETs to the forum; a GET whose path contains `hold` is held until the proxy stops."""

    def __init__(self, upstream_base: str) -> None:
        """Bind to a free loopback port."""
        upstream = urlsplit(upstream_base)
        self.upstream_host, self.upstream_port = upstream.hostname, upstream.port
        self.hold: str | None = None
        self.reached = threading.Event()
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.paths: list[str] = []
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.owner = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        """Return http://127.0.0.1:<port>."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def topic_paths(self) -> list[str]:
        """Return the thread-page paths requested so far."""
        with self.lock:
            return [p for p in self.paths if p.startswith("/topic/")]

    def __enter__(self) -> HoldingProxy:
        """Start serving."""
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        """Release held requests, stop serving and close the socket."""
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)
