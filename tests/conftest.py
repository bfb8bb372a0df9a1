"""Shared fixtures: the app, its database, users of every role, and the live-forum harness."""

from __future__ import annotations

import os

import pytest
from cryptography.fernet import Fernet
from flask.testing import FlaskClient

from repapp import create_app
from repapp.extensions import db
from support.world import PASSWORD, World, build_world
from support import web
from support.pg_fixtures import (  # noqa: F401
    SUITE_ON_POSTGRES,
    configure_suite_database,
    empty_suite_database,
    postgres_server,
    stop_shared_server,
)
from support.flaskbb_fixtures import flaskbb_forum  # noqa: F401
from support.browser import browser, page  # noqa: F401  (one Playwright per run)

def pytest_configure(config):
    """Start PostgreSQL first when the whole suite runs on it."""
    configure_suite_database()


def pytest_unconfigure(config):
    """Stop the PostgreSQL server this run started."""
    stop_shared_server()


def pytest_collection_modifyitems(config, items):
    """On PostgreSQL, skip the tests that are about SQLite itself (backups of the SQLite file)."""
    if SUITE_ON_POSTGRES:
        for item in items:
            if item.get_closest_marker("sqlite_only"):
                item.add_marker(pytest.mark.skip(reason="about SQLite itself; PostgreSQL uses pg_dump"))


@pytest.fixture(autouse=True)
def _empty_postgres_after_test():
    """Leave the shared PostgreSQL database empty for the next test."""
    yield
    if SUITE_ON_POSTGRES:
        empty_suite_database()


# Cheap scrypt parameters: tests log in hundreds of times; production keeps werkzeug's defaults.
TEST_HASH_METHOD = "scrypt:1024:8:1"


class FreshContextClient(FlaskClient):
    """A test client whose every request gets its own app context, as in production.

    The `app` fixture keeps an app context pushed for the test's own queries; without this, requests
    would reuse it and share `g` (CSRF token cache, logged-in user) and the database session.
    """

    def open(self, *args, **kwargs):
        """Run the request inside a fresh app context."""
        with self.application.app_context():
            return super().open(*args, **kwargs)


def make_test_config(tmp_path, **overrides):
    """Return the configuration every test app starts from."""
    database_url = os.environ.get("REPAPP_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.sqlite3'}"
    config = {
        "TESTING": True,
        "ENV_NAME": "testing",
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "ENCRYPTION_KEYS": [Fernet.generate_key().decode()],
        "SQLALCHEMY_DATABASE_URI": database_url,
        "PASSWORD_HASH_METHOD": TEST_HASH_METHOD,
        "BABEL_DEFAULT_LOCALE": "en",
        "PAGE_SIZE": 20,
    }
    config.update(overrides)
    return config


@pytest.fixture
def app(tmp_path):
    """An app with an empty database of the current schema."""
    app = create_app(make_test_config(tmp_path), instance_path=str(tmp_path / "instance"))
    app.test_client_class = FreshContextClient
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    """A test client (a browser without JavaScript)."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner bound to the app."""
    return app.test_cli_runner()


@pytest.fixture
def world(app) -> World:
    """Clients A and B with users of every role."""
    return build_world(db.session)


@pytest.fixture
def login_as(app, world):
    """Return a function that gives a test client logged in as the named world user."""

    def _login(name: str):
        c = app.test_client()
        response = web.login(c, world.user(name).email, PASSWORD)
        assert response.status_code == 302, f"login as {name} failed: {response.status_code}"
        return c

    return _login
