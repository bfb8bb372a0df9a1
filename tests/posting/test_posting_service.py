"""The posting service on the database, without a forum: planning, claims, leases, retries, manual posting."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime, timedelta

import pytest
from conftest import make_test_config
from sqlalchemy import select
from sqlalchemy.orm import Session

from repapp import create_app
from repapp.crypto import encrypt
from repapp.extensions import db
from repapp.forums.definitions import Capabilities, ForumDefinition, Politeness
from repapp.models import (
    AuditEvent,
    Client,
    Forum,
    ForumAccount,
    PostMethod,
    Reply,
    ReplyState,
    WatchedThread,
)
from repapp.posting.limits import PostingLimits
from repapp.posting.service import (
    Claim,
    Outcome,
    PermalinkError,
    PostingSettings,
    PostingStateError,
    claim_due_replies,
    expire_stale_claims,
    mark_posted_manually,
    plan_reply,
    post_by_hand,
    send_reply,
)
from repapp.scraping.fetch import Fetcher

NOW = datetime(2026, 3, 10, 7, 0, tzinfo=UTC)  # 10:00 in Moscow
# A loopback port nothing listens on: every connection is refused at once.
DEAD_FORUM = "http://127.0.0.1:9/"


def definition(key: str = "dealers", *, post: bool = True, base_url: str = DEAD_FORUM) -> ForumDefinition:
    """Return a FlaskBB forum definition."""
    return ForumDefinition(key=key, name="Dealers forum", base_url=base_url, engine="flaskbb",
                           capabilities=Capabilities(login=post, post=post),
                           politeness=Politeness(requests_per_minute=600, timeout_seconds=2, max_retries=0))


def world(dbs: Session, *, password: str | None = "forum-pass", forum_key: str = "dealers") -> WatchedThread:
    """Create a client (Moscow time), a forum, the official account and a watched thread; return the thread."""
    client = Client(slug="avtodom", name="АвтоДом", timezone="Europe/Moscow")
    forum = Forum(key=forum_key, name="Dealers forum", base_url=DEAD_FORUM, engine="flaskbb")
    dbs.add_all([client, forum])
    dbs.flush()
    dbs.add(ForumAccount(client_id=client.id, forum_id=forum.id, username="AvtoDom_official",
                         password_encrypted=encrypt(password) if password else None))
    thread = WatchedThread(client_id=client.id, forum_id=forum.id, url=f"{DEAD_FORUM}topic/2-service")
    dbs.add(thread)
    dbs.commit()
    return thread


def approved(dbs: Session, thread: WatchedThread, body: str = "Здравствуйте! Ответ в профиле.", **extra) -> Reply:
    """Add an approved reply to the thread (other states and values through extra)."""
    values = {"state": ReplyState.APPROVED, "approved_at": NOW, **extra}
    reply = Reply(client_id=thread.client_id, thread_id=thread.id, body=body, approved_body=body, **values)
    dbs.add(reply)
    dbs.flush()
    return reply


def actions(dbs: Session, reply: Reply) -> list[str]:
    """Return the audit actions recorded on a reply, in order."""
    return list(dbs.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "reply",
                                                            AuditEvent.object_id == str(reply.id))
                            .order_by(AuditEvent.id)))


def test_three_a_day_with_five_approved_plans_two_for_tomorrow(app):
    """Planned one by one, each reply counts the ones before it: 3 today (Moscow), 2 tomorrow."""
    thread = world(db.session)
    limits = PostingLimits(per_day=3, min_gap=timedelta(minutes=20), timezone="Europe/Moscow")
    replies = [approved(db.session, thread, f"Ответ номер {n}") for n in range(5)]
    slots = [plan_reply(db.session, r, limits=limits, now=NOW) for r in replies]
    moscow = [s.astimezone(limits.tzinfo).strftime("%d %H:%M") for s in slots]
    assert moscow == ["10 10:00", "10 10:20", "10 10:40", "11 00:00", "11 00:20"]
    assert [r.planned_at for r in replies] == slots
    assert actions(db.session, replies[0]) == ["reply.planned"]
    with pytest.raises(PostingStateError):
        plan_reply(db.session, Reply(client_id=thread.client_id, thread_id=thread.id, state=ReplyState.DRAFT,
                                     thread=thread), limits=limits, now=NOW)


def test_posts_already_published_count_against_the_day(app):
    """Two replies already posted this morning: with 3 a day the next goes today, the one after tomorrow."""
    thread = world(db.session)
    for hour in (5, 6):
        approved(db.session, thread, state=ReplyState.POSTED, posted_at=NOW.replace(hour=hour))
    limits = PostingLimits(per_day=3, timezone="Europe/Moscow")
    first, second = approved(db.session, thread), approved(db.session, thread)
    assert plan_reply(db.session, first, limits=limits, now=NOW) == NOW
    assert plan_reply(db.session, second, limits=limits, now=NOW) == datetime(2026, 3, 10, 21, 0, tzinfo=UTC)


def test_a_due_reply_is_claimed_once(app):
    """Two workers claim at once: the reply goes to one of them; the claim counts an attempt."""
    thread = world(db.session)
    reply = approved(db.session, thread, planned_at=NOW)
    later = approved(db.session, thread, planned_at=NOW + timedelta(hours=1))
    manual = approved(db.session, thread, planned_at=NOW, post_method=PostMethod.MANUAL)
    db.session.commit()
    with Session(db.engine) as other:
        first = claim_due_replies(db.session, now=NOW)
        second = claim_due_replies(other, now=NOW)
    assert [c.reply_id for c in first] == [reply.id] and second == []
    db.session.refresh(reply)
    assert reply.state == ReplyState.POSTING and reply.claim_token == first[0].token and reply.attempts == 1
    assert db.session.get(Reply, later.id).state == ReplyState.APPROVED  # not due yet
    assert db.session.get(Reply, manual.id).state == ReplyState.APPROVED  # a person posts it
    assert actions(db.session, reply) == ["reply.claimed"]


def test_a_claim_outliving_its_lease_becomes_unknown(app):
    """The worker died mid-send: after the lease the outcome is unknown and re-read at once, never resent blindly."""
    thread = world(db.session)
    reply = approved(db.session, thread, planned_at=NOW)
    db.session.commit()
    claim_due_replies(db.session, now=NOW)
    settings = PostingSettings(claim_lease=timedelta(minutes=10))
    assert expire_stale_claims(db.session, now=NOW + timedelta(minutes=9), settings=settings) == []
    assert expire_stale_claims(db.session, now=NOW + timedelta(minutes=11), settings=settings) == [reply.id]
    db.session.refresh(reply)
    assert reply.state == ReplyState.UNKNOWN and reply.next_check_at == NOW + timedelta(minutes=11)
    assert claim_due_replies(db.session, now=NOW + timedelta(hours=1)) == []
    assert actions(db.session, reply)[-1] == "reply.claim_expired"


def test_a_forum_that_cannot_post_hands_the_reply_to_a_person(app):
    """The definition forbids posting: nothing is sent, the reply waits approved, marked manual."""
    thread = world(db.session)
    reply = approved(db.session, thread, planned_at=NOW)
    db.session.commit()
    [claim] = claim_due_replies(db.session, now=NOW)
    with Fetcher.from_definitions([definition(post=False)]) as fetcher:
        result = send_reply(db.session, claim, fetcher=fetcher, definitions={"dealers": definition(post=False)},
                            limits=PostingLimits(), now=NOW)
    assert result.outcome == Outcome.MANUAL
    db.session.refresh(reply)
    assert reply.state == ReplyState.APPROVED and reply.post_method == PostMethod.MANUAL and reply.attempts == 0
    assert "does not allow posting" in reply.last_error
    assert claim_due_replies(db.session, now=NOW + timedelta(days=1)) == []


def test_no_password_also_means_by_hand(app):
    """An account without a stored password cannot post: manual."""
    thread = world(db.session, password=None)
    approved(db.session, thread, planned_at=NOW)
    db.session.commit()
    [claim] = claim_due_replies(db.session, now=NOW)
    with Fetcher.from_definitions([definition()]) as fetcher:
        result = send_reply(db.session, claim, fetcher=fetcher, definitions={"dealers": definition()},
                            limits=PostingLimits(), now=NOW)
    assert result.outcome == Outcome.MANUAL and "no password" in result.detail


def test_limits_are_checked_again_when_the_slot_comes(app):
    """A post published meanwhile (say by hand) takes the gap: the claimed reply is re-planned, nothing sent."""
    thread = world(db.session)
    approved(db.session, thread, state=ReplyState.POSTED, posted_at=NOW - timedelta(minutes=5))
    reply = approved(db.session, thread, planned_at=NOW)
    db.session.commit()
    [claim] = claim_due_replies(db.session, now=NOW)
    limits = PostingLimits(min_gap=timedelta(minutes=30))
    with Fetcher.from_definitions([definition()]) as fetcher:
        result = send_reply(db.session, claim, fetcher=fetcher, definitions={"dealers": definition()},
                            limits=limits, now=NOW)
    assert result.outcome == Outcome.REPLANNED
    db.session.refresh(reply)
    assert reply.state == ReplyState.APPROVED and reply.planned_at == NOW + timedelta(minutes=25)
    assert reply.attempts == 0 and reply.claim_token == ""


def test_a_forum_that_cannot_be_reached_is_retried_with_backoff_then_failed(app):
    """Connection refused before anything was sent: back to approved, later each time; failed after the last."""
    thread = world(db.session)
    reply = approved(db.session, thread, planned_at=NOW)
    db.session.commit()
    settings = PostingSettings(max_attempts=3, retry_base=timedelta(minutes=5))
    now, outcomes, waits = NOW, [], []
    with Fetcher.from_definitions([definition()]) as fetcher:
        for _ in range(3):
            [claim] = claim_due_replies(db.session, now=now)
            result = send_reply(db.session, claim, fetcher=fetcher, definitions={"dealers": definition()},
                                limits=PostingLimits(), settings=settings, now=now)
            outcomes.append(result.outcome)
            db.session.refresh(reply)
            if reply.state == ReplyState.APPROVED:
                waits.append(reply.planned_at - now)
                now = reply.planned_at
    assert outcomes == [Outcome.RETRY, Outcome.RETRY, Outcome.FAILED]
    assert waits == [timedelta(minutes=5), timedelta(minutes=10)]
    assert reply.state == ReplyState.FAILED and "connection failed" in reply.last_error
    assert actions(db.session, reply).count("reply.retry_planned") == 2 and actions(db.session, reply)[-1] == "reply.failed"


def test_a_stale_claim_token_cannot_record_an_answer(app):
    """Whoever took a reply over owns it: a send with an old token does nothing."""
    thread = world(db.session)
    approved(db.session, thread, planned_at=NOW)
    db.session.commit()
    [claim] = claim_due_replies(db.session, now=NOW)
    with Fetcher.from_definitions([definition()]) as fetcher:
        result = send_reply(db.session, Claim(claim.reply_id, "not-the-token"), fetcher=fetcher,
                            definitions={"dealers": definition()}, now=NOW)
    assert result.outcome == Outcome.SKIPPED


def test_posted_by_hand_needs_a_permalink_of_the_threads_forum(app):
    """The permalink must be on the reply's forum and name a post; then the reply is posted (manual)."""
    thread = world(db.session)
    reply = approved(db.session, thread, planned_at=NOW)
    definitions = {"dealers": definition(), "other": definition("other", base_url="http://127.0.0.1:10/")}
    post_by_hand(db.session, reply)
    assert reply.post_method == PostMethod.MANUAL
    for bad in ("ftp://127.0.0.1:9/post/5", "http://elsewhere.example/post/5", "http://127.0.0.1:10/post/5",
                f"{DEAD_FORUM}topic/2-service"):
        with pytest.raises(PermalinkError):
            mark_posted_manually(db.session, reply, bad, None, definitions=definitions, now=NOW)
    mark_posted_manually(db.session, reply, f" {DEAD_FORUM}post/77 ", None, definitions=definitions, now=NOW)
    assert reply.state == ReplyState.POSTED and reply.external_post_id == "77"
    assert reply.permalink == f"{DEAD_FORUM}post/77" and reply.next_check_at == NOW
    assert actions(db.session, reply) == ["reply.post_by_hand", "reply.posted_manually"]
    with pytest.raises(PostingStateError):
        mark_posted_manually(db.session, reply, f"{DEAD_FORUM}post/78", None, definitions=definitions, now=NOW)


