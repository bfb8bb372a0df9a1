"""Figures entered by hand or imported: who and when, latest wins, CSV all or nothing with line numbers."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from repapp.extensions import db
from repapp.kpi.engine import compute_month
from repapp.kpi.manual import CsvImportError, EntryError, enter_value, import_csv
from repapp.models import KpiKey, ManualKpiEntry
from support import web

FEB = date(2025, 2, 1)


def _entries() -> int:
    """Return how many figures are stored."""
    return db.session.scalar(select(func.count(ManualKpiEntry.id)))


def test_the_latest_entry_counts_and_history_stays(world):
    """A corrected figure replaces the earlier one in the KPI; both rows remain, with who entered them."""
    pr = world.user("pr")
    enter_value(db.session, world.client_a, FEB, KpiKey.DISCOUNT_USES, "5", actor=pr)
    enter_value(db.session, world.client_a, FEB, KpiKey.DISCOUNT_USES, "3", actor=pr, note="corrected")
    db.session.commit()
    figures = compute_month(db.session, world.client_a, FEB)
    assert figures.totals["discount_uses"] == 3
    assert _entries() == 2
    assert {e.entered_by_id for e in db.session.scalars(select(ManualKpiEntry))} == {pr.id}
    assert compute_month(db.session, world.client_b, FEB).totals["discount_uses"] is None  # nothing entered


def test_computed_kpis_and_bad_values_are_refused(world):
    """Views come from snapshots, not from a keyboard; negative or non-numbers are errors."""
    with pytest.raises(EntryError):
        enter_value(db.session, world.client_a, FEB, KpiKey.VIEWS, 100)
    for bad in ("-1", "abc", "1.234"):
        with pytest.raises(EntryError):
            enter_value(db.session, world.client_a, FEB, KpiKey.DISCOUNT_USES, bad)


def test_a_csv_with_bad_rows_is_refused_whole_with_line_numbers(world):
    """Every problem is reported by its line and column, and not one row is stored."""
    world.forum()
    text = ("month,kpi,value,forum,note\n"
            "2025-02,clicks_to_site,12,demo-flaskbb,ok\n"
            "2025-13,clicks_to_site,5,,bad month\n"
            "\n"
            "2025-02,views,5,,computed\n"
            "2025-02,discount_uses,-2,,negative\n"
            "2025-02,clicks_to_site,7,nowhere,unknown forum\n"
            "2025-02,clicks_to_site,1,demo-flaskbb,duplicate of line 2\n"
            "2025-02,discount_uses\n")
    with pytest.raises(CsvImportError) as caught:
        import_csv(db.session, text, source_name="bad.csv", client=world.client_a)
    found = [(e.line, e.column) for e in caught.value.errors]
    assert found == [(3, "month"), (5, "kpi"), (6, "value"), (7, "forum"), (8, ""), (9, "")]
    db.session.rollback()
    assert _entries() == 0


def test_a_good_csv_is_imported_with_its_source(world):
    """Semicolons and a Windows-1251 file as Russian Excel saves it; values with spaces and commas."""
    world.forum()
    text = "Month;KPI;Value;Note\n2025-02;clicks_to_site;1 234,5;Метрика\n2025-02;discount_uses;7;промокод\n"
    entries = import_csv(db.session, text.encode("cp1251"), source_name="metrika.csv", client=world.client_a,
                         actor=world.user("pr"))
    db.session.commit()
    assert [(e.kpi, float(e.value), e.source, e.note) for e in entries] == [
        (KpiKey.CLICKS_TO_SITE, 1234.5, "csv:metrika.csv", "Метрика"),
        (KpiKey.DISCOUNT_USES, 7, "csv:metrika.csv", "промокод"),
    ]


def test_a_csv_for_another_client_is_refused(world):
    """An import on client A's page cannot write client B's figures."""
    with pytest.raises(CsvImportError) as caught:
        import_csv(db.session, "client,month,kpi,value\nclient-b,2025-02,discount_uses,1\n", source_name="x.csv",
                   client=world.client_a)
    assert caught.value.errors[0].column == "client"


def test_the_import_page_lists_errors_and_stores_nothing(world, login_as):
    """Through the browser: a bad file answers 400 with the line numbers; a good one is stored."""
    pr = login_as("pr")
    url = "/kpi/clients/client-a/manual"
    bad = {"file": (io.BytesIO(b"month,kpi,value\n2025-02,views,3\n"), "bad.csv")}
    response = web.post_form(pr, url + "/import", bad, token_from=url, content_type="multipart/form-data")
    assert response.status_code == 400 and "Line 2" in response.get_data(as_text=True)
    assert _entries() == 0
    good = {"file": (io.BytesIO(b"month,kpi,value\n2025-02,discount_uses,3\n"), "good.csv")}
    response = web.post_form(pr, url + "/import", good, token_from=url, content_type="multipart/form-data")
    assert response.status_code == 302 and _entries() == 1
    response = web.post_form(pr, url, {"month": "2025-02", "kpi": "discount_uses", "forum": "", "value": "4"},
                             token_from=url)
    assert response.status_code == 302 and _entries() == 2
    assert "csv:good.csv" in pr.get(url).get_data(as_text=True)


def test_the_cli_imports_all_or_nothing(world, runner, tmp_path):
    """`repapp kpi import-csv` prints every bad line and exits non-zero; a good file is imported."""
    bad = tmp_path / "bad.csv"
    bad.write_text("month,kpi,value\n2025-02,discount_uses,x\n2025-02,discount_uses,2\n", encoding="utf-8")
    result = runner.invoke(args=["kpi", "import-csv", str(bad), "--client", "client-a"])
    assert result.exit_code != 0 and "Line 2, value" in result.output
    assert _entries() == 0
    good = tmp_path / "good.csv"
    good.write_text("client,month,kpi,value\nclient-a,2025-02,discount_uses,2\n", encoding="utf-8")
    result = runner.invoke(args=["kpi", "import-csv", str(good), "--by", "pr@test.repapp"])
    assert result.exit_code == 0, result.output
    assert _entries() == 1
