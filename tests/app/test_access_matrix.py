"""Every route, every role, every client: nobody reaches what they must not.

The matrix is built by walking app.url_map, so a new route is covered the day it is added; a route
whose URL names an object this test cannot build fails until a factory is added in support/routes.py.
"""

from __future__ import annotations

import pytest
from flask import Flask

from conftest import make_test_config
from repapp.access import declared_access
from repapp.extensions import db
from repapp.models import Role
from support import web
from support.routes import fresh_rules, url_for_rule
from support.world import World

USERS = ("admin", "pr", "rep_a", "rep_b", "client_a", "client_b")
ENDPOINTS = sorted({r.endpoint for r in fresh_rules(make_test_config) if r.endpoint != "static"})


def _user_may(world: World, user_name: str, roles: frozenset[Role], owner: int | None) -> bool:
    """Return whether the user's role is allowed and the object's client is theirs to see."""
    user = world.user(user_name)
    if user.role not in roles:
        return False
    if owner is None or user.role in (Role.ADMIN, Role.PR):
        return True
    visible = {user.client_id} if user.role == Role.CLIENT else {c.id for c in user.assigned_clients}
    return owner in visible


def test_every_view_declares_its_access(app: Flask):
    """A view without a role declaration or @public would be refused; none may exist."""
    undeclared = [e for e, v in app.view_functions.items() if e != "static" and declared_access(v) == "undeclared"]
    assert undeclared == []


def test_undeclared_view_is_refused(app: Flask, login_as):
    """A view added without a declaration fails closed, even for an admin."""
    app.add_url_rule("/undeclared-probe", "undeclared_probe", lambda: "secret")
    assert login_as("admin").get("/undeclared-probe").status_code == 403


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_role_matrix(app: Flask, world: World, login_as, endpoint: str):
    """Other roles and other clients' users get 403/404 here; the allowed ones do not."""
    url, owner = url_for_rule(app, world, endpoint)
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    view = app.view_functions[endpoint]
    methods = sorted(m for m in rule.methods if m in {"GET", "POST"})
    if declared_access(view) == "public":
        return
    anonymous = app.test_client()
    for method in methods:
        response = anonymous.get(url) if method == "GET" else web.post_form(anonymous, url, {})
        assert response.status_code in (302, 401), f"anonymous {method} {url}: {response.status_code}"
        if response.status_code == 302:
            assert "/auth/login" in response.headers["Location"]
    for user_name in USERS:
        client = login_as(user_name)
        allowed = _user_may(world, user_name, view.allowed_roles, owner)
        for method in methods:
            response = client.get(url) if method == "GET" else web.post_form(client, url, {}, token_from="/")
            status = response.status_code
            if allowed:
                assert status not in (403, 404) and status < 500, f"{user_name} {method} {url}: {status}"
            else:
                assert status in (403, 404), f"{user_name} {method} {url}: {status}, expected 403/404"
        db.session.rollback()
