"""The worker process: APScheduler runs every scheduled job, never inside web workers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask, current_app
from flask.cli import with_appcontext

from .extensions import db
from .reports.jobs import generate_monthly_reports_job
from .cases.jobs import deadline_alerts_job, remind_overdue_escalations_job, send_pending_escalations_job
from .playbooks.versions import apply_in_force_job
from .posting.jobs import post_due_replies_job

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Schedule:
    """A job: a stable id, what it runs (given the app), and how often."""

    id: str
    run: Callable[[Flask], object]
    seconds: int


def scrape_due_threads_job(app: Flask) -> object:
    """Read the threads that are due."""
    from .forums.registry import forum_definitions
    from .scraping.fetch import Fetcher
    from .scraping.jobs import scrape_due_threads

    definitions = forum_definitions(app)
    with Fetcher.from_definitions(definitions) as fetcher:
        return scrape_due_threads(db.session, definitions, fetcher, batch=app.config.get("SCRAPE_BATCH", 20))


# Every schedule, in one list with stable ids.
SCHEDULES: tuple[Schedule, ...] = (
    Schedule("scrape-due-threads", scrape_due_threads_job, 30),
    Schedule("post-approved-replies", post_due_replies_job, 60),
    Schedule("apply-playbooks-in-force", apply_in_force_job, 3600),
    Schedule("send-pending-escalations", send_pending_escalations_job, 60),
    Schedule("remind-overdue-escalations", remind_overdue_escalations_job, 300),
    Schedule("deadline-alerts", deadline_alerts_job, 60),
    Schedule("monthly-reports", generate_monthly_reports_job, 24 * 3600),
)


def run_job(app: Flask, schedule: Schedule) -> None:
    """Run one job in its own app context and session; log failures with their traceback."""
    with app.app_context():
        try:
            schedule.run(app)
        except Exception:
            db.session.rollback()
            log.error("job %s failed", schedule.id, exc_info=True)
        finally:
            db.session.remove()


def build_scheduler(app: Flask) -> BlockingScheduler:
    """Return a scheduler with every job: one instance each, missed runs coalesced."""
    scheduler = BlockingScheduler(timezone=UTC)
    for schedule in SCHEDULES:
        scheduler.add_job(
            run_job, "interval", args=(app, schedule), seconds=schedule.seconds, id=schedule.id,
            name=schedule.id, replace_existing=True, next_run_time=datetime.now(UTC),
            coalesce=True, max_instances=1, misfire_grace_time=60,
        )
    return scheduler


@click.command("worker")
@click.option("--once", is_flag=True, help="Run every job once and exit (for cron and tests).")
@with_appcontext
def worker_command(once: bool) -> None:
    """Run the scheduled jobs (scraping, posting, reminders) until stopped."""
    from .commands import refuse_wrong_keys

    refuse_wrong_keys()
    app = current_app._get_current_object()
    if once:
        for schedule in SCHEDULES:
            run_job(app, schedule)
        return
    scheduler = build_scheduler(app)
    click.echo(f"repapp worker: {len(SCHEDULES)} jobs scheduled; Ctrl-C stops it.")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)


def init_app(app: Flask) -> None:
    """Register the worker command."""
    app.cli.add_command(worker_command)
