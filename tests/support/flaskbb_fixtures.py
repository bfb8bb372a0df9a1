"""The session-wide live FlaskBB forum: one install, one server per test run.

Tests that use ``flaskbb_forum`` carry ``@pytest.mark.live_forum``. The seeded
long thread is shared by the whole run: read it, but make a scratch topic
(``flaskbb_forum.scratch_topic(...)``) for anything that adds, edits or
deletes posts.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from repapp.devforum.seed import SeededForum, seed_test_forum
from repapp.devforum.server import FlaskBBError, FlaskBBServer


@pytest.fixture(scope="session")
def flaskbb_forum(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeededForum]:
    """Start and seed one FlaskBB 2.2.0 forum on 127.0.0.1 for the test run."""
    server = FlaskBBServer(tmp_path_factory.mktemp("flaskbb"))
    try:
        server.start()
        forum = seed_test_forum(server)
    except FlaskBBError as exc:
        server.stop()
        # Fail, never skip: CI has to notice a missing Python 3.12+ or a broken install.
        pytest.fail(f"live FlaskBB forum unavailable: {exc}", pytrace=False)
    try:
        yield forum
    finally:
        server.stop()
