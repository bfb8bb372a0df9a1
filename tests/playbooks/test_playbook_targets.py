"""KPI targets: history of every change, and the three-month rule for switching the priority KPI."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from repapp.extensions import db
from repapp.models import AuditEvent, KpiKey, KpiTarget, KpiTargetChange
from repapp.playbooks.targets import (
    EarlyPriorityChange,
    PriorityFlip,
    TargetError,
    add_months,
    last_priority_switch,
    month_targets,
    priority_switch_times,
    set_target,
)

JAN, FEB, MAR, MAY = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1), date(2025, 5, 1)
T0 = datetime(2025, 1, 5, 10, tzinfo=UTC)


def put(world, month, kpi, value, *, priority=False, at=T0, confirm=False, who="pr", reason="план на месяц"):
    """Set a target of client A by hand and commit."""
    changes = set_target(db.session, world.client_a, month, kpi, value, is_priority=priority, reason=reason,
                         actor=world.user(who), confirm_early_priority_change=confirm, now=at)
    db.session.commit()
    return changes


def changes_of(world) -> list[KpiTargetChange]:
    """Return client A's target changes, oldest first."""
    return list(db.session.scalars(select(KpiTargetChange).where(KpiTargetChange.client_id == world.client_a.id)
                                   .order_by(KpiTargetChange.changed_at, KpiTargetChange.id)))


def test_every_change_is_recorded_with_who_when_old_new_and_why(app, world):
    """Setting then changing a target leaves two history rows; the audit log has them too."""
    put(world, JAN, KpiKey.QUESTIONS, 20)
    put(world, JAN, KpiKey.QUESTIONS, "25", at=T0 + timedelta(days=3), who="admin", reason="Спрос вырос")
    first, second = changes_of(world)
    assert (first.old_target, first.new_target, first.reason) == (None, Decimal("20"), "план на месяц")
    assert (second.old_target, second.new_target, second.reason) == (Decimal("20"), Decimal("25"), "Спрос вырос")
    assert second.changed_by.email == "admin@test.repapp" and second.changed_at == T0 + timedelta(days=3)
    assert month_targets(db.session, world.client_a.id, JAN)[KpiKey.QUESTIONS].target == Decimal("25")
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "kpi_target.set")) == 2


def test_setting_the_same_value_again_records_nothing(app, world):
    """No change, no history row."""
    put(world, JAN, KpiKey.VIEWS, 3227)
    assert put(world, JAN, KpiKey.VIEWS, "3227.00") == []
    assert len(changes_of(world)) == 1


@pytest.mark.parametrize(("kpi", "value", "field"), [
    (KpiKey.QUESTIONS, "2.5", "value"),
    (KpiKey.QUESTIONS, "-1", "value"),
    (KpiKey.QUESTIONS, "много", "value"),
    (KpiKey.RESPONSE_TIME_HOURS_MEDIAN, "1.555", "value"),
])
def test_bad_values_are_refused(app, world, kpi, value, field):
    """Counts are whole, nothing is negative, hours have at most two decimals."""
    with pytest.raises(TargetError) as caught:
        put(world, JAN, kpi, value)
    assert caught.value.field == field


def test_a_reason_is_required_and_the_playbook_wording_is_reserved(app, world):
    """Hand changes say why, in words of their own."""
    with pytest.raises(TargetError, match="why"):
        put(world, JAN, KpiKey.VIEWS, 1, reason=" ")
    with pytest.raises(TargetError, match="playbook"):
        put(world, JAN, KpiKey.VIEWS, 1, reason="playbook v2")


def test_hours_may_be_fractional(app, world):
    """The response-time target is a number of hours, e.g. 1.5."""
    put(world, JAN, KpiKey.RESPONSE_TIME_HOURS_MEDIAN, "1,5")
    assert month_targets(db.session, world.client_a.id, JAN)[KpiKey.RESPONSE_TIME_HOURS_MEDIAN].target == Decimal("1.5")


def test_making_a_kpi_priority_takes_the_flag_from_the_other(app, world):
    """One priority per month: the previous holder loses it, with its own history row."""
    put(world, JAN, KpiKey.QUESTIONS, 20, priority=True)
    put(world, JAN, KpiKey.VIEWS, 3000)
    put(world, JAN, KpiKey.VIEWS, 3000, priority=True, at=T0 + timedelta(days=1))
    targets = month_targets(db.session, world.client_a.id, JAN)
    assert targets[KpiKey.VIEWS].is_priority and not targets[KpiKey.QUESTIONS].is_priority
    lost = [c for c in changes_of(world) if c.old_priority and not c.new_priority]
    assert [(c.kpi, c.old_target, c.new_target) for c in lost] == [(KpiKey.QUESTIONS, Decimal("20"), Decimal("20"))]


