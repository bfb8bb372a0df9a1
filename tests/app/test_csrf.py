"""Every state-changing request without a valid CSRF token is refused."""

from __future__ import annotations

import pytest

from conftest import make_test_config
from support import web
from support.routes import fresh_rules, url_for_rule

POST_ENDPOINTS = sorted({r.endpoint for r in fresh_rules(make_test_config) if "POST" in r.methods})


@pytest.mark.parametrize("endpoint", POST_ENDPOINTS)
def test_post_without_token_is_refused(app, world, login_as, endpoint):
    """An admin (who may do anything) is still refused without a token, and with a forged one."""
    url, _owner = url_for_rule(app, world, endpoint)
    client = login_as("admin")
    assert client.post(url, data={}).status_code == 400
    assert client.post(url, data={"csrf_token": "forged"}).status_code == 400
    assert client.get("/").status_code == 200  # still logged in: the refusal changed nothing


def test_token_of_another_session_is_refused(app, world, login_as):
    """A token lifted from another user's page does not work in this session."""
    victim = login_as("admin")
    attacker_token = web.csrf_token(login_as("pr"), "/")
    response = victim.post("/admin/clients/new", data={"csrf_token": attacker_token, "slug": "evil", "name": "Evil"})
    assert response.status_code == 400
    assert b"evil" not in victim.get("/admin/clients").data
