"""Business-hours arithmetic: weekends, time zones, daylight saving, deadlines (plain values, no app)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from repapp.kpi.business_hours import Schedule, add_business_seconds, business_seconds

MSK = ZoneInfo("Europe/Moscow")
OFFICE = Schedule.parse("09:00-18:00", "working", "Europe/Moscow")
HOUR = 3600


def msk(day: int, hour: int, minute: int = 0) -> datetime:
    """Return a Moscow moment in February 2025 (the 7th is a Friday)."""
    return datetime(2025, 2, day, hour, minute, tzinfo=MSK)


def test_friday_evening_to_monday_morning_counts_only_office_hours():
    """Fri 17:00 → Mon 10:00 is 65 hours on the calendar but 2 in the office (1 on Friday, 1 on Monday)."""
    assert business_seconds(msk(7, 17), msk(10, 10), OFFICE) == 2 * HOUR


def test_the_same_moments_given_in_utc_count_the_same():
    """Moments are absolute: Fri 14:00 UTC is Fri 17:00 in Moscow."""
    start, end = datetime(2025, 2, 7, 14, tzinfo=UTC), datetime(2025, 2, 10, 7, tzinfo=UTC)
    assert business_seconds(start, end, OFFICE) == 2 * HOUR


def test_a_weekend_counts_nothing_on_working_days_and_everything_on_calendar_days():
    """Sat 12:00 → Sat 15:00 is outside working days; on calendar days it is three office hours."""
    assert business_seconds(msk(8, 12), msk(8, 15), OFFICE) == 0
    calendar = Schedule.parse("09:00-18:00", "calendar", "Europe/Moscow")
    assert business_seconds(msk(8, 12), msk(8, 15), calendar) == 3 * HOUR
    assert business_seconds(msk(8, 20), msk(9, 10), calendar) == 1 * HOUR


def test_the_schedule_is_read_in_its_own_time_zone():
    """Fri 14:00-16:00 UTC is 17:00-19:00 in Moscow (one office hour) but 00:00-02:00 Saturday in Vladivostok."""
    start, end = datetime(2025, 2, 7, 14, tzinfo=UTC), datetime(2025, 2, 7, 16, tzinfo=UTC)
    assert business_seconds(start, end, OFFICE) == 1 * HOUR
    assert business_seconds(start, end, Schedule.parse("09:00-18:00", "working", "Asia/Vladivostok")) == 0


def test_a_daylight_saving_night_is_an_hour_shorter():
    """In Berlin on 30 March 2025 clocks jump from 02:00 to 03:00: a 01:00-05:00 window holds three hours."""
    berlin = ZoneInfo("Europe/Berlin")
    night = Schedule.parse("01:00-05:00", "calendar", "Europe/Berlin")
    start, end = datetime(2025, 3, 30, 0, tzinfo=berlin), datetime(2025, 3, 30, 6, tzinfo=berlin)
    assert business_seconds(start, end, night) == 3 * HOUR


def test_without_a_window_every_moment_counts():
    """No business hours and calendar days: the clock runs around the clock."""
    always = Schedule.parse(None, "calendar", "Europe/Moscow")
    assert always.round_the_clock
    assert business_seconds(msk(7, 17), msk(10, 10), always) == 65 * HOUR


def test_an_answer_before_the_post_takes_no_time():
    """Clock skew between the forum and repapp never makes a negative response time."""
    assert business_seconds(msk(10, 12), msk(10, 11), OFFICE) == 0


def test_deadlines_skip_the_weekend():
    """Four office hours after Friday 17:00 is Monday 12:00; after Saturday noon, Monday 13:00."""
    assert add_business_seconds(msk(7, 17), 4 * HOUR, OFFICE) == msk(10, 12).astimezone(UTC)
    assert add_business_seconds(msk(8, 12), 4 * HOUR, OFFICE) == msk(10, 13).astimezone(UTC)


def test_bad_schedules_are_refused():
    """A window that ends before it starts, unknown days or zones, and naive datetimes are errors."""
    with pytest.raises(ValueError):
        Schedule.parse("18:00-09:00", "working", "Europe/Moscow")
    with pytest.raises(ValueError):
        Schedule.parse("09:00-18:00", "weekends", "Europe/Moscow")
    with pytest.raises(ZoneInfoNotFoundError):
        Schedule.parse("09:00-18:00", "working", "Mars/Olympus")
    with pytest.raises(ValueError):
        business_seconds(datetime(2025, 2, 7, 17), msk(10, 10), OFFICE)


@settings(max_examples=60, deadline=None)
@given(start=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 1, 1)),
       seconds=st.integers(min_value=1, max_value=60 * HOUR))
def test_a_deadline_is_exactly_that_much_business_time_away(start, seconds):
    """business_seconds(start, add_business_seconds(start, s)) == s for any start and amount."""
    start = start.replace(tzinfo=UTC)
    deadline = add_business_seconds(start, seconds, OFFICE)
    assert abs(business_seconds(start, deadline, OFFICE) - seconds) < 1e-6
    assert deadline >= start + timedelta(seconds=seconds)
