"""A client's KPI figures for one month, aggregated in SQL and returned as plain dataclasses.

Every query is bounded by the client and the month and grouped in the database (by thread, local
day, representative), so the work grows with one month of one client, not with the history.
The arithmetic on the aggregates (growth between snapshots, percentiles, business hours) lives in
the pure modules beside this one. `definitions.METRICS` says in words what each figure means.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from ..models import (
    Case,
    CaseState,
    Client,
    Forum,
    KpiKey,
    KpiTarget,
    LinkClick,
    ManualKpiEntry,
    Post,
    PostTag,
    Reply,
    ReplyKind,
    ReplyState,
    ThreadSnapshot,
    TrackedLink,
    TriageState,
    User,
    WatchedThread,
    case_posts,
    utcnow,
)
from .business_hours import add_business_seconds, business_seconds
from .counters import Growth, Reading, month_growth
from .definitions import METRICS
from .periods import MonthPeriod, local_day_starts
from .settings import KpiSettings, PostingLimits, default_settings, settings_from_playbook
from .sqlfuncs import day_bucket, epoch_seconds
from .stats import median, percentile

log = logging.getLogger(__name__)

Number = int | float
TAG_METRICS = {
    "question": KpiKey.QUESTIONS.value,
    "positive": KpiKey.POSITIVE_REVIEWS.value,
    "recommendation": KpiKey.RECOMMENDATIONS.value,
}
COUNTERS = {KpiKey.VIEWS.value: ThreadSnapshot.views, KpiKey.MESSAGES_IN_THREAD.value: ThreadSnapshot.post_count}
RT, RT90, RTSHARE = KpiKey.RESPONSE_TIME_HOURS_MEDIAN.value, "response_time_p90_hours", "response_within_norm_share"
POSTING_SHARE = "posting_compliance_share"


@dataclass(frozen=True)
class ForumInfo:
    id: int
    key: str
    name: str


@dataclass(frozen=True)
class ThreadInfo:
    id: int
    forum_id: int
    title: str
    url: str


@dataclass(frozen=True)
class RepInfo:
    id: int
    name: str


@dataclass(frozen=True)
class Target:
    """A month's target for one KPI."""

    value: Number
    priority: bool


@dataclass(frozen=True)
class ResponseStats:
    """Response times of the posts written in the month that needed an answer."""

    answered: int
    within_norm: int
    missed: int  # unanswered and past the norm
    pending: int  # unanswered, time not yet up
    median_hours: float | None
    p90_hours: float | None
    within_norm_share: float | None
    norm: dict[str, Any]


@dataclass(frozen=True)
class PostingViolation:
    """A forum day on which the account broke a posting limit."""

    forum_id: int
    day: date
    rule: str  # "per_day", "per_week" or "min_gap"
    actual: float  # posts that day / that week, or the shortest gap in minutes
    limit: int


@dataclass(frozen=True)
class PostingStats:
    """How the official account kept to the posting limits, per forum day."""

    limits_defined: bool
    forum_days: int
    forum_days_within: int
    share: float | None
    violations: tuple[PostingViolation, ...]


@dataclass
class MonthFigures:
    """Every figure of one client's month, in total, per day and per forum, thread and representative."""

    client_id: int
    period: MonthPeriod
    as_of: datetime
    totals: dict[str, Number | None]
    daily: dict[str, list[Number | None]]  # cumulative at each day's end; None for days not yet begun
    by_forum: dict[int | None, dict[str, Number | None]]
    by_thread: dict[int | None, dict[str, Number | None]]
    by_rep: dict[int | None, dict[str, Number | None]]
    response: ResponseStats
    posting: PostingStats
    forums: dict[int, ForumInfo]
    threads: dict[int, ThreadInfo]
    reps: dict[int, RepInfo]


