"""Act as a FlaskBB user over HTTP: log in and reply, as a browser would."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import httpx

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
NEW_POST = re.compile(r"/post/(\d+)")


class ForumActionError(RuntimeError):
    """FlaskBB did not accept a login or a reply."""


def csrf_token(html: str) -> str:
    """Return the CSRF token every FlaskBB page carries in a meta tag."""
    match = CSRF_META.search(html)
    if match is None:
        raise ForumActionError("no csrf-token meta tag on the page")
    return match.group(1)


def login(client: httpx.Client, username: str, password: str) -> httpx.Response:
    """Log client in; raise ForumActionError unless FlaskBB redirects (302)."""
    form = client.get("/auth/login")
    form.raise_for_status()
    resp = client.post(
        "/auth/login",
        data={"csrf_token": csrf_token(form.text), "login": username, "password": password},
        follow_redirects=False,
    )
    if resp.status_code != 302:
        raise ForumActionError(f"login as {username!r} refused (HTTP {resp.status_code})")
    return resp


def reply(client: httpx.Client, topic_id: int, content: str) -> int:
    """Post a reply in a topic as the logged-in user; return the new post id."""
    form = client.get(f"/topic/{topic_id}/post/new")
    form.raise_for_status()
    resp = client.post(
        f"/topic/{topic_id}/post/new",
        data={"csrf_token": csrf_token(form.text), "content": content, "submit": "Reply"},
        follow_redirects=False,
    )
    match = NEW_POST.search(resp.headers.get("location", ""))
    if resp.status_code != 302 or match is None:
        raise ForumActionError(f"reply to topic {topic_id} refused (HTTP {resp.status_code})")
    return int(match.group(1))


@contextlib.contextmanager
def user_client(base_url: str, username: str | None = None, password: str | None = None,
                **kwargs: Any) -> Iterator[httpx.Client]:
    """Yield an httpx client for the forum, logged in if a username is given."""
    with httpx.Client(base_url=base_url, timeout=30, **kwargs) as client:
        if username is not None:
            login(client, username, password or "")
        yield client
