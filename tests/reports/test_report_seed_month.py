"""The seed's second month as a report: on the page, in the PDF, the XLSX, the CSV, the JSON and the CLI."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from kpi.test_kpi_seed_month import SEED, build_seed_month
from repapp.extensions import db
from repapp.models import MonthlyReport
from repapp.reports.generate import generate_report
from repapp.reports.workflow import accept_report, publish_report

COMMENT = "Второй месяц: вопросов больше, все проблемы решены."


@pytest.fixture
def seed_report(world):
    """Client A's February 2025, generated, accepted and published."""
    seed = build_seed_month(world)
    report = generate_report(db.session, seed.client, seed.month, now=seed.now)
    accept_report(db.session, report, actor=world.user("pr"), comment=COMMENT)
    publish_report(db.session, report, actor=world.user("pr"))
    db.session.commit()
    return report


def test_the_frozen_figures_are_the_seeds(seed_report):
    """The report stores exactly the seed's figures, with the targets beside them."""
    kpis = seed_report.figures["kpis"]
    assert {k: kpis[k.value]["actual"] for k in SEED} == SEED
    assert kpis["views"]["target"] == 3000 and kpis["questions"]["priority"] is True
    assert "internal_note" not in json.dumps(seed_report.figures) and "грозил судом" not in json.dumps(
        seed_report.figures, ensure_ascii=False)


def test_the_client_reads_the_seed_figures_online(seed_report, login_as):
    """The published report page shows the KPI table, the comment, threads, problems and notable posts."""
    html = login_as("client_a").get(f"/reports/{seed_report.id}").get_data(as_text=True)
    for label, figure in (("Views", "3,227"), ("Clicks to site", "100"), ("News posted", "12"), ("Questions", "20"),
                          ("Problems solved", "2"), ("Problems, total", "2"), ("Positive reviews", "2"),
                          ("Messages in thread", "154"), ("Special-discount uses", "0")):
        row = html[html.index(f"<strong>{label}</strong>"):]
        row = row[:row.index("</tr>")]
        assert f"<strong>{figure}</strong>" in row, label
    assert COMMENT in html and "Second thread of A" in html and "Задержка выдачи машины" in html
    assert "Отличный сервис" in html and "<svg" in html
    assert "By representative" not in html and "Внутренняя заметка" not in html


def test_staff_see_the_internal_breakdown_the_client_does_not(seed_report, login_as):
    """The PR specialist's view of the report adds the representatives' figures, marked internal."""
    html = login_as("pr").get(f"/reports/{seed_report.id}").get_data(as_text=True)
    assert "By representative" in html and "rep_a@test.repapp" in html and "internal: not shown" in html


def test_the_pdf_contains_the_kpi_table(seed_report, login_as):
    """The PDF opens, and its text holds the KPI labels with the seed's figures and the comment."""
    response = login_as("client_a").get(f"/reports/{seed_report.id}/download/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "client-a-2025-02.pdf" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    for label, target, actual in (("Views", "3,000", "3,227"), ("Clicks to site", "120", "100"),
                                  ("News posted", "12", "12"), ("Questions", "15", "20"),
                                  ("Problems solved", "2", "2"), ("Positive reviews", "5", "2"),
                                  ("Messages in thread", "150", "154"), ("Special-discount uses", "10", "0")):
        # Each row: the label, its definition in small print, then target and actual.
        assert re.search(rf"{label}\b.{{0,300}}? {target} {actual} ", flat), label
    assert "Второй месяц" in flat


def test_the_xlsx_has_a_sheet_per_section_with_numbers(seed_report, login_as):
    """KPI values, targets and percentages are numeric cells; every section has its sheet."""
    response = login_as("client_a").get(f"/reports/{seed_report.id}/download/xlsx")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["KPI", "By day", "Forums", "Threads", "Response time", "Problems", "Notable posts",
                               "Comment"]
    rows = {row[0]: row for row in book["KPI"].iter_rows(min_row=2, values_only=True)}
    assert rows["Views"][1:3] == (3000, 3227) and isinstance(rows["Views"][2], int)
    assert rows["Messages in thread"][2] == 154 and rows["Special-discount uses"][2] == 0
    assert rows["Views"][3] == pytest.approx(3227 / 3000)
    assert book["KPI"]["D2"].number_format == "0.0%"
    threads = list(book["Threads"].iter_rows(min_row=2, values_only=True))
    assert sorted(t[3] for t in threads) == [727, 2500]
    assert book["By day"]["A2"].is_date and book["By day"].cell(row=29, column=2).value == 3227
    assert book["Comment"]["A2"].value == COMMENT


def test_the_csv_lists_every_figure(seed_report, login_as):
    """One row per figure: totals with targets, then per forum and per thread, numbers written plainly."""
    response = login_as("client_a").get(f"/reports/{seed_report.id}/download/csv")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    totals = {r["kpi"]: r for r in rows if r["section"] == "total"}
    assert totals["views"]["actual"] == "3227" and totals["views"]["target"] == "3000"
    assert totals["clicks_to_site"]["actual"] == "100" and totals["discount_uses"]["actual"] == "0"
    assert {r["actual"] for r in rows if r["section"] == "thread" and r["kpi"] == "views"} == {"2500", "727"}


def test_the_cli_writes_the_same_report(seed_report, runner, tmp_path):
    """`repapp report client-a 2025-02 --format json|pdf` writes the frozen figures."""
    out = tmp_path / "report.json"
    result = runner.invoke(args=["report", "client-a", "2025-02", "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["state"] == "published" and data["pr_comment"] == COMMENT
    assert {k: data["figures"]["kpis"][k.value]["actual"] for k in SEED} == SEED
    assert "reps" not in data["figures"]
    pdf = tmp_path / "report.pdf"
    result = runner.invoke(args=["report", "client-a", "2025-02", "--format", "pdf", "-o", str(pdf), "--locale", "ru"])
    assert result.exit_code == 0, result.output
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(str(pdf)).pages).split())
    assert "Просмотры" in text and "3 227" in text.replace("\u00a0", " ").replace("\u202f", " ")
    live = tmp_path / "live.csv"
    result = runner.invoke(args=["report", "client-a", "2025-03", "--format", "csv", "-o", str(live)])
    assert result.exit_code == 0 and "not frozen" in result.output
    assert db.session.query(MonthlyReport).count() == 1  # nothing stored for March


def test_the_report_reads_in_russian(seed_report, login_as, world):
    """Reports go to Russian-speaking clients: labels and definitions are translated."""
    world.user("client_a").locale = "ru"
    db.session.commit()
    html = login_as("client_a").get(f"/reports/{seed_report.id}").get_data(as_text=True)
    assert "Просмотры" in html and "Переходы на сайт" in html and "Сообщения в ветке" in html
