"""Claiming due replies and sending them through the forum's engine with the client's account.

Unlike most services these commit: exactly once depends on it. A claim is committed before the
forum sees the POST, and the forum's answer is committed as soon as it is read. A worker that
dies in between leaves the claim behind; once it is older than the lease the reply's outcome is
unknown, and the thread is re-read before anything is sent again.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..crypto import WrongEncryptionKey, decrypt, encrypt
from ..forums.definitions import ForumDefinition
from ..models import ForumAccount, PostMethod, Reply, ReplyState, utcnow
from ..scraping.fetch import Fetcher
from .cookies import dump_cookies, load_cookies
from .engines import manual_reason, poster_for
from .errors import LoginRefused, NotPosted, OutcomeUnknown
from .flows import post_reply
from .http import ForumHttp
from .limits import PostingLimits, next_slot
from .planning import account_times, limits_for
from .states import (
    DEFAULT_SETTINGS,
    Outcome,
    PostingSettings,
    account_for,
    approved_text,
    audit,
    move,
)

__all__ = ["Claim", "SendResult", "claim_due_replies", "expire_stale_claims", "send_reply"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Claim:
    """A reply this worker may send: its id and the token that proves the claim is still ours."""

    reply_id: int
    token: str


@dataclass(frozen=True)
class SendResult:
    """What sending one reply did."""

    reply_id: int
    outcome: Outcome
    detail: str = ""


def _due(now: datetime):
    """Approved engine replies whose slot has come."""
    return (Reply.state == ReplyState.APPROVED, Reply.post_method == PostMethod.ENGINE,
            Reply.planned_at.is_not(None), Reply.planned_at <= now)


def claim_due_replies(dbs: Session, *, limit: int = 20, now: datetime | None = None) -> list[Claim]:
    """Claim up to `limit` due replies (approved -> posting) and commit; return the claims.

    PostgreSQL locks candidates with SKIP LOCKED so concurrent workers take different ones; the
    conditional UPDATE takes a reply only if it is still approved, so SQLite is safe as well.
    """
    now = now or utcnow()
    query = select(Reply.id).where(*_due(now)).order_by(Reply.planned_at, Reply.id).limit(limit)
    if dbs.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    claims = []
    for reply_id in list(dbs.scalars(query)):
        token = secrets.token_hex(16)
        result = dbs.execute(
            update(Reply).where(Reply.id == reply_id, *_due(now))
            .values(state=ReplyState.POSTING, claim_token=token, claimed_at=now, attempts=Reply.attempts + 1,
                    updated_at=utcnow()),
            execution_options={"synchronize_session": False},
        )
        if result.rowcount == 1:
            claims.append(Claim(reply_id, token))
    for claim in claims:
        reply = dbs.get(Reply, claim.reply_id)
        dbs.refresh(reply)
        audit(dbs, reply, "reply.claimed", frm=ReplyState.APPROVED.value, to=ReplyState.POSTING.value,
              attempt=reply.attempts)
    dbs.commit()
    return claims


def expire_stale_claims(
    dbs: Session, *, now: datetime | None = None, settings: PostingSettings = DEFAULT_SETTINGS
) -> list[int]:
    """Turn claims older than the lease (their worker died) into unknown outcomes; commit; return ids."""
    now = now or utcnow()
    stale = dbs.scalars(
        select(Reply).where(Reply.state == ReplyState.POSTING, Reply.claimed_at < now - settings.claim_lease)
    ).all()
    expired = []
    for reply in stale:
        token = reply.claim_token
        if move(dbs, reply, ReplyState.UNKNOWN, frm=ReplyState.POSTING, token=token, next_check_at=now,
                last_error="the worker sending this reply stopped before recording the forum's answer"):
            audit(dbs, reply, "reply.claim_expired", frm=ReplyState.POSTING.value, to=ReplyState.UNKNOWN.value)
            expired.append(reply.id)
    dbs.commit()
    return expired


def _save_session(account: ForumAccount, cookies_json: str, before: str | None, now: datetime) -> None:
    """Keep the account's session cookies, encrypted, if they changed."""
    if cookies_json == before:
        return
    account.session_encrypted = encrypt(cookies_json) if cookies_json != "[]" else None
    account.session_saved_at = now


