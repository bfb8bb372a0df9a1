"""A real browser for UI tests: Debian's chromium driven by Playwright, and the app served by waitress.

Use the fixtures by importing them into a test module or a conftest (`from support.browser import
browser, page  # noqa: F401`). `browser` is one chromium per test run; `page` is a fresh context
(no cookies, no storage) per test, closed afterwards. `serve_app(app)` runs a Flask app with waitress
on a free loopback port in a thread, against whatever database the app is configured with.

No browser is ever downloaded: Playwright launches the system's /usr/bin/chromium (scripts/test
installs Debian's `chromium`). Tests using these carry `@pytest.mark.browser`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

CHROMIUM = os.environ.get("REPAPP_TEST_CHROMIUM", "/usr/bin/chromium")
# Headless, no sandbox (containers, root), and nothing that phones home: the tests speak to loopback only.
CHROMIUM_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
)
DEFAULT_TIMEOUT_MS = 15_000


def launch_chromium(playwright: Any) -> Any:
    """Launch the system chromium through Playwright; fail (never skip) when it is missing."""
    executable = shutil.which(CHROMIUM) or CHROMIUM
    if not os.path.exists(executable):
        pytest.fail(f"{executable} not found: install Debian's chromium (scripts/test does)", pytrace=False)
    return playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless chromium for the whole test run."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class PageEvents:
    """What a page did on its own: dialogs it opened and console errors it logged."""

    dialogs: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)


def new_page(browser: Any, **context_options: Any) -> tuple[Any, Any, PageEvents]:
    """Open a fresh context and page that record dialogs (dismissed) and errors; return (context, page, events)."""
    context = browser.new_context(**{"locale": "en-US", **context_options})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    events = PageEvents()

    def on_dialog(dialog: Any) -> None:
        events.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("console", lambda msg: events.console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: events.page_errors.append(str(exc)))
    return context, page, events


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page in its own context; `page.events` holds its dialogs and errors."""
    context, tab, events = new_page(browser)
    tab.events = events
    try:
        yield tab
    finally:
        context.close()


@dataclass
class LiveServer:
    """An app served over HTTP on loopback."""

    base_url: str

    def url(self, path: str) -> str:
        """Return the absolute URL of `path`."""
        return self.base_url + path


@contextlib.contextmanager
def serve_app(app: Any, *, threads: int = 4) -> Iterator[LiveServer]:
    """Serve `app` with waitress on 127.0.0.1 and a free port, in a thread; stop it on leaving."""
    from waitress import wasyncore
    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=threads, asyncore_loop_timeout=1,
                           clear_untrusted_proxy_headers=True)
    runner = threading.Thread(target=server.run, name="waitress-test-server", daemon=True)
    runner.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.effective_port}")
    finally:
        server.task_dispatcher.shutdown()
        # Closing every channel (the browser keeps connections alive) empties the map and ends the loop.
        wasyncore.close_all(server._map)
        runner.join(timeout=10)


def block_other_origins(context: Any, server: LiveServer) -> list[str]:
    """Let the context load only the app's own URLs; return the list the refused URLs are added to.

    Scraped posts link images on the forum: on loopback the forum shares the host (and so the
    cookies) with the app, and a test must not depend on what another server would answer.
    """
    refused: list[str] = []

    def route(route: Any) -> None:
        url = route.request.url
        if url == server.base_url or url.startswith(server.base_url + "/"):
            route.continue_()
        else:
            refused.append(url)
            route.abort()

    context.route("**/*", route)
    return refused


def log_in(page: Any, server: LiveServer, email: str, password: str) -> None:
    """Log in through the login form, as a person would, and wait for the page that follows."""
    page.goto(server.url("/auth/login"))
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("[type=submit]")
    if "/auth/login" in page.url:
        raise AssertionError(f"login as {email} failed: {page.inner_text('main')[:300]}")
