"""Section 5: growth with data, on the synthetic agency (bench/dataset.py).

- The monthly report: `build_figures` (what generating a report computes) for the measured
  client's last full month, against bare SQL computing the same figures (bench/report_sql.py),
  interleaved on the 1M-post database; the two must agree on the figures they both count.
- The inbox, the busiest thread's page and the client's targets view, each served by the app
  (a logged-in user, through the whole WSGI stack) at 1M posts and at 10k posts, interleaved.
  The targets view shows the anchor's month, the one the data ends in.

The 10k agency is the newest 10k posts: the last few days. The targets view computes the month
to date, which at 1M posts also holds the month's earlier days, so its cost would grow with
the month's size, not with history. The comparison held to the target is therefore made with
the same present on both sides: the large copy drops the anchor month's rows older than the
small agency's first post (history before the month is all kept). The targets view against
the untouched 1M database is reported too, without a target.

Both databases are scratch copies of the cached ones: logging in and opening the inbox write.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from repapp.extensions import db
from repapp.kpi.periods import MonthPeriod, local_day_starts
from repapp.models import Client
from repapp.reports.generate import build_figures

from .appdb import make_app
from .browser import logged_in
from .common import DATA_DIR, Figure, at_most, interleaved, median
from .dataset import PASSWORD, QUICK, Agency, Shape, agencies
from .report_sql import month_figures

SECTION = "5 growth"
REPORT_TARGET = 2.0
VIEW_TARGET = 1.5
# Figures both sides count; the rest of the report (business-hours medians, forecasts) is arithmetic.
COMPARED = ("questions", "positive_reviews", "recommendations", "news_posted", "problems_total",
            "problems_solved", "clicks_to_site", "views", "messages_in_thread")


def prepare(quick: bool, scratch: Path, log=print) -> tuple[Agency, Agency, Path, Path]:
    """Return the agencies (generated if needed) and scratch copies of their databases."""
    from .browser import scratch_copy

    large, small = agencies(QUICK if quick else Shape(), log=log)
    log(f"  copying the {large.posts:,}-post database to a scratch folder …")
    return large, small, scratch_copy(large.path, scratch / "large"), scratch_copy(small.path, scratch / "small")


def same_present(large_db: Path, small_db: Path, into: Path) -> tuple[Path, int]:
    """Copy the large database without the anchor month's rows older than the small one's first post.

    Post ids follow posting time, so the dropped posts are one id range. Returns the copy and
    how many posts it keeps.
    """
    import shutil

    target = into / "same-present.sqlite3"
    shutil.copyfile(large_db, target)
    with sqlite3.connect(small_db) as small:
        first_id, first_at = small.execute("SELECT id, posted_at FROM posts ORDER BY id LIMIT 1").fetchone()
        zone = small.execute("SELECT timezone FROM clients ORDER BY id LIMIT 1").fetchone()[0]
    month = MonthPeriod.of(datetime.fromisoformat(first_at).date().replace(day=1), zone)
    start = month.start.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    connection = sqlite3.connect(target)
    connection.execute("PRAGMA foreign_keys=OFF")
    (from_id,) = connection.execute("SELECT coalesce(min(id), :to) FROM posts WHERE posted_at >= :start",
                                    {"start": start, "to": first_id}).fetchone()
    window = {"from": from_id, "to": first_id, "start": start, "cut": first_at}
    for statement in (
        "DELETE FROM post_tags WHERE post_id >= :from AND post_id < :to",
        "DELETE FROM case_posts WHERE post_id >= :from AND post_id < :to",
        "DELETE FROM cases WHERE id NOT IN (SELECT case_id FROM case_posts)",
        "DELETE FROM replies WHERE (in_reply_to_id >= :from AND in_reply_to_id < :to)"
        " OR (posted_at >= :start AND posted_at < :cut)",
        "DELETE FROM posts WHERE id >= :from AND id < :to",
        "DELETE FROM thread_snapshots WHERE taken_at >= :start AND taken_at < :cut",
        "DELETE FROM link_clicks WHERE clicked_at >= :start AND clicked_at < :cut",
    ):
        connection.execute(statement, window)
    connection.commit()
    (posts,) = connection.execute("SELECT count(*) FROM posts").fetchone()
    connection.close()
    return target, posts


def run(quick: bool, large: Agency, small: Agency, large_db: Path, small_db: Path) -> list[Figure]:
    """Measure the report against bare SQL, and the three pages at 1M against 10k posts."""
    return _report(quick, large, large_db) + _pages(quick, large, small, large_db, small_db)


def _previous_month(moment) -> date:
    """Return the first day of the month before the one `moment` falls in."""
    return (date(moment.year, moment.month, 1) - timedelta(days=1)).replace(day=1)


def _report(quick: bool, agency: Agency, database: Path) -> list[Figure]:
    """Time build_figures and the bare SQL for the client's last full month, interleaved."""
    rounds = 3 if quick else 9
    app = make_app(database, DATA_DIR / "instance")
    month = _previous_month(agency.anchor)
    with app.app_context():
        client = db.session.query(Client).filter_by(slug=agency.client_slug).one()
        period = MonthPeriod.of(month, client.timezone)
        generated = period.end + timedelta(hours=3)
        first_day = period.month - timedelta(days=period.month.weekday() + 1)
        last_day = period.days[-1] + timedelta(days=6 - period.days[-1].weekday())
        week_starts = local_day_starts(first_day, (last_day - first_day).days + 1, client.timezone)
        connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        results = {}

        def report():
            results["report"] = build_figures(db.session, client, month, now=generated)
            db.session.expire_all()  # every round reads the database again

        def bare():
            results["bare"] = month_figures(connection, client.id, period, week_start=week_starts[0],
                                            week_end=week_starts[-1])

        times = interleaved({"report": report, "bare": bare}, rounds)
        sql_seconds = _sql_time(report)
        connection.close()
        db.session.remove()
        db.engine.dispose()
    kpis, totals = results["report"]["kpis"], results["bare"]["totals"]
    differing = [k for k in COMPARED if float(kpis[k]["actual"] or 0) != float(totals.get(k, 0))]
    answered_ok = results["report"]["response"]["answered"] == totals["answered"]
    agree = (f"{len(COMPARED) + 1 - len(differing) - (not answered_ok)}/{len(COMPARED) + 1} figures agree"
             + (f" (differ: {', '.join(differing + ([] if answered_ok else ['answered']))})"
                if differing or not answered_ok else ""))
    ours, theirs = median(times["report"]), median(times["bare"])
    ratio = ours / theirs
    detail = {"month": month.isoformat(), "rounds": rounds, "report_ms": ours * 1e3, "bare_sql_ms": theirs * 1e3,
              "posts_in_month": kpis.get("messages_in_thread", {}).get("actual"), "differing": differing,
              "bare_rows": results["bare"]["rows"], "report_sql_ms": sql_seconds * 1e3}
    return [
        Figure(SECTION, f"monthly report ({month:%Y-%m}) at {agency.posts:,} posts", ours * 1e3, "ms",
               note=f"build_figures: every KPI, daily series, breakdowns, cases, notable posts; "
                    f"{sql_seconds * 1e3:.1f} ms of it in SQLite", detail=detail),
        Figure(SECTION, "bare SQL, same figures", theirs * 1e3, "ms", note=agree),
        Figure(SECTION, "monthly report / bare SQL", ratio, "x", f"<= {REPORT_TARGET}x",
               at_most(REPORT_TARGET)(ratio) and not differing, agree, detail),
    ]


