"""Two clients with users of every role and objects of each: the ground for access tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from repapp.admin.operations import create_user, save_client
from repapp.models import (
    Case,
    Client,
    Escalation,
    Forum,
    ForumAccount,
    MonthlyReport,
    PlaybookStatus,
    PlaybookVersion,
    Post,
    Reply,
    Role,
    TrackedLink,
    User,
    WatchedThread,
)

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

        forum = db.session.scalar(select(Forum).where(Forum.key == "demo-flaskbb"))
        if forum is None:
            forum = Forum(key="demo-flaskbb", name="World forum", base_url="http://127.0.0.1:5051/", engine="flaskbb")
            db.session.add(forum)
            db.session.commit()
        return forum

    def post_a(self) -> Post:
        """Return the forum user's post in client A's thread."""
        from repapp.extensions import db

        return db.session.scalar(select(Post).where(Post.thread_id == self.thread_a().id))

    def reply_a(self) -> Reply:
        """Return (creating once) a draft by rep A answering client A's post."""
        from repapp.extensions import db

        reply = db.session.scalar(select(Reply).where(Reply.client_id == self.client_a.id))
        if reply is None:
            post = self.post_a()
            reply = Reply(client_id=self.client_a.id, thread_id=post.thread_id, in_reply_to_id=post.id,
                          author_id=self.user("rep_a").id, body="Здравствуйте!")
            db.session.add(reply)
            db.session.commit()
        return reply

    def report_a(self) -> MonthlyReport:
        """Return (creating once) client A's published report for January 2025, made through the services."""
        from datetime import date

        from repapp.extensions import db
        from repapp.reports.generate import generate_report
        from repapp.reports.workflow import accept_report, publish_report

        report = db.session.scalar(select(MonthlyReport).where(MonthlyReport.client_id == self.client_a.id))
        if report is None:
            self.thread_a()
            report = generate_report(db.session, self.client_a, date(2025, 1, 1))
            accept_report(db.session, report, actor=self.user("pr"), comment="A calm month.")
            publish_report(db.session, report, actor=self.user("pr"))
            db.session.commit()
        return report

    def link_a(self) -> TrackedLink:
        """Return (creating once) a tracked link in client A's thread."""
        from repapp.extensions import db
        from repapp.kpi.links import create_link

        link = db.session.scalar(select(TrackedLink).where(TrackedLink.client_id == self.client_a.id))
        if link is None:
            link = create_link(db.session, self.thread_a(), "https://client-a.example/offer",
                               actor=self.user("rep_a"))
            db.session.commit()
        return link

    def case_a(self) -> Case:
        """Return (creating once) a case of client A opened by rep A from the post in its thread."""
        from repapp.cases.operations import open_case_from_post
        from repapp.extensions import db

        case = db.session.scalar(select(Case).where(Case.client_id == self.client_a.id).order_by(Case.id))
        if case is None:
            case = open_case_from_post(db.session, self.post_a(), title="Broken after repair",
                                       actor=self.user("rep_a"))
            db.session.commit()
        return case

    def escalation_a(self) -> Escalation:
        """Return (creating once) an escalation of client A's case to the lawyer (queued, not yet sent)."""
        from types import SimpleNamespace

        from repapp.cases.operations import escalate
        from repapp.extensions import db

        escalation = db.session.scalar(select(Escalation).join(Case).where(Case.client_id == self.client_a.id))
        if escalation is None:
            lawyer = SimpleNamespace(id="lawyer", role="Юрист", name="Ирина Соколова", email="lawyer@client-a.test")
            escalation = escalate(db.session, self.case_a(), lawyer, "Что ответить?", actor=self.user("rep_a"))
            db.session.commit()
        return escalation

    def answer_token_a(self) -> str:
        """Return a valid answer-link token for client A's escalation."""
        from flask import current_app

        from repapp.cases.tokens import AnswerLinks

        escalation = self.escalation_a()
        return AnswerLinks.from_config(current_app.config).token(escalation.id, escalation.token_nonce)

    def playbook_version_a(self) -> PlaybookVersion:
        """Return (creating once) client A's playbook: version 1, approved and in force, by the PR specialist."""
        from pathlib import Path

        from repapp.extensions import db
        from repapp.playbooks.loader import load_playbook_text
        from repapp.playbooks.versions import store_playbook

        version = db.session.scalar(select(PlaybookVersion).where(PlaybookVersion.client_id == self.client_a.id)
                                    .order_by(PlaybookVersion.number))
        if version is None:
            text = (Path(__file__).parents[1] / "playbooks" / "minimal.yaml").read_text(encoding="utf-8")
            playbook = load_playbook_text(text.replace("slug: minimal", "slug: client-a"))
            version = store_playbook(db.session, playbook, source="world", actor=self.user("pr")).version
            version.status, version.effective_from = PlaybookStatus.APPROVED, version.created_at
            version.approved_by_id, version.approved_at = self.user("pr").id, version.created_at
            db.session.commit()
        return version

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
                                   url="http://127.0.0.1:5051/topic/1", title="Thread of A")
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
