"""Online backups of the SQLite database (PostgreSQL installs use pg_dump; see the README)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext


class BackupError(RuntimeError):
    """A backup or restore cannot be done as asked."""


def sqlite_path(uri: str) -> Path:
    """Return the file of a sqlite:/// URI, or explain that this is not SQLite."""
    if not uri.startswith("sqlite:///"):
        raise BackupError("repapp backup covers SQLite; for PostgreSQL use pg_dump / pg_restore (see README)")
    return Path(uri.removeprefix("sqlite:///"))


def copy_database(source: Path, target: Path) -> int:
    """Copy a live SQLite database page by page (consistent while others write); return its pages."""
    if not source.exists():
        raise BackupError(f"no database at {source}")
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
        pages = dst.execute("PRAGMA page_count").fetchone()[0]
        if dst.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"the copy at {target} failed its integrity check")
    return pages


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Write a consistent copy of the SQLite database to PATH, even while repapp runs."""
    try:
        if path.exists():
            raise BackupError(f"{path} exists; choose a new file")
        pages = copy_database(sqlite_path(current_app.config["SQLALCHEMY_DATABASE_URI"]), path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backed up {pages} pages to {path}.")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the SQLite database with a backup (stop the web server and worker first)."""
    from .extensions import db

    try:
        target = sqlite_path(current_app.config["SQLALCHEMY_DATABASE_URI"])
        if not yes:
            click.confirm(f"Replace {target} with {path}? Everything since the backup is lost", abort=True)
        db.engine.dispose()
        pages = copy_database(path, target)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Restored {pages} pages from {path}.")


def init_app(app: Flask) -> None:
    """Register the backup commands."""
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
