"""Monthly KPI targets: setting them by hand or from a playbook, with the change history.

Every change writes a `KpiTargetChange` (who, when, old → new, why). The priority KPI is meant
to stay put: switching it within three months of the last switch raises `EarlyPriorityChange`
unless the person confirms, and a confirmed early switch is recorded as such.

A switch is a month's priority becoming a different KPI than the one in force before it — the
month's own priority, or else the latest earlier month's. The last switch is found by replaying
the client's priority changes (`priority_switch_times`, pure), so the history is the only record.
Targets written from a playbook carry the reason `playbook vN`; any other reason marks a target
as set by hand, which a playbook never overwrites.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from ..audit import record_event
from ..models import Client, KpiKey, KpiTarget, KpiTargetChange, Role, User, utcnow
from .schema import KPI_INFO

PRIORITY_CALM_MONTHS = 3
PLAYBOOK_REASON_RE = re.compile(r"^playbook v\d+$")
MAX_TARGET = Decimal("999999999999.99")  # Numeric(14, 2)


class TargetError(ValueError):
    """A target change that breaks a rule; `field` names the form field it concerns."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class EarlyPriorityChange(TargetError):
    """The priority KPI would switch within three months of the last switch; confirm to go ahead."""

    def __init__(self, last_switch_at: datetime, previous: KpiKey, proposed: KpiKey) -> None:
        super().__init__(
            "is_priority",
            f"the priority KPI was last switched on {last_switch_at:%Y-%m-%d}; switching from "
            f"{previous.value} to {proposed.value} again within {PRIORITY_CALM_MONTHS} months needs confirmation",
        )
        self.last_switch_at = last_switch_at
        self.previous = previous
        self.proposed = proposed


def playbook_reason(number: int) -> str:
    """Return the reason recorded for targets written from playbook version `number`."""
    return f"playbook v{number}"


def month_start(day: date) -> date:
    """Return the first day of the month of `day`."""
    return day.replace(day=1)


def local_month(at: datetime, timezone: str) -> date:
    """Return the first day of the month `at` falls in, in the client's time zone."""
    return month_start(at.astimezone(ZoneInfo(timezone)).date())


def parse_month(text: str) -> date:
    """Parse YYYY-MM into the month's first day (ValueError otherwise)."""
    if not re.fullmatch(r"\d{4}-\d{2}", text.strip()):
        raise ValueError(f"not a month written as YYYY-MM: {text!r}")
    return datetime.strptime(text.strip(), "%Y-%m").date()


