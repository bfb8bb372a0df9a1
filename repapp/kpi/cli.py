"""`repapp kpi import-csv`: figures repapp cannot see, from a CSV file, all rows or none."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..extensions import db
from ..models import Client, User
from .manual import CsvImportError, import_csv


@click.group("kpi")
def kpi_group() -> None:
    """KPI figures."""


@kpi_group.command("import-csv")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--client", "slug", help="The client the rows are for (else each row names it in a client column).")
@click.option("--by", "email", help="The e-mail of the person importing, recorded with each figure.")
@with_appcontext
def import_csv_command(path: Path, slug: str | None, email: str | None) -> None:
    """Import figures (columns month, kpi, value, and optionally client, forum, note) from PATH."""
    client = None
    if slug:
        client = db.session.scalar(select(Client).where(Client.slug == slug))
        if client is None:
            raise click.ClickException(f"unknown client {slug!r}")
    actor = None
    if email:
        actor = db.session.scalar(select(User).where(User.email == email))
        if actor is None:
            raise click.ClickException(f"unknown user {email!r}")
    try:
        entries = import_csv(db.session, path.read_bytes(), source_name=path.name, client=client, actor=actor)
    except CsvImportError as exc:
        db.session.rollback()
        for error in exc.errors:
            click.echo(f"{path}: {error}", err=True)
        raise click.ClickException(f"nothing imported: {len(exc.errors)} problem(s)") from None
    db.session.commit()
    click.echo(f"Imported {len(entries)} figure(s) from {path}.")
