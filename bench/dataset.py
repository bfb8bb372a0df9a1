"""A synthetic agency for section 5: clients, forums, threads and a year of posts, replies and counters.

The full agency has 50 clients, 2 000 watched threads, 1 000 000 posts over the year before
the moment it was generated (its anchor), their tags, representatives' replies and news,
cases, a snapshot of every thread's counters twice a day, tracked-link clicks, monthly
targets and the measured client's published reports for the past twelve months. The small
agency is the same clients, users and threads with only the newest 10 000 posts (and what
belongs to them): the same present, without the history.

Rows go in through SQLAlchemy Core in large batches with the secondary indexes dropped and
rebuilt afterwards, so the full agency takes a few minutes. Both databases are cached in
bench/data/ and rebuilt when the parameters or the schema change.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
from bisect import bisect_right
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, insert, text
from sqlalchemy.schema import CreateIndex, CreateTable
from werkzeug.security import generate_password_hash

from repapp.extensions import db
from repapp.models import (
    Case,
    Client,
    Forum,
    KpiTarget,
    LinkClick,
    MonthlyReport,
    Post,
    PostTag,
    Reply,
    ThreadSnapshot,
    TrackedLink,
    User,
    WatchedThread,
    case_posts,
)
from repapp.models.people import rep_clients

from .appdb import make_app
from .common import DATA_DIR

PASSWORD = "bench-pass-2026"
VERSION = 3  # bump when the generator changes what it writes
BULK_TABLES = ("posts", "post_tags", "replies", "thread_snapshots", "cases", "case_posts", "link_clicks")


@dataclass(frozen=True)
class Shape:
    """The agency's size."""

    clients: int = 50
    forums: int = 10
    threads: int = 2_000
    posts: int = 1_000_000
    small_posts: int = 10_000
    days: int = 365
    reps: int = 25  # each works two clients
    snapshots_per_day: int = 2
    report_months: int = 12  # published reports of the measured client
    seed: int = 2026


QUICK = Shape(clients=3, forums=2, threads=12, posts=3_000, small_posts=300, days=60, reps=2, report_months=2)


@dataclass(frozen=True)
class Agency:
    """A generated database and what the measurements need to know about it."""

    path: Path
    anchor: datetime  # the moment the data ends: "now" for it
    posts: int
    client_slug: str  # the client whose month, report and targets are measured
    thread_id: int  # a busy thread of that client (its page is measured)
    rep_email: str  # a representative of that client
    pr_email: str


# ----------------------------------------------------------------------------------------------

def schema_fingerprint() -> str:
    """Hash the schema's DDL, so a model change makes the cached data stale."""
    from sqlalchemy.dialects import sqlite

    dialect = sqlite.dialect()
    parts = []
    for table in db.metadata.sorted_tables:
        parts.append(str(CreateTable(table).compile(dialect=dialect)))
        parts += sorted(str(CreateIndex(index).compile(dialect=dialect)) for index in table.indexes)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def agencies(shape: Shape, *, log=print) -> tuple[Agency, Agency]:
    """Return the (full, small) agencies, generating them unless a matching cache exists."""
    folder = DATA_DIR / ("agency-quick" if shape == QUICK else "agency")
    meta_path = folder / "meta.json"
    wanted = {"version": VERSION, "shape": asdict(shape), "schema": schema_fingerprint()}
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if all(meta.get(k) == v for k, v in wanted.items()):
            return _load(folder, meta)
        log(f"  cached agency in {folder} is stale (parameters or schema changed): generating again")
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    started = datetime.now(UTC)
    meta = {**wanted, **_generate(folder, shape, log=log)}
    meta["generation_seconds"] = (datetime.now(UTC) - started).total_seconds()
    meta_path.write_text(json.dumps(meta, indent=2))
    return _load(folder, meta)


def _load(folder: Path, meta: dict[str, Any]) -> tuple[Agency, Agency]:
    """Build the Agency descriptions from the cache's metadata."""
    common = {k: meta[k] for k in ("client_slug", "thread_id", "rep_email", "pr_email")}
    anchor = datetime.fromisoformat(meta["anchor"])
    return (Agency(folder / "large.sqlite3", anchor, meta["large_posts"], **common),
            Agency(folder / "small.sqlite3", anchor, meta["small_posts"], **common))


# ----------------------------------------------------------------------------------------------

_WORDS_RU = ("подскажите", "как", "настроить", "роутер", "спасибо", "за", "помощь", "не", "работает", "интернет",
             "уже", "третий", "день", "поддержка", "молчит", "отличный", "сервис", "рекомендую", "цена", "тариф",
             "скорость", "упала", "вечером", "где", "купить", "модем", "акция", "скидка", "вопрос", "проблема")
