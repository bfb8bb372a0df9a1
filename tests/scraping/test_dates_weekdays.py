"""Weekday dates of the past week ("Wednesday at 9:15 AM", "Среда в 14:05", "у середу о 14:05")."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from repapp.scraping.dates import parse_forum_date

MOSCOW = ZoneInfo("Europe/Moscow")
# A Sunday: 16:29:30 in Moscow.
SUNDAY = datetime(2026, 11, 22, 13, 29, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize(("text", "expected"), [
    ("Wednesday at 2:05 PM", datetime(2026, 11, 18, 14, 5, tzinfo=MOSCOW)),
    ("Wed, 14:05", datetime(2026, 11, 18, 14, 5, tzinfo=MOSCOW)),
    ("Среда в 14:05", datetime(2026, 11, 18, 14, 5, tzinfo=MOSCOW)),
    ("в пятницу в 09:00", datetime(2026, 11, 20, 9, 0, tzinfo=MOSCOW)),
    ("у середу о 14:05", datetime(2026, 11, 18, 14, 5, tzinfo=MOSCOW)),
    ("П’ятниця о 09:00", datetime(2026, 11, 20, 9, 0, tzinfo=MOSCOW)),
    ("Субота о 23:10", datetime(2026, 11, 21, 23, 10, tzinfo=MOSCOW)),
    # Today's own weekday is printed as "Today": the same weekday is a week ago.
    ("Sunday at 10:00", datetime(2026, 11, 15, 10, 0, tzinfo=MOSCOW)),
])
def test_weekday_and_time(text, expected):
    """The most recent such weekday before the fetch day, at the printed time, in the forum's zone."""
    assert parse_forum_date(text, tz=MOSCOW, now=SUNDAY, locale="ru") == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Fri Nov 20, 2026 9:15 am", datetime(2026, 11, 20, 9, 15, tzinfo=MOSCOW)),  # phpBB's default format
    ("Wednesday, 18 November 2026 14:05", datetime(2026, 11, 18, 14, 5, tzinfo=MOSCOW)),
])
def test_a_weekday_before_a_full_date_is_only_decoration(text, expected):
    """A weekday followed by a date is read as the date, as before."""
    assert parse_forum_date(text, tz=MOSCOW, now=SUNDAY, locale="en") == expected


def test_a_weekday_without_a_time_is_not_a_date():
    """"Wednesday" alone says too little."""
    assert parse_forum_date("Wednesday", tz=MOSCOW, now=SUNDAY) is None
