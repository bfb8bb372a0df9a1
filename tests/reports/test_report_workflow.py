"""Frozen reports, draft → accepted → published with an e-mail, and who may read what."""

from __future__ import annotations

import socket
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from kpi.test_kpi_seed_month import build_seed_month, msk
from repapp.extensions import db
from repapp.models import MonthlyReport, Post, PostTag, ReportState, ThreadSnapshot
from repapp.reports.generate import ReportError, generate_due_reports, generate_report
from repapp.reports.workflow import accept_report, publish_report
from repapp.worker import SCHEDULES
from support import web


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"


@pytest.fixture
def smtp(app):
    """A real SMTP server on loopback, with the app pointed at it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, BASE_URL="https://repapp.example")
    yield inbox
    controller.stop()


@pytest.fixture
def seed(world):
    """The seed's month for client A."""
    return build_seed_month(world)


def _draft(seed) -> MonthlyReport:
    """Generate the seed month's draft report."""
    report = generate_report(db.session, seed.client, seed.month, now=seed.now)
    db.session.commit()
    return report


def test_a_frozen_report_does_not_change_after_new_data(seed, world, login_as):
    """New snapshots and posts for the month after acceptance leave the report's figures as they were."""
    report = _draft(seed)
    accept_report(db.session, report, actor=world.user("pr"), comment="Хороший месяц.")
    db.session.commit()
    frozen = dict(report.figures)
    db.session.add(ThreadSnapshot(thread_id=seed.thread_1.id, taken_at=msk(28, 23, 55), views=9000, post_count=999))
    late = Post(thread_id=seed.thread_1.id, client_id=seed.client.id, external_id="late-scrape", author="u",
                posted_at=msk(27, 10), text="Вопрос, найденный позже?")
    db.session.add(late)
    db.session.flush()
    db.session.add(PostTag(post_id=late.id, tag="question"))
    db.session.commit()
    with pytest.raises(ReportError):
        generate_report(db.session, seed.client, seed.month)
    db.session.rollback()
    pr = login_as("pr")
    web.post_form(pr, f"/reports/{report.id}/regenerate", token_from=f"/reports/{report.id}")
    db.session.expire_all()
    stored = db.session.get(MonthlyReport, report.id)
    assert stored.figures == frozen and stored.figures["kpis"]["views"]["actual"] == 3227
    assert "3,227" in pr.get(f"/reports/{report.id}").get_data(as_text=True)


