"""Business-hours arithmetic: how much working time lies between two moments (pure, no I/O).

A schedule is a daily window ("09:00-18:00", or the whole day), the days it applies to (working
days Monday to Friday, or every calendar day) and the time zone the window is read in. Windows
are built from local wall-clock times, so a daylight-saving change shortens or lengthens that
day's window the way a person working there would see it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

WORKING_DAYS = frozenset(range(5))  # Monday..Friday, as date.weekday() numbers them
CALENDAR_DAYS = frozenset(range(7))
DAY_MINUTES = 24 * 60
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")


@dataclass(frozen=True)
class Schedule:
    """When the response clock runs: a daily window in minutes since midnight, on some weekdays, in a zone."""

    timezone: str = "UTC"
    opens_minute: int = 0
    closes_minute: int = DAY_MINUTES
    weekdays: frozenset[int] = CALENDAR_DAYS

    def __post_init__(self) -> None:
        """Refuse windows that are empty or leave the day, and schedules with no day at all."""
        if not 0 <= self.opens_minute < self.closes_minute <= DAY_MINUTES:
            raise ValueError(f"business hours must lie within one day, start before end: "
                             f"{self.opens_minute}-{self.closes_minute}")
        if not self.weekdays or not self.weekdays <= CALENDAR_DAYS:
            raise ValueError(f"weekdays must be a non-empty subset of 0..6: {sorted(self.weekdays)}")
        ZoneInfo(self.timezone)  # raises for an unknown zone

    @classmethod
    def parse(cls, hours: str | None, days: str = "calendar", timezone: str = "UTC") -> Schedule:
        """Build a schedule from the playbook's words: hours "HH:MM-HH:MM" or None, days "working" or "calendar"."""
        if days not in ("working", "calendar"):
            raise ValueError(f"days must be 'working' or 'calendar', not {days!r}")
        opens, closes = _window(hours) if hours else (0, DAY_MINUTES)
        return cls(timezone, opens, closes, WORKING_DAYS if days == "working" else CALENDAR_DAYS)

    @cached_property
    def zone(self) -> ZoneInfo:
        """Return the schedule's time zone."""
        return ZoneInfo(self.timezone)

    @property
    def round_the_clock(self) -> bool:
        """Tell whether every moment counts (no window, every day)."""
        return self.opens_minute == 0 and self.closes_minute == DAY_MINUTES and self.weekdays == CALENDAR_DAYS

    @property
    def hours_text(self) -> str | None:
        """Return the window as "HH:MM-HH:MM", or None for the whole day."""
        if self.opens_minute == 0 and self.closes_minute == DAY_MINUTES:
            return None
        return f"{_clock(self.opens_minute)}-{_clock(self.closes_minute)}"

    @property
    def working_days_only(self) -> bool:
        """Tell whether weekends are off."""
        return self.weekdays == WORKING_DAYS

    @cached_property
    def _windows(self) -> dict[date, tuple[datetime, datetime] | None]:
        """Windows already worked out, by day: a month's response times ask for the same days again and again."""
        return {}

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """Return the UTC bounds of the day's window, or None when the day is off."""
        windows = self._windows
        if day not in windows:
            windows[day] = None if day.weekday() not in self.weekdays else (
                _local(day, self.opens_minute, self.zone), _local(day, self.closes_minute, self.zone))
        return windows[day]


def business_seconds(start: datetime, end: datetime, schedule: Schedule) -> float:
    """Return the seconds of business time between two aware datetimes (0 when end is not after start)."""
    _require_aware(start, end)
    if end <= start:
        return 0.0
    if schedule.round_the_clock:
        return (end - start).total_seconds()
    total = 0.0
    day = start.astimezone(schedule.zone).date() - timedelta(days=1)  # a window may start the local day before
    last = end.astimezone(schedule.zone).date()
    while day <= last:
        bounds = schedule.window(day)
        if bounds is not None:
            lo, hi = max(bounds[0], start), min(bounds[1], end)
            if hi > lo:
                total += (hi.astimezone(UTC) - lo.astimezone(UTC)).total_seconds()
        day += timedelta(days=1)
    return total


def add_business_seconds(start: datetime, seconds: float, schedule: Schedule) -> datetime:
    """Return the moment `seconds` of business time after `start` (a deadline), in UTC."""
    _require_aware(start)
    start = start.astimezone(UTC)
    if seconds <= 0:
        return start
    if schedule.round_the_clock:
        return start + timedelta(seconds=seconds)
    remaining = seconds
    day = start.astimezone(schedule.zone).date() - timedelta(days=1)
    for _ in range(366 * 20):  # a schedule has at least one open day a week, so this always ends
        bounds = schedule.window(day)
        if bounds is not None:
            lo, hi = max(bounds[0], start), bounds[1]
            if hi > lo:
                available = (hi - lo).total_seconds()
                if available >= remaining:
                    return lo + timedelta(seconds=remaining)
                remaining -= available
        day += timedelta(days=1)
    raise ValueError("deadline too far in the future")


def _window(text: str) -> tuple[int, int]:
    """Turn "HH:MM-HH:MM" into minutes since midnight; the end may be 24:00."""
    start_text, sep, end_text = text.strip().partition("-")
    bounds = []
    for part in (start_text.strip(), end_text.strip()):
        match = _CLOCK.fullmatch(part)
        if not sep or not match:
            raise ValueError(f"business hours must read HH:MM-HH:MM, not {text!r}")
        hours, minutes = int(match[1]), int(match[2])
        if minutes > 59 or hours > 24 or (hours == 24 and minutes):
            raise ValueError(f"not a time of day in {text!r}")
        bounds.append(hours * 60 + minutes)
    return bounds[0], bounds[1]


def _clock(minute: int) -> str:
    """Format minutes since midnight as HH:MM."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _local(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """Return the UTC moment of a local wall-clock minute of a day (24:00 is the next midnight)."""
    extra_day, minute = divmod(minute, DAY_MINUTES)
    wall = datetime.combine(day + timedelta(days=extra_day), time(minute // 60, minute % 60), tzinfo=zone)
    return wall.astimezone(UTC)


def _require_aware(*moments: datetime) -> None:
    """Refuse naive datetimes: a moment without a zone is ambiguous."""
    for moment in moments:
        if moment.tzinfo is None:
            raise ValueError("aware datetimes are required")
