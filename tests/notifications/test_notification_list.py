"""The notifications page: what changed since the user last looked, unread counts, marking read."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from repapp.extensions import db
from repapp.models import AuditEvent, Notification, Post, User, utcnow
from repapp.notifications.operations import inbox_changes, mark_inbox_seen, mark_read, notify, unread_count
from repapp.scraping.pipeline import PageChanges, alert_own_post_changes
from support import web


def _seen_an_hour_ago(user: User) -> None:
    """Pretend the user last looked at the inbox an hour ago."""
    user.inbox_seen_at = utcnow() - timedelta(hours=1)
    db.session.commit()


def test_changes_since_last_look_count_new_edited_and_deleted_posts(world):
    """New, edited and deleted posts of the rep's clients since they looked are counted; other clients' are not."""
    rep_a, rep_b = world.user("rep_a"), world.user("rep_b")
    thread = world.thread_a()
    for user in (rep_a, rep_b):
        _seen_an_hour_ago(user)
    old = world.post_a()
    old.first_seen_at = utcnow() - timedelta(days=1)
    old.edited_at = utcnow()
    gone = Post(thread_id=thread.id, client_id=world.client_a.id, external_id="9", text="bye",
                first_seen_at=utcnow() - timedelta(days=2), deleted_at=utcnow())
    fresh = Post(thread_id=thread.id, client_id=world.client_a.id, external_id="10", text="hello")
    db.session.add_all([gone, fresh])
    db.session.commit()

    changes = inbox_changes(db.session, rep_a)
    assert (changes.new_posts, changes.edited_posts, changes.deleted_posts) == (1, 1, 1)
    assert {p.id for p in changes.latest} == {old.id, gone.id, fresh.id}
    assert inbox_changes(db.session, rep_b).total == 0
    assert inbox_changes(db.session, world.user("pr")).total == 3  # PR sees every client

    mark_inbox_seen(db.session, rep_a)
    db.session.commit()
    assert inbox_changes(db.session, rep_a).total == 0


def test_list_shows_changes_and_unread_and_marks_read(world, login_as):
    """The page shows the inbox changes and unread notifications; marking read clears the count, audited."""
    rep = world.user("rep_a")
    _seen_an_hour_ago(rep)
    db.session.add(Post(thread_id=world.thread_a().id, client_id=world.client_a.id, external_id="11", text="Новый"))
    first = notify(db.session, rep, "test", "First thing", client_id=world.client_a.id)
    notify(db.session, rep, "test", "Second thing", client_id=world.client_a.id)
    notify(db.session, world.user("rep_b"), "test", "Not for A")
    db.session.commit()

    browser = login_as("rep_a")
    page = browser.get("/notifications").get_data(as_text=True)
    assert "2 unread" in page and "First thing" in page and "Not for A" not in page
    assert "New posts: 2" in page  # the world's post and this one, both new since the last look

    web.post_form(browser, "/notifications/read", {"id": [str(first.id)]}, token_from="/notifications")
    assert unread_count(db.session, rep.id) == 1
    web.post_form(browser, "/notifications/read", {"all": "1"}, token_from="/notifications")
    assert unread_count(db.session, rep.id) == 0
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "notification.read"))

    web.post_form(browser, "/notifications/inbox-seen", token_from="/notifications")
    assert "Nothing new in your threads." in browser.get("/notifications").get_data(as_text=True)


def test_marking_read_touches_only_ones_own(world):
    """Ids of someone else's notifications are ignored."""
    other = notify(db.session, world.user("rep_b"), "test", "B's")
    assert mark_read(db.session, world.user("rep_a"), [other.id]) == 0
    assert db.session.get(Notification, other.id).read_at is None


def test_edited_or_deleted_own_post_alert_appears_with_a_link(world, login_as):
    """The scraper's alert about the official account's post shows on the page, linked to the thread."""
    thread = world.thread_a()
    own = Post(thread_id=thread.id, client_id=world.client_a.id, external_id="own", is_own=True, text="Наш ответ",
               url="http://127.0.0.1:9/post/own")
    db.session.add(own)
    db.session.flush()
    alert_own_post_changes(db.session, thread, PageChanges(deleted=[own]))
    db.session.commit()
    page = login_as("rep_a").get("/notifications").get_data(as_text=True)
    assert "was deleted on the forum" in page and f"/threads/{thread.id}#post-{own.id}" in page


def test_client_viewer_has_a_notifications_page_without_inbox(world, login_as):
    """Client viewers see their (empty) notifications, never inbox changes."""
    page = login_as("client_a").get("/notifications")
    assert page.status_code == 200 and b"Since you last looked" not in page.data
