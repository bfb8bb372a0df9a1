"""Two clients with users of every role and objects of each: the ground for access tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from repapp.admin.operations import create_user, save_client
from repapp.models import Client, Forum, ForumAccount, Post, Role, User, WatchedThread

PASSWORD = "correct-horse-battery"


@dataclass
class World:
    client_a: Client
    client_b: Client
    users: dict[str, User] = field(default_factory=dict)

    def user(self, name: str) -> User:
        """Return the user called `name` (admin, pr, rep_a, rep_b, client_a, client_b)."""
        return self.users[name]

    def forum(self) -> Forum:
        """Return (creating once) a forum both clients use."""
        from repapp.extensions import db

        forum = db.session.scalar(select(Forum).where(Forum.key == "world-forum"))
        if forum is None:
            forum = Forum(key="world-forum", name="World forum", base_url="http://127.0.0.1:9/", engine="flaskbb")
            db.session.add(forum)
            db.session.commit()
        return forum

    def account_a(self) -> ForumAccount:
        """Return (creating once) client A's account on the world forum."""
        from repapp.crypto import encrypt
        from repapp.extensions import db

        account = db.session.scalar(select(ForumAccount).where(ForumAccount.client_id == self.client_a.id))
        if account is None:
            account = ForumAccount(client_id=self.client_a.id, forum_id=self.forum().id, username="A_official",
                                   password_encrypted=encrypt("forum-secret-of-a"))
            db.session.add(account)
            db.session.commit()
        return account

    def thread_a(self) -> WatchedThread:
        """Return (creating once) a watched thread of client A with one post."""
        from repapp.extensions import db

        thread = db.session.scalar(select(WatchedThread).where(WatchedThread.client_id == self.client_a.id))
        if thread is None:
            thread = WatchedThread(client_id=self.client_a.id, forum_id=self.forum().id,
                                   url="http://127.0.0.1:9/topic/1", title="Thread of A")
            db.session.add(thread)
            db.session.flush()
            db.session.add(Post(thread_id=thread.id, client_id=self.client_a.id, external_id="1", author="user",
                                text="Question?", html="<p>Question?</p>"))
            db.session.commit()
        return thread


def build_world(dbs: Session) -> World:
    """Create clients A and B and one user of each role (reps and viewers per client)."""
    a = save_client(dbs, None, slug="client-a", name="Client A")
    b = save_client(dbs, None, slug="client-b", name="Client B")
    world = World(a, b)
    for name, role, slugs in (
        ("admin", Role.ADMIN, ()),
        ("pr", Role.PR, ()),
        ("rep_a", Role.REP, ("client-a",)),
        ("rep_b", Role.REP, ("client-b",)),
        ("client_a", Role.CLIENT, ("client-a",)),
        ("client_b", Role.CLIENT, ("client-b",)),
        # Acted upon by routes that name a user, so the actors above keep working.
        ("subject_a", Role.REP, ("client-a",)),
    ):
        # English pages, so assertions read plainly; the Russian UI has its own tests.
        world.users[name] = create_user(dbs, email=f"{name}@test.repapp", password=PASSWORD, role=role,
                                        client_slugs=slugs, locale="en")
    dbs.commit()
    return world
