"""Building a URL for any route of the app, with objects that belong to client A of the world."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from flask import Flask, url_for

from support.world import World

# URL argument -> function(world) giving (value, owning client id or None) for an object of client A.
# A new route with a new argument fails the access tests until its factory is added here.
ARG_FACTORIES: dict[str, Callable[[World], tuple[object, int | None]]] = {
    "client_slug": lambda w: (w.client_a.slug, w.client_a.id),
    "user_id": lambda w: (w.user("subject_a").id, w.client_a.id),
    "thread_id": lambda w: (w.thread_a().id, w.client_a.id),
    "post_id": lambda w: (w.post_a().id, w.client_a.id),
    "reply_id": lambda w: (w.reply_a().id, w.client_a.id),
    "forum_key": lambda w: (w.forum().key, None),
    "account_id": lambda w: (w.account_a().id, w.client_a.id),
    "version_id": lambda w: (w.playbook_version_a().id, w.client_a.id),
    "section": lambda w: ("kpis", None),
    "case_id": lambda w: (w.case_a().id, w.client_a.id),
    "escalation_id": lambda w: (w.escalation_a().id, w.client_a.id),
    "token": lambda w: (w.answer_token_a(), None),
    "report_id": lambda w: (w.report_a().id, w.client_a.id),
    "fmt": lambda w: ("csv", None),
    "code": lambda w: (w.link_a().code, w.client_a.id),
}


def fresh_rules(config_factory) -> list:
    """Return the URL rules of a freshly built app (used at test collection time)."""
    from repapp import create_app

    tmp = Path(tempfile.mkdtemp())
    app = create_app(config_factory(tmp), instance_path=str(tmp / "instance"))
    return list(app.url_map.iter_rules())


def url_for_rule(app: Flask, world: World, endpoint: str) -> tuple[str, int | None]:
    """Return the URL of `endpoint` with client A's objects and the owning client id (or None)."""
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    missing = [a for a in rule.arguments if a not in ARG_FACTORIES]
    assert not missing, f"{endpoint}: add a factory for URL argument(s) {missing} in support/routes.py"
    values, owners = {}, set()
    for arg in rule.arguments:
        values[arg], owner = ARG_FACTORIES[arg](world)
        if owner is not None:
            owners.add(owner)
    assert len(owners) <= 1, f"{endpoint}: arguments belong to different clients"
    with app.test_request_context():
        return url_for(endpoint, **values), (owners.pop() if owners else None)