def _stored_session(account: ForumAccount) -> str | None:
    """Return the account's kept cookies as JSON, or None if there are none it can read."""
    if not account.session_encrypted:
        return None
    try:
        return decrypt(account.session_encrypted)
    except WrongEncryptionKey:
        log.warning("forum account %s: the kept session fits no key; logging in afresh", account.id)
        return None


def send_reply(
    dbs: Session,
    claim: Claim,
    *,
    fetcher: Fetcher,
    definitions: Mapping[str, ForumDefinition],
    limits: PostingLimits | None = None,
    settings: PostingSettings = DEFAULT_SETTINGS,
    now: datetime | None = None,
    after_send: Callable[[int], None] | None = None,
) -> SendResult:
    """Send one claimed reply and commit what the forum answered.

    after_send(reply_id) runs once the forum has stored the post, before that is committed
    (the crash tests kill the process there).
    """
    now = now or utcnow()
    reply = dbs.get(Reply, claim.reply_id)
    if reply is None or reply.state != ReplyState.POSTING or reply.claim_token != claim.token:
        return SendResult(claim.reply_id, Outcome.SKIPPED, "the claim is no longer ours")
    thread = reply.thread
    definition = definitions.get(thread.forum.key)
    account = account_for(dbs, reply)
    reason = manual_reason(definition) or (
        "the client has no account on this forum" if account is None
        else "the forum account has no password" if not account.password_encrypted else None)
    if reason is not None:
        return _to_manual(dbs, reply, claim, reason)
    limits = limits or limits_for(dbs, reply)
    slot = next_slot(limits, account_times(dbs, reply, now, include_planned=False), now)
    if slot > now:
        # Something else was posted meanwhile (by hand, or a race at planning): take the next slot.
        moved = move(dbs, reply, ReplyState.APPROVED, frm=ReplyState.POSTING, token=claim.token, planned_at=slot,
                     claim_token="", attempts=Reply.attempts - 1)
        if moved:
            audit(dbs, reply, "reply.replanned", frm=ReplyState.POSTING.value, to=ReplyState.APPROVED.value,
                  planned_at=slot.isoformat())
        dbs.commit()
        return SendResult(reply.id, Outcome.REPLANNED, slot.isoformat())

    poster = poster_for(definition)
    kept = _stored_session(account)
    session = fetcher.new_session()
    try:
        if kept:
            load_cookies(session.cookies, kept)
        try:
            password = decrypt(account.password_encrypted)
            sent = post_reply(ForumHttp(fetcher, session), poster, base_url=definition.base_url,
                              thread_url=thread.url, username=account.username, password=password,
                              body=approved_text(reply))
        except OutcomeUnknown as exc:
            result = _record_unknown(dbs, reply, claim, exc, now, settings)
        except LoginRefused as exc:
            kept = None  # a session the forum no longer honours is not worth keeping
            session.cookies.clear()
            result = _record_not_posted(dbs, reply, claim, exc, now, settings)
        except (NotPosted, WrongEncryptionKey) as exc:
            result = _record_not_posted(dbs, reply, claim, exc, now, settings)
        else:
            if after_send is not None:
                after_send(reply.id)
            result = _record_sent(dbs, reply, claim, sent.external_id, sent.permalink, now)
        _save_session(account, dump_cookies(session.cookies), kept, now)
    finally:
        session.close()
    dbs.commit()
    return result