@dataclass
class _Tally:
    """Counts collected from the queries before they become MonthFigures."""

    days: int
    increments: dict[str, list[Number]] = field(default_factory=dict)
    by_forum: dict[int | None, dict[str, Number]] = field(default_factory=lambda: defaultdict(dict))
    by_thread: dict[int | None, dict[str, Number]] = field(default_factory=lambda: defaultdict(dict))
    by_rep: dict[int | None, dict[str, Number]] = field(default_factory=lambda: defaultdict(dict))

    def add(self, key: str, day: int, amount: Number, *, forum: int | None = None, thread: int | None = None,
            rep: int | None = None, scopes: Iterable[str] = ("forum", "thread")) -> None:
        """Count `amount` of a figure on a day, in the given breakdowns."""
        series = self.increments.setdefault(key, [0] * self.days)
        series[min(max(day, 0), self.days - 1)] += amount
        for scope, ident in (("forum", forum), ("thread", thread), ("rep", rep)):
            if scope in scopes:
                bucket = getattr(self, f"by_{scope}")[ident]
                bucket[key] = bucket.get(key, 0) + amount


def settings_for(dbs: Session, client: Client, month: date) -> KpiSettings:
    """Return the response norm and posting limits of the playbook in force at the month's end."""
    from zoneinfo import ZoneInfo

    from ..playbooks.versions import version_in_force

    zone = ZoneInfo(client.timezone)
    next_month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    month_end = datetime.combine(next_month, time.min, zone) - timedelta(seconds=1)
    version = version_in_force(dbs, client.id, month_end)
    return settings_from_playbook(version.content) if version is not None else default_settings(client.timezone)


def targets_for(dbs: Session, client_id: int, month: date) -> dict[KpiKey, Target]:
    """Return the month's targets by KPI."""
    rows = dbs.execute(
        select(KpiTarget.kpi, KpiTarget.target, KpiTarget.is_priority)
        .where(KpiTarget.client_id == client_id, KpiTarget.month == month)
    ).all()
    return {KpiKey(kpi): Target(_plain(value), bool(priority)) for kpi, value, priority in rows}


def compute_month(dbs: Session, client: Client, month: date, settings: KpiSettings | None = None, *,
                  now: datetime | None = None) -> MonthFigures:
    """Compute every figure of the client's month as it stands at `now` (default: the present)."""
    period = MonthPeriod.of(month, client.timezone)
    as_of = min(now or utcnow(), period.end)
    settings = settings or settings_for(dbs, client, month)
    threads, forums = _threads_and_forums(dbs, client.id)
    tally = _Tally(days=len(period.days))
    _count_tagged_posts(dbs, client.id, period, threads, tally)
    _count_news(dbs, client.id, period, threads, tally)
    _count_cases(dbs, client.id, period, threads, tally)
    _count_clicks(dbs, client.id, period, tally)
    has_manual = _add_manual_figures(dbs, client.id, period, tally)
    growth = _counters_growth(dbs, threads, period, COUNTERS)
    response_rows = _response_rows(dbs, client.id, period)
    response, response_scopes, response_daily = _response_stats(response_rows, period, as_of, settings, threads)
    posting = _posting_compliance(dbs, client.id, period, as_of, settings, forums)
    figures = _assemble(client.id, period, as_of, tally, growth, threads, forums, has_manual)
    figures.response, figures.posting = response, posting
    for scope, groups in response_scopes.items():
        target = getattr(figures, f"by_{scope}")
        for ident, values in groups.items():
            target.setdefault(ident, {}).update(values)
    figures.totals.update({RT: response.median_hours, RT90: response.p90_hours, RTSHARE: response.within_norm_share,
                           POSTING_SHARE: posting.share})
    figures.daily[RT] = _future_blanked(response_daily, period, as_of)
    figures.reps = _rep_names(dbs, figures.by_rep)
    log.debug("kpi figures for client %s month %s computed", client.id, period.month)
    return figures


