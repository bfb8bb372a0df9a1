"""The thread's read status: what the page polls while the worker has the thread queued or in hand."""

from __future__ import annotations

from datetime import timedelta

from support import web

from repapp.extensions import db
from repapp.models import utcnow


def test_the_status_follows_the_worker_from_queued_to_reading_to_done(world, login_as):
    """Idle when the next read is later, queued after "Read now", reading while claimed, idle again after."""
    thread = world.thread_a()
    thread.next_run_at = utcnow() + timedelta(minutes=15)
    db.session.commit()
    rep = login_as("rep_a")
    status = f"/threads/{thread.id}/status"
    assert rep.get(status).get_json() == {"state": "idle", "label": "", "last_success_at": None, "last_error": None}
    assert "data-status-url" not in rep.get(f"/threads/{thread.id}").get_data(as_text=True)

    web.post_form(rep, f"/threads/{thread.id}/read", token_from=f"/threads/{thread.id}")
    queued = rep.get(status).get_json()
    assert queued["state"] == "queued" and queued["label"].startswith("Waiting for the worker")
    assert f'data-status-url="{status}"' in rep.get(f"/threads/{thread.id}").get_data(as_text=True)

    db.session.expire_all()
    thread.claimed_by, thread.claimed_until = "worker-1", utcnow() + timedelta(minutes=10)
    db.session.commit()
    assert rep.get(status).get_json()["state"] == "reading"

    thread.claimed_by, thread.claimed_until = "", None
    thread.last_success_at, thread.next_run_at = utcnow(), utcnow() + timedelta(minutes=15)
    db.session.commit()
    done = rep.get(status).get_json()
    assert done["state"] == "idle" and done["last_success_at"] is not None


def test_a_stopped_thread_is_never_waiting(world, login_as):
    """A thread nobody watches any more is not due, whatever its next read said."""
    thread = world.thread_a()
    thread.is_active, thread.next_run_at = False, utcnow() - timedelta(hours=1)
    db.session.commit()
    assert login_as("rep_a").get(f"/threads/{thread.id}/status").get_json()["state"] == "idle"


def test_another_clients_representative_gets_nothing(world, login_as):
    """The status of client A's thread answers 404 to client B's representative."""
    assert login_as("rep_b").get(f"/threads/{world.thread_a().id}/status").status_code == 404
