"""Growth of a thread's counters (views, posts) within a month, from irregular snapshots (pure).

Forum counters only grow. A lower reading than an earlier one is a cached page or a deleted post,
so the highest reading so far is taken as the truth. The counter's value at the month's start
(and end) is interpolated in time between the readings on either side of the boundary, so a
snapshot missed around midnight does not move growth from one month to the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Reading:
    """A counter's value at one moment."""

    at: datetime
    value: int


@dataclass(frozen=True)
class Growth:
    """A counter's growth in the month, and its cumulative growth at the end of each day."""

    total: int | None
    cumulative: list[int | None]


def value_at(moment: datetime, earlier: Reading | None, later: Reading | None) -> float | None:
    """Estimate the counter at `moment` from the readings around it (a lower later reading is ignored)."""
    if earlier is None and later is None:
        return None
    if earlier is None:
        return float(later.value)  # type: ignore[union-attr]
    if later is None or later.value <= earlier.value or later.at <= earlier.at:
        return float(earlier.value)
    share = (moment - earlier.at).total_seconds() / (later.at - earlier.at).total_seconds()
    share = min(max(share, 0.0), 1.0)
    return earlier.value + (later.value - earlier.value) * share


def month_growth(
    *,
    start: datetime,
    end: datetime,
    before: Reading | None,
    first: Reading | None,
    last: Reading | None,
    after: Reading | None,
    daily_max: Sequence[int | None],
) -> Growth:
    """Return the growth between the month's start and end.

    `before`/`after` are the last reading before the month and the first after it; `first`/`last`
    the first and last readings inside it; `daily_max` the highest reading of each local day.
    """
    baseline = value_at(start, before, first or after)
    if baseline is None or (first is None and after is None):
        # Nothing was read in the month: unknown, not a silent zero.
        return Growth(None, [None] * len(daily_max))
    cumulative: list[int | None] = []
    peak = baseline
    for highest in daily_max:
        if highest is not None:
            peak = max(peak, float(highest))
        cumulative.append(round(peak - baseline))
    at_end = value_at(end, last or before, after) if after is not None else None
    if at_end is not None:
        peak = max(peak, at_end)
    total = round(peak - baseline)
    _spread_over_unread_days(cumulative, daily_max)
    if cumulative:
        cumulative[-1] = max(cumulative[-1] or 0, total)
    return Growth(total, cumulative)


def _spread_over_unread_days(cumulative: list[int | None], daily_max: Sequence[int | None]) -> None:
    """Spread growth seen after days without readings evenly over those days (for the daily chart)."""
    read = [i for i, v in enumerate(daily_max) if v is not None]
    for left, right in zip(read, read[1:], strict=False):
        low, high = cumulative[left] or 0, cumulative[right] or 0
        for day in range(left + 1, right):
            cumulative[day] = round(low + (high - low) * (day - left) / (right - left))
