"""Local-day buckets in SQL agree with the period's own day_index, on the suite's database.

Months without a daylight-saving change are bucketed by arithmetic, months with one by a CASE of
day starts; both must put the very first and the very last microsecond of each day where Python does.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import literal, select

from repapp.extensions import db
from repapp.kpi.periods import MonthPeriod
from repapp.kpi.sqlfuncs import day_bucket, days_since
from repapp.models.types import UTCDateTime

MICROSECOND = timedelta(microseconds=1)


def _moments(period: MonthPeriod) -> list:
    """Each day's first and last microsecond, and its middle."""
    moments = []
    for start, end in zip(period.day_starts, period.day_starts[1:]):
        moments += [start, start + (end - start) / 2, end - MICROSECOND]
    return moments


@pytest.mark.parametrize(("zone", "month", "arithmetic"), [
    ("Europe/Moscow", date(2026, 11, 1), True),     # no daylight saving at all
    ("Europe/Kyiv", date(2026, 10, 1), False),      # clocks go back on 25 October: a 25-hour day
    ("Europe/Kyiv", date(2026, 3, 1), False),       # clocks go forward on 29 March: a 23-hour day
    ("America/New_York", date(2026, 12, 1), True),  # a month between the changes
])
def test_sql_buckets_match_python(app, zone, month, arithmetic):
    period = MonthPeriod.of(month, zone)
    bucket_of = lambda moment: day_bucket(literal(moment, UTCDateTime), period.day_starts)  # noqa: E731
    assert isinstance(bucket_of(period.start), days_since) is arithmetic
    moments = _moments(period)
    got = db.session.execute(select(*[bucket_of(moment) for moment in moments])).one()
    assert list(got) == [period.day_index(moment) for moment in moments]
    assert got[0] == 0 and got[-1] == len(period.days) - 1
