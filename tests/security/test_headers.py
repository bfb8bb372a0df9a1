"""Every response carries the security headers: pages, redirects, JSON, downloads, static files, errors.

The routes are walked from the URL map (as the access matrix does), so a new route is covered the
day it is added; error pages are provoked one by one, including the page shown while the database
is down, when the error page itself cannot be rendered.
"""

from __future__ import annotations

import httpx
import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from conftest import FreshContextClient, make_test_config
from repapp import create_app
from repapp.extensions import db
from support import web
from support.browser import serve_app
from support.routes import fresh_rules, url_for_rule
from support.world import PASSWORD, build_world

GET_ENDPOINTS = sorted({r.endpoint for r in fresh_rules(make_test_config) if "GET" in r.methods and r.endpoint != "static"})


def assert_protected(response, what: str) -> None:
    """Check the three headers and the CSP directives that make scraped or injected markup harmless."""
    headers = response.headers
    policy = headers.get("Content-Security-Policy")
    assert policy, f"{what}: no Content-Security-Policy"
    directives = {d.split()[0]: d.split()[1:] for d in (p.strip() for p in policy.split(";")) if d}
    assert directives.get("object-src") == ["'none'"], f"{what}: {policy}"
    assert directives.get("base-uri") == ["'none'"], f"{what}: {policy}"
    assert directives.get("frame-ancestors") == ["'none'"], f"{what}: {policy}"
    assert directives.get("default-src") == ["'self'"], f"{what}: {policy}"
    script = directives.get("script-src", directives["default-src"])
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script and "data:" not in script, what
    assert headers.get("X-Content-Type-Options") == "nosniff", what
    assert headers.get("Referrer-Policy") in {"same-origin", "no-referrer", "strict-origin-when-cross-origin"}, what


@pytest.fixture
def errors_app(tmp_path):
    """An app that renders its 500 page instead of raising into the test (as in production)."""
    app = create_app(make_test_config(tmp_path, PROPAGATE_EXCEPTIONS=False), instance_path=str(tmp_path / "i"))

    @app.route("/probe-crash")
    def probe_crash():
        raise RuntimeError("boom")

    from repapp.access import public

    public(probe_crash)

    @app.route("/probe-failed-flush")
    def probe_failed_flush():
        from repapp.models import Client

        db.session.add_all([Client(slug="same", name="One"), Client(slug="same", name="Two")])
        db.session.flush()

    public(probe_failed_flush)
    app.test_client_class = FreshContextClient
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("endpoint", GET_ENDPOINTS)
def test_every_route_for_every_kind_of_visitor(app: Flask, world, login_as, endpoint: str):
    """Anonymous (redirect or public page), admin, a representative and another client's viewer (403/404)."""
    url, _owner = url_for_rule(app, world, endpoint)
    visitors = {"anonymous": app.test_client(), **{name: login_as(name) for name in ("admin", "rep_a", "client_b")}}
    for name, client in visitors.items():
        response = client.get(url)
        assert_protected(response, f"{name} GET {url} ({response.status_code})")
        head = client.head(url)
        assert_protected(head, f"{name} HEAD {url} ({head.status_code})")
    db.session.rollback()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf", "json"])
def test_report_downloads(app, world, login_as, fmt):
    """File downloads (the client's own published report) carry the headers too."""
    report = world.report_a()
    response = login_as("client_a").get(f"/reports/{report.id}/download/{fmt}")
    assert response.status_code == 200
    assert_protected(response, f"download {fmt}")


def test_static_files_and_their_conditional_answers(app, client):
    """A stylesheet, a script, a 304 for a cached copy, and a missing file."""
    for path in ("/static/app.css", "/static/draft-check.js"):
        with client.get(path) as response:
            assert response.status_code == 200
            assert_protected(response, path)
        with client.get(path, headers={"If-None-Match": response.headers["ETag"]}) as cached:
            assert cached.status_code == 304
            assert_protected(cached, f"{path} (304)")
    missing = client.get("/static/nothing-here.js")
    assert missing.status_code == 404
    assert_protected(missing, "missing static file")


def test_client_errors(app, world, login_as):
    """404, 405, the CSRF refusal (400), the login throttle (429), and 403 for a forbidden page."""
    anonymous = app.test_client()
    cases = {
        "404": (anonymous.get("/no/such/page"), 404),
        "405": (anonymous.put("/auth/login"), 405),
        "csrf": (login_as("admin").post("/admin/clients/new", data={"slug": "x", "name": "x"}), 400),
        "403": (login_as("client_a").get("/admin/users"), 403),
    }
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        web.login(anonymous, world.user("pr").email, "wrong-password")
    cases["429"] = (web.login(anonymous, world.user("pr").email, PASSWORD), 429)
    for what, (response, status) in cases.items():
        assert response.status_code == status, what
        assert_protected(response, what)


def test_server_error_page(errors_app):
    """An exception in a view gives the 500 page, with the headers and no details."""
    response = errors_app.test_client().get("/probe-crash")
    assert response.status_code == 500
    assert b"boom" not in response.data
    assert_protected(response, "500")


def test_a_failed_flush_still_gets_the_full_error_page(errors_app):
    """The session is rolled back before the error page reads the user through it."""
    world = build_world(db.session)
    client = errors_app.test_client()
    assert web.login(client, world.user("rep_a").email, PASSWORD).status_code == 302
    response = client.get("/probe-failed-flush")
    assert response.status_code == 500
    assert b"Back to the dashboard" in response.data and b"IntegrityError" not in response.data
    assert_protected(response, "500 after a failed flush")


def test_error_pages_while_the_database_is_down(errors_app):
    """With every query failing, even the error page cannot read the user: a bare page still has the headers."""
    world = build_world(db.session)
    client = errors_app.test_client()
    assert web.login(client, world.user("rep_a").email, PASSWORD).status_code == 302

    def refuse(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, ConnectionError("server closed the connection unexpectedly"))

    event.listen(db.engine, "before_cursor_execute", refuse)
    try:
        for path, status in (("/inbox", 500), ("/no/such/page", 404), ("/probe-crash", 500)):
            response = client.get(path)
            assert response.status_code == status, path
            assert_protected(response, f"{path} with the database down")
            assert b"OperationalError" not in response.data and b"server closed" not in response.data
    finally:
        event.remove(db.engine, "before_cursor_execute", refuse)


def test_headers_survive_the_real_server(app, world):
    """Through waitress over HTTP, as browsers get them."""
    with serve_app(app) as server, httpx.Client(trust_env=False) as http:
        for path in ("/auth/login", "/no/such/page", "/static/app.css", "/"):
            assert_protected(http.get(server.url(path)), f"waitress {path}")
