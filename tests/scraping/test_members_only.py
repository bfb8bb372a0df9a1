"""Threads only members can see are read with the client's account; its session is kept and renewed."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from sqlalchemy import select

from conftest import make_test_config
from repapp import create_app
from repapp.crypto import encrypt
from repapp.extensions import db
from repapp.forums.registry import forum_definitions
from repapp.models import Forum, ForumAccount, Post, WatchedThread
from repapp.scraping.fetch import Fetcher
from repapp.scraping.jobs import scrape_thread
from support.live_scrape import set_up_live_client

PAGES = Path(__file__).parent / "pages/flaskbb"
THREAD = (PAGES / "thread-page1.html").read_bytes()
LISTING = (PAGES / "forum-listing.html").read_bytes()
LOGIN_FORM = (PAGES / "login-form.html").read_bytes()


class MembersOnlyForum(BaseHTTPRequestHandler):
    """A FlaskBB stand-in whose threads need a logged-in session (like a members-only section)."""

    sessions: set[str] = set()
    logins: list[str] = []

    def _send(self, status: int, body: bytes = b"", headers: dict | None = None) -> None:
        """Answer with a body and headers."""
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802 - http.server's name
        """Serve the thread and listing to members only; everyone gets the login form."""
        cookie = self.headers.get("Cookie", "")
        member = any(f"member={token}" in cookie for token in self.sessions)
        if self.path == "/robots.txt":
            self._send(404)
        elif self.path.startswith("/auth/login"):
            self._send(200, LOGIN_FORM, {"Content-Type": "text/html; charset=utf-8"})
        elif not member:
            self._send(302, headers={"Location": f"/auth/login?next={self.path}"})
        else:
            page = LISTING if self.path.startswith("/forum/") else THREAD
            self._send(200, page, {"Content-Type": "text/html; charset=utf-8"})

    def do_POST(self):  # noqa: N802
        """Log in the official account when its password is right."""
        form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        self.logins.append(form.get("login", [""])[0])
        if form.get("login") == ["Brand_official"] and form.get("password") == ["members-pass"] and form.get("csrf_token"):
            token = f"t{len(self.logins)}"
            self.sessions.add(token)
            self._send(302, headers={"Location": "/", "Set-Cookie": f"member={token}; Path=/; HttpOnly"})
        else:
            self._send(200, b"<div class='alert-danger'>Wrong username or password.</div>")

    def log_message(self, *args):
        """Keep the test output quiet."""


@pytest.fixture
def members_forum(tmp_path):
    """Serve the members-only stand-in and an app whose definition says it needs a login."""
    MembersOnlyForum.sessions, MembersOnlyForum.logins = set(), []
    server = ThreadingHTTPServer(("127.0.0.1", 0), MembersOnlyForum)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    forums = tmp_path / "forums"
    forums.mkdir()
    (forums / "live-flaskbb.yaml").write_text(
        f"key: live-flaskbb\nname: Members only\nbase_url: {base}/\nengine: flaskbb\ntimezone: UTC\n"
        "requires_login: true\npoliteness:\n  requests_per_minute: 600\n  max_retries: 0\n", encoding="utf-8")
    app = create_app(make_test_config(tmp_path, FORUMS_DIR=str(forums)), instance_path=str(tmp_path / "i"))
    with app.app_context():
        db.create_all()
        setup = set_up_live_client(app, "Brand_official")
        thread = setup.watch(f"{base}/topic/2")
        yield setup, thread
        db.session.remove()
        db.engine.dispose()
    server.shutdown()
    server.server_close()


def _scrape(thread_id: int):
    """Read the thread as the worker does."""
    with Fetcher.from_definitions(forum_definitions()) as fetcher:
        return scrape_thread(db.session, thread_id, forum_definitions(), fetcher, full=True)


def _account() -> ForumAccount:
    """Return the client's (only) forum account."""
    return db.session.scalar(select(ForumAccount))


def test_members_only_thread_is_read_after_logging_in_and_the_session_is_kept(members_forum):
    """First read logs in; the next reuses the kept (encrypted) session; an expired one is renewed."""
    setup, thread = members_forum
    _account().password_encrypted = encrypt("members-pass")
    db.session.commit()
    assert _scrape(thread.id).ok
    assert db.session.query(Post).filter_by(thread_id=thread.id).count() > 0
    assert MembersOnlyForum.logins == ["Brand_official"]
    kept = _account().session_encrypted
    assert kept and b"member=" not in kept  # stored, and only encrypted
    assert _scrape(thread.id).ok
    assert MembersOnlyForum.logins == ["Brand_official"]  # the kept session was enough
    MembersOnlyForum.sessions.clear()  # the forum forgets every session
    assert _scrape(thread.id).ok
    assert MembersOnlyForum.logins == ["Brand_official", "Brand_official"]
    assert db.session.get(Forum, setup.forum.id).layout_broken_at is None


def test_members_only_without_a_password_is_a_clear_error_not_a_broken_layout(members_forum):
    """No password: the thread shows why it is not read; the forum is not marked broken."""
    setup, thread = members_forum
    outcome = _scrape(thread.id)
    assert not outcome.ok and "forum account" in outcome.error
    assert db.session.get(WatchedThread, thread.id).last_error
    assert db.session.get(Forum, setup.forum.id).layout_broken_at is None
    assert MembersOnlyForum.logins == []


def test_a_wrong_password_is_reported_and_not_retried_in_a_loop(members_forum):
    """A refused login ends the read with the forum's reason; one attempt only."""
    setup, thread = members_forum
    _account().password_encrypted = encrypt("not-the-password")
    db.session.commit()
    outcome = _scrape(thread.id)
    assert not outcome.ok and "refused" in outcome.error
    assert MembersOnlyForum.logins == ["Brand_official"]
