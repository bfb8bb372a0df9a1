"""Re-reading the thread to settle what happened to a reply, and to confirm a posted one.

An unknown outcome is settled only by what the forum shows: a post by the account, dated no
earlier than the send, that matches the approved body (see repapp.posting.matching) means the
reply is there; none means it is not, and it may be sent again. A posted reply (by the engine,
or by hand with its permalink) is confirmed when the re-read shows its post: then its permalink,
response time and "published text differs" are recorded, and any second copy is reported.

resolve_unknown and confirm_posted commit (a failed read is rolled back whole, as scraping does).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..forums.definitions import ForumDefinition
from ..models import Post, Reply, ReplyState, TriageState, utcnow
from ..scraping.fetch import Fetcher
from ..scraping.reader import read_thread
from .engines import POSTERS
from .errors import PostingError
from .matching import matches, similarity, text_differs
from .sending import retry_or_fail
from .states import (
    DEFAULT_SETTINGS,
    Outcome,
    PostingSettings,
    account_for,
    approved_text,
    audit,
    move,
)

__all__ = ["CheckResult", "confirm_posted", "resolve_unknown"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckResult:
    """What one re-read did for a reply."""

    reply_id: int
    outcome: Outcome
    detail: str = ""


class _ThreadBusy(Exception):
    """A scraping worker holds the thread right now."""


def _reread(dbs: Session, reply: Reply, definitions: Mapping[str, ForumDefinition], fetcher: Fetcher, now: datetime) -> None:
    """Read the reply's thread from its last known page on, storing what is new."""
    thread = reply.thread
    if thread.claimed_until is not None and thread.claimed_until > now:
        raise _ThreadBusy(f"thread {thread.id} is being read by {thread.claimed_by}")
    definition = definitions.get(thread.forum.key)
    if definition is None:
        raise LookupError(f"forum {thread.forum.key!r} has no definition in forums/")
    # Unconditionally: a 304 for the last known page would stop the read before a page our post began.
    thread.etag, thread.last_modified = "", ""
    read_thread(dbs, thread, definition, fetcher, now=now)


def _reread_or_postpone(
    dbs: Session, reply_id: int, definitions: Mapping[str, ForumDefinition], fetcher: Fetcher, now: datetime,
    settings: PostingSettings,
) -> Reply | CheckResult:
    """Re-read the reply's thread; on failure roll back, note it, plan another try and commit."""
    reply = dbs.get(Reply, reply_id)
    try:
        _reread(dbs, reply, definitions, fetcher, now)
    except Exception as exc:  # any failed read leaves the reply pending, noted and logged
        dbs.rollback()
        reply = dbs.get(Reply, reply_id)
        busy = isinstance(exc, _ThreadBusy)
        reply.next_check_at = now + (settings.check_retry if not busy else settings.check_retry / 5)
        if not busy:
            reply.last_error = f"re-reading the thread failed: {exc}"[:2000]
        dbs.commit()
        log.warning("reply %s: re-reading its thread failed: %s", reply_id, exc, exc_info=not busy)
        return CheckResult(reply_id, Outcome.PENDING, str(exc))
    return reply


def _linked_elsewhere(dbs: Session, reply: Reply) -> set[int]:
    """Return the ids of the thread's posts other replies are already linked to."""
    return set(dbs.scalars(select(Reply.posted_post_id).where(
        Reply.thread_id == reply.thread_id, Reply.id != reply.id, Reply.posted_post_id.is_not(None))))


def _candidates(dbs: Session, reply: Reply, since: datetime | None) -> list[Post]:
    """Return the account's posts in the thread since `since` that carry the approved body, best first."""
    account = account_for(dbs, reply)
    username = account.username.casefold() if account is not None else None
    query = select(Post).where(Post.thread_id == reply.thread_id, Post.deleted_at.is_(None))
    if since is not None:
        query = query.where((Post.posted_at.is_(None)) | (Post.posted_at >= since))
    linked = _linked_elsewhere(dbs, reply)
    body = approved_text(reply)
    found = [
        post for post in dbs.scalars(query)
        if (post.is_own or (username is not None and post.author.casefold() == username))
        and post.id not in linked and matches(body, post.text)
    ]
    # The closest text first; among equals the earliest post, which is the one readers saw first.
    return sorted(found, key=lambda p: (-round(similarity(body, p.text), 3), p.posted_at or p.first_seen_at, p.id))


def _since(reply: Reply, settings: PostingSettings) -> datetime | None:
    """Return how far back a post can be ours: the send (or the approval), less the clocks' slack."""
    start = reply.claimed_at or reply.approved_at or reply.created_at
    return start - settings.clock_slack if start is not None else None


def _permalink(reply: Reply, post: Post, definitions: Mapping[str, ForumDefinition]) -> str:
    """Return the post's permalink as the engine writes it, or as the scraper saw it."""
    definition = definitions.get(reply.thread.forum.key)
    poster = POSTERS.get(definition.engine) if definition is not None else None
    if poster is not None:
        try:
            return poster(definition.encoding).permalink(reply.thread.url, post.external_id)
        except PostingError:
            pass  # a thread address the engine cannot build links from: keep the scraped one
    return post.url