def test_a_link_pasted_for_a_forum_repapp_cannot_post_to_names_its_post(app):
    """Invision posts by hand: its findComment link gives the comment id; a link to no post is refused."""
    thread = world(db.session, forum_key="kyiv")
    reply = approved(db.session, thread, planned_at=NOW)
    invision = dataclasses.replace(definition("kyiv"), engine="invision", capabilities=Capabilities(login=False,
                                                                                                     post=False))
    post_by_hand(db.session, reply)
    with pytest.raises(PermalinkError, match="does not point at a post"):
        mark_posted_manually(db.session, reply, f"{DEAD_FORUM}topic/2-service/", None,
                             definitions={"kyiv": invision}, now=NOW)
    mark_posted_manually(db.session, reply, f"{DEAD_FORUM}topic/2-service/?do=findComment&comment=9003", None,
                         definitions={"kyiv": invision}, now=NOW)
    assert reply.state == ReplyState.POSTED and reply.external_post_id == "9003"


def test_a_reply_being_sent_cannot_be_reported_posted_by_hand(app):
    """While a worker holds the claim, a manual report would risk a double: refused."""
    thread = world(db.session)
    reply = approved(db.session, thread, planned_at=NOW)
    db.session.commit()
    claim_due_replies(db.session, now=NOW)
    db.session.refresh(reply)
    with pytest.raises(PostingStateError):
        mark_posted_manually(db.session, reply, f"{DEAD_FORUM}post/5", None, definitions={"dealers": definition()})


