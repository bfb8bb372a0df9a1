"""Views and messages growth from irregular snapshots (plain values, no app)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from repapp.kpi.counters import Reading, month_growth, value_at
from repapp.kpi.periods import MonthPeriod

FEB = MonthPeriod.of(datetime(2025, 2, 1).date(), "UTC")


def at(day: int, hour: int = 12, month: int = 2) -> datetime:
    """Return a UTC moment in 2025."""
    return datetime(2025, month, day, hour, tzinfo=UTC)


def growth(before=None, readings=(), after=None):
    """Compute February's growth from readings given as (day, value) pairs inside the month."""
    inside = [Reading(at(d), v) for d, v in readings]
    daily = [None] * 28
    for reading in inside:
        index = reading.at.day - 1
        daily[index] = max(daily[index] or 0, reading.value)
    return month_growth(start=FEB.start, end=FEB.end, before=before, first=inside[0] if inside else None,
                        last=inside[-1] if inside else None, after=after, daily_max=daily)


def test_growth_is_the_difference_between_the_month_boundaries():
    """Readings on the 1st at midnight's value and at the end give end minus start."""
    result = growth(before=Reading(at(31, 23, month=1), 100), readings=[(1, 100), (28, 400)],
                    after=Reading(at(1, 1, month=3), 400))
    assert result.total == 300


def test_a_missed_snapshot_changes_nothing():
    """Dropping the readings in between gives the same growth."""
    full = growth(before=Reading(at(31, 23, month=1), 100), readings=[(1, 100), (10, 200), (20, 300), (28, 400)])
    sparse = growth(before=Reading(at(31, 23, month=1), 100), readings=[(1, 100), (28, 400)])
    assert full.total == sparse.total == 300


def test_a_counter_going_backwards_is_ignored():
    """A stale page showing fewer views does not subtract, and the recovery is not counted twice."""
    result = growth(before=Reading(at(31, 23, month=1), 100), readings=[(1, 100), (10, 250), (11, 180), (28, 300)])
    assert result.total == 200
    assert result.cumulative[10] == 150  # the lower reading of the 11th keeps the 10th's peak


def test_growth_across_a_boundary_is_split_by_time():
    """Readings 24 hours apart across the month's start: half of the growth belongs to each month."""
    before, first = Reading(FEB.start - timedelta(hours=12), 1000), Reading(FEB.start + timedelta(hours=12), 1100)
    assert value_at(FEB.start, before, first) == 1050
    result = month_growth(start=FEB.start, end=FEB.end, before=before, first=first, last=first, after=None,
                          daily_max=[1100] + [None] * 27)
    assert result.total == 50


def test_the_end_is_interpolated_when_the_last_snapshot_of_the_month_was_missed():
    """The last reading on the 27th at noon and the next on 1 March at noon: 3/4 of the growth is February's... """
    last, after = Reading(at(27), 400), Reading(at(1, month=3), 800)
    assert value_at(FEB.end, last, after) == 700
    result = growth(before=Reading(at(31, 23, month=1), 100), readings=[(1, 100), (27, 400)], after=after)
    assert result.total == 600


def test_a_thread_watched_mid_month_grows_from_its_first_reading():
    """Without a reading before the month, growth starts at the first one."""
    assert growth(readings=[(3, 200), (28, 927)]).total == 727


def test_no_reading_in_the_month_is_no_figure_not_zero():
    """A scraper that read nothing all month yields None (shown as a dash), never a silent zero."""
    assert growth(before=Reading(at(31, 23, month=1), 100)).total is None
    assert growth().total is None


def test_days_without_readings_share_the_growth_seen_after_them():
    """The daily chart rises evenly over unread days instead of jumping on the day of the next reading."""
    result = growth(readings=[(1, 0), (5, 400)])
    assert result.cumulative[:5] == [0, 100, 200, 300, 400]