def test_a_draft_is_recomputed_on_request(seed, login_as):
    """Before acceptance, regenerating picks up what was scraped late."""
    report = _draft(seed)
    db.session.add(ThreadSnapshot(thread_id=seed.thread_2.id, taken_at=msk(28, 23, 0), views=1000, post_count=50))
    db.session.commit()
    pr = login_as("pr")
    response = web.post_form(pr, f"/reports/{report.id}/regenerate", token_from=f"/reports/{report.id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(MonthlyReport, report.id).figures["kpis"]["views"]["actual"] == 3227 + 73


def test_accept_needs_a_comment_and_publish_sends_the_client_an_email(seed, world, login_as, smtp):
    """The PR specialist accepts with a comment, publishes after confirming, the client's viewer gets a link."""
    report = _draft(seed)
    pr = login_as("pr")
    page = f"/reports/{report.id}"
    web.post_form(pr, f"{page}/accept", {"comment": ""}, token_from=page)
    assert db.session.get(MonthlyReport, report.id).state == ReportState.DRAFT
    web.post_form(pr, f"{page}/publish", token_from=page)
    db.session.expire_all()
    assert db.session.get(MonthlyReport, report.id).state == ReportState.DRAFT  # a draft cannot be published
    web.post_form(pr, f"{page}/accept", {"comment": "Все проблемы решены."}, token_from=page)
    response = web.post_form(pr, f"{page}/publish", token_from=page)
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(MonthlyReport, report.id)
    assert stored.state == ReportState.PUBLISHED and stored.pr_comment == "Все проблемы решены."
    assert stored.accepted_by_id == stored.published_by_id == world.user("pr").id
    assert [m["To"] for m in smtp.messages] == ["client_a@test.repapp"]
    body = smtp.messages[0].get_content()
    assert f"https://repapp.example/reports/{report.id}" in body and "Все проблемы решены." in body
    assert "2025-02" in smtp.messages[0]["Subject"]


def test_a_mail_server_down_does_not_undo_the_publication(seed, world, login_as, app):
    """The report stays published and the PR specialist is told to inform the client."""
    report = _draft(seed)
    accept_report(db.session, report, actor=world.user("pr"), comment="Ок.")
    db.session.commit()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        app.config["SMTP_PORT"] = probe.getsockname()[1]  # nothing listens there once closed
    pr = login_as("pr")
    response = web.post_form(pr, f"/reports/{report.id}/publish", token_from=f"/reports/{report.id}",
                             follow_redirects=True)
    assert "could not be sent" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(MonthlyReport, report.id).state == ReportState.PUBLISHED


def test_a_client_viewer_never_sees_a_draft(seed, world, login_as):
    """Draft and accepted reports answer 404 to the client, in the list, on the page and as downloads."""
    report = _draft(seed)
    viewer = login_as("client_a")
    for state in ("draft", "accepted"):
        if state == "accepted":
            accept_report(db.session, report, actor=world.user("pr"), comment="Ок.")
            db.session.commit()
        assert viewer.get(f"/reports/{report.id}").status_code == 404
        assert viewer.get(f"/reports/{report.id}/download/pdf").status_code == 404
        assert viewer.get(f"/reports/{report.id}/download/json").status_code == 404
        assert "2025-02" not in viewer.get("/reports").get_data(as_text=True)
    publish_report(db.session, report, actor=world.user("pr"))
    db.session.commit()
    assert viewer.get(f"/reports/{report.id}").status_code == 200
    assert "2025-02" in viewer.get("/reports").get_data(as_text=True)


def test_another_clients_viewer_cannot_reach_the_report_by_id_or_url_guessing(seed, world, login_as):
    """Client B gets 404 for every report id and download URL of client A, published or not."""
    published = world.report_a()
    draft = _draft(seed)
    other = login_as("client_b")
    assert "client-a" not in other.get("/reports").get_data(as_text=True)
    for report_id in range(1, max(published.id, draft.id) + 3):
        assert other.get(f"/reports/{report_id}").status_code == 404
        for fmt in ("pdf", "xlsx", "csv", "json"):
            assert other.get(f"/reports/{report_id}/download/{fmt}").status_code == 404
    assert other.get(f"/reports/{published.id}/download/docx").status_code == 404
    assert other.get("/reports?client=client-a").status_code == 404


def test_the_monthly_job_freezes_last_month_once(seed, world):
    """Run daily: on 1 March, two hours after Moscow's midnight, it makes February's draft, then leaves it alone."""
    assert "monthly-reports" in {s.id for s in SCHEDULES}
    assert generate_due_reports(db.session, now=msk(1, 1, 0, month=3)) == []  # the last scrapes may still land
    made = generate_due_reports(db.session, now=msk(1, 2, 30, month=3))
    assert [(r.client_id, r.month) for r in made] == [(seed.client.id, date(2025, 2, 1))]
    assert made[0].figures["kpis"]["views"]["actual"] == 3227
    assert generate_due_reports(db.session, now=msk(2, 2, 30, month=3)) == []


def test_the_job_completes_a_draft_made_before_the_month_ended(seed):
    """A draft generated on demand on 20 February is recomputed once February is over."""
    early = generate_report(db.session, seed.client, seed.month, now=msk(20, 12))
    db.session.commit()
    made = generate_due_reports(db.session, now=msk(2, 12, month=3))
    assert [r.id for r in made] == [early.id]
    assert made[0].generated_at == msk(2, 12, month=3)


def test_generating_on_demand_from_the_list(seed, login_as):
    """A PR specialist generates a month from the reports page; a future month is refused."""
    pr = login_as("pr")
    response = web.post_form(pr, "/reports/generate", {"client": "client-a", "month": "2025-02"}, token_from="/reports")
    assert response.status_code == 302
    report = db.session.scalar(select(MonthlyReport).where(MonthlyReport.client_id == seed.client.id))
    assert response.headers["Location"].endswith(f"/reports/{report.id}")
    future = (datetime.now(UTC) + timedelta(days=70)).strftime("%Y-%m")
    web.post_form(pr, "/reports/generate", {"client": "client-a", "month": future}, token_from="/reports")
    assert db.session.scalar(select(MonthlyReport.id).where(MonthlyReport.month > date(2025, 2, 1))) is None
