"""Small SQL helpers the KPI queries share: local-day buckets and epoch seconds, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Float, Integer, case, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement


class epoch_seconds(FunctionElement[float]):  # noqa: N801 - reads as an SQL function
    """Seconds since 1970 of a timestamp column (stored as UTC)."""

    type = Float()
    inherit_cache = True
    name = "epoch_seconds"


@compiles(epoch_seconds)
def _epoch_default(element: epoch_seconds, compiler: Any, **kw: Any) -> str:
    """Render EXTRACT(EPOCH ...) (PostgreSQL and most others)."""
    return f"EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)})"


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element: epoch_seconds, compiler: Any, **kw: Any) -> str:
    """Render julianday arithmetic (SQLite keeps timestamps as UTC text)."""
    return f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400.0)"


class days_since(FunctionElement[int]):  # noqa: N801 - reads as an SQL function
    """Whole days from a moment (given as whole epoch seconds) to a timestamp column (stored as UTC)."""

    type = Integer()
    inherit_cache = True
    name = "days_since"


@compiles(days_since)
def _days_since_default(element: days_since, compiler: Any, **kw: Any) -> str:
    """Render exact epoch arithmetic (PostgreSQL's EXTRACT(EPOCH) is numeric)."""
    column, start = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(FLOOR((EXTRACT(EPOCH FROM {column}) - {start}) / 86400) AS INTEGER)"


@compiles(days_since, "sqlite")
def _days_since_sqlite(element: days_since, compiler: Any, **kw: Any) -> str:
    """Render whole seconds and integer division (SQLite keeps timestamps as UTC text).

    The fraction is cut off before strftime, which would round 23:59:59.9995 up to the next day.
    """
    column, start = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"((CAST(strftime('%s', substr({column}, 1, 19)) AS INTEGER) - {start}) / 86400)"


def day_bucket(column: Any, bounds: Sequence[datetime]) -> ColumnElement[int]:
    """Return the index of the local day a timestamp falls in, given the days' UTC starts and the end.

    The bounds come from the client's time zone, so the buckets are local days even across a
    daylight-saving change; rows are expected to be filtered to [bounds[0], bounds[-1]) already.
    Where every day is 24 hours long (no change this month), the index is plain arithmetic:
    one expression instead of a CASE with a branch a day, cheaper to build and to evaluate.
    """
    day = timedelta(days=1)
    if all(later - earlier == day for earlier, later in zip(bounds, bounds[1:])) and bounds[0].microsecond == 0:
        return days_since(column, literal(int(bounds[0].timestamp()), Integer))
    whens = [(column < bound, index) for index, bound in enumerate(bounds[1:])]
    return case(*whens, else_=len(bounds) - 2)
