"""Acting as a browser through Flask's test client: CSRF tokens from the page, logging in."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/auth/login") -> str:
    """Fetch `path` and return the CSRF token the page carries, as a browser would see it."""
    response = client.get(path)
    match = CSRF_META.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {path} (status {response.status_code})"
    return match.group(1)


def post_form(client: FlaskClient, url: str, data: dict | None = None, *, token_from: str = "/auth/login", **kwargs):
    """POST a form with a valid CSRF token taken from a page of the same session."""
    payload = dict(data or {})
    payload["csrf_token"] = csrf_token(client, token_from)
    return client.post(url, data=payload, **kwargs)


def login(client: FlaskClient, email: str, password: str):
    """Log in through the login form; return the response."""
    return post_form(client, "/auth/login", {"email": email, "password": password})


def logout(client: FlaskClient):
    """Log out through the logout form."""
    return post_form(client, "/auth/logout", token_from="/")
