"""Section 4: posts stored per second by repapp's write path against raw sqlite3 executemany.

repapp's write path is `pipeline.store_page`, page by page, committing once per thread as the
worker does. Its items come from parsing generated pages with the bodies already sanitized
(sanitizing is extraction's cost, section 1), so only storing is timed. The raw side inserts
the very rows repapp stored (read back from its database) with sqlite3's executemany, one
page per call and one commit per thread, into the same schema with the same indexes and
pragmas.
"""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select

from repapp.extensions import db
from repapp.models import Post, WatchedThread
from repapp.scraping.engines import get_engine
from repapp.scraping.items import ParseContext
from repapp.scraping.pipeline import store_page

from .appdb import create_schema, make_app, watch_threads
from .common import Clock, Figure, at_least
from .site import SiteShape, thread_page, thread_url

SECTION = "4 storing"
TARGET = 0.5
BASE_URL = "http://127.0.0.1:8081/"


def run(quick: bool = False) -> list[Figure]:
    """Store the same posts both ways; compare posts per second."""
    shape = SiteShape(threads=4, pages=3) if quick else SiteShape(threads=40, pages=10)
    with tempfile.TemporaryDirectory(prefix="repapp-bench-store-") as tmp:
        root = Path(tmp)
        pages = _parsed_pages(shape)
        ours = _repapp(root, shape, pages)
        theirs = _raw(root, ours.pop("rows"), ours.pop("columns"), shape)
    ratio = ours["posts_per_s"] / theirs["posts_per_s"]
    note = f"{ours['posts']} posts, {shape.threads} threads x {shape.pages} pages of {shape.posts_per_page}"
    return [
        Figure(SECTION, "repapp store_page posts/s", ours["posts_per_s"], "posts/s", note=note, detail=ours),
        Figure(SECTION, "raw sqlite3 executemany posts/s", theirs["posts_per_s"], "posts/s", detail=theirs),
        Figure(SECTION, "repapp / raw sqlite3", ratio, "x", f">= {TARGET}x", at_least(TARGET)(ratio),
               "same rows, same schema, indexes and pragmas; one commit per thread"),
    ]


def _parsed_pages(shape: SiteShape) -> dict[int, list]:
    """Parse every page of every thread (bodies sanitized now, outside the timing)."""
    engine = get_engine("flaskbb")
    now = datetime.now(timezone.utc)
    pages: dict[int, list] = {}
    for number in range(1, shape.threads + 1):
        for page in range(1, shape.pages + 1):
            ctx = ParseContext(url=f"{thread_url(BASE_URL, number)}?page={page}", fetched_at=now,
                               timezone=timezone.utc)
            pages.setdefault(number, []).append(engine.parse_thread(thread_page(shape, number, page), ctx))
    return pages


def _repapp(root: Path, shape: SiteShape, pages: dict[int, list]) -> dict:
    """Store every page through the pipeline; return the figures and the rows it stored."""
    app = make_app(root / "repapp.sqlite3", root / "instance")
    create_schema(app)
    with app.app_context():
        ids = watch_threads(db.session, BASE_URL, range(1, shape.threads + 1))
        threads = [db.session.get(WatchedThread, i) for i in ids]
        seen_at = datetime.now(timezone.utc)
        with Clock() as clock:
            for thread, number in zip(threads, range(1, shape.threads + 1), strict=True):
                for page in pages[number]:
                    store_page(db.session, thread, page, own_usernames=frozenset(), seen_at=seen_at)
                db.session.commit()
        table = Post.__table__
        columns = [c.name for c in table.columns if c.name != "id"]
        rows = [tuple(r) for r in db.session.execute(
            select(*[table.c[name] for name in columns]).order_by(table.c.id)).all()]
        db.session.remove()
    posts = len(rows)
    # Raw rows as SQLite holds them (datetimes and JSON already text), so executemany does no work of ours.
    with sqlite3.connect(root / "repapp.sqlite3") as connection:
        raw_rows = connection.execute(f"SELECT {', '.join(columns)} FROM posts ORDER BY id").fetchall()
    return {"posts": posts, "wall": clock.wall, "cpu": clock.cpu, "posts_per_s": posts / clock.wall,
            "rows": raw_rows, "columns": columns}


def _raw(root: Path, rows: list[tuple], columns: list[str], shape: SiteShape) -> dict:
    """Insert the same rows into an empty copy of the schema with executemany; return the figures."""
    schema_source = root / "schema.sqlite3"
    app = make_app(schema_source, root / "instance")
    create_schema(app)
    connection = sqlite3.connect(schema_source)
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", "busy_timeout=30000", "synchronous=NORMAL"):
        connection.execute(f"PRAGMA {pragma}")
    # The rows reference the bench client, forum and threads: copy those rows first.
    with sqlite3.connect(root / "repapp.sqlite3") as source:
        for table in ("clients", "forums", "watched_threads"):
            data = source.execute(f"SELECT * FROM {table}").fetchall()
            marks = ", ".join("?" * len(data[0]))
            connection.executemany(f"INSERT INTO {table} VALUES ({marks})", data)
    connection.commit()
    sql = f"INSERT INTO posts ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    per_page, per_thread = shape.posts_per_page, shape.posts_per_page * shape.pages
    with Clock() as clock:
        for start in range(0, len(rows), per_thread):
            thread_rows = rows[start:start + per_thread]
            for page_start in range(0, len(thread_rows), per_page):
                connection.executemany(sql, thread_rows[page_start:page_start + per_page])
            connection.commit()
    connection.close()
    return {"posts": len(rows), "wall": clock.wall, "cpu": clock.cpu, "posts_per_s": len(rows) / clock.wall}
