"""Section 3: re-reading a 10-page thread that has not changed, and one that gained a post.

Two threads of 10 pages are read once in full (posts stored, counters from the listing), then
re-read by the worker's own job (`scrape_thread`) again and again:
- unchanged (10 full pages): the reader asks for its last page with the validators it kept,
  and nginx answers 304;
- the same re-read with the validators forgotten (a server answering 200): the cost of a full
  page fetched, parsed and compared post by post, which the 304 is held against;
- gained a post (its last page holds one post): the last page grows by one before each re-read.
Requests come from the reader's own count; CPU is this process's (the server is another one).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from repapp.extensions import db
from repapp.models import WatchedThread
from repapp.scraping.jobs import scrape_thread

from .appdb import create_schema, definition, fetcher_for, make_app, watch_threads
from .common import Figure, at_most, median
from .server import StaticServer
from .site import SiteShape, thread_page, write_atomically, write_site

SECTION = "3 re-reading"
TARGET = 0.25


def run(quick: bool = False) -> list[Figure]:
    """Read a 10-page thread, then re-read it unchanged, unconditionally, and with a new post each time."""
    rounds = 3 if quick else 40
    shape = SiteShape(threads=2, pages=10)
    growing = SiteShape(threads=2, pages=10, last_page_posts=1)  # thread 2's shape
    with tempfile.TemporaryDirectory(prefix="repapp-bench-reread-") as tmp:
        root = Path(tmp)
        write_site(root / "site", shape)
        for page in (10,):
            write_atomically(root / "site" / "topic" / "2" / f"{page}.html", thread_page(growing, 2, page))
        with StaticServer(root / "site") as server:
            app = make_app(root / "repapp.sqlite3", root / "instance")
            create_schema(app)
            with app.app_context(), fetcher_for(server.base_url) as fetcher:
                definitions = {"bench-local": definition(server.base_url)}
                steady, growing_id = watch_threads(db.session, server.base_url, range(1, 3))
                first = _reread(steady, definitions, fetcher)
                _reread(growing_id, definitions, fetcher)
                unchanged = [_reread(steady, definitions, fetcher) for _ in range(rounds)]
                full = [_reread(steady, definitions, fetcher, forget_validators=True) for _ in range(rounds)]
                gained = []
                for posts in range(2, 2 + min(rounds, shape.posts_per_page - 1)):
                    time.sleep(1.01)  # nginx's Last-Modified has whole seconds
                    write_atomically(root / "site" / "topic" / "2" / "10.html",
                                     thread_page(growing, 2, 10, posts=posts))
                    gained.append(_reread(growing_id, definitions, fetcher))
                db.session.remove()
            served_by = server.description
    cpu_304, cpu_200 = median([r["cpu"] for r in unchanged]), median([r["cpu"] for r in full])
    requests_304 = max(r["requests"] for r in unchanged)
    statuses = sorted({s for r in unchanged for s in r["statuses"]})
    ratio = cpu_304 / cpu_200
    first_page_cpu = first["cpu"] / first["requests"]
    return [
        Figure(SECTION, "first read of the 10-page thread: requests", first["requests"], "requests",
               note=f"{first['cpu'] * 1e3:.0f} ms CPU, {first['new']} posts stored and triaged; "
                    f"served by {served_by}"),
        Figure(SECTION, "unchanged thread: requests per re-read", requests_304, "requests", "= 1",
               requests_304 == 1, f"answers {statuses}; {rounds} re-reads"),
        Figure(SECTION, "unchanged thread: CPU per re-read (304)", cpu_304 * 1e3, "ms",
               note="the worker's scrape_thread: claim-free read, record, commit"),
        Figure(SECTION, "full page re-read (no validators, 200): CPU", cpu_200 * 1e3, "ms",
               note="fetch, parse, compare 10 posts, commit"),
        Figure(SECTION, "304 re-read CPU / full page CPU", ratio, "x", f"<= {TARGET}x", at_most(TARGET)(ratio),
               "full page: the same re-read answered 200 (fetch, parse, compare)"),
        Figure(SECTION, "304 re-read CPU / CPU per page of the first read", cpu_304 / first_page_cpu, "x",
               note=f"first read: {first_page_cpu * 1e3:.1f} ms a request (store, sanitize, triage)"),
        Figure(SECTION, "gained a post: requests per re-read", median([r["requests"] for r in gained]), "requests",
               note="the changed last page, and the listing for the counters (new posts)"),
        Figure(SECTION, "gained a post: CPU per re-read", median([r["cpu"] for r in gained]) * 1e3, "ms",
               note="parse, store and triage the new post, snapshot"),
    ]


def _reread(thread_id: int, definitions: dict, fetcher, *, forget_validators: bool = False) -> dict:
    """Re-read the thread as the worker does; return its requests, answers and CPU seconds."""
    if forget_validators:
        thread = db.session.get(WatchedThread, thread_id)
        thread.etag = thread.last_modified = ""
        db.session.commit()
    statuses: list[int] = []
    original = fetcher._result

    def noting(url, answer, *args):  # which answers came back, without changing them
        statuses.append(answer.status)
        return original(url, answer, *args)

    fetcher._result = noting
    started = time.process_time()
    try:
        outcome = scrape_thread(db.session, thread_id, definitions, fetcher)
    finally:
        fetcher._result = original
    cpu = time.process_time() - started
    if not outcome.ok:
        raise RuntimeError(f"re-reading the thread failed: {outcome.error}")
    return {"requests": outcome.result.requests, "cpu": cpu, "statuses": statuses,
            "new": len(outcome.result.changes.new)}
