"""Long actions show what is happening: a thread waiting for the worker, a report being generated."""

from __future__ import annotations

from datetime import timedelta

import pytest
from kpi.test_kpi_seed_month import build_seed_month
from playwright.sync_api import expect
from support.ui_fixtures import open_as, ui_server  # noqa: F401
from support.ui_journey import DESKTOP, shoot

from repapp.extensions import db
from repapp.models import MonthlyReport, WatchedThread, utcnow

pytestmark = pytest.mark.browser


def _until(page, condition, tries: int = 200) -> None:
    """Let the page work until `condition()` holds (Playwright delivers events while it waits)."""
    for _ in range(tries):
        if condition():
            return
        page.wait_for_timeout(50)
    raise AssertionError("the page never got there")


def _update_thread(thread_id: int, **values) -> None:
    """Change the thread as a worker would, and commit."""
    thread = db.session.get(WatchedThread, thread_id)
    for name, value in values.items():
        setattr(thread, name, value)
    db.session.commit()


def test_read_now_shows_the_wait_the_read_and_then_the_result(app, world, ui_server, open_as):  # noqa: F811
    """After "Read now" the page says it waits, then that the worker reads, then shows the read thread by itself."""
    thread = world.thread_a()
    _update_thread(thread.id, next_run_at=utcnow() + timedelta(minutes=15), last_success_at=utcnow())
    rep = open_as("rep_a", **DESKTOP)
    rep.goto(ui_server.url(f"/threads/{thread.id}"))
    expect(rep.locator(".reading")).to_have_count(0)  # nothing under way: no banner, no polling

    with rep.expect_navigation():
        rep.click("button:has-text('Read now')")
    banner = rep.locator(".reading")
    expect(banner).to_contain_text("Waiting for the worker")
    shoot(rep, "progress-01-thread-queued")

    _update_thread(thread.id, claimed_by="worker-1", claimed_until=utcnow() + timedelta(minutes=10))
    expect(banner).to_contain_text("Reading the thread now", timeout=20_000)
    shoot(rep, "progress-02-thread-reading")

    read_at = utcnow()
    _update_thread(thread.id, claimed_by="", claimed_until=None, last_success_at=read_at,
                   next_run_at=read_at + timedelta(minutes=15))
    expect(banner).to_have_count(0, timeout=20_000)  # the page reloaded itself
    expect(rep.locator("dl.facts")).not_to_contain_text("Waiting")
    assert not rep.events.page_errors


def test_generating_a_report_shows_the_work_and_then_the_report(app, world, ui_server, open_as):  # noqa: F811
    """The button says it is busy while the report is computed, a second press sends nothing, the report follows."""
    build_seed_month(world)
    db.session.commit()
    pr = open_as("pr", **DESKTOP)
    pr.goto(ui_server.url("/reports"))
    held = []
    pr.route("**/reports/generate", lambda route: held.append(route))
    pr.click("summary:has-text('Generate a report now')")
    pr.select_option("select[name=client]", "client-a")
    pr.fill("input[name=month]", "2025-02")
    # What the page shows once the form is sent is noted where it outlives the page (the page is replaced).
    pr.evaluate("""() => document.addEventListener("submit", (event) => event.isTrusted && setTimeout(() => {
      const again = new SubmitEvent("submit", {bubbles: true, cancelable: true});
      event.target.dispatchEvent(again);
      sessionStorage.setItem("while-sent", JSON.stringify({busy: event.submitter.getAttribute("aria-busy"),
        disabled: event.submitter.disabled, refused: again.defaultPrevented}));
    }, 0))""")
    pr.click("button:has-text('Generate')", no_wait_after=True)
    _until(pr, lambda: held)
    with pr.expect_navigation():
        held[0].continue_()
    expect(pr.locator(".flash-success")).to_contain_text("generated as a draft")
    # The button was marked busy and disabled, and a second submission was refused (and none was sent).
    assert pr.evaluate("JSON.parse(sessionStorage.getItem('while-sent'))") == {
        "busy": "true", "disabled": True, "refused": True}
    assert len(held) == 1
    expect(pr.locator("table.kpis")).to_contain_text("3,227")
    assert db.session.query(MonthlyReport).count() == 1
    shoot(pr, "progress-04-report-generated")
    assert not pr.events.page_errors
