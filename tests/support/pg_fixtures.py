"""The session-wide PostgreSQL server fixture."""

from __future__ import annotations

import pytest

from support.postgres import start_postgres


@pytest.fixture(scope="session")
def postgres_server():
    """Start one PostgreSQL server for the whole test run."""
    server = start_postgres()
    yield server
    server.stop()
