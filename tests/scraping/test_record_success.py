"""A good read updates its thread every time and its forum's row at most once a minute, unless an error is newer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from repapp.models import Forum, WatchedThread
from repapp.scraping.reader import FORUM_SUCCESS_REFRESH, record_success

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def _thread(**forum_fields) -> WatchedThread:
    """A thread of a forum in the given state (plain objects, no database)."""
    return WatchedThread(interval_minutes=15, forum=Forum(key="f", **forum_fields))


def test_the_first_good_read_marks_the_forum():
    thread = _thread(last_success_at=None)
    record_success(thread, NOW)
    assert thread.last_success_at == thread.forum.last_success_at == NOW
    assert thread.next_run_at == NOW + timedelta(minutes=15)


def test_reads_within_a_minute_leave_the_forum_row_alone():
    earlier = NOW - FORUM_SUCCESS_REFRESH + timedelta(seconds=1)
    thread = _thread(last_success_at=earlier)
    record_success(thread, NOW)
    assert thread.last_success_at == NOW and thread.forum.last_success_at == earlier
    record_success(thread, earlier + FORUM_SUCCESS_REFRESH)
    assert thread.forum.last_success_at == earlier + FORUM_SUCCESS_REFRESH


def test_a_newer_error_is_answered_by_the_next_good_read_at_once():
    """Another thread failed after the forum's last good read: this good read must show, or the forum looks failing."""
    thread = _thread(last_success_at=NOW - timedelta(seconds=20), last_error_at=NOW - timedelta(seconds=10),
                     last_error="timed out")
    record_success(thread, NOW)
    assert thread.forum.last_success_at == NOW
