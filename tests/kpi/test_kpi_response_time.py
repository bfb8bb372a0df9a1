"""Response times and posting limits, computed by the engine on hand-worked cases."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from repapp.extensions import db
from repapp.kpi.business_hours import Schedule
from repapp.kpi.engine import compute_month
from repapp.kpi.settings import KpiSettings, PostingLimits, ResponseNorm
from repapp.models import Post, Reply, ReplyKind, ReplyState, TriageState

MSK = ZoneInfo("Europe/Moscow")
FEB = date(2025, 2, 1)
NORM = KpiSettings(ResponseNorm(4 * 3600, Schedule.parse("09:00-18:00", "working", "Europe/Moscow")))


def msk(day: int, hour: int, minute: int = 0) -> datetime:
    """Return a Moscow moment in February 2025 (the 7th is a Friday)."""
    return datetime(2025, 2, day, hour, minute, tzinfo=MSK)


def _question(world, ext: str, at: datetime, *, answered_at: datetime | None = None, waits: bool = False,
              author: str = "rep_a") -> Post:
    """Store a forum user's post and, if given, the representative's published answer to it."""
    thread = world.thread_a()
    post = Post(thread_id=thread.id, client_id=thread.client_id, external_id=ext, author="user", posted_at=at,
                text="?", response_due_at=at + timedelta(hours=4) if waits else None,
                triage_state=TriageState.NEW if waits else TriageState.ANSWERED)
    db.session.add(post)
    db.session.flush()
    if answered_at is not None:
        db.session.add(Reply(client_id=thread.client_id, thread_id=thread.id, in_reply_to_id=post.id,
                             author_id=world.user(author).id, kind=ReplyKind.REPLY, state=ReplyState.POSTED,
                             body="!", posted_at=answered_at))
        # A later second answer does not change the response time.
        db.session.add(Reply(client_id=thread.client_id, thread_id=thread.id, in_reply_to_id=post.id,
                             kind=ReplyKind.REPLY, state=ReplyState.POSTED, body="!!",
                             posted_at=answered_at + timedelta(days=3)))
    return post


def test_response_times_in_business_hours_across_a_weekend(world):
    """Five posts worked by hand against 4 office hours, 09:00-18:00 Monday to Friday, Moscow time.

    a) Fri 17:00 → Mon 10:00: 1 h + 1 h = 2 h (65 h on the calendar), within the norm
    b) Sat 12:00 → Sat 15:00: 0 h (weekend), within
    c) Mon 09:30 → Mon 15:30: 6 h, late
    d) Tue 20:00 → Wed 10:00: 1 h, within
    e) Wed 12:00, unanswered: due Wed 16:00, missed by Friday
    f) Fri 28th 17:30, unanswered: due Mon 3 March 12:30, still in time at 18:00 — left out
    Answered: 0, 1, 2, 6 → median 1.5 h; 90th percentile 2 + 0.7 × 4 = 4.8 h; within: 3 of 4 answered + 1 missed = 60 %.
    """
    _question(world, "a", msk(7, 17), answered_at=msk(10, 10))
    _question(world, "b", msk(8, 12), answered_at=msk(8, 15))
    _question(world, "c", msk(10, 9, 30), answered_at=msk(10, 15, 30), author="subject_a")
    _question(world, "d", msk(11, 20), answered_at=msk(12, 10))
    _question(world, "e", msk(12, 12), waits=True)
    _question(world, "f", msk(28, 17, 30), waits=True)
    _question(world, "g", msk(13, 12))  # no answer and no clock: chatter, not counted
    db.session.commit()
    figures = compute_month(db.session, world.client_a, FEB, NORM, now=msk(28, 18))
    stats = figures.response
    assert (stats.answered, stats.within_norm, stats.missed, stats.pending) == (4, 3, 1, 1)
    assert stats.median_hours == pytest.approx(1.5)
    assert stats.p90_hours == pytest.approx(4.8)
    assert stats.within_norm_share == pytest.approx(0.6)
    assert figures.totals["response_time_hours_median"] == pytest.approx(1.5)
    assert figures.by_rep[world.user("subject_a").id]["response_time_hours_median"] == pytest.approx(6)
    assert stats.norm == {"within_hours": 4.0, "business_hours": "09:00-18:00", "days": "working",
                          "timezone": "Europe/Moscow"}


def test_around_the_clock_counts_calendar_hours(world):
    """With no business hours the same Friday-to-Monday answer takes 65 hours."""
    _question(world, "a", msk(7, 17), answered_at=msk(10, 10))
    db.session.commit()
    always = KpiSettings(ResponseNorm(4 * 3600, Schedule.parse(None, "calendar", "Europe/Moscow")))
    figures = compute_month(db.session, world.client_a, FEB, always, now=msk(28, 18))
    assert figures.response.median_hours == pytest.approx(65)
    assert figures.response.within_norm_share == 0


def test_posting_limits_per_day_week_and_gap(world):
    """Three posts on Monday 10th break a limit of 2 a day; 20 minutes apart breaks a 30-minute gap."""
    thread = world.thread_a()
    times = [msk(10, 10), msk(10, 10, 20), msk(10, 15), msk(12, 11), msk(14, 11)]
    for index, at in enumerate(times):
        db.session.add(Post(thread_id=thread.id, client_id=thread.client_id, external_id=f"own{index}",
                            author="A_official", posted_at=at, is_own=True))
    db.session.commit()
    limits = KpiSettings(NORM.response_norm, {"demo-flaskbb": PostingLimits(per_day=2, per_week=4, min_gap_minutes=30)})
    posting = compute_month(db.session, world.client_a, FEB, limits, now=msk(28, 18)).posting
    assert posting.limits_defined and posting.forum_days == 3
    rules = {(v.day.day, v.rule): (v.actual, v.limit) for v in posting.violations}
    assert rules[(10, "per_day")] == (3, 2)
    assert rules[(10, "min_gap")] == (20.0, 30)
    assert rules[(14, "per_week")] == (5, 4) and (12, "per_week") in rules
    assert posting.share == 0  # every posting day of that week is over the weekly limit
