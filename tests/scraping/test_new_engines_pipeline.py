"""Discourse and the generic engine through the scraper's real path: fetch, parse, store, re-read.

A loopback server stands in for each forum, serving the hand-written fixtures (and pages made
from them): the reader pages through Discourse's JSON chunks and the generic forum's `?p=N`
pages, stores every post once, snapshots the counters each engine reads from the thread
itself, and on later reads finds the new post and the deleted one.
"""

from __future__ import annotations

import copy
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conftest import make_test_config
from repapp import create_app
from repapp.bootstrap import sync_forums
from repapp.extensions import db
from repapp.forums.registry import forum_definitions
from repapp.models import Client, Post, ThreadSnapshot
from repapp.scraping.fetch import Fetcher
from repapp.scraping.jobs import scrape_thread
from repapp.threads.operations import watch_thread
from test_engine_generic import DEFINITION as GENERIC_DEFINITION

PAGES = Path(__file__).parent / "pages"
POLITENESS = "politeness:\n  requests_per_minute: 600\n  concurrency: 4\n  timeout_seconds: 10\n  max_retries: 0\n"


class _Forum(BaseHTTPRequestHandler):
    """Serve `pages[path]` as JSON or HTML; anything else (robots.txt too) is 404."""

    pages: dict[str, bytes] = {}

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        """Answer one GET."""
        body = self.pages.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        kind = "application/json" if body[:1] == b"{" else "text/html; charset=utf-8"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def forum():
    """A loopback forum whose pages the test sets; its base URL."""
    _Forum.pages = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Forum)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture
def watching(tmp_path):
    """Return a function making an app whose only forum is a definition, and a watched thread's id.

    The app context stays pushed for the test; its connections are closed afterwards.
    """
    contexts = []

    def make(key: str, definition: str, thread_url: str) -> int:
        forums = tmp_path / "forums"
        forums.mkdir()
        (forums / f"{key}.yaml").write_text(definition + POLITENESS, encoding="utf-8")
        app = create_app(make_test_config(tmp_path, FORUMS_DIR=str(forums)), instance_path=str(tmp_path / "i"))
        context = app.app_context()
        context.push()
        contexts.append(context)
        db.create_all()
        sync_forums(db.session, str(forums))
        client = Client(slug="homenet", name="HomeNet")
        db.session.add(client)
        db.session.flush()
        thread = watch_thread(db.session, client, thread_url, forum_definitions())
        db.session.commit()
        return thread.id

    yield make
    for context in contexts:
        db.session.remove()
        db.engine.dispose()
        context.pop()


def _read(thread_id: int, *, full: bool = False):
    """Read the thread as the worker does, and return the outcome."""
    with Fetcher.from_definitions(forum_definitions()) as fetcher:
        outcome = scrape_thread(db.session, thread_id, forum_definitions(), fetcher, full=full)
    assert outcome.ok, outcome.error
    return outcome


def _stored(thread_id: int) -> dict[str, Post]:
    """Return the thread's stored posts by external id."""
    return {p.external_id: p for p in db.session.scalars(select(Post).where(Post.thread_id == thread_id))}


def _latest_snapshot(thread_id: int) -> ThreadSnapshot:
    """Return the thread's newest counters."""
    return db.session.scalars(select(ThreadSnapshot).where(ThreadSnapshot.thread_id == thread_id)
                              .order_by(ThreadSnapshot.taken_at.desc(), ThreadSnapshot.id.desc())).first()


# -- Discourse ---------------------------------------------------------------------------

def _discourse_chunks() -> tuple[dict, dict]:
    """Return the topic's two JSON chunks: posts 1-20 (made from post 21) and the saved page 2."""
    second = json.loads((PAGES / "discourse/topic-7-page2.json").read_bytes())
    first = copy.deepcopy(second)
    template = second["post_stream"]["posts"][0]
    first["post_stream"]["posts"] = [
        {**template, "id": 1100 + n, "post_number": n, "cooked": f"<p>Post number {n}.</p>",
         "username": f"user{n}", "created_at": f"2026-11-{n:02d}T10:00:00.000Z", "version": 1}
        for n in range(1, 21)
    ]
    return first, second