_WORDS_EN = ("how", "do", "I", "set", "up", "the", "router", "thanks", "for", "help", "not", "working", "again",
             "support", "great", "service", "recommend", "price", "plan", "speed", "drops", "evening", "where",
             "buy", "modem", "discount", "question", "problem", "since", "yesterday")
TAG_RATES = (("question", 0.20), ("positive", 0.08), ("problem", 0.05), ("negative", 0.04),
             ("recommendation", 0.02), ("newsworthy", 0.02))
ANSWER_TAGS = {"question", "problem", "negative"}
OPEN_DAYS = 3  # posts of the last days may still wait in the inbox; older ones were dealt with


def _text(rng: random.Random) -> str:
    """Return a forum post of 20 to 60 words, Russian or English."""
    words = _WORDS_RU if rng.random() < 0.7 else _WORDS_EN
    return " ".join(rng.choice(words) for _ in range(rng.randint(20, 60))).capitalize() + "?."[rng.random() < 0.7]


def _generate(folder: Path, shape: Shape, *, log) -> dict[str, Any]:
    """Write the full agency, then derive the small one; return the metadata."""
    rng = random.Random(shape.seed)
    anchor = datetime.now(UTC).replace(second=0, microsecond=0)
    large = folder / "large.sqlite3"
    app = make_app(large, DATA_DIR / "instance")
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    engine = create_engine(f"sqlite:///{large}")

    @event.listens_for(engine, "connect")
    def _fast(connection, _record):  # generation only: the file is rebuilt if anything fails
        connection.execute("PRAGMA synchronous=OFF")

    with engine.begin() as conn:
        indexes = conn.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN "
            f"({', '.join(repr(t) for t in BULK_TABLES)})")).all()
        for name, _sql in indexes:
            conn.execute(text(f'DROP INDEX "{name}"'))
    log(f"  generating {shape.posts:,} posts over {shape.days} days for {shape.clients} clients …")
    with engine.begin() as conn:
        people = _people(conn, shape, anchor)
    with engine.begin() as conn:
        threads = _threads(conn, rng, shape, anchor)
    with engine.begin() as conn:
        posts = _posts(conn, rng, shape, anchor, threads, people)
    with engine.begin() as conn:
        _snapshots(conn, rng, shape, anchor, threads, posts)
        _links(conn, rng, shape, anchor, threads, people)
        _targets(conn, shape, anchor)
    with engine.begin() as conn:
        for _name, sql in indexes:
            conn.execute(text(sql))
    engine.dispose()
    measured = threads["by_client"][1]
    busiest = max(measured, key=lambda t: posts["per_thread"].get(t, 0))
    meta = {
        "anchor": anchor.isoformat(), "large_posts": shape.posts, "client_slug": "client-001",
        "thread_id": busiest, "rep_email": people["rep_of_first"], "pr_email": "pr@bench.repapp",
    }
    log(f"  writing the measured client's {shape.report_months} monthly reports …")
    _reports(large, shape, anchor)
    log("  deriving the small agency (the newest posts only) …")
    meta["small_posts"] = _small_copy(large, folder / "small.sqlite3", posts["cutoffs"][shape.small_posts])
    return meta


def _people(conn, shape: Shape, anchor: datetime) -> dict[str, Any]:
    """Clients, an admin, a PR specialist, representatives (two clients each) and one client viewer."""
    created = anchor - timedelta(days=shape.days + 30)
    conn.execute(insert(Client), [
        {"id": n, "slug": f"client-{n:03d}", "name": f"Client {n:03d}", "display_name": f"Client {n:03d}",
         "timezone": "Europe/Moscow", "is_active": True, "created_at": created, "site_url": ""}
        for n in range(1, shape.clients + 1)])
    password = generate_password_hash(PASSWORD)  # one hash: every bench user has the same password
    users = [{"id": 1, "email": "admin@bench.repapp", "role": "admin"},
             {"id": 2, "email": "pr@bench.repapp", "role": "pr"}]
    users += [{"id": 2 + n, "email": f"rep{n:02d}@bench.repapp", "role": "rep"} for n in range(1, shape.reps + 1)]
    users.append({"id": 3 + shape.reps, "email": "viewer@bench.repapp", "role": "client", "client_id": 1})
    conn.execute(insert(User), [{"name": u["email"].split("@")[0], "password_hash": password, "locale": "en",
                                 "is_enabled": True, "created_at": created, "client_id": None, **u}
                                for u in users])
    assignments = [{"user_id": 2 + (c - 1) % shape.reps + 1, "client_id": c} for c in range(1, shape.clients + 1)]
    assignments += [{"user_id": 2 + (c % shape.reps) + 1, "client_id": c} for c in range(1, shape.clients + 1)
                    if shape.reps > 1]
    conn.execute(insert(rep_clients), [dict(t) for t in {tuple(a.items()) for a in assignments}])
    reps_of: dict[int, list[int]] = {}
    for a in assignments:
        reps_of.setdefault(a["client_id"], []).append(a["user_id"])
    return {"reps_of": reps_of, "rep_of_first": f"rep{reps_of[1][0] - 2:02d}@bench.repapp"}


