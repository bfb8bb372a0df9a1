"""Pace forecasts, percent of target, ceilings, percentiles and months (plain values, no app)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from repapp.kpi.forecast import CeilingBasis, estimate_ceiling, pace_forecast, percent_of, target_met, total_ceiling
from repapp.kpi.periods import MonthPeriod, parse_month, previous_month
from repapp.kpi.settings import parse_duration, settings_from_playbook
from repapp.kpi.stats import median, percentile


def test_the_forecast_extends_the_pace_so_far():
    """Half the month gone with 60 done forecasts 120; a finished month forecasts what it has."""
    assert pace_forecast(60, 0.5, 28) == 120
    assert pace_forecast(60, 1.0, 28) == 60
    assert pace_forecast(None, 0.5, 28) is None


def test_no_forecast_on_the_first_day_and_none_for_a_level_figure():
    """Too early to extrapolate; a median response time is its own forecast."""
    assert pace_forecast(5, 0.5 / 28, 28) is None
    assert pace_forecast(3.5, 0.5, 28, cumulative=False) == 3.5


def test_percent_and_met_depend_on_which_way_is_better():
    """More views is better, a longer response time is worse."""
    assert percent_of(3227, 3000) == pytest.approx(107.5666, rel=1e-4)
    assert percent_of(5, 0) is None
    assert target_met(3227, 3000, True) is True
    assert target_met(5.0, 4.0, False) is False


def test_a_flat_history_has_reached_its_ceiling():
    """A forum whose months stopped growing: the best month is the ceiling."""
    ceiling = estimate_ceiling([3000, 3300, 3100, 3200])
    assert (ceiling.value, ceiling.basis) == (3300, CeilingBasis.PLATEAU)


def test_shrinking_gains_point_at_a_ceiling_above_the_last_month():
    """Gains of 1000, 800, 500: they shrink by about 0.71 a month, adding up to about 1240 more."""
    ceiling = estimate_ceiling([1000, 2000, 2800, 3300])
    assert ceiling.basis == CeilingBasis.SLOWING
    assert ceiling.value == pytest.approx(3300 + 500 * 0.7125 / 0.2875)


def test_steady_growth_shows_no_ceiling_yet_and_short_history_none_at_all():
    """Linear growth has no visible limit; two months are too few to tell."""
    assert estimate_ceiling([1000, 2000, 3000]).value is None
    assert estimate_ceiling([1000, 2000, 3000]).basis == CeilingBasis.GROWING
    assert estimate_ceiling([1000, None, 2000]).basis == CeilingBasis.TOO_LITTLE_HISTORY


def test_the_clients_ceiling_is_the_sum_of_known_forum_ceilings():
    """One unknown forum makes the total unknown."""
    flat = estimate_ceiling([10, 10, 10])
    assert total_ceiling([flat, flat]) == 20
    assert total_ceiling([flat, estimate_ceiling([1, 2])]) is None


def test_percentiles_interpolate_between_ranks():
    """Median of four is the mean of the middle two; the 90th percentile of 0, 0, 3, 15 is 11.4."""
    assert median([0, 0, 3, 15]) == 1.5
    assert percentile([0, 0, 3, 15], 0.9) == pytest.approx(11.4)
    assert median([]) is None


def test_months_are_local_days_with_utc_bounds():
    """February 2025 in Moscow starts at 21:00 UTC on 31 January and has 28 days."""
    period = MonthPeriod.of(date(2025, 2, 1), "Europe/Moscow")
    assert period.start == datetime(2025, 1, 31, 21, tzinfo=UTC)
    assert len(period.days) == 28 and period.end == datetime(2025, 2, 28, 21, tzinfo=UTC)
    assert parse_month("2025-02") == date(2025, 2, 1) and previous_month(date(2025, 1, 1)) == date(2024, 12, 1)
    with pytest.raises(ValueError):
        parse_month("2025-13")


def test_the_playbook_norm_and_limits_are_read_from_its_stored_content():
    """The plug for the playbook: regulations.response_time and forums.*.posting_limits."""
    content = {
        "client": {"timezone": "Asia/Yekaterinburg"},
        "regulations": {"response_time": {"first_response_within": "1h30m", "business_hours": "08:00-22:00",
                                          "days": "calendar"}},
        "forums": {"drive2": {"posting_limits": {"per_day": 5, "min_gap_minutes": 30}}},
    }
    settings = settings_from_playbook(content)
    assert settings.response_norm.within_seconds == 5400
    assert settings.response_norm.schedule.hours_text == "08:00-22:00"
    assert settings.posting_limits["drive2"].per_day == 5 and settings.posting_limits["drive2"].per_week is None
    assert parse_duration("40m") == 2400