def add_months(at: datetime, months: int) -> datetime:
    """Return `at` moved by whole calendar months (the day is clamped to the month's length)."""
    index = at.year * 12 + at.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    days = (date(year + month // 12, month % 12 + 1, 1) - date(year, month, 1)).days
    return at.replace(year=year, month=month, day=min(at.day, days))


def parse_target_value(kpi: KpiKey, value: Any) -> Decimal:
    """Check a target value for a KPI and return it as a Decimal (TargetError when it is not one)."""
    if isinstance(value, bool):
        raise TargetError("value", "must be a number")
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise TargetError("value", "must be a number") from None
    if not number.is_finite() or number < 0:
        raise TargetError("value", "must be a number, not negative")
    if number > MAX_TARGET:
        raise TargetError("value", "is too large")
    if KPI_INFO[kpi].whole_number and number != number.to_integral_value():
        raise TargetError("value", f"'{kpi.value}' counts things: the target must be a whole number")
    if number != number.quantize(Decimal("0.01")):
        raise TargetError("value", "at most two decimal places")
    return number


class PriorityFlip(NamedTuple):
    """A recorded change of a KPI's priority flag in one month."""

    changed_at: datetime
    month: date
    kpi: KpiKey
    new_priority: bool


def _reference_priority(state: dict[date, KpiKey | None], month: date) -> KpiKey | None:
    """Return the priority in force for `month`: its own, or the latest earlier month's."""
    if state.get(month) is not None:
        return state[month]
    earlier = [m for m, kpi in state.items() if m < month and kpi is not None]
    return state[max(earlier)] if earlier else None


def priority_switch_times(flips: Iterable[PriorityFlip]) -> list[datetime]:
    """Replay priority changes (oldest first) and return when the priority KPI switched."""
    state: dict[date, KpiKey | None] = {}
    switches: list[datetime] = []
    groups: dict[datetime, list[PriorityFlip]] = {}
    for flip in sorted(flips, key=lambda f: f.changed_at):
        groups.setdefault(flip.changed_at, []).append(flip)
    for at, group in groups.items():
        before = dict(state)
        for flip in group:
            if flip.new_priority:
                reference = _reference_priority(before, flip.month)
                if reference is not None and reference != flip.kpi and at not in switches:
                    switches.append(at)
                state[flip.month] = flip.kpi
            elif state.get(flip.month) == flip.kpi:
                state[flip.month] = None
    return switches


def _flips(dbs: Session, client_id: int) -> list[PriorityFlip]:
    """Return the client's recorded priority changes."""
    rows = dbs.execute(
        select(KpiTargetChange.changed_at, KpiTargetChange.month, KpiTargetChange.kpi, KpiTargetChange.new_priority)
        .where(KpiTargetChange.client_id == client_id,
               KpiTargetChange.old_priority != KpiTargetChange.new_priority)
        .order_by(KpiTargetChange.changed_at, KpiTargetChange.id)
    ).all()
    return [PriorityFlip(at, month, KpiKey(kpi), bool(new)) for at, month, kpi, new in rows]


def last_priority_switch(dbs: Session, client_id: int) -> datetime | None:
    """Return when the client's priority KPI last switched, or None if it never did."""
    switches = priority_switch_times(_flips(dbs, client_id))
    return switches[-1] if switches else None


def priority_in_force(dbs: Session, client_id: int, month: date) -> KpiKey | None:
    """Return the month's priority KPI, or else the latest earlier month's."""
    kpi = dbs.scalar(
        select(KpiTarget.kpi)
        .where(KpiTarget.client_id == client_id, KpiTarget.month <= month_start(month), KpiTarget.is_priority)
        .order_by(KpiTarget.month.desc()).limit(1)
    )
    return KpiKey(kpi) if kpi is not None else None


def early_switch(dbs: Session, client_id: int, month: date, kpi: KpiKey, at: datetime
                 ) -> EarlyPriorityChange | None:
    """Return the objection to making `kpi` the month's priority at `at`, if it is an early switch."""
    previous = priority_in_force(dbs, client_id, month)
    if previous is None or previous == kpi:
        return None
    last = last_priority_switch(dbs, client_id)
    if last is not None and at < add_months(last, PRIORITY_CALM_MONTHS):
        return EarlyPriorityChange(last, previous, kpi)
    return None


def month_targets(dbs: Session, client_id: int, month: date) -> dict[KpiKey, KpiTarget]:
    """Return the month's targets by KPI."""
    rows = dbs.scalars(
        select(KpiTarget).where(KpiTarget.client_id == client_id, KpiTarget.month == month_start(month))
    )
    return {KpiKey(t.kpi): t for t in rows}


def history_query(client_id: int, month: date | None = None) -> Select[Any]:
    """Return the select of a client's target changes, newest first (optionally of one month)."""
    query = select(KpiTargetChange).where(KpiTargetChange.client_id == client_id)
    if month is not None:
        query = query.where(KpiTargetChange.month == month_start(month))
    return query.order_by(KpiTargetChange.changed_at.desc(), KpiTargetChange.id.desc())


def hand_set(dbs: Session, client_id: int, month: date) -> tuple[set[KpiKey], bool]:
    """Return the month's KPIs set by hand, and whether a person chose its priority by hand."""
    rows = dbs.execute(
        select(KpiTargetChange.kpi, KpiTargetChange.reason, KpiTargetChange.old_priority,
               KpiTargetChange.new_priority)
        .where(KpiTargetChange.client_id == client_id, KpiTargetChange.month == month_start(month))
    ).all()
    by_hand = [row for row in rows if not PLAYBOOK_REASON_RE.match(row.reason or "")]
    return {KpiKey(row.kpi) for row in by_hand}, any(row.old_priority != row.new_priority for row in by_hand)


@dataclass(frozen=True)
class Wanted:
    """A target as it should be after a change; value None removes the target."""

    kpi: KpiKey
    value: Decimal | None
    is_priority: bool


def write_targets(
    dbs: Session, client: Client, month: date, wanted: Sequence[Wanted], *, reason: str, actor: User | None,
    now: datetime, confirmed_early: bool = False,
) -> list[KpiTargetChange]:
    """Bring the month's targets to `wanted`, recording a change per target that moved.

    A KPI made priority takes the flag from whichever KPI had it in the month. Rules (the early
    switch, hand-set targets) are the callers' to check; this only writes and records.
    """
    month = month_start(month)
    current = month_targets(dbs, client.id, month)
    wanted_by_kpi = {w.kpi: w for w in wanted}
    new_priority = next((w.kpi for w in wanted if w.is_priority and w.value is not None), None)
    if new_priority is not None:
        for kpi, target in current.items():
            if target.is_priority and kpi != new_priority and kpi not in wanted_by_kpi:
                wanted_by_kpi[kpi] = Wanted(kpi, target.target, False)
    changes = []
    for kpi in KpiKey:
        want = wanted_by_kpi.get(kpi)
        if want is None:
            continue
        target = current.get(kpi)
        old_value, old_priority = (target.target, target.is_priority) if target else (None, False)
        new_value = want.value
        priority = bool(want.is_priority and new_value is not None)
        if old_value == new_value and old_priority == priority and (target is not None or new_value is None):
            continue
        if new_value is None:
            dbs.delete(target)
        elif target is None:
            dbs.add(KpiTarget(client_id=client.id, month=month, kpi=kpi, target=new_value, is_priority=priority,
                              set_by_id=actor.id if actor else None, set_at=now))
        else:
            target.target, target.is_priority = new_value, priority
            target.set_by_id, target.set_at = (actor.id if actor else None), now
        change = KpiTargetChange(
            client_id=client.id, month=month, kpi=kpi, old_target=old_value, new_target=new_value,
            old_priority=old_priority, new_priority=priority, reason=reason,
            confirmed_early_priority_change=confirmed_early and priority and not old_priority,
            changed_by_id=actor.id if actor else None, changed_at=now,
        )
        dbs.add(change)
        changes.append(change)
    dbs.flush()
    for change in changes:
        record_event(dbs, "kpi_target.set", "kpi_target", f"{client.slug}/{month:%Y-%m}/{change.kpi.value}",
                     actor=actor, client_id=client.id, month=f"{month:%Y-%m}", kpi=change.kpi.value,
                     old=_plain(change.old_target), new=_plain(change.new_target),
                     old_priority=change.old_priority, new_priority=change.new_priority, reason=reason,
                     confirmed_early_priority_change=change.confirmed_early_priority_change)
    return changes


def _plain(value: Decimal | None) -> str | None:
    """Return a Decimal as text for the audit log."""
    return None if value is None else format(value.normalize(), "f")


def set_target(
    dbs: Session,
    client: Client,
    month: date,
    kpi: KpiKey,
    value: Any,
    *,
    is_priority: bool,
    reason: str,
    actor: User | None,
    confirm_early_priority_change: bool = False,
    now: datetime | None = None,
) -> list[KpiTargetChange]:
    """Set a month's target for one KPI by hand; return the changes (empty when nothing changed).

    Raises TargetError for a bad value or a missing reason, EarlyPriorityChange when the priority
    would switch within three months of the last switch and the person has not confirmed.
    """
    if actor is not None and actor.role not in (Role.PR, Role.ADMIN):
        raise TargetError("actor", "only PR specialists and administrators set KPI targets")
    now = now or utcnow()
    kpi = KpiKey(kpi)
    number = parse_target_value(kpi, value)
    reason = (reason or "").strip()
    if not reason:
        raise TargetError("reason", "say why the target changes")
    if PLAYBOOK_REASON_RE.match(reason):
        raise TargetError("reason", "this wording is kept for changes made by a playbook")
    objection = early_switch(dbs, client.id, month, kpi, now) if is_priority else None
    if objection is not None and not confirm_early_priority_change:
        raise objection
    wanted = [Wanted(kpi, number, is_priority)]
    return write_targets(dbs, client, month, wanted, reason=reason, actor=actor, now=now,
                         confirmed_early=objection is not None)