def _threads(conn, rng: random.Random, shape: Shape, anchor: datetime) -> dict[str, Any]:
    """Forums and the watched threads (spread evenly over clients, forums at random)."""
    conn.execute(insert(Forum), [
        {"id": f, "key": f"forum-{f:02d}", "name": f"Forum {f:02d}", "base_url": f"https://forum{f:02d}.example/",
         "engine": ("flaskbb", "phpbb", "mybb")[f % 3], "definition": {}, "is_active": True}
        for f in range(1, shape.forums + 1)])
    rows, by_client, forum_of = [], {}, {}
    for t in range(1, shape.threads + 1):
        client = (t - 1) % shape.clients + 1
        forum = rng.randint(1, shape.forums)
        by_client.setdefault(client, []).append(t)
        forum_of[t] = forum
        rows.append({"id": t, "client_id": client, "forum_id": forum, "url": f"https://forum{forum:02d}.example/topic/{t}",
                     "title": f"Thread {t} of client {client:03d}", "is_active": True, "page_count": 1,
                     "last_page_read": 1, "etag": "", "last_modified": "", "last_error": "",
                     "interval_minutes": 15, "full_read_hours": 6, "claimed_by": "",
                     "created_at": anchor - timedelta(days=shape.days + 1), "next_run_at": anchor + timedelta(hours=1)})
    conn.execute(insert(WatchedThread), rows)
    # Some threads are busy, most are quiet: Zipf-like weights.
    weights = [1 / (rank ** 0.8) for rank in range(1, shape.threads + 1)]
    order = list(range(1, shape.threads + 1))
    rng.shuffle(order)
    cumulative, total = [], 0.0
    for w in weights:
        total += w
        cumulative.append(total)
    return {"by_client": by_client, "forum_of": forum_of, "order": order, "cumulative": cumulative, "total": total}