@pytest.mark.postgres
def test_concurrent_claims_on_postgresql_never_share_a_reply(tmp_path, postgres_server):
    """Four workers claim at once with SKIP LOCKED: every due reply is claimed exactly once."""
    url = postgres_server.create_database("posting_claims")
    app = create_app(make_test_config(tmp_path, SQLALCHEMY_DATABASE_URI=url), instance_path=str(tmp_path / "i"))
    with app.app_context():
        db.create_all()
        try:
            thread = world(db.session)
            ids = {approved(db.session, thread, f"Ответ {n}", planned_at=NOW).id for n in range(12)}
            db.session.commit()
            claimed: list[list[int]] = []
            failures: list[BaseException] = []
            barrier = threading.Barrier(4)
            engine = db.engine

            def worker() -> None:
                try:
                    with app.app_context(), Session(engine) as session:
                        barrier.wait()
                        claimed.append([c.reply_id for c in claim_due_replies(session, limit=5, now=NOW)])
                except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                    failures.append(exc)

            threads = [threading.Thread(target=worker) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert failures == []
            every = [reply_id for batch in claimed for reply_id in batch]
            assert sorted(every) == sorted(ids) and len(every) == len(set(every))
        finally:
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


def test_the_worker_runs_the_posting_job(app):
    """The scheduled job plans an unplanned approved reply and, its forum having no definition, hands it to a person."""
    from repapp.worker import SCHEDULES

    [schedule] = [s for s in SCHEDULES if s.id == "post-approved-replies"]
    thread = world(db.session, forum_key="not-defined")
    reply = approved(db.session, thread)
    db.session.commit()
    round_ = schedule.run(app)
    assert round_.planned == [reply.id] and round_.sent == {"manual": 1} and not round_.errors
    db.session.refresh(reply)
    assert reply.post_method == PostMethod.MANUAL and "no definition" in reply.last_error
