"""Scraping jobs: claim due threads in the database, read them, record the outcome.

Claims make several worker processes safe: a thread is claimed (with a lease) before it is read,
so no two workers read it at once, and a crashed worker's claim simply expires.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, joinedload

from ..forums.definitions import ForumDefinition
from ..models import Forum, WatchedThread, utcnow
from .fetch import Fetcher
from .members import read_as_member
from .reader import ReadResult, read_thread, record_failure, record_success

log = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(minutes=10)


def worker_id() -> str:
    """Name this process for claims: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _due_condition(now: datetime):
    """Rows that are due, on a forum that is read at all, and not claimed by a live lease."""
    return (
        WatchedThread.is_active.is_(True),
        WatchedThread.forum_id.in_(select(Forum.id).where(Forum.is_active.is_(True))),
        or_(WatchedThread.next_run_at.is_(None), WatchedThread.next_run_at <= now),
        or_(WatchedThread.claimed_until.is_(None), WatchedThread.claimed_until < now),
    )


def claim_due_threads(dbs: Session, owner: str, limit: int, now: datetime | None = None) -> list[int]:
    """Claim up to `limit` due threads for `owner` and commit; return their ids.

    PostgreSQL locks candidate rows with SKIP LOCKED so concurrent workers take different ones;
    SQLite serialises writers, and the conditional UPDATE below only takes rows still unclaimed.
    """
    now = now or utcnow()
    query = (
        select(WatchedThread.id)
        .where(*_due_condition(now))
        .order_by(WatchedThread.next_run_at.is_not(None), WatchedThread.next_run_at, WatchedThread.id)
        .limit(limit)
    )
    if dbs.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    candidates = list(dbs.scalars(query))
    claimed = []
    for thread_id in candidates:
        result = dbs.execute(
            update(WatchedThread)
            .where(WatchedThread.id == thread_id, *_due_condition(now))
            .values(claimed_by=owner, claimed_until=now + CLAIM_LEASE)
        )
        if result.rowcount == 1:
            claimed.append(thread_id)
    dbs.commit()
    return claimed


def release_claim(thread: WatchedThread) -> None:
    """Give a thread's claim back."""
    thread.claimed_by, thread.claimed_until = "", None


@dataclass
class ThreadOutcome:
    thread_id: int
    ok: bool
    result: ReadResult | None = None
    error: str = ""


def scrape_thread(
    dbs: Session, thread_id: int, definitions: dict[str, ForumDefinition], fetcher: Fetcher, *, full: bool = False
) -> ThreadOutcome:
    """Read one thread, record success or failure on it, release its claim and commit."""
    # With its forum in the same query: every read looks at the forum's definition and status.
    thread = dbs.get(WatchedThread, thread_id, options=[joinedload(WatchedThread.forum)])
    if thread is None:
        return ThreadOutcome(thread_id, False, error="thread no longer exists")
    definition = definitions.get(thread.forum.key)
    if definition is None:
        record_failure(thread, LookupError(f"forum {thread.forum.key!r} has no definition in forums/"), utcnow())
        release_claim(thread)
        dbs.commit()
        return ThreadOutcome(thread_id, False, error=thread.last_error)
    try:
        if definition.requires_login:
            # Re-load the thread inside the read: a refused first attempt rolls the session back.
            result = read_as_member(dbs, thread, definition, fetcher, lambda session: read_thread(
                dbs, dbs.get(WatchedThread, thread_id), definition, fetcher, full=full, session=session))
        else:
            result = read_thread(dbs, thread, definition, fetcher, full=full)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded on the thread, then logged
        dbs.rollback()
        thread = dbs.get(WatchedThread, thread_id)
        record_failure(thread, exc, utcnow())
        release_claim(thread)
        dbs.commit()
        log.warning("reading thread %s (%s) failed: %s", thread_id, thread.url, exc, exc_info=exc)
        return ThreadOutcome(thread_id, False, error=thread.last_error)
    from ..inbox.triage import triage_new_posts

    triage_new_posts(dbs, thread, result.changes.new, utcnow())
    record_success(thread, utcnow())
    release_claim(thread)
    dbs.commit()
    log.info("read thread %s: %d requests, %d new posts", thread_id, result.requests, len(result.changes.new))
    return ThreadOutcome(thread_id, True, result=result)


def scrape_due_threads(
    dbs: Session, definitions: dict[str, ForumDefinition], fetcher: Fetcher, *, batch: int = 20, owner: str | None = None
) -> list[ThreadOutcome]:
    """Claim a batch of due threads and read each; return the outcomes."""
    owner = owner or worker_id()
    return [scrape_thread(dbs, tid, definitions, fetcher) for tid in claim_due_threads(dbs, owner, batch)]
