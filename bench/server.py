"""A static server for the generated forum on 127.0.0.1: Debian's nginx, or Python's if it is absent.

nginx is preferred because it is not the bottleneck (a Python server would be): it answers
conditional requests with 304 from the files' ETag and Last-Modified, as forums behind a
cache do. The Python fallback does the same, slower, and the run says it was used.
"""

from __future__ import annotations

import email.utils
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

NGINX_HINT = "apt-get install nginx-light (or nginx)"

_NGINX_CONF = """
worker_processes 1;
daemon off;
master_process on;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
{user}
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nodelay on;
    keepalive_timeout 60;
    keepalive_requests 1000000;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    types {{ text/html html; }}
    default_type text/html;
    charset utf-8;
    map $arg_page $topic_page {{ "" 1; default $arg_page; }}
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location = /robots.txt {{ return 404; }}
        location ~ "^/topic/([0-9]+)(-[^/]*)?$" {{ try_files /topic/$1/$topic_page.html =404; }}
        location ~ "^/forum/([0-9]+)(-[^/]*)?$" {{ try_files /forum/$1.html =404; }}
    }}
}}
"""


def free_port() -> int:
    """Return a TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def nginx_path() -> str | None:
    """Return the nginx binary, if installed."""
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def _wait_listening(port: int, timeout: float = 10.0) -> None:
    """Wait until something accepts connections on 127.0.0.1:port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"the static server did not start on 127.0.0.1:{port}")


class StaticServer:
    """Serve `root` on 127.0.0.1 until stopped: `with StaticServer(root) as server: server.base_url`."""

    def __init__(self, root: Path, *, prefer_nginx: bool = True) -> None:
        """Pick the server; nothing starts before `start()`."""
        self.root = root.resolve()
        self.port = free_port()
        self.kind = "nginx" if prefer_nginx and nginx_path() else "python"
        self._process: subprocess.Popen | None = None
        self._httpd: ThreadingHTTPServer | None = None
        self._tmp: tempfile.TemporaryDirectory | None = None

    @property
    def base_url(self) -> str:
        """Return the server's address."""
        return f"http://127.0.0.1:{self.port}/"

    @property
    def description(self) -> str:
        """Say which server runs, for the report."""
        if self.kind == "nginx":
            return f"nginx ({nginx_path()}), 1 worker"
        return f"Python ThreadingHTTPServer (nginx not found: {NGINX_HINT})"

    def start(self) -> StaticServer:
        """Start serving."""
        if self.kind == "nginx":
            self._start_nginx()
        else:
            self._start_python()
        _wait_listening(self.port)
        return self

    def _start_nginx(self) -> None:
        """Run nginx in the foreground with a config of its own in a temporary folder."""
        self._tmp = tempfile.TemporaryDirectory(prefix="repapp-bench-nginx-")
        tmp = self._tmp.name
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            os.makedirs(f"{tmp}/{sub}", exist_ok=True)
        # As root, nginx's workers would run as nobody, who may not read the checkout.
        user = "user root;" if os.geteuid() == 0 else ""
        conf = Path(tmp) / "nginx.conf"
        conf.write_text(_NGINX_CONF.format(tmp=tmp, user=user, port=self.port, root=self.root))
        self._process = subprocess.Popen(
            [nginx_path(), "-p", tmp, "-c", str(conf), "-e", f"{tmp}/error.log"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
        )

    def _start_python(self) -> None:
        """Serve from a thread of this process."""
        root = self.root

        class Handler(_StaticHandler):
            site_root = root

        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, name="bench-static", daemon=True).start()

    def stop(self) -> None:
        """Stop the server this object started."""
        if self._process is not None and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGQUIT)  # graceful: the master stops its worker
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> StaticServer:
        """Start serving for the block."""
        return self.start()

    def __exit__(self, *exc: object) -> None:
        """Stop serving."""
        self.stop()


_TOPIC = re.compile(r"^/topic/(\d+)(?:-[^/]*)?$")
_FORUM = re.compile(r"^/forum/(\d+)(?:-[^/]*)?$")


class _StaticHandler(BaseHTTPRequestHandler):
    """The nginx configuration's mapping and conditional GET, in Python."""

    site_root: Path
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        """Keep quiet."""

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        """Serve a thread page or listing, 304 when the client's validators still hold."""
        parts = urlsplit(self.path)
        topic, forum = _TOPIC.match(parts.path), _FORUM.match(parts.path)
        if topic:
            page = (parse_qs(parts.query).get("page") or ["1"])[0]
            path = self.site_root / "topic" / topic[1] / f"{page if page.isdigit() else 'x'}.html"
        elif forum:
            path = self.site_root / "forum" / f"{forum[1]}.html"
        else:
            path = None
        if path is None or not path.is_file():
            self._answer(404, b"not found", {})
            return
        stat = path.stat()
        etag = f'"{int(stat.st_mtime):x}-{stat.st_size:x}"'
        modified = email.utils.formatdate(stat.st_mtime, usegmt=True)
        headers = {"ETag": etag, "Last-Modified": modified, "Content-Type": "text/html; charset=utf-8"}
        if self.headers.get("If-None-Match") == etag:
            self._answer(304, b"", headers)
            return
        self._answer(200, path.read_bytes(), headers)

    def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        """Send one response."""
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)
