"""A hostile forum on loopback: a proxy in front of the live FlaskBB that rewrites the pages it serves.

FlaskBB escapes the HTML in posts, as a well-behaved forum does. Forums that allow HTML, a
compromised theme or a man in the middle do not: this proxy plays them, replacing markers that
tests put in real FlaskBB posts with raw markup before repapp's fetcher sees the page.
"""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

Rewrite = Callable[[str, str], str]  # (request path, page text) -> page text

_HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
               "transfer-encoding", "upgrade", "content-length", "accept-encoding", "content-encoding"}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        """Send each write at once: with Nagle, the body waits ~40 ms for the ACK of the headers."""
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""

    def _handle(self) -> None:
        proxy: RewritingProxy = self.server.owner  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        upstream = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port, timeout=30)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            upstream.request(self.command, self.path, body=body or None, headers=headers)
            response = upstream.getresponse()
            answer = response.read()
            kept = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP]
            status = response.status
        finally:
            upstream.close()
        if "text/html" in (response.getheader("content-type") or ""):
            answer = proxy.rewrite(urlsplit(self.path).path, answer.decode("utf-8")).encode("utf-8")
        self.send_response(status)
        for name, value in kept:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_GET = _handle
    do_POST = _handle


class RewritingProxy:
    """Forward every request to `upstream_base`; pass HTML answers through `rewrite(path, text)`."""

    def __init__(self, upstream_base: str, rewrite: Rewrite) -> None:
        """Bind to a free loopback port."""
        upstream = urlsplit(upstream_base)
        self.upstream_host, self.upstream_port = upstream.hostname, upstream.port
        self.rewrite = rewrite
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.owner = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        """Return http://127.0.0.1:<port>."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> RewritingProxy:
        """Start serving."""
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop serving and close the socket."""
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)
