"""Freezing a client's month into a MonthlyReport, so later scrapes and edits do not change it."""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from ..audit import record_event
from ..models import Case, Client, MonthlyReport, Post, PostTag, ReportState, User, case_posts, utcnow
from ..kpi.definitions import KPI_ORDER, METRICS
from ..kpi.engine import MonthFigures, Target, compute_month, settings_for, targets_for
from ..kpi.periods import MonthPeriod, local_month, month_text, previous_month
from ..kpi.settings import KpiSettings

log = logging.getLogger(__name__)

FIGURES_VERSION = 1
NOTABLE_TAGS = ("positive", "recommendation", "negative", "problem")
MAX_NOTABLE_POSTS = 30
MAX_CASES = 200
EXCERPT_CHARS = 400
GRACE = timedelta(hours=2)  # let the last scrapes of the month land before freezing it


class ReportError(ValueError):
    """A report cannot do what was asked in its state; the message says why."""

    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message


def generate_report(dbs: Session, client: Client, month: date, *, actor: User | None = None,
                    now: datetime | None = None, settings: KpiSettings | None = None) -> MonthlyReport:
    """Compute and freeze the client's month into a draft report (a draft is regenerated, never a later state)."""
    month = month.replace(day=1)
    report = dbs.scalar(select(MonthlyReport).where(MonthlyReport.client_id == client.id, MonthlyReport.month == month))
    if report is not None and report.state != ReportState.DRAFT:
        raise ReportError(_l("The report is accepted or published; it stays as it is."))
    now = now or utcnow()
    data = build_figures(dbs, client, month, now=now, settings=settings)
    if report is None:
        report = MonthlyReport(client_id=client.id, month=month, state=ReportState.DRAFT)
        dbs.add(report)
    report.figures = data
    report.generated_at = now
    dbs.flush()
    record_event(dbs, "report.generate", "monthly_report", report.id, actor=actor, client_id=client.id,
                 month=month_text(month))
    return report


def build_figures(dbs: Session, client: Client, month: date, *, now: datetime,
                  settings: KpiSettings | None = None) -> dict[str, Any]:
    """Return the month's figures and the lists a report shows, as JSON-ready data."""
    settings = settings or settings_for(dbs, client, month)
    figures = compute_month(dbs, client, month, settings, now=now)
    targets = targets_for(dbs, client.id, month)
    period = figures.period
    return {
        "version": FIGURES_VERSION,
        "client": {"slug": client.slug, "name": client.name, "display_name": client.display_name,
                   "timezone": client.timezone},
        "month": month_text(month),
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat(),
                   "days": [d.isoformat() for d in period.days]},
        "as_of": figures.as_of.isoformat(),
        "generated_at": now.isoformat(),
        "kpis": _kpis(figures, targets),
        "daily": {key: [_round(v) for v in series] for key, series in figures.daily.items()},
        "response": {**asdict(figures.response), "median_hours": _round(figures.response.median_hours),
                     "p90_hours": _round(figures.response.p90_hours),
                     "within_norm_share": _round(figures.response.within_norm_share, 4)},
        "posting": {
            "limits_defined": figures.posting.limits_defined, "forum_days": figures.posting.forum_days,
            "forum_days_within": figures.posting.forum_days_within, "share": _round(figures.posting.share, 4),
            "violations": [{"forum": figures.forums[v.forum_id].name if v.forum_id in figures.forums else "",
                            "day": v.day.isoformat(), "rule": v.rule, "actual": v.actual, "limit": v.limit}
                           for v in figures.posting.violations],
            "limits": {key: asdict(limits) for key, limits in settings.posting_limits.items()},
        },
        "forums": [
            {"id": fid, "key": forum.key, "name": forum.name, "values": _values(figures.by_forum.get(fid, {}))}
            for fid, forum in sorted(figures.forums.items(), key=lambda item: item[1].name)
        ],
        "threads": [
            {"id": tid, "forum_id": thread.forum_id, "forum": figures.forums[thread.forum_id].name,
             "title": thread.title, "url": thread.url, "values": _values(figures.by_thread.get(tid, {}))}
            for tid, thread in sorted(figures.threads.items(), key=lambda item: (item[1].forum_id, item[1].title))
        ],
        "reps": [
            {"id": rid, "name": rep.name, "values": _values(figures.by_rep.get(rid, {}))}
            for rid, rep in sorted(figures.reps.items(), key=lambda item: item[1].name)
        ],
        "cases": _cases(dbs, client.id, period),
        "notable_posts": _notable_posts(dbs, client.id, period, figures),
    }


def _round(value: Any, digits: int = 2) -> Any:
    """Round floats for storage; leave ints and None alone."""
    return round(value, digits) if isinstance(value, float) else value