def _threads_and_forums(dbs: Session, client_id: int) -> tuple[dict[int, ThreadInfo], dict[int, ForumInfo]]:
    """Return the client's watched threads and their forums."""
    rows = dbs.execute(
        select(WatchedThread.id, WatchedThread.forum_id, WatchedThread.title, WatchedThread.url,
               Forum.key, Forum.name)
        .join(Forum, Forum.id == WatchedThread.forum_id)
        .where(WatchedThread.client_id == client_id)
    ).all()
    threads = {r[0]: ThreadInfo(r[0], r[1], r[2] or r[3], r[3]) for r in rows}
    forums = {r[1]: ForumInfo(r[1], r[4], r[5]) for r in rows}
    return threads, forums


def _grouped(inner: Select[Any], *aggregates: Any) -> Select[Any]:
    """Group a subquery by all its columns, adding aggregates (keeps bucket expressions out of GROUP BY)."""
    sub = inner.subquery()
    columns = list(sub.c)
    return select(*columns, *[agg(sub) for agg in aggregates]).group_by(*columns)


def _count_tagged_posts(dbs: Session, client_id: int, period: MonthPeriod, threads: dict[int, ThreadInfo],
                        tally: _Tally) -> None:
    """Count forum users' posts of the month tagged question, positive or recommendation."""
    inner = (
        select(Post.thread_id.label("thread_id"), PostTag.tag.label("tag"),
               day_bucket(Post.posted_at, period.day_starts).label("day"))
        .join(PostTag, PostTag.post_id == Post.id)
        .where(Post.client_id == client_id, Post.posted_at >= period.start, Post.posted_at < period.end,
               Post.is_own.is_(False), Post.deleted_at.is_(None), PostTag.tag.in_(list(TAG_METRICS)))
    )
    for thread_id, tag, day, count in dbs.execute(_grouped(inner, lambda s: func.count())):
        forum = threads[thread_id].forum_id if thread_id in threads else None
        tally.add(TAG_METRICS[tag], day, count, forum=forum, thread=thread_id)


def _count_news(dbs: Session, client_id: int, period: MonthPeriod, threads: dict[int, ThreadInfo],
                tally: _Tally) -> None:
    """Count news posts published in the month, per thread and author."""
    inner = (
        select(Reply.thread_id.label("thread_id"), Reply.author_id.label("author_id"),
               day_bucket(Reply.posted_at, period.day_starts).label("day"))
        .where(Reply.client_id == client_id, Reply.posted_at >= period.start, Reply.posted_at < period.end,
               Reply.kind == ReplyKind.NEWS, Reply.state == ReplyState.POSTED)
    )
    for thread_id, author_id, day, count in dbs.execute(_grouped(inner, lambda s: func.count())):
        forum = threads[thread_id].forum_id if thread_id in threads else None
        tally.add(KpiKey.NEWS_POSTED.value, day, count, forum=forum, thread=thread_id, rep=author_id,
                  scopes=("forum", "thread", "rep"))


def _count_cases(dbs: Session, client_id: int, period: MonthPeriod, threads: dict[int, ThreadInfo],
                 tally: _Tally) -> None:
    """Count cases opened in the month, and those of them solved by its end (on the day they were solved)."""
    first_thread = (
        select(Post.thread_id).join(case_posts, case_posts.c.post_id == Post.id)
        .where(case_posts.c.case_id == Case.id).order_by(Post.posted_at, Post.id).limit(1).scalar_subquery()
    )
    closed = func.coalesce(Case.closed_at, Case.opened_at)
    solved = and_(Case.state == CaseState.SOLVED, or_(Case.closed_at.is_(None), Case.closed_at < period.end))
    inner = (
        select(Case.opened_by_id.label("rep"), first_thread.label("thread_id"),
               day_bucket(Case.opened_at, period.day_starts).label("opened_day"),
               solved.label("solved"), day_bucket(closed, period.day_starts).label("closed_day"))
        .where(Case.client_id == client_id, Case.opened_at >= period.start, Case.opened_at < period.end)
    )
    for rep, thread_id, opened_day, is_solved, closed_day, count in dbs.execute(
        _grouped(inner, lambda s: func.count())
    ):
        forum = threads[thread_id].forum_id if thread_id in threads else None
        scopes = ("forum", "thread", "rep")
        tally.add(KpiKey.PROBLEMS_TOTAL.value, opened_day, count, forum=forum, thread=thread_id, rep=rep, scopes=scopes)
        if is_solved:
            tally.add(KpiKey.PROBLEMS_SOLVED.value, closed_day, count, forum=forum, thread=thread_id, rep=rep,
                      scopes=scopes)
    tally.increments.setdefault(KpiKey.PROBLEMS_SOLVED.value, [0] * tally.days)


