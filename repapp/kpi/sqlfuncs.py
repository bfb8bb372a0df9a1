"""Small SQL helpers the KPI queries share: local-day buckets and epoch seconds, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Float, case
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


def day_bucket(column: Any, bounds: Sequence[datetime]) -> ColumnElement[int]:
    """Return the index of the local day a timestamp falls in, given the days' UTC starts and the end.

    The bounds come from the client's time zone, so the buckets are local days even across a
    daylight-saving change; rows are expected to be filtered to [bounds[0], bounds[-1]) already.
    """
    whens = [(column < bound, index) for index, bound in enumerate(bounds[1:])]
    return case(*whens, else_=len(bounds) - 2)