def _posts(conn, rng: random.Random, shape: Shape, anchor: datetime, threads: dict[str, Any],
           people: dict[str, Any]) -> dict[str, Any]:
    """Posts in time order, their tags, the replies answering them, news, and cases."""
    start = anchor - timedelta(days=shape.days)
    span = shape.days * 86400
    offsets = sorted(rng.random() * span for _ in range(shape.posts))
    open_after = anchor - timedelta(days=OPEN_DAYS)
    per_thread: dict[int, int] = {}
    times_by_thread: dict[int, list[float]] = {}
    post_rows, tag_rows, reply_rows, case_rows, case_links = [], [], [], [], []
    reply_id = case_id = 0
    for post_id, offset in enumerate(offsets, start=1):
        rank = min(bisect_right(threads["cumulative"], rng.random() * threads["total"]), shape.threads - 1)
        thread = threads["order"][rank]
        client = (thread - 1) % shape.clients + 1
        sequence = per_thread[thread] = per_thread.get(thread, 0) + 1
        times_by_thread.setdefault(thread, []).append(offset)
        posted = start + timedelta(seconds=offset)
        own = rng.random() < 0.05
        tags = [] if own else [tag for tag, rate in TAG_RATES if rng.random() < rate]
        needs_answer = bool(ANSWER_TAGS.intersection(tags))
        if own:
            state = "answered"
        elif posted >= open_after:
            roll = rng.random()
            state = "new" if roll < 0.5 else "taken" if roll < 0.6 else "answered"
        else:
            state = "answered" if needs_answer or rng.random() < 0.3 else "no_answer_needed"
        body = _text(rng)
        post_rows.append({
            "id": post_id, "thread_id": thread, "client_id": client, "external_id": str(sequence),
            "url": f"https://forum{threads['forum_of'][thread]:02d}.example/post/{thread}-{sequence}",
            "page": (sequence - 1) // 10 + 1, "author": "official" if own else f"user{rng.randint(1, 5000)}",
            "posted_at": posted, "text": body, "html": f"<p>{body}</p>", "quotes": [],
            "content_hash": f"{rng.getrandbits(128):032x}", "is_own": own, "first_seen_at": posted + timedelta(minutes=3),
            "triage_state": state, "no_answer_reason": "", "edited_at": None, "deleted_at": None,
            "taken_by_id": people["reps_of"][client][0] if state == "taken" else None,
            "response_due_at": posted + timedelta(hours=2) if needs_answer else None,
        })
        tag_rows += [{"post_id": post_id, "tag": tag, "source": "auto", "created_by_id": None,
                      "created_at": posted + timedelta(minutes=3)} for tag in tags]
        if state == "answered" and needs_answer:
            reply_id += 1
            answered = posted + timedelta(minutes=rng.randint(10, 30 * 60))
            reply_rows.append(_reply(reply_id, client, thread, post_id, rng.choice(people["reps_of"][client]),
                                     "reply", answered))
        if "problem" in tags and rng.random() < 0.5:
            case_id += 1
            solved = posted < open_after and rng.random() < 0.8
            case_rows.append({"id": case_id, "client_id": client, "title": f"Problem in thread {thread}",
                              "state": "solved" if solved else "open", "opened_by_id": people["reps_of"][client][0],
                              "opened_at": posted + timedelta(hours=1),
                              "closed_at": posted + timedelta(days=2) if solved else None,
                              "resolution": "solved" if solved else "", "internal_note": ""})
            case_links.append({"case_id": case_id, "post_id": post_id})
        if len(post_rows) >= 50_000:
            _flush(conn, post_rows, tag_rows, reply_rows, case_rows, case_links)
    # News: three a week per client, on its busiest thread.
    for client in range(1, shape.clients + 1):
        thread = threads["by_client"][client][0]
        for week in range(shape.days // 7):
            for day in (0, 2, 4):
                reply_id += 1
                when = start + timedelta(days=week * 7 + day, hours=rng.randint(8, 18))
                reply_rows.append(_reply(reply_id, client, thread, None, people["reps_of"][client][0], "news", when))
    _flush(conn, post_rows, tag_rows, reply_rows, case_rows, case_links)
    # The newest N posts start at this offset: the small agency keeps posts from there on.
    cutoffs = {n: start + timedelta(seconds=offsets[-n]) for n in (shape.small_posts,)}
    return {"per_thread": per_thread, "times": times_by_thread, "start": start, "cutoffs": cutoffs}


def _reply(reply_id: int, client: int, thread: int, post_id: int | None, author: int, kind: str,
           posted: datetime) -> dict[str, Any]:
    """Return a posted reply (or news post) row."""
    return {"id": reply_id, "client_id": client, "thread_id": thread, "in_reply_to_id": post_id,
            "author_id": author, "kind": kind, "body": "Здравствуйте! Ответили в личных сообщениях.",
            "state": "posted", "findings": [], "needs_approval": False, "submitted_at": posted - timedelta(minutes=5),
            "approved_body": "", "rejection_comment": "", "claim_token": "", "attempts": 1,
            "post_method": "engine", "posted_at": posted, "external_post_id": "", "permalink": "",
            "published_text_differs": False, "last_error": "", "created_at": posted - timedelta(minutes=10),
            "updated_at": posted}


def _flush(conn, *batches: list[dict[str, Any]]) -> None:
    """Insert and empty the batches of posts, tags, replies, cases and case links."""
    for model, rows in zip((Post, PostTag, Reply, Case, case_posts), batches, strict=True):
        if rows:
            conn.execute(insert(model), rows)
            rows.clear()


def _snapshots(conn, rng: random.Random, shape: Shape, anchor: datetime, threads: dict[str, Any],
               posts: dict[str, Any]) -> None:
    """Each thread's views and post count, twice a day for the whole year."""
    start, step = posts["start"], 86400 / shape.snapshots_per_day
    rows = []
    for thread in range(1, shape.threads + 1):
        times = posts["times"].get(thread, [])
        views, rate = rng.randint(100, 5000), rng.uniform(1, 40)
        for n in range(int(shape.days * shape.snapshots_per_day)):
            offset = n * step
            views += max(0, int(rng.gauss(rate, rate / 3)))
            rows.append({"thread_id": thread, "taken_at": start + timedelta(seconds=offset), "views": views,
                         "post_count": bisect_right(times, offset)})
            if len(rows) >= 100_000:
                conn.execute(insert(ThreadSnapshot), rows)
                rows.clear()
    if rows:
        conn.execute(insert(ThreadSnapshot), rows)


def _links(conn, rng: random.Random, shape: Shape, anchor: datetime, threads: dict[str, Any],
           people: dict[str, Any]) -> None:
    """Three tracked links per client and a few clicks a day on them."""
    start = anchor - timedelta(days=shape.days)
    links, clicks, link_id = [], [], 0
    for client in range(1, shape.clients + 1):
        for n in range(3):
            link_id += 1
            thread = threads["by_client"][client][n % len(threads["by_client"][client])]
            links.append({"id": link_id, "code": f"c{client:03d}l{n}", "client_id": client,
                          "forum_id": threads["forum_of"][thread], "thread_id": thread, "reply_id": None,
                          "target_url": f"https://client{client:03d}.example/offer/{n}",
                          "created_by_id": people["reps_of"][client][0], "created_at": start})
            for day in range(shape.days):
                for visitor in range(rng.randint(0, 3)):
                    when = start + timedelta(days=day, hours=rng.randint(0, 23))
                    clicks.append({"link_id": link_id, "visitor_hash": f"{link_id}-{day}-{visitor}",
                                   "day": when.date(), "clicked_at": when})
    conn.execute(insert(TrackedLink), links)
    for begin in range(0, len(clicks), 100_000):
        conn.execute(insert(LinkClick), clicks[begin:begin + 100_000])


def _months(anchor: datetime, count: int) -> list[date]:
    """Return the first days of the `count` months up to and including the anchor's."""
    month = date(anchor.year, anchor.month, 1)
    months = [month]
    for _ in range(count - 1):
        month = (month - timedelta(days=1)).replace(day=1)
        months.append(month)
    return months[::-1]


def _targets(conn, shape: Shape, anchor: datetime) -> None:
    """Every client's monthly targets for the year, views the priority."""
    targets = {"views": 3000, "clicks_to_site": 100, "news_posted": 12, "questions": 20, "problems_total": 5,
               "problems_solved": 4, "positive_reviews": 5, "messages_in_thread": 150,
               "response_time_hours_median": 4}
    rows = [{"client_id": client, "month": month, "kpi": kpi, "target": Decimal(value), "is_priority": kpi == "views",
             "set_by_id": 2, "set_at": datetime.combine(month, datetime.min.time(), UTC)}
            for client in range(1, shape.clients + 1) for month in _months(anchor, shape.days // 30 + 2)
            for kpi, value in targets.items()]
    conn.execute(insert(KpiTarget), rows)


def _reports(large: Path, shape: Shape, anchor: datetime) -> None:
    """Freeze and publish the measured client's reports for the months before the anchor's."""
    from repapp.reports.generate import build_figures

    app = make_app(large, DATA_DIR / "instance")
    with app.app_context():
        client = db.session.get(Client, 1)
        for month in _months(anchor, shape.report_months + 1)[:-1]:
            end = (month + timedelta(days=32)).replace(day=1)
            generated = datetime.combine(end, datetime.min.time(), UTC) + timedelta(hours=3)
            figures = build_figures(db.session, client, month, now=generated)
            db.session.add(MonthlyReport(client_id=1, month=month, state="published", figures=figures,
                                         generated_at=generated, accepted_by_id=2, accepted_at=generated,
                                         published_by_id=2, published_at=generated))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def _small_copy(large: Path, small: Path, cutoff: datetime) -> int:
    """Copy the full agency, keeping only what belongs to posts from `cutoff` on; return the post count."""
    import sqlite3

    shutil.copyfile(large, small)
    stamp = cutoff.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    connection = sqlite3.connect(small)
    connection.execute("PRAGMA foreign_keys=OFF")
    statements = [
        "DELETE FROM post_tags WHERE post_id IN (SELECT id FROM posts WHERE posted_at < :cut)",
        "DELETE FROM case_posts WHERE post_id IN (SELECT id FROM posts WHERE posted_at < :cut)",
        "DELETE FROM cases WHERE id NOT IN (SELECT case_id FROM case_posts)",
        "DELETE FROM replies WHERE posted_at < :cut",
        "DELETE FROM posts WHERE posted_at < :cut",
        "DELETE FROM replies WHERE in_reply_to_id IS NOT NULL AND in_reply_to_id NOT IN (SELECT id FROM posts)",
        "DELETE FROM thread_snapshots WHERE taken_at < :cut",
        "DELETE FROM link_clicks WHERE clicked_at < :cut",
        "DELETE FROM monthly_reports",
    ]
    for statement in statements:
        connection.execute(statement, {"cut": stamp})
    connection.commit()
    connection.execute("VACUUM")
    count = connection.execute("SELECT count(*) FROM posts").fetchone()[0]
    connection.close()
    return count