def _sql_time(call) -> float:
    """Run `call` once more under a profiler; return the seconds spent inside SQLite's cursor methods."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(call)
    stats = pstats.Stats(profiler).stats  # C methods' own time is not inflated by the profiler
    return sum(entry[2] for (_file, _line, name), entry in stats.items()
               if "sqlite3.Cursor" in name and any(m in name for m in ("execute", "fetch")))


def _pages(quick: bool, large: Agency, small: Agency, large_db: Path, small_db: Path) -> list[Figure]:
    """Time the inbox, thread page and targets view on both databases, interleaved."""
    rounds = 3 if quick else 15
    present_db, present_posts = same_present(large_db, small_db, large_db.parent)
    month = f"{large.anchor:%Y-%m}"
    # The inbox and thread page are the representative's; the targets view is the PR specialist's.
    paths = {"inbox": ("rep", "/inbox"), "thread page": ("rep", f"/threads/{large.thread_id}"),
             "targets view": ("pr", f"/kpi/clients/{large.client_slug}?month={month}")}
    clients = {}
    for label, database in (("present", present_db), ("small", small_db), ("large", large_db)):
        app = make_app(database, DATA_DIR / "instance")
        clients[label] = {"rep": logged_in(app, large.rep_email, PASSWORD),
                          "pr": logged_in(app, large.pr_email, PASSWORD)}

    def fetch(label: str, who_path: tuple[str, str]):
        who, path = who_path

        def one():
            answer = clients[label][who].get(path)
            if answer.status_code != 200:
                raise RuntimeError(f"{path} answered {answer.status_code} on the {label} agency")
        return one

    candidates = {f"{name}@{label}": fetch(label, path) for name, path in paths.items()
                  for label in ("present", "small")}
    candidates["targets view@large"] = fetch("large", paths["targets view"])
    for warm in candidates.values():  # first requests compile templates and fill caches
        warm()
    times = interleaved(candidates, rounds)
    figures = []
    for name in paths:
        big, little = median(times[f"{name}@present"]), median(times[f"{name}@small"])
        ratio = big / little
        figures.append(Figure(
            SECTION, f"{name}: {present_posts:,} posts / {small.posts:,} posts", ratio, "x", f"<= {VIEW_TARGET}x",
            at_most(VIEW_TARGET)(ratio), f"{big * 1e3:.1f} ms vs {little * 1e3:.1f} ms ({paths[name][1]})",
            {"path": paths[name][1], "large_ms": big * 1e3, "small_ms": little * 1e3, "rounds": rounds,
             "large_posts": present_posts}))
    whole, little = median(times["targets view@large"]), median(times["targets view@small"])
    figures.append(Figure(
        SECTION, f"targets view: {large.posts:,} posts (whole month to date) / {small.posts:,} posts",
        whole / little, "x", note=f"{whole * 1e3:.1f} ms vs {little * 1e3:.1f} ms: the large side's month holds "
                                  "more days of posts, snapshots and replies (more present, not more history)",
        detail={"large_ms": whole * 1e3, "small_ms": little * 1e3, "rounds": rounds}))
    return figures
