"""Install and run a live FlaskBB forum on 127.0.0.1 from a work directory."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import secrets
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from repapp.devforum.flaskbb_env import FlaskBBEnv, FlaskBBEnvError, ensure_flaskbb_env

log = logging.getLogger(__name__)

ADMIN_SCRIPT = Path(__file__).with_name("flaskbb_admin.py")
CONFIG_NAME = "flaskbb.cfg"
DB_NAME = "flaskbb.sqlite"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0

# Python source for flaskbb.cfg; %-formatted with repr()'d values.
CONFIG_TEMPLATE = """\
# Written by repapp.devforum.server: a local FlaskBB for tests and demos.
SQLALCHEMY_DATABASE_URI = %(db_uri)r
# The web server and the admin helper write to the same SQLite file.
SQLALCHEMY_ENGINE_OPTIONS = {"connect_args": {"timeout": 30}}
SECRET_KEY = %(secret_key)r
WTF_CSRF_SECRET_KEY = %(secret_key)r
WTF_CSRF_TIME_LIMIT = None
SERVER_NAME = None
PREFERRED_URL_SCHEME = "http"
DEBUG = False
DEBUG_TB_ENABLED = False
# Default logging writes into site-packages; the runner logs to stderr.
USE_DEFAULT_LOGGING = False
SEND_LOGS = False
LOG_PATH = %(log_dir)r
# Flask-Limiter off: FlaskBB throttles /auth to 20 requests per 15 minutes.
RATELIMIT_ENABLED = False
RATELIMIT_STORAGE_URI = "memory://"
WHOOSHEE_DIR = %(whoosh_dir)r
WHOOSHEE_WRITER_TIMEOUT = 10
CACHE_TYPE = "SimpleCache"
# Nothing leaves the machine: no mail, no redis, no celery broker.
MAIL_SUPPRESS_SEND = True
MAIL_SERVER = "127.0.0.1"
MAIL_PORT = 9
MAIL_DEFAULT_SENDER = ("FlaskBB", "noreply@example.invalid")
ADMINS = []
REDIS_ENABLED = False
CELERY_CONFIG = {
    "broker_url": "memory://",
    "result_backend": "cache+memory://",
    "task_always_eager": True,
}
RECAPTCHA_PUBLIC_KEY = ""
RECAPTCHA_PRIVATE_KEY = ""
"""

DEFAULT_ADMIN = {
    "username": "forumadmin",
    "password": "forumadmin-pass",
    "email": "forumadmin@example.invalid",
}


class FlaskBBError(RuntimeError):
    """The forum could not be installed, started or driven."""


@dataclass
class ForumPaths:
    """Files a forum keeps in its work directory."""

    workdir: Path

    @property
    def config(self) -> Path:
        """Return the FlaskBB config file path."""
        return self.workdir / CONFIG_NAME

    @property
    def db(self) -> Path:
        """Return the SQLite database path."""
        return self.workdir / DB_NAME

    @property
    def instance(self) -> Path:
        """Return the Flask instance directory."""
        return self.workdir / "instance"

    @property
    def port_file(self) -> Path:
        """Return the file the server writes its bound port to."""
        return self.workdir / "server.port"

    @property
    def server_log(self) -> Path:
        """Return the web server's log file."""
        return self.workdir / "server.log"

    @property
    def helper_log(self) -> Path:
        """Return the admin helper's log file."""
        return self.workdir / "admin.log"


def write_config(workdir: Path, secret_key: str | None = None) -> ForumPaths:
    """Write flaskbb.cfg for a forum living in workdir."""
    paths = ForumPaths(Path(workdir).resolve())
    paths.workdir.mkdir(parents=True, exist_ok=True)
    paths.instance.mkdir(exist_ok=True)
    key = secret_key or _stored_secret(paths.workdir)
    text = CONFIG_TEMPLATE % {
        "db_uri": f"sqlite:///{paths.db}",
        "secret_key": key,
        "log_dir": str(paths.workdir / "logs"),
        "whoosh_dir": str(paths.workdir / "whoosh"),
    }
    paths.config.write_text(text, encoding="utf-8")
    return paths