def _values(values: dict[str, Any]) -> dict[str, Any]:
    """Return a breakdown's figures rounded, keyed by metric."""
    return {key: _round(value, 4 if key.endswith("share") else 2) for key, value in values.items()}


def _kpis(figures: MonthFigures, targets: dict[Any, Target]) -> dict[str, dict[str, Any]]:
    """Return every figure with its target and priority."""
    out: dict[str, dict[str, Any]] = {}
    for key in [k.value for k in KPI_ORDER] + [k for k in METRICS if k not in {x.value for x in KPI_ORDER}]:
        target = next((t for k, t in targets.items() if k.value == key), None)
        value = figures.totals.get(key)
        out[key] = {"actual": _round(value, 4 if key.endswith("share") else 2),
                    "target": target.value if target else None, "priority": bool(target and target.priority)}
    return out


def _cases(dbs: Session, client_id: int, period: MonthPeriod) -> list[dict[str, Any]]:
    """Return the month's cases and how they ended (never their internal notes)."""
    first_url = (select(Post.url).join(case_posts, case_posts.c.post_id == Post.id)
                 .where(case_posts.c.case_id == Case.id).order_by(Post.posted_at, Post.id).limit(1).scalar_subquery())
    rows = dbs.execute(
        select(Case.id, Case.title, Case.state, Case.opened_at, Case.closed_at, Case.resolution, first_url)
        .where(Case.client_id == client_id, Case.opened_at >= period.start, Case.opened_at < period.end)
        .order_by(Case.opened_at, Case.id).limit(MAX_CASES)
    ).all()
    return [{"id": r[0], "title": r[1], "state": str(r[2]), "opened_at": r[3].isoformat(),
             "closed_at": r[4].isoformat() if r[4] else None, "resolution": r[5] or "", "url": r[6] or ""}
            for r in rows]


def _notable_posts(dbs: Session, client_id: int, period: MonthPeriod, figures: MonthFigures) -> list[dict[str, Any]]:
    """Return forum users' posts of the month tagged positive, recommendation, negative or problem."""
    tagged = select(PostTag.post_id).where(PostTag.post_id == Post.id, PostTag.tag.in_(NOTABLE_TAGS)).exists()
    rows = dbs.execute(
        select(Post.id, Post.thread_id, Post.author, Post.posted_at, Post.url, Post.text)
        .where(and_(Post.client_id == client_id, Post.posted_at >= period.start, Post.posted_at < period.end,
                    Post.is_own.is_(False), Post.deleted_at.is_(None), tagged))
        .order_by(Post.posted_at, Post.id).limit(MAX_NOTABLE_POSTS)
    ).all()
    tags: dict[int, list[str]] = {}
    if rows:
        for post_id, tag in dbs.execute(select(PostTag.post_id, PostTag.tag).where(
                PostTag.post_id.in_([r[0] for r in rows]), PostTag.tag.in_(NOTABLE_TAGS)).order_by(PostTag.tag)):
            tags.setdefault(post_id, []).append(tag)
    return [{"author": r[2], "posted_at": r[3].isoformat(), "url": r[4],
             "thread": figures.threads[r[1]].title if r[1] in figures.threads else "",
             "excerpt": _excerpt(r[5]), "tags": tags.get(r[0], [])} for r in rows]


def _excerpt(text: str) -> str:
    """Return the start of a post's text, cut at a word."""
    text = " ".join((text or "").split())
    if len(text) <= EXCERPT_CHARS:
        return text
    return text[:EXCERPT_CHARS].rsplit(" ", 1)[0] + "…"


def due_month(client: Client, now: datetime) -> date | None:
    """Return the month whose report is due for the client at `now` (the previous one, after a grace period)."""
    month = previous_month(local_month(now, client.timezone))
    period = MonthPeriod.of(month, client.timezone)
    if now < period.end + GRACE or client.created_at >= period.end:
        return None
    return month


def generate_due_reports(dbs: Session, now: datetime | None = None) -> list[MonthlyReport]:
    """Generate last month's report for every active client that has none yet (commits per client)."""
    now = now or utcnow()
    made = []
    for client in dbs.scalars(select(Client).where(Client.is_active.is_(True)).order_by(Client.id)).all():
        month = due_month(client, now)
        if month is None:
            continue
        existing = dbs.scalar(select(MonthlyReport).where(MonthlyReport.client_id == client.id,
                                                          MonthlyReport.month == month))
        # A draft made on demand before the month was over is completed; anything else stays.
        if existing is not None and (existing.state != ReportState.DRAFT
                                     or existing.generated_at >= MonthPeriod.of(month, client.timezone).end):
            continue
        try:
            made.append(generate_report(dbs, client, month, now=now))
            dbs.commit()
            log.info("monthly report of %s for %s generated", client.slug, month_text(month))
        except Exception:
            dbs.rollback()
            log.error("monthly report of %s for %s failed", client.slug, month_text(month), exc_info=True)
    return made