def _count_clicks(dbs: Session, client_id: int, period: MonthPeriod, tally: _Tally) -> None:
    """Count the tracked links' clicks of the month (already one per visitor, link and local day)."""
    rows = dbs.execute(
        select(TrackedLink.forum_id, TrackedLink.thread_id, TrackedLink.created_by_id, LinkClick.day, func.count())
        .join(TrackedLink, TrackedLink.id == LinkClick.link_id)
        .where(TrackedLink.client_id == client_id, LinkClick.day >= period.month,
               LinkClick.day < period.month + timedelta(days=len(period.days)))
        .group_by(TrackedLink.forum_id, TrackedLink.thread_id, TrackedLink.created_by_id, LinkClick.day)
    )
    for forum, thread_id, rep, day, count in rows:
        tally.add(KpiKey.CLICKS_TO_SITE.value, (day - period.month).days, count, forum=forum, thread=thread_id, rep=rep,
                  scopes=("forum", "thread", "rep"))
    tally.increments.setdefault(KpiKey.CLICKS_TO_SITE.value, [0] * tally.days)


def _add_manual_figures(dbs: Session, client_id: int, period: MonthPeriod, tally: _Tally) -> set[str]:
    """Add the latest entered value per KPI and forum; return the KPIs that have any."""
    latest = (
        select(func.max(ManualKpiEntry.id))
        .where(ManualKpiEntry.client_id == client_id, ManualKpiEntry.month == period.month)
        .group_by(ManualKpiEntry.kpi, ManualKpiEntry.forum_id)
    )
    rows = dbs.execute(
        select(ManualKpiEntry.kpi, ManualKpiEntry.forum_id, ManualKpiEntry.value, ManualKpiEntry.entered_at)
        .where(ManualKpiEntry.id.in_(latest))
    ).all()
    keys = set()
    for kpi, forum, value, entered_at in rows:
        day = period.day_index(entered_at)
        day = (len(period.days) - 1 if entered_at >= period.end else 0) if day is None else day
        tally.add(KpiKey(kpi).value, day, _plain(value), forum=forum, scopes=("forum",))
        keys.add(KpiKey(kpi).value)
    return keys


def _plain(value: Decimal | Number) -> Number:
    """Return a Decimal as an int when whole, else a float."""
    number = float(value)
    return int(number) if number.is_integer() else number