def _stored_secret(workdir: Path) -> str:
    """Return the work dir's fixed secret key, creating it once."""
    # Fixed per work dir so sessions survive a server restart.
    path = workdir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(24), encoding="ascii")
    return path.read_text(encoding="ascii").strip()


def _tail(path: Path, lines: int = 30) -> str:
    """Return the last lines of a log file, or a note that it is missing."""
    try:
        return "".join(path.read_text(encoding="utf-8", errors="replace")
                       .splitlines(True)[-lines:])
    except OSError:
        return f"({path} not readable)"


def _template_key(env: FlaskBBEnv, admin: dict[str, str], settings: dict[str, Any]) -> str:
    """Hash what a freshly installed database depends on."""
    script = hashlib.sha256(ADMIN_SCRIPT.read_bytes()).hexdigest()
    blob = json.dumps([str(env.root), admin, settings, script], sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def install_forum(env: FlaskBBEnv, paths: ForumPaths, admin: dict[str, str] | None = None,
                  settings: dict[str, Any] | None = None) -> None:
    """Create the forum's database (like ``flaskbb install``), non-interactively.

    The freshly installed database is cached next to the venv and copied on
    later installs with the same admin and settings.
    """
    admin = dict(admin or DEFAULT_ADMIN)
    settings = dict(settings or {})
    if paths.db.exists():
        return
    templates = env.root / "db-templates"
    template = templates / f"{_template_key(env, admin, settings)}.sqlite"
    if template.exists():
        shutil.copyfile(template, paths.db)
        return
    cmd = [str(env.python), str(ADMIN_SCRIPT), "--config", str(paths.config),
           "--instance", str(paths.instance), "install",
           json.dumps({**admin, "settings": settings})]
    with paths.helper_log.open("a", encoding="utf-8") as fh:
        rc = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=paths.workdir,
                            env=env.subprocess_env(), timeout=300, check=False).returncode
    if rc != 0:
        # A half-made database would be taken as installed next time.
        paths.db.unlink(missing_ok=True)
        raise FlaskBBError(f"FlaskBB install failed ({rc}):\n{_tail(paths.helper_log)}")
    templates.mkdir(exist_ok=True)
    tmp = template.with_suffix(f".{os.getpid()}.tmp")
    shutil.copyfile(paths.db, tmp)
    os.replace(tmp, template)


def _json_default(value: Any) -> Any:
    """Serialize datetimes for the admin helper."""
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot send {type(value).__name__} to the admin helper")


