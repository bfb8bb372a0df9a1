"""A forum switched off is never read: its threads are not claimed, whatever their schedule."""

from __future__ import annotations

from repapp.extensions import db
from repapp.models import WatchedThread
from repapp.scraping.jobs import claim_due_threads


def test_threads_of_an_inactive_forum_are_not_claimed(app, world):
    """Only threads on active forums are handed to workers."""
    thread = world.thread_a()
    assert claim_due_threads(db.session, "worker", limit=10) == [thread.id]
    db.session.get(WatchedThread, thread.id).claimed_until = None
    world.forum().is_active = False
    db.session.commit()
    assert claim_due_threads(db.session, "worker", limit=10) == []
