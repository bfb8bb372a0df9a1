"""The seed's month as a report: the PR specialist accepts and publishes it, the client reads it and gets the PDF."""

from __future__ import annotations

import io

import pytest
from kpi.test_kpi_seed_month import build_seed_month
from playwright.sync_api import expect
from pypdf import PdfReader
from support.smtp import mailbox, smtp_server  # noqa: F401
from support.ui_fixtures import open_as, ui_server  # noqa: F401
from support.ui_journey import DESKTOP, SCREENSHOTS, shoot

from repapp.extensions import db
from repapp.models import MonthlyReport, ReportState
from repapp.reports.generate import generate_report

pytestmark = pytest.mark.browser

COMMENT = "Второй месяц: просмотры и сообщения в ветках — на уровне цели, обе проблемы решены."


def test_a_report_is_accepted_published_read_and_downloaded_as_pdf(
    app, world, ui_server, open_as, mailbox,  # noqa: F811 - fixtures imported above
):
    """Draft → accepted with a comment → published (mail to the viewer) → read online → PDF with the KPI table."""
    seed = build_seed_month(world)
    report = generate_report(db.session, seed.client, seed.month, now=seed.now)
    db.session.commit()

    pr = open_as("pr", **DESKTOP)
    pr.goto(ui_server.url(f"/reports/{report.id}"))
    expect(pr.locator("table.kpis")).to_contain_text("3,227")
    pr.fill("textarea[name=comment]", COMMENT)
    with pr.expect_navigation():
        pr.click("button:has-text('Accept')")
    expect(pr.locator(".flash-success")).to_contain_text("Accepted")
    publish = pr.locator("button:has-text('Yes, publish')")
    expect(publish).to_be_hidden()  # publishing is confirmed: the button sits behind a second step
    pr.click("summary:has-text('Publish to the client')")
    shoot(pr, "report-01-publish-confirmation")
    with pr.expect_navigation():
        publish.click()
    expect(pr.locator(".flash-success")).to_contain_text("Published")
    db.session.expire_all()
    assert db.session.get(MonthlyReport, report.id).state == ReportState.PUBLISHED
    assert len(mailbox.to("client_a@test.repapp")) == 1

    client = open_as("client_a", **DESKTOP)
    client.goto(ui_server.url("/reports"))
    with client.expect_navigation():
        client.click(f"a[href='/reports/{report.id}']")
    expect(client.locator(".comment")).to_have_text(COMMENT)
    kpis = client.locator("table.kpis")
    expect(kpis).to_contain_text("Views")
    expect(kpis).to_contain_text("3,227")
    expect(client.locator("main")).not_to_contain_text("By representative")  # internal figures stay internal
    shoot(client, "report-02-client-reads-it")

    with client.expect_download() as info:
        client.click("a:has-text('PDF')")
    download = info.value
    target = SCREENSHOTS.parent / "downloads" / download.suggested_filename
    target.parent.mkdir(parents=True, exist_ok=True)
    download.save_as(target)
    data = target.read_bytes()
    assert data.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "KPIs and targets" in text and "Views" in text and "3,227" in text and "154" in text
    assert COMMENT in " ".join(text.split())
    assert not pr.events.page_errors and not client.events.page_errors
