"""Calendar months in a client's time zone, as UTC bounds and local days (pure)."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_MONTH = re.compile(r"(\d{4})-(\d{2})")


def parse_month(text: str) -> date:
    """Turn "YYYY-MM" into the first day of that month; raise ValueError otherwise."""
    match = _MONTH.fullmatch((text or "").strip())
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
        raise ValueError(f"a month is written YYYY-MM, e.g. 2025-02, not {text!r}")
    return date(int(match[1]), int(match[2]), 1)


def month_text(month: date) -> str:
    """Format a month as "YYYY-MM"."""
    return f"{month.year:04d}-{month.month:02d}"


def next_month(month: date) -> date:
    """Return the first day of the following month."""
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def previous_month(month: date) -> date:
    """Return the first day of the preceding month."""
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def local_month(moment: datetime, timezone: str) -> date:
    """Return the first day of the month `moment` falls in, in the given zone."""
    local = moment.astimezone(ZoneInfo(timezone))
    return date(local.year, local.month, 1)


def local_day(moment: datetime, timezone: str) -> date:
    """Return the date of `moment` in the given zone."""
    return moment.astimezone(ZoneInfo(timezone)).date()


def local_day_starts(first: date, days: int, timezone: str) -> tuple[datetime, ...]:
    """Return the UTC starts of `days` local days from `first`, then the end of the last one."""
    zone = ZoneInfo(timezone)
    return tuple(
        datetime.combine(first + timedelta(days=i), time(0), tzinfo=zone).astimezone(UTC) for i in range(days + 1)
    )


@dataclass(frozen=True)
class MonthPeriod:
    """One month of one client: its local days and their UTC bounds (start inclusive, end exclusive)."""

    month: date
    timezone: str
    day_starts: tuple[datetime, ...]  # UTC start of each local day, then the month's end

    @classmethod
    def of(cls, month: date, timezone: str) -> MonthPeriod:
        """Build the period of the month starting on `month` in `timezone`."""
        first = month.replace(day=1)
        return cls(first, timezone, local_day_starts(first, (next_month(first) - first).days, timezone))

    @property
    def start(self) -> datetime:
        """Return the month's first moment (UTC)."""
        return self.day_starts[0]

    @property
    def end(self) -> datetime:
        """Return the first moment after the month (UTC)."""
        return self.day_starts[-1]

    @cached_property
    def days(self) -> tuple[date, ...]:
        """Return the month's local dates (the KPI code asks for them a hundred times a report)."""
        return tuple(self.month + timedelta(days=i) for i in range(len(self.day_starts) - 1))

    def elapsed_fraction(self, now: datetime) -> float:
        """Return how much of the month has passed at `now`, from 0 to 1."""
        if now <= self.start:
            return 0.0
        if now >= self.end:
            return 1.0
        return (now - self.start).total_seconds() / (self.end - self.start).total_seconds()

    def day_index(self, moment: datetime) -> int | None:
        """Return the index of the local day holding `moment`, or None outside the month."""
        if not self.start <= moment < self.end:
            return None
        return bisect_right(self.day_starts, moment) - 1

    def days_elapsed(self, now: datetime) -> int:
        """Return how many of the month's days have begun at `now` (0 before it, all after it)."""
        return sum(1 for start in self.day_starts[:-1] if start <= now)