def _counters_growth(dbs: Session, threads: dict[int, ThreadInfo], period: MonthPeriod,
                     columns: dict[str, Any]) -> dict[str, dict[int, Growth]]:
    """Return each thread's growth of every counter in the month (three queries for all of them)."""
    if not threads:
        return {key: {} for key in columns}
    ids, keys = list(threads), list(columns)
    s = ThreadSnapshot
    inner = (
        select(s.thread_id.label("thread_id"), day_bucket(s.taken_at, period.day_starts).label("day"),
               *[column.label(key) for key, column in columns.items()])
        .where(s.thread_id.in_(ids), s.taken_at >= period.start, s.taken_at < period.end)
    ).subquery()
    # max() skips NULLs: a day whose snapshots lack a counter stays None for it.
    daily = {key: {t: [None] * len(period.days) for t in ids} for key in keys}
    for thread_id, day, *highest in dbs.execute(
        select(inner.c.thread_id, inner.c.day, *[func.max(inner.c[key]) for key in keys])
        .group_by(inner.c.thread_id, inner.c.day)
    ):
        for key, value in zip(keys, highest):
            daily[key][thread_id][day] = value

    def boundary(column: Any, condition: Any, newest_first: bool) -> Any:
        order = (s.taken_at.desc(), s.id.desc()) if newest_first else (s.taken_at, s.id)
        return (select(s.id).where(s.thread_id == WatchedThread.id, column.is_not(None), condition)
                .order_by(*order).limit(1).scalar_subquery())

    in_month = and_(s.taken_at >= period.start, s.taken_at < period.end)
    edges = ((s.taken_at < period.start, True), (in_month, False), (in_month, True), (s.taken_at >= period.end, False))
    positions = dbs.execute(
        select(WatchedThread.id, *[boundary(column, condition, newest_first)
                                   for column in columns.values() for condition, newest_first in edges])
        .where(WatchedThread.id.in_(ids))
    ).all()
    wanted = {snap for row in positions for snap in row[1:] if snap is not None}
    readings = {
        snap_id: dict(zip(keys, (Reading(taken_at, value) for value in values)))
        for snap_id, taken_at, *values in dbs.execute(select(s.id, s.taken_at, *columns.values()).where(s.id.in_(wanted)))
    } if wanted else {}
    result: dict[str, dict[int, Growth]] = {key: {} for key in keys}
    for thread_id, *snaps in positions:
        for index, key in enumerate(keys):
            before, first, last, after = (readings[snap][key] if snap is not None else None
                                          for snap in snaps[4 * index:4 * index + 4])
            result[key][thread_id] = month_growth(
                start=period.start, end=period.end, before=before, first=first, last=last, after=after,
                daily_max=daily[key][thread_id],
            )
    return result


def _response_rows(dbs: Session, client_id: int, period: MonthPeriod) -> list[Any]:
    """Return the month's posts that got an answer or wait for one, with their first answer's time and author."""
    answered_at = (
        select(func.min(Reply.posted_at))
        .where(Reply.in_reply_to_id == Post.id, Reply.state == ReplyState.POSTED).scalar_subquery()
    )
    answered_by = (
        select(Reply.author_id).where(Reply.in_reply_to_id == Post.id, Reply.state == ReplyState.POSTED)
        .order_by(Reply.posted_at, Reply.id).limit(1).scalar_subquery()
    )
    waits = and_(Post.response_due_at.is_not(None), Post.triage_state != TriageState.NO_ANSWER_NEEDED,
                 Post.deleted_at.is_(None))
    inner = (
        select(Post.thread_id.label("thread_id"), Post.posted_at.label("posted_at"),
               answered_at.label("answered_at"), answered_by.label("author_id"), waits.label("waits"))
        .where(Post.client_id == client_id, Post.is_own.is_(False), Post.posted_at >= period.start,
               Post.posted_at < period.end)
    ).subquery()
    return dbs.execute(
        select(inner).where(or_(inner.c.answered_at.is_not(None), inner.c.waits))
    ).all()