def _to_manual(dbs: Session, reply: Reply, claim: Claim, reason: str) -> SendResult:
    """Hand the reply to a person: it stays approved, marked to be posted by hand."""
    if move(dbs, reply, ReplyState.APPROVED, frm=ReplyState.POSTING, token=claim.token, claim_token="",
            post_method=PostMethod.MANUAL, attempts=Reply.attempts - 1, last_error=reason):
        audit(dbs, reply, "reply.manual_needed", frm=ReplyState.POSTING.value, to=ReplyState.APPROVED.value,
              reason=reason)
    dbs.commit()
    log.info("reply %s must be posted by hand: %s", reply.id, reason)
    return SendResult(reply.id, Outcome.MANUAL, reason)


def _record_sent(dbs: Session, reply: Reply, claim: Claim, external_id: str, permalink: str, now: datetime) -> SendResult:
    """The forum stored the post: keep its id and link; a re-read confirms it next."""
    if not move(dbs, reply, ReplyState.POSTED, frm=ReplyState.POSTING, token=claim.token, external_post_id=external_id,
                permalink=permalink, posted_at=now, next_check_at=now, last_error=""):
        # The lease ran out while we were sending: the re-read of whoever took over will find it.
        log.warning("reply %s was posted as %s, but its claim had been taken over", reply.id, external_id)
        return SendResult(reply.id, Outcome.SKIPPED, "posted, but the claim had been taken over")
    audit(dbs, reply, "reply.posted", frm=ReplyState.POSTING.value, to=ReplyState.POSTED.value,
          external_post_id=external_id, permalink=permalink)
    return SendResult(reply.id, Outcome.POSTED, permalink)


def _record_unknown(
    dbs: Session, reply: Reply, claim: Claim, error: OutcomeUnknown, now: datetime, settings: PostingSettings
) -> SendResult:
    """Sent without a clear answer: re-read the thread before any retry."""
    check_at = now if error.settled else now + settings.unknown_settle
    if move(dbs, reply, ReplyState.UNKNOWN, frm=ReplyState.POSTING, token=claim.token, next_check_at=check_at,
            last_error=str(error)[:2000]):
        audit(dbs, reply, "reply.outcome_unknown", frm=ReplyState.POSTING.value, to=ReplyState.UNKNOWN.value,
              error=str(error)[:500])
    log.warning("reply %s: outcome unknown (%s); the thread is re-read at %s", reply.id, error, check_at.isoformat())
    return SendResult(reply.id, Outcome.UNKNOWN, str(error))


def _record_not_posted(
    dbs: Session, reply: Reply, claim: Claim, error: Exception, now: datetime, settings: PostingSettings
) -> SendResult:
    """Certainly not on the forum: retry later with backoff, or give up after the last attempt."""
    return retry_or_fail(dbs, reply, ReplyState.POSTING, claim.token, str(error), now, settings)


def retry_or_fail(
    dbs: Session, reply: Reply, frm: ReplyState, token: str | None, error: str, now: datetime,
    settings: PostingSettings,
) -> SendResult:
    """Put a reply that is not on the forum back in line with backoff, or fail it after the last attempt."""
    if reply.attempts >= settings.max_attempts:
        if move(dbs, reply, ReplyState.FAILED, frm=frm, token=token, claim_token="", next_check_at=None,
                last_error=error[:2000]):
            audit(dbs, reply, "reply.failed", frm=frm.value, to=ReplyState.FAILED.value, attempts=reply.attempts,
                  error=error[:500])
        log.warning("reply %s failed after %d attempts: %s", reply.id, reply.attempts, error)
        return SendResult(reply.id, Outcome.FAILED, error)
    retry_at = now + settings.backoff(reply.attempts)
    if move(dbs, reply, ReplyState.APPROVED, frm=frm, token=token, claim_token="", next_check_at=None,
            planned_at=retry_at, last_error=error[:2000]):
        audit(dbs, reply, "reply.retry_planned", frm=frm.value, to=ReplyState.APPROVED.value,
              planned_at=retry_at.isoformat(), attempts=reply.attempts, error=error[:500])
    log.info("reply %s not posted (%s); next attempt at %s", reply.id, error, retry_at.isoformat())
    return SendResult(reply.id, Outcome.RETRY, error)
