"""Forecasts to the month's end and ceiling estimates from a forum's history (pure).

The seed's warning: growth is not endless, every platform has a ceiling beyond which a KPI will not
grow. A forum's ceiling is read from its monthly history: a flat series has reached it; a series
whose monthly gains shrink is heading for the limit of those shrinking gains; a series still
growing steadily shows no ceiling yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from .stats import median

MIN_HISTORY_MONTHS = 3
FLAT_SHARE = 0.05  # monthly gains under 5 % of the best month count as flat
MIN_ELAPSED_DAYS = 1  # no pace forecast before the first day is over


class CeilingBasis(StrEnum):
    PLATEAU = "plateau"
    SLOWING = "slowing"
    GROWING = "growing"
    TOO_LITTLE_HISTORY = "too_little_history"


@dataclass(frozen=True)
class Ceiling:
    """An estimated ceiling (None when it cannot be seen yet), how it was read, from how many months."""

    value: float | None
    basis: CeilingBasis
    months: int


def pace_forecast(actual: float | None, elapsed_fraction: float, days_in_month: int, *,
                  cumulative: bool = True) -> float | None:
    """Return the month-end value if the pace so far holds (a level figure is its own forecast)."""
    if actual is None:
        return None
    if not cumulative or elapsed_fraction >= 1.0:
        return float(actual)
    if elapsed_fraction * days_in_month < MIN_ELAPSED_DAYS:
        return None
    return actual / elapsed_fraction


def percent_of(actual: float | None, target: float | None) -> float | None:
    """Return actual as a percentage of target, or None when either is missing or the target is zero."""
    if actual is None or not target:
        return None
    return actual / target * 100


def target_met(actual: float | None, target: float | None, higher_is_better: bool) -> bool | None:
    """Tell whether the target is met (None when there is nothing to compare)."""
    if actual is None or target is None:
        return None
    return actual >= target if higher_is_better else actual <= target


def estimate_ceiling(history: Sequence[float | None]) -> Ceiling:
    """Estimate a forum's ceiling for a KPI from its monthly values, oldest first (gaps skipped)."""
    values = [float(v) for v in history if v is not None]
    if len(values) < MIN_HISTORY_MONTHS:
        return Ceiling(None, CeilingBasis.TOO_LITTLE_HISTORY, len(values))
    best = max(values)
    gains = [b - a for a, b in zip(values, values[1:], strict=False)]
    recent = gains[-2:]
    if sum(recent) / len(recent) <= FLAT_SHARE * best:
        return Ceiling(best, CeilingBasis.PLATEAU, len(values))
    last_gains = gains[-4:]
    ratios = [b / a for a, b in zip(last_gains, last_gains[1:], strict=False) if a > 0 and b > 0]
    ratio = median(ratios)
    if ratio is None or ratio >= 1.0:
        return Ceiling(None, CeilingBasis.GROWING, len(values))
    # Gains shrinking by `ratio` a month add up to last_gain * ratio / (1 - ratio) more.
    limit = values[-1] + gains[-1] * ratio / (1.0 - ratio)
    return Ceiling(max(limit, best), CeilingBasis.SLOWING, len(values))


def total_ceiling(ceilings: Sequence[Ceiling]) -> float | None:
    """Return the sum of the forums' ceilings, or None when any of them is unknown."""
    if not ceilings or any(c.value is None for c in ceilings):
        return None
    return sum(c.value for c in ceilings if c.value is not None)
