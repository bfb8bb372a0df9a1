"""Formatting figures for people: counts, hours and shares in the reader's locale."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import format_date, format_decimal, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .definitions import Unit


def format_value(value: Any, unit: Unit | str = Unit.COUNT) -> str:
    """Format a figure by its unit, or a dash when there is none."""
    if value is None:
        return "—"
    unit = Unit(unit)
    if unit == Unit.SHARE:
        return format_percent(value, "#,##0.#%")
    if unit == Unit.HOURS:
        return format_decimal(value, "#,##0.#")
    return format_decimal(value, "#,##0.#")


def format_percent_of_target(value: float | None) -> str:
    """Format a percentage of target (100 = met exactly)."""
    return "—" if value is None else format_decimal(value, "#,##0") + " %"


POSTING_RULES = {
    "per_day": _l("posts per day"), "per_week": _l("posts per week"), "min_gap": _l("minimum gap, minutes"),
}


def norm_description(norm: dict[str, Any]) -> str:
    """Describe the response norm in words, e.g. "4 h in business hours 09:00-18:00, working days, Europe/Moscow"."""
    if not norm:
        return "—"
    hours = format_decimal(norm.get("within_hours"), "#,##0.##")
    days = _("working days") if norm.get("days") == "working" else _("calendar days")
    if norm.get("business_hours"):
        return _("%(hours)s h in business hours %(window)s, %(days)s, %(zone)s", hours=hours,
                 window=norm["business_hours"], days=days, zone=norm.get("timezone", ""))
    return _("%(hours)s h around the clock, %(days)s, %(zone)s", hours=hours, days=days, zone=norm.get("timezone", ""))


def month_label(month: date) -> str:
    """Name a month in the reader's language, e.g. "February 2025"."""
    return format_date(month, "LLLL yyyy")
