"""A loopback forum stand-in: FlaskBB-shaped one-page threads for any topic id, every request recorded.

Pages are the saved FlaskBB sample with the topic id swapped in, the pagination and the forum
breadcrumb taken out (one page per thread, no listing to read), so the real fetcher and engine
read them. The forum can be taken down (connections are dropped unanswered) and brought back;
each request is stamped with a clock the test may control.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "scraping" / "pages" / "flaskbb" / "thread-page1.html"
_TOPIC = re.compile(r"^/topic/(\d+)$")
POSTS_PER_PAGE = 10


def thread_page(topic_id: int) -> bytes:
    """Return a one-page FlaskBB thread page for topic_id (the sample's 10 posts)."""
    text = SAMPLE.read_text(encoding="utf-8")
    text = text.replace("/topic/2-scraper-test-thread:-pagination-quotes-ok", f"/topic/{topic_id}")
    text = re.sub(r"<ul class='pagination'>.*?</ul>", "", text, flags=re.S)
    text = text.replace('href="/forum/', 'href="/listing/')
    return text.encode("utf-8")


@dataclass(frozen=True)
class Hit:
    """One request the forum received."""

    path: str
    at: float
    answered: bool


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

    def do_GET(self) -> None:  # noqa: N802 - the http.server hook name
        forum: StandInForum = self.server.owner  # type: ignore[attr-defined]
        up = forum.is_up()
        forum.record(Hit(self.path, forum.clock(), up))
        if forum.on_hit is not None:
            forum.on_hit(self.path)
        if not up:
            self.close_connection = True
            return
        match = _TOPIC.match(self.path)
        if match is None:
            self._answer(404, b"not found")
            return
        self._answer(200, forum.page(int(match[1])))

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class StandInForum:
    """Serve FlaskBB-shaped thread pages on 127.0.0.1; record every request."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        """Bind to a free port; `clock` stamps the requests."""
        self.clock = clock
        self.on_hit: Callable[[str], None] | None = None  # called with each request's path before it is answered
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        self._up = True
        self._pages: dict[int, bytes] = {}
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.owner = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        """Return http://127.0.0.1:<port>."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def topic_url(self, topic_id: int) -> str:
        """Return a thread's URL."""
        return f"{self.base_url}/topic/{topic_id}"

    def page(self, topic_id: int) -> bytes:
        """Return (and remember) the page of a topic."""
        with self._lock:
            if topic_id not in self._pages:
                self._pages[topic_id] = thread_page(topic_id)
            return self._pages[topic_id]

    def record(self, hit: Hit) -> None:
        """Keep one request."""
        with self._lock:
            self.hits.append(hit)

    def is_up(self) -> bool:
        """Return whether the forum answers."""
        with self._lock:
            return self._up

    def set_up(self, up: bool) -> None:
        """Take the forum down (False) or bring it back (True)."""
        with self._lock:
            self._up = up

    def topic_hits(self) -> list[Hit]:
        """Return the requests for thread pages."""
        with self._lock:
            return [h for h in self.hits if h.path.startswith("/topic/")]

    def __enter__(self) -> StandInForum:
        """Start serving."""
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop serving and close the socket."""
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)
