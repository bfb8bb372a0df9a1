"""Forum dates: localised absolute dates and relative ones resolved in the forum's zone."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from repapp.scraping.dates import clock_text, has_time, parse_forum_date, parse_iso

UTC = timezone.utc
MOSCOW = ZoneInfo("Europe/Moscow")
KYIV = ZoneInfo("Europe/Kyiv")
# 21:05 UTC is already 00:05 on 6 March in Moscow: the two calendars disagree on "today".
NIGHT = datetime(2024, 3, 5, 21, 5, tzinfo=UTC)
NOON = datetime(2026, 11, 22, 13, 29, 30, tzinfo=UTC)


def parse(text, tz=UTC, now=NOON, locale="en", **kw):
    """Parse with the defaults of these tests."""
    return parse_forum_date(text, tz=tz, now=now, locale=locale, **kw)


@pytest.mark.parametrize(("text", "expected"), [
    ("Today, 10:15", datetime(2026, 11, 22, 10, 15, tzinfo=UTC)),
    ("Yesterday 1:18 pm", datetime(2026, 11, 21, 13, 18, tzinfo=UTC)),
    ("yesterday at 12:05 AM", datetime(2026, 11, 21, 0, 5, tzinfo=UTC)),
    ("5 minutes ago", NOON - timedelta(minutes=5)),
    ("1 minute ago", NOON - timedelta(minutes=1)),
    ("an hour ago", NOON - timedelta(hours=1)),
    ("8 seconds ago", NOON - timedelta(seconds=8)),
    ("3 days ago", NOON - timedelta(days=3)),
    ("less than a minute ago", NOON),
    ("Less than 1 minute ago", NOON),
    ("just now", NOON),
])
def test_english_relative(text, expected):
    """English relative forms, against the fetch time."""
    assert parse(text) == expected


@pytest.mark.parametrize(("text", "locale", "expected"), [
    ("Сегодня, 10:15", "ru", datetime(2024, 3, 6, 10, 15, tzinfo=MOSCOW)),
    ("Вчера, 23:50", "ru", datetime(2024, 3, 5, 23, 50, tzinfo=MOSCOW)),
    ("вчера в 10:00", "ru", datetime(2024, 3, 5, 10, 0, tzinfo=MOSCOW)),
    ("5 минут назад", "ru", datetime(2024, 3, 6, 0, 0, tzinfo=MOSCOW)),
    ("минуту назад", "ru", datetime(2024, 3, 6, 0, 4, tzinfo=MOSCOW)),
    ("2 часа назад", "ru", datetime(2024, 3, 5, 22, 5, tzinfo=MOSCOW)),
    ("только что", "ru", datetime(2024, 3, 6, 0, 5, tzinfo=MOSCOW)),
    ("Сьогодні, 10:15", "uk", datetime(2024, 3, 6, 10, 15, tzinfo=MOSCOW)),
    ("Вчора", "uk", datetime(2024, 3, 5, 0, 0, tzinfo=MOSCOW)),
    ("Вчора о 23:50", "uk", datetime(2024, 3, 5, 23, 50, tzinfo=MOSCOW)),
    ("5 хвилин тому", "uk", datetime(2024, 3, 6, 0, 0, tzinfo=MOSCOW)),
    ("годину тому", "uk", datetime(2024, 3, 5, 23, 5, tzinfo=MOSCOW)),
    ("2 години тому", "uk", datetime(2024, 3, 5, 22, 5, tzinfo=MOSCOW)),
])
def test_russian_and_ukrainian_relative_around_midnight(text, locale, expected):
    """Fetched at 00:05 Moscow time (21:05 UTC): "Вчера" is 5 March, not 4 March."""
    result = parse(text, tz=MOSCOW, now=NIGHT, locale=locale)
    assert result == expected
    assert result.utcoffset() == timedelta(hours=3)


def test_yesterday_fetched_just_after_midnight():
    """"Вчера, 23:50" seen at 00:05 is ten minutes before the fetch, whatever UTC says."""
    assert parse("Вчера, 23:50", tz=MOSCOW, now=NIGHT, locale="ru") == NIGHT - timedelta(minutes=15)


def test_today_in_the_forum_zone_is_not_today_in_utc():
    """At 21:05 UTC a Moscow "Сегодня, 01:00" is on 6 March, i.e. 22:00 UTC on 5 March."""
    result = parse("Сегодня, 01:00", tz=MOSCOW, now=NIGHT, locale="ru")
    assert result.astimezone(UTC) == datetime(2024, 3, 5, 22, 0, tzinfo=UTC)
    assert parse("Today, 01:00", tz=UTC, now=NIGHT) == datetime(2024, 3, 5, 1, 0, tzinfo=UTC)


def test_elapsed_time_crosses_a_dst_change_in_utc():
    """"2 hours ago" is two real hours even when the clocks moved in between."""
    berlin = ZoneInfo("Europe/Berlin")
    fetched = datetime(2024, 3, 31, 1, 30, tzinfo=UTC)  # 03:30 CEST, an hour after the change
    assert parse("2 hours ago", tz=berlin, now=fetched) == fetched - timedelta(hours=2)


@pytest.mark.parametrize(("text", "tz", "locale", "expected"), [
    ("5 марта 2024, 10:15", MOSCOW, "ru", datetime(2024, 3, 5, 10, 15, tzinfo=MOSCOW)),
    ("5 марта 2024 г., 10:15", MOSCOW, "ru", datetime(2024, 3, 5, 10, 15, tzinfo=MOSCOW)),
    ("12 ноября 2026, 16:28", MOSCOW, "ru", datetime(2026, 11, 12, 16, 28, tzinfo=MOSCOW)),
    ("Вт мар 05, 2024 10:15", MOSCOW, "ru", datetime(2024, 3, 5, 10, 15, tzinfo=MOSCOW)),
    ("5 березня 2024, 10:15", KYIV, "uk", datetime(2024, 3, 5, 10, 15, tzinfo=KYIV)),
    ("Середа, 6 березня 2024 р., 09:00", KYIV, "uk", datetime(2024, 3, 6, 9, 0, tzinfo=KYIV)),
    ("05.03.2024, 10:15", MOSCOW, "ru", datetime(2024, 3, 5, 10, 15, tzinfo=MOSCOW)),
    ("2024-03-05 10:15", MOSCOW, "ru", datetime(2024, 3, 5, 10, 15, tzinfo=MOSCOW)),
    ("11-21-2026, 01:18 PM", UTC, "en", datetime(2026, 11, 21, 13, 18, tzinfo=UTC)),
    ("Fri Oct 23, 2026 1:28 pm", UTC, "en", datetime(2026, 10, 23, 13, 28, tzinfo=UTC)),
    ("Oct 30, 2026, 1:27:58 PM UTC", MOSCOW, "en", datetime(2026, 10, 30, 13, 27, 58, tzinfo=UTC)),
    ("March 5th, 2024, 12:30 AM", UTC, "en", datetime(2024, 3, 5, 0, 30, tzinfo=UTC)),
])
def test_absolute_dates(text, tz, locale, expected):
    """Month names in genitive, weekday prefixes, numeric orders, an explicit UTC suffix."""
    result = parse(text, tz=tz, locale=locale)
    assert result == expected
    assert result.tzinfo is not None


def test_missing_year_is_the_latest_past_one():
    """"5 марта, 10:15" read in November 2026 is March 2026; "25 декабря" is last December."""
    assert parse("5 марта, 10:15", tz=MOSCOW, locale="ru") == datetime(2026, 3, 5, 10, 15, tzinfo=MOSCOW)
    assert parse("25 декабря, 10:15", tz=MOSCOW, locale="ru").year == 2025


def test_explicit_formats_come_first():
    """A forum definition's strptime formats win over the tolerant reader (day-first here)."""
    assert parse("03-05-2024 10:15", formats=("%d-%m-%Y %H:%M",)) == datetime(2024, 5, 3, 10, 15, tzinfo=UTC)
    assert parse("03-05-2024 10:15") == datetime(2024, 3, 5, 10, 15, tzinfo=UTC)


@pytest.mark.parametrize("text", ["", "   ", None, "garbage", "31 февраля 2024", "25:99"])
def test_unreadable_dates_are_none(text):
    """What cannot be read is unknown, not a guess."""
    assert parse(text) is None


def test_iso_values():
    """time[datetime] values keep their offset; naive ones take the forum's zone."""
    assert parse_iso("2026-10-23T13:28:41+00:00", MOSCOW) == datetime(2026, 10, 23, 13, 28, 41, tzinfo=UTC)
    assert parse_iso("2026-10-23T13:28:41", MOSCOW) == datetime(2026, 10, 23, 13, 28, 41, tzinfo=MOSCOW)
    assert parse_iso("not a date", UTC) is None
    assert parse_iso(None, UTC) is None


def test_time_helpers():
    """has_time / clock_text find the time of day in a printed date."""
    assert has_time("11-22-2026, 01:29 PM") and not has_time("11-22-2026")
    assert clock_text("Today, 01:29 PM") == "01:29 PM"
    assert clock_text("Today") is None
