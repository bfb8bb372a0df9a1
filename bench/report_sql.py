"""A client's monthly figures in bare SQL (sqlite3, no ORM): what the report's time is held against.

The same groupings the report needs (per thread, tag, representative and local day), the same
counter readings, response rows, posting days, cases and notable posts, each in one plain SQL
statement, then summed. Local days are whole days counted from the month's UTC start, which is exact
for the zones without daylight saving the synthetic agency uses (Europe/Moscow). The counters'
interpolation is the report's own pure function, so only the database work differs.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import UTC, date, datetime
from statistics import median
from typing import Any

from repapp.kpi.counters import Reading, month_growth

DAY = "CAST(julianday({column}) - julianday(:start) AS INTEGER)"

THREADS = """
SELECT t.id, t.forum_id, coalesce(t.title, t.url), f.key, f.name
FROM watched_threads t JOIN forums f ON f.id = t.forum_id WHERE t.client_id = :client"""

TAGGED = f"""
SELECT p.thread_id, pt.tag, {DAY.format(column="p.posted_at")} AS day, count(*)
FROM posts p JOIN post_tags pt ON pt.post_id = p.id
WHERE p.client_id = :client AND p.posted_at >= :start AND p.posted_at < :end AND p.is_own = 0
  AND p.deleted_at IS NULL AND pt.tag IN ('question', 'positive', 'recommendation')
GROUP BY p.thread_id, pt.tag, day"""

NEWS = f"""
SELECT thread_id, author_id, {DAY.format(column="posted_at")} AS day, count(*)
FROM replies WHERE client_id = :client AND posted_at >= :start AND posted_at < :end
  AND kind = 'news' AND state = 'posted'
GROUP BY thread_id, author_id, day"""

CASES = f"""
SELECT c.opened_by_id,
       (SELECT p.thread_id FROM case_posts cp JOIN posts p ON p.id = cp.post_id WHERE cp.case_id = c.id
        ORDER BY p.posted_at, p.id LIMIT 1) AS thread_id,
       {DAY.format(column="c.opened_at")} AS opened_day,
       c.state = 'solved' AND (c.closed_at IS NULL OR c.closed_at < :end) AS solved,
       {DAY.format(column="coalesce(c.closed_at, c.opened_at)")} AS closed_day, count(*)
FROM cases c WHERE c.client_id = :client AND c.opened_at >= :start AND c.opened_at < :end
GROUP BY 1, 2, 3, 4, 5"""

CLICKS = """
SELECT l.forum_id, l.thread_id, l.created_by_id, k.day, count(*)
FROM link_clicks k JOIN tracked_links l ON l.id = k.link_id
WHERE l.client_id = :client AND k.day >= :first_day AND k.day < :next_month
GROUP BY l.forum_id, l.thread_id, l.created_by_id, k.day"""

MANUAL = """
SELECT kpi, forum_id, value FROM manual_kpi_entries WHERE id IN (
  SELECT max(id) FROM manual_kpi_entries WHERE client_id = :client AND month = :first_day GROUP BY kpi, forum_id)"""

SNAPSHOT_DAYS = f"""
SELECT s.thread_id, {DAY.format(column="s.taken_at")} AS day, max(s.views), max(s.post_count)
FROM thread_snapshots s JOIN watched_threads t ON t.id = s.thread_id
WHERE t.client_id = :client AND s.taken_at >= :start AND s.taken_at < :end
GROUP BY s.thread_id, day"""

_EDGE = ("(SELECT {what} FROM thread_snapshots s WHERE s.thread_id = t.id AND {where} "
         "ORDER BY s.taken_at {order}, s.id {order} LIMIT 1)")
SNAPSHOT_EDGES = "SELECT t.id, " + ", ".join(
    _EDGE.format(what=what, where=where, order=order)
    for where, order in (("s.taken_at < :start", "DESC"), ("s.taken_at >= :start AND s.taken_at < :end", "ASC"),
                         ("s.taken_at >= :start AND s.taken_at < :end", "DESC"), ("s.taken_at >= :end", "ASC"))
    for what in ("s.taken_at", "s.views", "s.post_count")
) + " FROM watched_threads t WHERE t.client_id = :client"

RESPONSES = """
SELECT * FROM (
  SELECT p.thread_id, p.posted_at,
         (SELECT min(r.posted_at) FROM replies r WHERE r.in_reply_to_id = p.id AND r.state = 'posted') AS answered_at,
         (SELECT r.author_id FROM replies r WHERE r.in_reply_to_id = p.id AND r.state = 'posted'
          ORDER BY r.posted_at, r.id LIMIT 1) AS author_id,
         p.response_due_at IS NOT NULL AND p.triage_state != 'no_answer_needed' AND p.deleted_at IS NULL AS waits
  FROM posts p WHERE p.client_id = :client AND p.is_own = 0 AND p.posted_at >= :start AND p.posted_at < :end)
