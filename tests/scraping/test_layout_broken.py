"""A forum whose markup changed shows up as broken, with the URL, never as a silent zero."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import make_test_config
from repapp import create_app
from repapp.extensions import db
from repapp.forums.registry import forum_definitions
from repapp.models import Forum, WatchedThread
from repapp.scraping.fetch import Fetcher
from repapp.scraping.jobs import scrape_thread
from support import web
from support.live_scrape import set_up_live_client, write_live_definition
from support.world import build_world

SAMPLE = (Path(__file__).parent / "pages/flaskbb/thread-page1.html").read_bytes()
LISTING = (Path(__file__).parent / "pages/flaskbb/forum-listing.html").read_bytes()


class _ForumHandler(BaseHTTPRequestHandler):
    """Serve the saved FlaskBB page, or a 'redesigned' one without the post markup."""

    broken = False

    def do_GET(self):  # noqa: N802 - http.server's name
        """Answer every thread URL with the page; robots.txt is absent."""
        if self.path == "/robots.txt":
            self.send_error(404)
            return
        page = LISTING if self.path.startswith("/forum/") else SAMPLE
        body = page.replace(b"post-row", b"message-card").replace(b"post-content", b"message-text") if self.broken else page
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        """Keep the test output quiet."""


@pytest.fixture
def forum_server():
    """A loopback server standing in for a forum."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ForumHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    _ForumHandler.broken = False
    server.shutdown()
    server.server_close()


def test_layout_change_marks_the_forum_broken_and_shows_it(tmp_path, forum_server):
    """Posts read fine, then the markup changes: the read fails, the forum is marked, the UI says where."""
    base = f"http://127.0.0.1:{forum_server.server_address[1]}"
    write_live_definition(tmp_path / "forums", base)
    app = create_app(make_test_config(tmp_path, FORUMS_DIR=str(tmp_path / "forums")), instance_path=str(tmp_path / "i"))
    from conftest import FreshContextClient

    app.test_client_class = FreshContextClient
    with app.app_context():
        db.create_all()
        setup = set_up_live_client(app, "nobody")
        world = build_world(db.session)
        thread = setup.watch(f"{base}/topic/2")
        with Fetcher.from_definitions(forum_definitions()) as fetcher:
            assert scrape_thread(db.session, thread.id, forum_definitions(), fetcher, full=True).ok
            _ForumHandler.broken = True
            outcome = scrape_thread(db.session, thread.id, forum_definitions(), fetcher, full=True)
        assert not outcome.ok and "post" in outcome.error.lower()
        forum = db.session.get(Forum, setup.forum.id)
        assert forum.layout_broken_at is not None and forum.layout_broken_url.startswith(f"{base}/topic/2")
        assert db.session.get(WatchedThread, thread.id).last_error
        admin = app.test_client()
        web.login(admin, world.user("admin").email, "correct-horse-battery")
        page = admin.get(f"/forums/{forum.key}").get_data(as_text=True)
        assert "Layout broken since" in page and f"{base}/topic/2" in page
        assert "layout broken" in admin.get("/forums").get_data(as_text=True)
        db.session.remove()
        db.engine.dispose()
