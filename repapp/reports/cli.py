"""`repapp report SLUG YYYY-MM --format … -o FILE`: the same files the report page offers."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import force_locale
from sqlalchemy import select

from ..extensions import db
from ..i18n import SUPPORTED_LOCALES
from ..kpi.periods import parse_month
from ..models import Client, MonthlyReport, ReportState, utcnow
from .exports import FORMATS, export
from .generate import build_figures


@click.command("report")
@click.argument("slug")
@click.argument("month")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="pdf", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True,
              help="The file to write ('-' for standard output).")
@click.option("--locale", type=click.Choice(SUPPORTED_LOCALES), help="Language of labels (default: the app's).")
@with_appcontext
def report_command(slug: str, month: str, fmt: str, output: Path, locale: str | None) -> None:
    """Write a client's monthly report (the frozen one if it exists, else the figures as they stand now)."""
    client = db.session.scalar(select(Client).where(Client.slug == slug))
    if client is None:
        raise click.ClickException(f"unknown client {slug!r}")
    try:
        first = parse_month(month)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    report = db.session.scalar(select(MonthlyReport).where(MonthlyReport.client_id == client.id,
                                                           MonthlyReport.month == first))
    if report is None:
        click.echo(f"No stored report of {slug} for {month}: the figures are computed now and not frozen.", err=True)
        report = MonthlyReport(client_id=client.id, month=first, state=ReportState.DRAFT, pr_comment="",
                               figures=build_figures(db.session, client, first, now=utcnow()))
        report.client = client
    with force_locale(locale) if locale else nullcontext():
        data = export(report, fmt)
    db.session.rollback()  # nothing is stored by this command
    if str(output) == "-":
        click.get_binary_stream("stdout").write(data)
    else:
        output.write_bytes(data)
        click.echo(f"Wrote {output} ({len(data)} bytes, {report.state.value}).", err=True)