def test_discourse_topic_is_read_chunk_by_chunk_and_stored_once(forum, watching):
    """20 + 5 shown posts from two chunks; counters from the topic JSON; a new post found incrementally."""
    first, second = _discourse_chunks()
    _Forum.pages = {"/t/7.json": json.dumps(first).encode(), "/t/7.json?page=2": json.dumps(second).encode()}
    definition = (f"name: HomeNet Talk\nbase_url: {forum}/\nengine: discourse\ntimezone: Europe/London\n"
                  "date_locale: en\n")
    thread_id = watching("homenet-talk", definition, f"{forum}/t/router-reboots-after-firmware-update/7/23")
    outcome = _read(thread_id, full=True)
    assert (outcome.result.requests, len(outcome.result.changes.new)) == (2, 25)
    stored = _stored(thread_id)
    assert sorted(stored, key=int) == [str(n) for n in range(1, 22)] + ["23", "24", "25", "26"]
    assert stored["23"].url == f"{forum}/t/router-reboots-after-firmware-update/7/23"
    assert stored["21"].quotes == [{"author": "bob", "text": "After updating to 3.2.1 the router reboots every ten minutes."}]
    assert "<script" not in stored["24"].html
    snapshot = _latest_snapshot(thread_id)
    assert (snapshot.views, snapshot.post_count) == (3227, 26)

    grown = copy.deepcopy(second)
    grown["post_stream"]["stream"].append(1127)
    grown["post_stream"]["posts"].append({**second["post_stream"]["posts"][0], "id": 1127, "post_number": 27,
                                          "cooked": "<p>Any news from support?</p>", "username": "erin",
                                          "created_at": "2026-11-23T09:00:00.000Z"})
    grown["posts_count"], grown["views"] = 27, 3301
    _Forum.pages["/t/7.json?page=2"] = json.dumps(grown).encode()
    again = _read(thread_id)
    # Incremental: only the last chunk is asked for again.
    assert (again.result.requests, len(again.result.changes.new)) == (1, 1)
    stored = _stored(thread_id)
    assert len(stored) == 26 and stored["27"].author == "erin" and stored["27"].text == "Any news from support?"
    assert db.session.scalar(select(func.count()).select_from(Post).where(Post.thread_id == thread_id)) == 26
    assert (_latest_snapshot(thread_id).views, _latest_snapshot(thread_id).post_count) == (3301, 27)


# -- the generic engine ------------------------------------------------------------------

def _generic_pages() -> dict[str, bytes]:
    """Return pages 1-3 of topic 77: the saved page 2, and pages 1 and 3 made from it."""
    second = (PAGES / "generic/thread-page2.html").read_bytes()

    def page(number: int) -> bytes:
        body = second.replace(b'data-msg="55', f'data-msg="5{3 + number}'.encode())
        body = body.replace(b'href="/t/77/55', f'href="/t/77/5{3 + number}'.encode())
        body = body.replace(b'<b class="cur">2</b>', f'<b class="cur">{number}</b>'.encode())
        if number == 3:
            body = body.replace(b'<a class="pager-next" href="/t/77?p=3">', b'<a class="pager-prev" href="/t/77?p=2">')
        return body

    return {"/t/77": page(1), "/t/77?p=2": second, "/t/77?p=3": page(3)}


def test_generic_forum_is_read_page_by_page_from_its_definition_alone(forum, watching):
    """Three ?p=N pages of a layout no engine knows: every post once, views from the page, deletions seen."""
    _Forum.pages = _generic_pages()
    definition = GENERIC_DEFINITION.replace("https://club.example/", f"{forum}/")
    thread_id = watching("club", definition, f"{forum}/t/77?p=2#5503")
    _read(thread_id, full=True)
    stored = _stored(thread_id)
    # Four shown posts a page (5x02 is a removed-post placeholder).
    assert sorted(stored) == sorted(f"5{p}0{n}" for p in (4, 5, 6) for n in (1, 3, 4, 5))
    assert stored["5503"].url == f"{forum}/t/77/5503"
    assert {stored[k].page for k in ("5401", "5501", "5601")} == {1, 2, 3}
    snapshot = _latest_snapshot(thread_id)
    assert (snapshot.views, snapshot.post_count) == (1204, 37)

    # A moderator removes post 5504: the next full read marks it deleted, nothing is added twice.
    _Forum.pages["/t/77?p=2"] = _Forum.pages["/t/77?p=2"].replace(
        b'<div class="msg" data-msg="5504">', b'<div class="msg" data-msg="5504"><em class="removed">x</em>')
    _read(thread_id, full=True)
    stored = _stored(thread_id)
    assert len(stored) == 12
    assert [k for k, p in stored.items() if p.deleted_at is not None] == ["5504"]
