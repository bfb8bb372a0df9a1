"""The slot planner: when may the client's account post next on a forum, within its limits.

Pure: no Flask, no database. "Day" is the calendar day and "week" the calendar week (ISO,
Monday to Sunday), both in the client's time zone — the way a PR specialist reads "3 a day,
5 a week" and the way the monthly report counts. The minimum gap applies both ways: a new
post keeps it from every other post, earlier or already planned later.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["PostingLimits", "next_slot", "plan_slots"]


@dataclass(frozen=True)
class PostingLimits:
    """How often one account may post on one forum; None means no limit of that kind."""

    per_day: int | None = None
    per_week: int | None = None
    min_gap: timedelta = timedelta(0)
    timezone: str = "UTC"  # the client's zone: where "today" and "this week" begin

    def __post_init__(self) -> None:
        """Refuse limits that could never be met or make no sense."""
        for name in ("per_day", "per_week"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ValueError(f"{name} must be a whole number of at least 1, or None")
        if self.min_gap < timedelta(0):
            raise ValueError("min_gap must not be negative")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {self.timezone!r}") from None

    @property
    def tzinfo(self) -> tzinfo:
        """Return the zone days and weeks are counted in."""
        return ZoneInfo(self.timezone)

    @classmethod
    def from_playbook(cls, limits: Any, timezone: str) -> PostingLimits:
        """Build limits from a playbook's posting_limits (per_day, per_week, min_gap_minutes)."""
        return cls(
            per_day=limits.per_day,
            per_week=limits.per_week,
            min_gap=timedelta(minutes=limits.min_gap_minutes or 0),
            timezone=timezone,
        )


def _aware(value: datetime, what: str) -> datetime:
    """Return value, refusing a naive datetime (its zone would be a guess)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")
    return value


def _local_midnight(day: date, zone: tzinfo) -> datetime:
    """Return the first moment of a local calendar day."""
    return datetime.combine(day, time(0), tzinfo=zone)


def _day_of(moment: datetime, zone: tzinfo) -> date:
    """Return the local calendar day of a moment."""
    return moment.astimezone(zone).date()


def _week_of(moment: datetime, zone: tzinfo) -> tuple[int, int]:
    """Return the local ISO (year, week) of a moment."""
    year, week, _ = moment.astimezone(zone).isocalendar()
    return year, week


def next_slot(limits: PostingLimits, taken: Iterable[datetime], earliest: datetime) -> datetime:
    """Return the first moment at or after `earliest` that a new post keeps every limit.

    `taken` holds the times of the account's other posts on the forum: published, in flight
    and already planned. Each rule can only move the candidate later, so the search ends.
    """
    zone = limits.tzinfo
    times: Sequence[datetime] = sorted(_aware(t, "taken time") for t in taken)
    candidate = _aware(earliest, "earliest")
    while True:
        if limits.min_gap:
            clashes = [t for t in times if abs(t - candidate) < limits.min_gap]
            if clashes:
                candidate = max(clashes) + limits.min_gap
                continue
        if limits.per_day is not None:
            day = _day_of(candidate, zone)
            if sum(1 for t in times if _day_of(t, zone) == day) >= limits.per_day:
                candidate = _local_midnight(day + timedelta(days=1), zone)
                continue
        if limits.per_week is not None:
            week = _week_of(candidate, zone)
            if sum(1 for t in times if _week_of(t, zone) == week) >= limits.per_week:
                day = _day_of(candidate, zone)
                candidate = _local_midnight(day + timedelta(days=7 - day.weekday()), zone)
                continue
        return candidate


def plan_slots(limits: PostingLimits, taken: Iterable[datetime], count: int, earliest: datetime) -> list[datetime]:
    """Return slots for `count` new posts in order, each one counting the ones before it."""
    times = list(taken)
    slots: list[datetime] = []
    for _ in range(count):
        slot = next_slot(limits, times, earliest)
        slots.append(slot)
        times.append(slot)
    return slots
