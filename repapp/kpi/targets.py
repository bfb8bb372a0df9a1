"""The targets view of a client's month: target, actual, % of target, forecast and forum ceilings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Client, MonthlyReport, utcnow
from .definitions import KPI_ORDER, METRICS, Metric
from .engine import ForumInfo, MonthFigures, Target, compute_month, targets_for
from .forecast import Ceiling, estimate_ceiling, pace_forecast, percent_of, target_met, total_ceiling
from .periods import local_month

HISTORY_MONTHS = 12  # ceilings are read from at most this many frozen months: the view stays as fast


@dataclass(frozen=True)
class TargetRow:
    """One KPI of the month as the targets view shows it."""

    metric: Metric
    target: Target | None
    actual: float | None
    percent: float | None
    met: bool | None
    forecast: float | None
    forecast_percent: float | None
    ceilings: list[tuple[ForumInfo, Ceiling]]
    ceiling: float | None  # the forums' ceilings added up, when every one is known
    above_ceiling: bool
    daily: list[Any]


@dataclass(frozen=True)
class TargetsView:
    """A client's month against its targets."""

    client: Client
    month: date
    now: datetime
    elapsed_fraction: float
    figures: MonthFigures
    rows: list[TargetRow]

    @property
    def is_current(self) -> bool:
        """Tell whether the month is still running."""
        return 0 < self.elapsed_fraction < 1

    @property
    def on_pace(self) -> tuple[int, int]:
        """Return how many targets are met or forecast to be met, and how many there are."""
        rows = [r for r in self.rows if r.target]
        met = sum(1 for r in rows if r.target and target_met(r.forecast, r.target.value, r.metric.higher_is_better))
        return met, len(rows)

    @property
    def priority(self) -> TargetRow | None:
        """Return the priority KPI's row, if one is marked."""
        return next((r for r in self.rows if r.target and r.target.priority), None)


def build_targets_view(dbs: Session, client: Client, month: date | None = None, *,
                       now: datetime | None = None) -> TargetsView:
    """Compute a client's month (default: the current one) with targets, forecasts and ceilings."""
    now = now or utcnow()
    month = month or local_month(now, client.timezone)
    figures = compute_month(dbs, client, month, now=now)
    targets = targets_for(dbs, client.id, month)
    history = forum_history(dbs, client.id, month)
    elapsed = figures.period.elapsed_fraction(now)
    days = len(figures.period.days)
    rows = []
    for key in KPI_ORDER:
        metric = METRICS[key.value]
        target = targets.get(key)
        actual = figures.totals.get(key.value)
        forecast = pace_forecast(actual, elapsed, days, cumulative=metric.cumulative)
        ceilings = []
        if metric.has_ceiling:
            for forum_id, forum in sorted(figures.forums.items(), key=lambda item: item[1].name):
                ceilings.append((forum, estimate_ceiling(history.get(forum_id, {}).get(key.value, []))))
        ceiling = total_ceiling([c for _f, c in ceilings])
        rows.append(TargetRow(
            metric=metric, target=target, actual=actual,
            percent=percent_of(actual, target.value if target else None),
            met=target_met(actual, target.value if target else None, metric.higher_is_better),
            forecast=forecast, forecast_percent=percent_of(forecast, target.value if target else None),
            ceilings=ceilings, ceiling=ceiling,
            above_ceiling=bool(target and ceiling is not None and target.value > ceiling),
            daily=figures.daily.get(key.value, []),
        ))
    return TargetsView(client, month, now, elapsed, figures, rows)


def forum_history(dbs: Session, client_id: int, before: date, months: int = HISTORY_MONTHS
                  ) -> dict[int, dict[str, list[Any]]]:
    """Return each forum's monthly figures from the frozen reports before `before`, oldest first."""
    reports = dbs.scalars(
        select(MonthlyReport.figures)
        .where(MonthlyReport.client_id == client_id, MonthlyReport.month < before)
        .order_by(MonthlyReport.month.desc()).limit(months)
    ).all()
    history: dict[int, dict[str, list[Any]]] = {}
    for index, figures in enumerate(reversed(reports)):
        for forum in (figures or {}).get("forums", []):
            per_key = history.setdefault(forum["id"], {})
            for key, value in forum.get("values", {}).items():
                series = per_key.setdefault(key, [None] * len(reports))
                series[index] = value
    return history