def test_switching_priority_within_three_months_asks_for_confirmation(app, world):
    """First choice free; a second switch within three months is refused unless confirmed, and recorded so."""
    put(world, JAN, KpiKey.QUESTIONS, 20, priority=True)
    put(world, FEB, KpiKey.VIEWS, 3000, priority=True, at=T0 + timedelta(days=30))  # first switch: free
    assert last_priority_switch(db.session, world.client_a.id) == T0 + timedelta(days=30)
    with pytest.raises(EarlyPriorityChange) as caught:
        put(world, MAR, KpiKey.PROBLEMS_SOLVED, 2, priority=True, at=T0 + timedelta(days=60))
    db.session.rollback()
    assert caught.value.previous == KpiKey.VIEWS and caught.value.proposed == KpiKey.PROBLEMS_SOLVED
    assert month_targets(db.session, world.client_a.id, MAR) == {}
    put(world, MAR, KpiKey.PROBLEMS_SOLVED, 2, priority=True, at=T0 + timedelta(days=60), confirm=True)
    confirmed = changes_of(world)[-1]
    assert confirmed.kpi == KpiKey.PROBLEMS_SOLVED and confirmed.confirmed_early_priority_change
    assert not any(c.confirmed_early_priority_change for c in changes_of(world)[:-1])


def test_after_three_months_a_switch_needs_no_confirmation(app, world):
    """The rule is a calm period after the last switch, not a ban."""
    put(world, JAN, KpiKey.QUESTIONS, 20, priority=True)
    put(world, FEB, KpiKey.VIEWS, 3000, priority=True, at=datetime(2025, 2, 1, tzinfo=UTC))
    put(world, MAY, KpiKey.QUESTIONS, 20, priority=True, at=datetime(2025, 5, 1, tzinfo=UTC))
    assert not changes_of(world)[-1].confirmed_early_priority_change


def test_keeping_the_same_priority_in_a_new_month_is_not_a_switch(app, world):
    """Re-marking last month's priority KPI never asks for confirmation."""
    put(world, JAN, KpiKey.QUESTIONS, 20, priority=True)
    put(world, FEB, KpiKey.VIEWS, 3000, priority=True, at=T0 + timedelta(days=1))
    put(world, MAR, KpiKey.VIEWS, 3000, priority=True, at=T0 + timedelta(days=2))
    assert last_priority_switch(db.session, world.client_a.id) == T0 + timedelta(days=1)


def test_priority_switch_times_replays_the_history():
    """Gains of the same KPI are not switches; a gain of another KPI is, once per change."""
    at = [T0 + timedelta(days=n) for n in range(5)]
    flips = [
        PriorityFlip(at[0], JAN, KpiKey.QUESTIONS, True),
        PriorityFlip(at[1], FEB, KpiKey.QUESTIONS, True),  # same KPI, next month
        PriorityFlip(at[2], FEB, KpiKey.VIEWS, True),  # switch within February...
        PriorityFlip(at[2], FEB, KpiKey.QUESTIONS, False),  # ...recorded as a loss too
        PriorityFlip(at[3], MAR, KpiKey.VIEWS, True),  # carries February's priority on
        PriorityFlip(at[4], MAR, KpiKey.VIEWS, False),  # no priority in March at all
    ]
    assert priority_switch_times(flips) == [at[2]]
    assert priority_switch_times([]) == []


def test_add_months_clamps_to_the_end_of_shorter_months():
    """Three months after 30 November is 28 February (29 in a leap year)."""
    assert add_months(datetime(2024, 11, 30, tzinfo=UTC), 3) == datetime(2025, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2023, 11, 30, tzinfo=UTC), 3) == datetime(2024, 2, 29, tzinfo=UTC)
    assert add_months(datetime(2025, 1, 15, tzinfo=UTC), -1) == datetime(2024, 12, 15, tzinfo=UTC)


def test_targets_of_different_months_are_independent(app, world):
    """A month's targets are its own rows."""
    put(world, JAN, KpiKey.VIEWS, 1000)
    put(world, FEB, KpiKey.VIEWS, 2000)
    assert db.session.scalar(select(func.count()).select_from(KpiTarget)) == 2
    assert month_targets(db.session, world.client_a.id, date(2025, 2, 17))[KpiKey.VIEWS].target == Decimal("2000")
