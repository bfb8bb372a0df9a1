"""PostgreSQL for the tests: a session-wide server, and the whole suite on it when asked.

`REPAPP_TEST_DB=postgresql` runs every test against one PostgreSQL database (tables emptied after
each test); otherwise each test gets its own SQLite file and only `postgres`-marked tests use the
server.
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text

from support.postgres import PostgresServer, start_postgres

SUITE_ON_POSTGRES = os.environ.get("REPAPP_TEST_DB") == "postgresql"
_shared: dict[str, PostgresServer] = {}


def shared_server() -> PostgresServer:
    """Start (once per run) and return the PostgreSQL server."""
    if "server" not in _shared:
        _shared["server"] = start_postgres()
    return _shared["server"]


def stop_shared_server() -> None:
    """Stop the server if this run started one."""
    server = _shared.pop("server", None)
    if server is not None:
        server.stop()


def configure_suite_database() -> None:
    """Point every test app at one PostgreSQL database when the suite runs on PostgreSQL."""
    if SUITE_ON_POSTGRES:
        os.environ["REPAPP_TEST_DATABASE_URL"] = shared_server().create_database("repapp_suite")


def empty_suite_database() -> None:
    """Empty every table of the suite database (fast between tests, unlike dropping the schema)."""
    url = os.environ.get("REPAPP_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        return
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            tables = [r[0] for r in conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))]
            if tables:
                conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_server():
    """The run's PostgreSQL server."""
    return shared_server()