def _confirm(
    dbs: Session, reply: Reply, post: Post, others: list[Post], definitions: Mapping[str, ForumDefinition]
) -> None:
    """Link the reply to its post and record what the forum published."""
    published_at = post.posted_at or reply.posted_at
    answered = reply.in_reply_to
    reply.posted_post_id = post.id
    reply.external_post_id = post.external_id
    reply.permalink = reply.permalink or _permalink(reply, post, definitions)
    reply.posted_at = published_at
    reply.response_seconds = (
        max(0, int((published_at - answered.posted_at).total_seconds()))
        if answered is not None and answered.posted_at is not None and published_at is not None else None
    )
    reply.published_text_differs = text_differs(approved_text(reply), post.text)
    reply.next_check_at = None
    reply.last_error = ""
    if answered is not None:
        # The forum user has their answer: the post leaves the inbox and its clock stops.
        answered.triage_state = TriageState.ANSWERED
    audit(dbs, reply, "reply.confirmed", post_id=post.id, external_post_id=post.external_id,
          permalink=reply.permalink, response_seconds=reply.response_seconds,
          published_text_differs=reply.published_text_differs)
    if others:
        # Exactly once is the rule; if a copy got through anyway, a person must remove it.
        extra = [p.external_id for p in others]
        reply.last_error = f"also on the forum as post(s) {', '.join(extra)}: remove the extra copy by hand"
        audit(dbs, reply, "reply.duplicate_on_forum", external_post_ids=extra)
        log.error("reply %s is on the forum more than once: %s and %s", reply.id, post.external_id, extra)


def resolve_unknown(
    dbs: Session,
    reply_id: int,
    *,
    fetcher: Fetcher,
    definitions: Mapping[str, ForumDefinition],
    settings: PostingSettings = DEFAULT_SETTINGS,
    now: datetime | None = None,
) -> CheckResult:
    """Settle an unknown outcome by re-reading the thread: posted if it is there, else back in line."""
    now = now or utcnow()
    reply = dbs.get(Reply, reply_id)
    if reply is None or reply.state != ReplyState.UNKNOWN:
        return CheckResult(reply_id, Outcome.SKIPPED, "not unknown")
    if reply.next_check_at is not None and reply.next_check_at > now:
        return CheckResult(reply_id, Outcome.SKIPPED, "the forum may still be storing it")
    token = reply.claim_token
    reread = _reread_or_postpone(dbs, reply_id, definitions, fetcher, now, settings)
    if isinstance(reread, CheckResult):
        return reread
    reply = reread
    found = _candidates(dbs, reply, _since(reply, settings))
    if found:
        ours = found[0]
        if move(dbs, reply, ReplyState.POSTED, frm=ReplyState.UNKNOWN, token=token, claim_token=""):
            audit(dbs, reply, "reply.found_on_forum", frm=ReplyState.UNKNOWN.value, to=ReplyState.POSTED.value,
                  external_post_id=ours.external_id)
            _confirm(dbs, reply, ours, found[1:], definitions)
        dbs.commit()
        return CheckResult(reply_id, Outcome.CONFIRMED, ours.external_id)
    # Keep what went wrong with the send: it is what a person needs to know about the retry.
    error = f"not on the forum after the last attempt ({reply.last_error or 'outcome unknown'})"
    result = retry_or_fail(dbs, reply, ReplyState.UNKNOWN, token, error, now, settings)
    dbs.commit()
    return CheckResult(reply_id, result.outcome, result.detail)


def confirm_posted(
    dbs: Session,
    reply_id: int,
    *,
    fetcher: Fetcher,
    definitions: Mapping[str, ForumDefinition],
    settings: PostingSettings = DEFAULT_SETTINGS,
    now: datetime | None = None,
) -> CheckResult:
    """Confirm a posted reply by re-reading its thread: link its post, or try again later."""
    now = now or utcnow()
    reply = dbs.get(Reply, reply_id)
    if reply is None or reply.state != ReplyState.POSTED or reply.posted_post_id is not None:
        return CheckResult(reply_id, Outcome.SKIPPED, "nothing to confirm")
    if reply.next_check_at is None or reply.next_check_at > now:
        return CheckResult(reply_id, Outcome.SKIPPED, "not due")
    reread = _reread_or_postpone(dbs, reply_id, definitions, fetcher, now, settings)
    if isinstance(reread, CheckResult):
        return reread
    reply = reread
    found = _candidates(dbs, reply, _since(reply, settings))
    post = None
    if reply.external_post_id:
        post = dbs.scalar(select(Post).where(Post.thread_id == reply.thread_id,
                                             Post.external_id == reply.external_post_id))
    elif found:
        post = found[0]
    if post is not None and post.deleted_at is None:
        _confirm(dbs, reply, post, [p for p in found if p.id != post.id], definitions)
        dbs.commit()
        return CheckResult(reply_id, Outcome.CONFIRMED, post.external_id)
    if now - (reply.posted_at or now) > settings.confirm_for:
        reply.next_check_at = None
        reply.last_error = "the post was never found on the thread: check the permalink by hand"
        audit(dbs, reply, "reply.unconfirmed", external_post_id=reply.external_post_id)
    else:
        reply.next_check_at = now + settings.check_retry
        reply.last_error = "the post is not on the thread yet"
    dbs.commit()
    return CheckResult(reply_id, Outcome.PENDING, reply.last_error)
