"""The same SQL on PostgreSQL: the seed month's figures, response times and posting gaps agree with SQLite."""

from __future__ import annotations

import pytest

from conftest import FreshContextClient, make_test_config
from kpi.test_kpi_seed_month import SEED, build_seed_month
from repapp import create_app
from repapp.extensions import db
from repapp.kpi.engine import compute_month
from repapp.kpi.settings import KpiSettings, PostingLimits, default_settings
from repapp.reports.exports import to_xlsx
from repapp.reports.generate import generate_report
from support.world import build_world


@pytest.mark.postgres
def test_the_seed_month_on_postgresql(tmp_path, postgres_server):
    """Day buckets, window functions and epoch arithmetic give the seed's figures on PostgreSQL too."""
    url = postgres_server.create_database("kpi_seed_month")
    app = create_app(make_test_config(tmp_path, SQLALCHEMY_DATABASE_URI=url), instance_path=str(tmp_path / "i"))
    app.test_client_class = FreshContextClient
    with app.app_context():
        db.create_all()
        try:
            world = build_world(db.session)
            seed = build_seed_month(world)
            limits = KpiSettings(default_settings("Europe/Moscow").response_norm,
                                 {"demo-flaskbb": PostingLimits(per_day=1, min_gap_minutes=60)})
            figures = compute_month(db.session, seed.client, seed.month, limits, now=seed.now)
            assert {kpi: figures.totals[kpi.value] for kpi in SEED} == SEED
            assert figures.response.answered == 4 and figures.response.median_hours == pytest.approx(1.5)
            assert figures.posting.forum_days == 8 and figures.posting.share == 1.0
            report = generate_report(db.session, seed.client, seed.month, now=seed.now)
            db.session.commit()
            assert report.figures["kpis"]["views"]["actual"] == 3227 and to_xlsx(report)
        finally:
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
