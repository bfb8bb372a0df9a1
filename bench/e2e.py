"""Section 2: repapp's real scrape path against a minimal Scrapy spider, on the same local pages.

A static server on 127.0.0.1 serves N generated FlaskBB threads of P pages (10 posts a page)
and their forum listings. repapp reads every thread as its worker does (claims in batches,
fetch, extract, store posts and counters in SQLite, triage, commit), politeness off; then
the Scrapy spider (bench/scrapy_spider.py, its own process) reads the same pages.
Pages/s count every page fetched (thread pages and listings); CPU is each process's own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from repapp.extensions import db
from repapp.models import Post, ThreadSnapshot
from repapp.scraping.engines import get_engine
from repapp.scraping.items import ParseContext
from repapp.scraping.jobs import scrape_due_threads

from .appdb import create_schema, definition, fetcher_for, make_app, watch_threads
from .common import BENCH_DIR, Clock, Figure, at_least
from .server import StaticServer
from .site import SiteShape, forum_of, thread_url, write_site

SECTION = "2 end-to-end"
TARGET = 2.0


def run(quick: bool = False) -> list[Figure]:
    """Serve a generated forum, read it with repapp, then with Scrapy; compare."""
    shape = SiteShape(threads=6, pages=2) if quick else SiteShape(threads=200, pages=5)
    with tempfile.TemporaryDirectory(prefix="repapp-bench-e2e-") as tmp:
        root = Path(tmp)
        written = write_site(root / "site", shape)
        with StaticServer(root / "site") as server:
            ours = _repapp(root, server.base_url, shape)
            extract_only = _repapp_extract_only(server.base_url, shape)
            theirs = _scrapy(root, server.base_url, shape)
            served_by = server.description
    pages = written["thread_pages"] + written["listings"]
    ratio = ours["pages_per_s"] / theirs["pages_per_s"] if theirs["pages_per_s"] else None
    setup = (f"{shape.threads} threads x {shape.pages} pages of {shape.posts_per_page} posts "
             f"(~{shape.page_bytes // 1000} KB) + {written['listings']} listings, served by {served_by}")
    return [
        Figure(SECTION, "repapp pages/s (fetch, extract, store in SQLite)", ours["pages_per_s"], "pages/s",
               note=f"{ours['requests']} requests, {ours['posts']} posts stored", detail=ours),
        Figure(SECTION, "Scrapy pages/s (same pages, own selectors, no storage)", theirs["pages_per_s"],
               "pages/s", note=f"{theirs['pages']} pages, {theirs['items']} items, Scrapy {theirs['scrapy']}",
               detail=theirs),
        Figure(SECTION, "repapp / Scrapy pages/s", ratio, "x", f">= {TARGET}x", at_least(TARGET)(ratio),
               setup, {"pages": pages, **written}),
        Figure(SECTION, "repapp CPU per page", ours["cpu_ms_per_page"], "ms",
               note="one process: fetch, parse, sanitize new posts, triage, SQLite"),
        Figure(SECTION, "repapp fetch + extract only, pages/s", extract_only["pages_per_s"], "pages/s",
               note="what the spider does: the same pages fetched and parsed, nothing stored",
               detail=extract_only),
        Figure(SECTION, "repapp fetch + extract only / Scrapy pages/s",
               extract_only["pages_per_s"] / theirs["pages_per_s"] if theirs["pages_per_s"] else None, "x",
               note=f"like for like; CPU {extract_only['cpu_ms_per_page']:.2f} ms a page"),
        Figure(SECTION, "Scrapy CPU per page", theirs["cpu_ms_per_page"], "ms", note="Scrapy's process"),
    ]


def _repapp(root: Path, base_url: str, shape: SiteShape) -> dict:
    """Read every thread with repapp's worker path; return its figures."""
    app = make_app(root / "repapp.sqlite3", root / "instance")
    create_schema(app)
    definitions = {"bench-local": definition(base_url)}
    with app.app_context():
        watch_threads(db.session, base_url, range(1, shape.threads + 1))
        requests, failed = 0, []
        with fetcher_for(base_url) as fetcher, Clock() as clock:
            while True:
                batch = scrape_due_threads(db.session, definitions, fetcher, batch=20)
                if not batch:
                    break
                # Keep plain figures only, as the worker's job does: outcomes hold the batch's
                # posts, and every commit would expire whatever the session still holds.
                requests += sum(o.result.requests for o in batch if o.ok)
                failed += [o.error for o in batch if not o.ok]
        if failed:
            raise RuntimeError(f"repapp failed to read {len(failed)} threads: {failed[0]}")
        posts = db.session.scalar(select(func.count(Post.id)))
        snapshots = db.session.scalar(select(func.count(ThreadSnapshot.id)))
        db.session.remove()
    return {"requests": requests, "posts": posts, "snapshots": snapshots, "wall": clock.wall, "cpu": clock.cpu,
            "pages_per_s": requests / clock.wall, "cpu_ms_per_page": clock.cpu / requests * 1e3}


def _repapp_extract_only(base_url: str, shape: SiteShape) -> dict:
    """Fetch and parse the pages the spider reads, with repapp's fetcher and engine; store nothing."""
    forum = definition(base_url)
    engine = get_engine(forum.engine, forum.engine_options)
    listings = [f"{base_url}forum/{f}-bench-forum-{f}" for f in range(1, forum_of(shape.threads) + 1)]
    pages = [engine.page_url(thread_url(base_url, n), page)
             for n in range(1, shape.threads + 1) for page in range(1, shape.pages + 1)]
    posts = 0
    with fetcher_for(base_url) as fetcher, Clock() as clock:
        for url in listings:
            fetched = fetcher.get(url)
            engine.parse_listing(fetched.body, _context(fetched.final_url))
        for url in pages:
            fetched = fetcher.get(url)
            # As the scraper parses: bodies handed on raw (the spider keeps raw HTML too).
            posts += len(engine.parse_thread(fetched.body, _context(fetched.final_url), defer_html=True).posts)
    requests = len(listings) + len(pages)
    return {"requests": requests, "posts": posts, "wall": clock.wall, "cpu": clock.cpu,
            "pages_per_s": requests / clock.wall, "cpu_ms_per_page": clock.cpu / requests * 1e3}


def _context(url: str) -> ParseContext:
    """Return the parse context of a page of the bench forum (UTC, English dates)."""
    return ParseContext(url=url, fetched_at=datetime.now(UTC), timezone=UTC)


def _scrapy(root: Path, base_url: str, shape: SiteShape) -> dict:
    """Run the Scrapy spider in its own process; return its figures."""
    forums = range(1, forum_of(shape.threads) + 1)
    urls = [f"{base_url}forum/{f}-bench-forum-{f}" for f in forums]
    urls += [thread_url(base_url, n) for n in range(1, shape.threads + 1)]
    listing = root / "scrapy-start-urls.txt"
    listing.write_text("\n".join(urls))
    done = subprocess.run([sys.executable, "-m", "bench.scrapy_spider", str(listing)], cwd=BENCH_DIR.parent,
                          capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"the Scrapy spider failed: {done.stderr[-2000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    if figures["errors"]:
        raise RuntimeError(f"the Scrapy spider met {figures['errors']} errors")
    figures["pages_per_s"] = figures["pages"] / figures["wall"]
    figures["cpu_ms_per_page"] = figures["cpu"] / figures["pages"] * 1e3
    return figures
