"""The slot planner with plain values: per day in the client's zone, per calendar week, minimum gap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from repapp.posting.limits import PostingLimits, next_slot, plan_slots

MSK = ZoneInfo("Europe/Moscow")


def at(text: str, zone=UTC) -> datetime:
    """Return an aware datetime from 'YYYY-MM-DD HH:MM' in zone."""
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def test_three_a_day_with_five_approved_sends_three_today_and_two_tomorrow():
    """The issue's case: 3 per day, 5 approved at 10:00 -> 3 slots today, 2 from tomorrow's midnight."""
    limits = PostingLimits(per_day=3, timezone="Europe/Moscow")
    slots = plan_slots(limits, [], 5, at("2026-03-10 10:00", MSK))
    assert [s.astimezone(MSK).date().isoformat() for s in slots] == ["2026-03-10"] * 3 + ["2026-03-11"] * 2
    assert slots[:3] == [at("2026-03-10 10:00", MSK)] * 3  # no gap asked: all three may go at once
    assert slots[3] == at("2026-03-11 00:00", MSK)


def test_three_a_day_with_a_gap_spreads_today_and_tomorrow():
    """With a 90-minute gap the three of today are spaced, and tomorrow's two as well."""
    limits = PostingLimits(per_day=3, min_gap=timedelta(minutes=90), timezone="Europe/Moscow")
    slots = plan_slots(limits, [], 5, at("2026-03-10 10:00", MSK))
    assert [s.astimezone(MSK).strftime("%d %H:%M") for s in slots] == [
        "10 10:00", "10 11:30", "10 13:00", "11 00:00", "11 01:30"]


def test_posts_already_made_today_count():
    """Two posted this morning, 3 a day: one more today, the next tomorrow."""
    limits = PostingLimits(per_day=3, timezone="UTC")
    taken = [at("2026-03-10 08:00"), at("2026-03-10 09:00")]
    assert plan_slots(limits, taken, 2, at("2026-03-10 12:00")) == [at("2026-03-10 12:00"), at("2026-03-11 00:00")]


def test_min_gap_keeps_clear_of_earlier_and_planned_posts():
    """A gap applies both ways: a slot between two planned posts must be a gap from each."""
    limits = PostingLimits(min_gap=timedelta(minutes=30))
    taken = [at("2026-03-10 10:00"), at("2026-03-10 10:50")]
    # 10:20 is too close to 10:00 -> 10:30, too close to 10:50 -> 11:20.
    assert next_slot(limits, taken, at("2026-03-10 10:20")) == at("2026-03-10 11:20")
    # A slot long before the planned ones is fine as it is.
    assert next_slot(limits, taken, at("2026-03-10 09:00")) == at("2026-03-10 09:00")
    # Exactly one gap after a post is allowed.
    assert next_slot(limits, [at("2026-03-10 10:00")], at("2026-03-10 10:30")) == at("2026-03-10 10:30")


def test_per_week_is_the_calendar_week_in_the_clients_zone():
    """5 a week, Monday to Sunday: a full week pushes the next post to Monday 00:00 local time."""
    limits = PostingLimits(per_week=5, timezone="Europe/Moscow")
    # Monday 2026-03-09 .. Friday 2026-03-13: five posts, one a day.
    taken = [at(f"2026-03-{d:02d} 12:00", MSK) for d in range(9, 14)]
    assert next_slot(limits, taken, at("2026-03-14 09:00", MSK)) == at("2026-03-16 00:00", MSK)
    # Last week's posts do not count against this week.
    assert next_slot(limits, taken, at("2026-03-16 09:00", MSK)) == at("2026-03-16 09:00", MSK)


def test_the_day_boundary_is_midnight_in_the_clients_zone_not_utc():
    """22:30 UTC on the 10th is already the 11th in Moscow: yesterday's (UTC) posts do not count."""
    limits = PostingLimits(per_day=1, timezone="Europe/Moscow")
    posted = [at("2026-03-10 20:00")]  # 23:00 in Moscow, the 10th
    assert next_slot(limits, posted, at("2026-03-10 20:30")) == at("2026-03-11 00:00", MSK)  # 21:00 UTC
    assert next_slot(limits, posted, at("2026-03-10 22:30")) == at("2026-03-10 22:30")  # the 11th in Moscow
    utc_limits = PostingLimits(per_day=1, timezone="UTC")
    assert next_slot(utc_limits, posted, at("2026-03-10 22:30")) == at("2026-03-11 00:00")


def test_day_and_week_limits_combine():
    """2 a day and 3 a week: Monday 2, Tuesday 1, then the next Monday."""
    limits = PostingLimits(per_day=2, per_week=3, timezone="UTC")
    slots = plan_slots(limits, [], 4, at("2026-03-09 10:00"))  # a Monday
    assert slots == [at("2026-03-09 10:00"), at("2026-03-09 10:00"), at("2026-03-10 00:00"), at("2026-03-16 00:00")]


def test_limits_from_a_playbook_section():
    """The playbook's posting_limits (min_gap_minutes) and the client's zone become PostingLimits."""

    class Section:
        per_day, per_week, min_gap_minutes = 3, None, 45

    limits = PostingLimits.from_playbook(Section(), "Europe/Kyiv")
    assert limits == PostingLimits(per_day=3, per_week=None, min_gap=timedelta(minutes=45), timezone="Europe/Kyiv")


@pytest.mark.parametrize("kwargs", [{"per_day": 0}, {"per_week": -1}, {"min_gap": timedelta(minutes=-1)},
                                    {"timezone": "Mars/Olympus"}])
def test_impossible_limits_are_refused(kwargs):
    """Limits that could never be met, or a zone that does not exist, are errors, not silent no-ops."""
    with pytest.raises(ValueError):
        PostingLimits(**kwargs)


def test_naive_times_are_refused():
    """A naive time would be read in some unknown zone: refused."""
    with pytest.raises(ValueError):
        next_slot(PostingLimits(), [], datetime(2026, 3, 10, 10, 0))
