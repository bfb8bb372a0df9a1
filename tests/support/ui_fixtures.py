"""Fixtures of the browser journeys: the app served over loopback and pages logged in as world users.

Import them into a test module (`from support.ui_fixtures import open_as, ui_server  # noqa: F401`). The
`browser` they use is the session's one chromium, which tests/conftest.py provides: a session fixture
imported into several modules would be set up once per module, and two Playwright drivers cannot run in
one process at once. (A conftest.py in tests/ui would shadow tests/conftest.py for `from conftest import`.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from support.browser import LiveServer, log_in, new_page, serve_app
from support.world import PASSWORD


@pytest.fixture
def ui_server(app, world) -> Iterator[LiveServer]:
    """The test app (with its world of users) served over HTTP on loopback."""
    with serve_app(app) as live:
        yield live


@pytest.fixture
def open_as(browser, ui_server, world):
    """Return a function opening a fresh browser page logged in as a world user (closed after the test)."""
    contexts: list[Any] = []

    def _open(user: str, **context_options: Any):
        context, page, events = new_page(browser, **context_options)
        contexts.append(context)
        page.events = events
        log_in(page, ui_server, world.user(user).email, PASSWORD)
        return page

    yield _open
    for context in contexts:
        context.close()