class AdminHelper:
    """A long-lived FlaskBB process that runs admin actions sent as JSON lines."""

    def __init__(self, env: FlaskBBEnv, paths: ForumPaths) -> None:
        self._lock = threading.Lock()
        self._paths = paths
        with paths.helper_log.open("a", encoding="utf-8") as log_fh:
            self._proc = subprocess.Popen(
                [str(env.python), str(ADMIN_SCRIPT), "--config", str(paths.config),
                 "--instance", str(paths.instance), "helper"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log_fh,
                cwd=paths.workdir, env=env.subprocess_env(),
                text=True, encoding="utf-8", bufsize=1,
            )

    def call(self, action: str, params: dict[str, Any]) -> dict[str, Any]:
        """Run one action and return its result; raise FlaskBBError on failure."""
        line = json.dumps({"action": action, "params": params},
                          default=_json_default, ensure_ascii=False)
        with self._lock:
            if self._proc.poll() is not None:
                raise FlaskBBError(f"admin helper exited:\n{_tail(self._paths.helper_log)}")
            assert self._proc.stdin and self._proc.stdout
            try:
                self._proc.stdin.write(line + "\n")
                self._proc.stdin.flush()
            except BrokenPipeError as exc:
                raise FlaskBBError(
                    f"admin helper is gone:\n{_tail(self._paths.helper_log)}") from exc
            answer = self._proc.stdout.readline()
        if not answer:
            raise FlaskBBError(f"admin helper died:\n{_tail(self._paths.helper_log)}")
        reply = json.loads(answer)
        if not reply["ok"]:
            # The innermost frames say where FlaskBB gave up; the rest is noise.
            where = "".join(reply.get("traceback", "").splitlines(True)[-12:])
            raise FlaskBBError(f"admin action {action} failed: {reply['error']}\n{where}")
        return reply["result"]

    def close(self) -> None:
        """End the helper by closing its stdin, killing it if it lingers."""
        with self._lock:
            proc = self._proc
            if proc.stdin:
                with contextlib.suppress(OSError):
                    proc.stdin.close()
            try:
                proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if proc.stdout:
                proc.stdout.close()


class FlaskBBServer:
    """A FlaskBB forum served from a work directory on 127.0.0.1."""

    def __init__(self, workdir: Path | str, port: int | None = None, *,
                 env: FlaskBBEnv | None = None, admin_user: dict[str, str] | None = None,
                 settings: dict[str, Any] | None = None, threads: int = 8) -> None:
        self.workdir = Path(workdir).resolve()
        self.requested_port = port
        self.env = env
        self.admin_user = dict(admin_user or DEFAULT_ADMIN)
        self.settings = dict(settings or {})
        self.threads = threads
        self.paths = ForumPaths(self.workdir)
        self.port: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._helper: AdminHelper | None = None

    @property
    def base_url(self) -> str:
        """Return the forum's root URL without a trailing slash."""
        if self.port is None:
            raise FlaskBBError("forum is not running")
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """Return an absolute URL for a forum path."""
        return self.base_url + "/" + path.lstrip("/")

    def start(self) -> FlaskBBServer:
        """Build the venv if needed, install the forum if new, serve and wait."""
        started = time.monotonic()
        if self.env is None:
            try:
                self.env = ensure_flaskbb_env()
            except FlaskBBEnvError as exc:
                raise FlaskBBError(str(exc)) from exc
        write_config(self.workdir)
        install_forum(self.env, self.paths, self.admin_user, self.settings)
        self.paths.port_file.unlink(missing_ok=True)
        cmd = [str(self.env.python), str(ADMIN_SCRIPT), "--config", str(self.paths.config),
               "--instance", str(self.paths.instance), "serve",
               "--port", str(self.requested_port or 0),
               "--port-file", str(self.paths.port_file),
               "--threads", str(self.threads), "--parent-pid", str(os.getpid())]
        with self.paths.server_log.open("a", encoding="utf-8") as log_fh:
            self._proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log_fh,
                                          stderr=subprocess.STDOUT, cwd=self.workdir,
                                          env=self.env.subprocess_env())
        # Start the helper now: it boots FlaskBB while the server does.
        self._helper = AdminHelper(self.env, self.paths)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        log.info("FlaskBB up at %s in %.1fs", self.base_url, time.monotonic() - started)
        return self

    def _wait_ready(self) -> None:
        """Wait for the port file, then for an HTTP answer from the forum."""
        assert self._proc is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise FlaskBBError(f"FlaskBB exited with {self._proc.returncode}:\n"
                                   f"{_tail(self.paths.server_log)}")
            if self.port is None and self.paths.port_file.exists():
                self.port = int(self.paths.port_file.read_text(encoding="ascii"))
            if self.port is not None and self._answers():
                return
            time.sleep(0.1)
        raise FlaskBBError(f"FlaskBB did not answer within {START_TIMEOUT:.0f}s:\n"
                           f"{_tail(self.paths.server_log)}")

    def _answers(self) -> bool:
        """Return True if the forum's index page answers 200."""
        try:
            with urllib.request.urlopen(self.base_url + "/", timeout=5) as resp:
                return resp.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def admin(self, action: str, **params: Any) -> dict[str, Any]:
        """Run an admin action inside FlaskBB (see flaskbb_admin.ACTIONS)."""
        if self._helper is None:
            raise FlaskBBError("forum is not running")
        return self._helper.call(action, params)

    def stop(self) -> None:
        """Stop the helper and the web server; safe to call twice."""
        if self._helper is not None:
            self._helper.close()
            self._helper = None
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.port = None

    def __enter__(self) -> FlaskBBServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def run_flaskbb(workdir: Path | str, port: int | None = None,
                **kwargs: Any) -> Iterator[FlaskBBServer]:
    """Run a FlaskBB forum from workdir on 127.0.0.1 (free port if None)."""
    server = FlaskBBServer(workdir, port, **kwargs)
    server.start()
    try:
        yield server
    finally:
        server.stop()
