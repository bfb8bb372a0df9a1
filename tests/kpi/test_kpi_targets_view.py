"""The targets view: target, actual, % of target, forecast, forum ceilings and daily charts, per role."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import UTC, date, datetime

from sqlalchemy import event

from kpi.test_kpi_seed_month import build_seed_month, msk
from repapp.extensions import db
from repapp.kpi.targets import build_targets_view
from repapp.models import KpiKey, KpiTarget, MonthlyReport, ReportState


@contextmanager
def counted_queries():
    """Count the SQL statements run inside the block."""
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _past_report(world, month: date, forum_id: int, views: int) -> None:
    """Store a frozen month whose forum had `views`."""
    db.session.add(MonthlyReport(client_id=world.client_a.id, month=month, state=ReportState.PUBLISHED,
                                 figures={"forums": [{"id": forum_id, "key": "demo-flaskbb", "name": "World forum",
                                                      "values": {"views": views}}]}))


def test_the_pr_specialist_sees_figures_targets_definitions_and_charts(world, login_as):
    """Every KPI row shows its definition; the charts are inline SVG without scripts or style attributes."""
    build_seed_month(world)
    page = login_as("pr").get("/kpi/clients/client-a?month=2025-02")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for figure in ("3,227", "154", "100", "20"):
        assert f"<strong>{figure}</strong>" in html
    assert "Growth of the view counters" in html and "a missed snapshot does not move growth" in html
    assert html.count("<svg") >= 8
    assert not re.search(r"<[^>]+\sstyle=", html) and "<script" not in html.split("<body>", 1)[1]
    assert "By representative" in html and "rep_a@test.repapp" in html


def test_the_forecast_follows_the_pace(world):
    """On 15 February at noon, 14.4 days of 28 are gone: the forecast is the figure so far over that share."""
    seed = build_seed_month(world)
    view = build_targets_view(db.session, seed.client, seed.month, now=msk(15, 12))
    row = next(r for r in view.rows if r.metric.key == "news_posted")
    assert view.is_current
    assert row.forecast == row.actual / view.elapsed_fraction
    assert row.target.value == 12 and row.percent == row.actual / 12 * 100


def test_a_target_above_the_forums_ceiling_is_flagged(world, login_as):
    """Three flat months of about 2 000 views on the only forum: a target of 5 000 sits above its ceiling."""
    forum = world.forum()
    world.thread_a()
    for month, views in ((date(2024, 11, 1), 1900), (date(2024, 12, 1), 2000), (date(2025, 1, 1), 1950)):
        _past_report(world, month, forum.id, views)
    db.session.add(KpiTarget(client_id=world.client_a.id, month=date(2025, 2, 1), kpi=KpiKey.VIEWS, target=5000))
    db.session.commit()
    view = build_targets_view(db.session, world.client_a, date(2025, 2, 1), now=datetime(2025, 2, 10, tzinfo=UTC))
    views = next(r for r in view.rows if r.metric.key == "views")
    assert views.ceiling == 2000 and views.above_ceiling
    html = login_as("pr").get("/kpi/clients/client-a?month=2025-02").get_data(as_text=True)
    assert "Target above the ceiling" in html


def test_the_view_costs_the_same_however_many_months_pile_up(world):
    """The same number of queries with one frozen month of history or twenty-four."""
    forum = world.forum()
    world.thread_a()
    _past_report(world, date(2023, 1, 1), forum.id, 10)
    db.session.commit()
    with counted_queries() as few:
        build_targets_view(db.session, world.client_a, date(2025, 2, 1))
    for index in range(1, 24):
        _past_report(world, date(2023 + (index // 12), index % 12 + 1, 1), forum.id, 10 + index)
    db.session.commit()
    with counted_queries() as many:
        build_targets_view(db.session, world.client_a, date(2025, 2, 1))
    assert len(few) == len(many)


def test_a_client_viewer_sees_only_their_own_live_view(world, login_as):
    """Client A is sent to their page (current month, no internal breakdown); client B gets 404 there."""
    build_seed_month(world)
    viewer = login_as("client_a")
    response = viewer.get("/kpi")
    assert response.status_code == 302 and response.headers["Location"].endswith("/kpi/clients/client-a")
    html = viewer.get("/kpi/clients/client-a?month=2025-02").get_data(as_text=True)
    assert "By representative" not in html and "rep_a@test.repapp" not in html
    assert "3,227" not in html  # the month parameter is for staff; a viewer sees the current month
    assert login_as("client_b").get("/kpi/clients/client-a").status_code == 404
    assert login_as("rep_a").get("/kpi/clients/client-a").status_code == 403


def test_the_overview_lists_the_clients_months(world, login_as):
    """PR specialists see every active client with its priority KPI."""
    build_seed_month(world)
    html = login_as("pr").get("/kpi?month=2025-02").get_data(as_text=True)
    assert "Client A" in html and "Client B" in html and "Questions" in html
