"""Migrations build the same schema as the models, on SQLite and on an empty PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from repapp.extensions import db

REPAPP = str(Path(sys.executable).with_name("repapp"))


def _repapp(args: list[str], instance: Path, database_url: str | None = None) -> subprocess.CompletedProcess:
    """Run the console script against a given instance folder (and database)."""
    env = dict(os.environ, REPAPP_INSTANCE_PATH=str(instance))
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run([REPAPP, *args], env=env, capture_output=True, text=True, timeout=300)


def _tables(url: str) -> set[str]:
    """Return the table names in a database."""
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_on_sqlite_matches_models(tmp_path):
    """`repapp db upgrade` on a fresh SQLite file, then `db check` finds nothing to migrate."""
    result = _repapp(["db", "upgrade"], tmp_path)
    assert result.returncode == 0, result.stderr
    check = _repapp(["db", "check"], tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    assert set(db.metadata.tables) <= _tables(f"sqlite:///{tmp_path / 'repapp.sqlite3'}")


@pytest.mark.postgres
def test_upgrade_on_empty_postgresql(tmp_path, postgres_server):
    """`repapp db upgrade` builds the whole schema on an empty PostgreSQL database."""
    url = postgres_server.create_database("migrations_test")
    result = _repapp(["db", "upgrade"], tmp_path, url)
    assert result.returncode == 0, result.stderr
    assert set(db.metadata.tables) | {"alembic_version"} == _tables(url)
    check = _repapp(["db", "check"], tmp_path, url)
    assert check.returncode == 0, check.stdout + check.stderr