def _response_stats(rows: list[Any], period: MonthPeriod, as_of: datetime, settings: KpiSettings,
                    threads: dict[int, ThreadInfo]):
    """Turn response rows into the month's statistics, per-scope figures and a running median per day."""
    norm = settings.response_norm
    groups: dict[str, dict[int | None, list[tuple[float | None, bool | None]]]] = {
        "forum": defaultdict(list), "thread": defaultdict(list), "rep": defaultdict(list),
    }
    answered_hours: list[float] = []
    answered_by_day: list[list[float]] = [[] for _ in period.days]
    within = missed = pending = 0
    for row in rows:
        forum = threads[row.thread_id].forum_id if row.thread_id in threads else None
        if row.answered_at is not None:
            seconds = business_seconds(row.posted_at, row.answered_at, norm.schedule)
            ok = seconds <= norm.within_seconds
            hours = seconds / 3600
            answered_hours.append(hours)
            answered_by_day[period.day_index(row.posted_at) or 0].append(hours)
            within += ok
            outcome: tuple[float | None, bool | None] = (hours, ok)
        elif add_business_seconds(row.posted_at, norm.within_seconds, norm.schedule) <= as_of:
            missed += 1
            outcome = (None, False)
        else:
            pending += 1
            continue
        groups["forum"][forum].append(outcome)
        groups["thread"][row.thread_id].append(outcome)
        if row.answered_at is not None:
            groups["rep"][row.author_id].append(outcome)
    decided = len(answered_hours) + missed
    stats = ResponseStats(
        answered=len(answered_hours), within_norm=within, missed=missed, pending=pending,
        median_hours=median(answered_hours), p90_hours=percentile(answered_hours, 0.9),
        within_norm_share=within / decided if decided else None, norm=norm.to_data(),
    )
    scopes = {scope: {ident: _response_figures(outcomes) for ident, outcomes in by_ident.items()}
              for scope, by_ident in groups.items()}
    running: list[Number | None] = []
    so_far: list[float] = []
    for day_hours in answered_by_day:
        so_far += day_hours
        running.append(median(so_far))
    return stats, scopes, running


def _response_figures(outcomes: list[tuple[float | None, bool | None]]) -> dict[str, Number | None]:
    """Return median, 90th percentile and share within the norm for one group of posts."""
    hours = [h for h, _ok in outcomes if h is not None]
    return {RT: median(hours), RT90: percentile(hours, 0.9),
            RTSHARE: sum(1 for _h, ok in outcomes if ok) / len(outcomes) if outcomes else None}


def _posting_compliance(dbs: Session, client_id: int, period: MonthPeriod, as_of: datetime, settings: KpiSettings,
                        forums: dict[int, ForumInfo]) -> PostingStats:
    """Check the official account's posts per forum day against the playbook's limits."""
    # Whole ISO weeks around the month, so a week's count includes its days in the neighbouring months.
    # (One day more at the start, so the month's first post has the previous one to measure its gap from.)
    first_day = period.month - timedelta(days=period.month.weekday() + 1)
    last_day = period.days[-1] + timedelta(days=6 - period.days[-1].weekday())
    ext_days = [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]
    ext_starts = local_day_starts(first_day, len(ext_days), period.timezone)
    gap = (epoch_seconds(Post.posted_at) - epoch_seconds(
        func.lag(Post.posted_at).over(partition_by=WatchedThread.forum_id, order_by=Post.posted_at)))
    inner = (
        select(WatchedThread.forum_id.label("forum_id"), day_bucket(Post.posted_at, ext_starts).label("day"),
               gap.label("gap"))
        .join(WatchedThread, WatchedThread.id == Post.thread_id)
        .where(Post.client_id == client_id, Post.is_own.is_(True), Post.posted_at >= ext_starts[0],
               Post.posted_at < ext_starts[-1])
    ).subquery()
    rows = dbs.execute(
        select(inner.c.forum_id, inner.c.day, func.count(), func.min(inner.c.gap))
        .group_by(inner.c.forum_id, inner.c.day)
    ).all()
    limits_by_forum = {fid: settings.posting_limits.get(info.key, PostingLimits()) for fid, info in forums.items()}
    weeks: dict[tuple[int, tuple[int, int]], int] = defaultdict(int)
    for forum_id, day, count, _gap in rows:
        weeks[(forum_id, ext_days[day].isocalendar()[:2])] += count
    forum_days = within = 0
    violations = []
    for forum_id, day, count, shortest in sorted(rows, key=lambda r: (r[0], r[1])):
        local = ext_days[day]
        if not period.month <= local <= period.days[-1] or period.day_starts[(local - period.month).days] > as_of:
            continue
        limits = limits_by_forum.get(forum_id, PostingLimits())
        if not limits.any:
            continue  # a forum without limits has nothing to comply with
        forum_days += 1
        broken = []
        if limits.per_day is not None and count > limits.per_day:
            broken.append(PostingViolation(forum_id, local, "per_day", count, limits.per_day))
        week_count = weeks[(forum_id, local.isocalendar()[:2])]
        if limits.per_week is not None and week_count > limits.per_week:
            broken.append(PostingViolation(forum_id, local, "per_week", week_count, limits.per_week))
        if limits.min_gap_minutes is not None and shortest is not None and shortest < limits.min_gap_minutes * 60:
            broken.append(PostingViolation(forum_id, local, "min_gap", round(shortest / 60, 1), limits.min_gap_minutes))
        within += not broken
        violations += broken
    limits_defined = any(limits.any for limits in limits_by_forum.values())
    share = within / forum_days if forum_days and limits_defined else None
    return PostingStats(limits_defined, forum_days, within, share, tuple(violations))