WHERE answered_at IS NOT NULL OR waits"""

OWN_POSTS = f"""
SELECT forum_id, day, count(*), min(gap) FROM (
  SELECT t.forum_id, {DAY.format(column="p.posted_at")} AS day,
         (julianday(p.posted_at) - julianday(lag(p.posted_at) OVER (PARTITION BY t.forum_id ORDER BY p.posted_at)))
           * 86400.0 AS gap
  FROM posts p JOIN watched_threads t ON t.id = p.thread_id
  WHERE p.client_id = :client AND p.is_own = 1 AND p.posted_at >= :week_start AND p.posted_at < :week_end)
GROUP BY forum_id, day"""

CASE_LIST = """
SELECT c.id, c.title, c.state, c.opened_at, c.closed_at, c.resolution,
       (SELECT p.url FROM case_posts cp JOIN posts p ON p.id = cp.post_id WHERE cp.case_id = c.id
        ORDER BY p.posted_at, p.id LIMIT 1)
FROM cases c WHERE c.client_id = :client AND c.opened_at >= :start AND c.opened_at < :end
ORDER BY c.opened_at, c.id LIMIT 200"""

NOTABLE = """
SELECT p.id, p.thread_id, p.author, p.posted_at, p.url, substr(p.text, 1, 400),
       (SELECT group_concat(tag) FROM post_tags WHERE post_id = p.id)
FROM posts p
WHERE p.client_id = :client AND p.posted_at >= :start AND p.posted_at < :end AND p.is_own = 0
  AND p.deleted_at IS NULL AND EXISTS (SELECT 1 FROM post_tags pt WHERE pt.post_id = p.id
  AND pt.tag IN ('positive', 'recommendation', 'negative', 'problem'))
ORDER BY p.posted_at, p.id LIMIT 30"""

TARGETS = "SELECT kpi, target, is_priority FROM kpi_targets WHERE client_id = :client AND month = :first_day"


def _stamp(moment: datetime) -> str:
    """Return a UTC moment as SQLite holds it (the text SQLAlchemy writes)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _moment(text: str | None) -> datetime | None:
    """Return a stored timestamp as an aware UTC datetime."""
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=UTC)


def month_figures(connection: sqlite3.Connection, client_id: int, period: Any, *, week_start: datetime,
                  week_end: datetime) -> dict[str, Any]:
    """Compute the client's month in bare SQL; return its totals and the lists the report shows."""
    days = len(period.days)
    params = {"client": client_id, "start": _stamp(period.start), "end": _stamp(period.end),
              "first_day": period.month.isoformat(), "next_month": _next_month(period.month).isoformat(),
              "week_start": _stamp(week_start), "week_end": _stamp(week_end)}
    run = connection.execute
    totals: dict[str, float] = defaultdict(float)
    threads = run(THREADS, params).fetchall()
    for _thread, tag, _day, count in run(TAGGED, params):
        totals[{"question": "questions", "positive": "positive_reviews", "recommendation": "recommendations"}[tag]] += count
    for *_keys, count in run(NEWS, params):
        totals["news_posted"] += count
    for _rep, _thread, _opened, solved, _closed, count in run(CASES, params):
        totals["problems_total"] += count
        totals["problems_solved"] += count if solved else 0
    for *_keys, count in run(CLICKS, params):
        totals["clicks_to_site"] += count
    for kpi, _forum, value in run(MANUAL, params):
        totals[kpi] += float(value)
    daily: dict[int, list[list[int | None]]] = {t[0]: [[None] * days, [None] * days] for t in threads}
    for thread, day, views, post_count in run(SNAPSHOT_DAYS, params):
        daily[thread][0][min(max(day, 0), days - 1)] = views
        daily[thread][1][min(max(day, 0), days - 1)] = post_count
    for thread, *edges in run(SNAPSHOT_EDGES, params):
        for index, key in enumerate(("views", "messages_in_thread")):
            readings = [Reading(_moment(edges[3 * n]), edges[3 * n + 1 + index]) if edges[3 * n] else None
                        for n in range(4)]
            growth = month_growth(start=period.start, end=period.end, before=readings[0], first=readings[1],
                                  last=readings[2], after=readings[3], daily_max=daily[thread][index])
            totals[key] += growth.total or 0
    responses = run(RESPONSES, params).fetchall()
    hours = [(_moment(r[2]) - _moment(r[1])).total_seconds() / 3600 for r in responses if r[2] is not None]
    totals["answered"] = len(hours)
    totals["response_hours_plain_median"] = median(hours) if hours else 0
    own_days = run(OWN_POSTS, params).fetchall()
    cases = run(CASE_LIST, params).fetchall()
    notable = run(NOTABLE, params).fetchall()
    targets = run(TARGETS, params).fetchall()
    return {"totals": dict(totals), "rows": {"threads": len(threads), "responses": len(responses),
                                             "own_post_days": len(own_days), "cases": len(cases),
                                             "notable_posts": len(notable), "targets": len(targets)}}


def _next_month(month: date) -> date:
    """Return the first day of the month after `month`."""
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)