def _future_blanked(series: list[Number | None], period: MonthPeriod, as_of: datetime) -> list[Number | None]:
    """Blank the days that have not begun at `as_of`."""
    begun = period.days_elapsed(as_of)
    return [value if index < begun else None for index, value in enumerate(series)]


def _cumulative(increments: list[Number]) -> list[Number]:
    """Return running totals."""
    total: Number = 0
    out = []
    for amount in increments:
        total += amount
        out.append(total)
    return out


def _assemble(client_id: int, period: MonthPeriod, as_of: datetime, tally: _Tally, growth: dict[str, dict[int, Growth]],
              threads: dict[int, ThreadInfo], forums: dict[int, ForumInfo], has_manual: set[str]) -> MonthFigures:
    """Combine the counts and the counter growth into MonthFigures."""
    totals: dict[str, Number | None] = {}
    daily: dict[str, list[Number | None]] = {}
    for key, metric in METRICS.items():
        if not metric.cumulative or key in COUNTERS:
            continue
        increments = tally.increments.get(key)
        if increments is None and (key == KpiKey.DISCOUNT_USES.value and key not in has_manual):
            totals[key], daily[key] = None, [None] * len(period.days)
            continue
        series = _cumulative(increments or [0] * len(period.days))
        totals[key] = series[-1]
        daily[key] = _future_blanked(list(series), period, as_of)
    by_thread: dict[int | None, dict[str, Number | None]] = {k: dict(v) for k, v in tally.by_thread.items()}
    by_forum: dict[int | None, dict[str, Number | None]] = {k: dict(v) for k, v in tally.by_forum.items()}
    for key, per_thread in growth.items():
        known = {t: g for t, g in per_thread.items() if g.total is not None}
        totals[key] = sum(g.total for g in known.values() if g.total is not None) if known else None
        series = [sum(g.cumulative[i] or 0 for g in known.values()) for i in range(len(period.days))] if known else \
            [None] * len(period.days)
        daily[key] = _future_blanked(series, period, as_of)
        for thread_id, g in per_thread.items():
            by_thread.setdefault(thread_id, {})[key] = g.total
            if g.total is not None:
                forum = by_forum.setdefault(threads[thread_id].forum_id, {})
                forum[key] = (forum.get(key) or 0) + g.total
    return MonthFigures(
        client_id=client_id, period=period, as_of=as_of, totals=totals, daily=daily, by_forum=by_forum,
        by_thread=by_thread, by_rep={k: dict(v) for k, v in tally.by_rep.items()},
        response=ResponseStats(0, 0, 0, 0, None, None, None, {}),
        posting=PostingStats(False, 0, 0, None, ()), forums=forums, threads=threads, reps={},
    )


def _rep_names(dbs: Session, by_rep: dict[int | None, Any]) -> dict[int, RepInfo]:
    """Return the names of the representatives the figures mention."""
    ids = [i for i in by_rep if i is not None]
    if not ids:
        return {}
    return {uid: RepInfo(uid, name or email) for uid, name, email in
            dbs.execute(select(User.id, User.name, User.email).where(User.id.in_(ids)))}
