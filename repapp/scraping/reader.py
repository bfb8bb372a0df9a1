"""Reading one watched thread incrementally: from its last known page onwards, conditionally."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..forums.definitions import ForumDefinition
from ..models import ForumAccount, ThreadSnapshot, WatchedThread, utcnow
from .engines import get_engine
from .errors import LayoutChanged, ParseError
from .fetch import Fetcher
from .fetch_errors import FetchError
from .items import ThreadItem
from .pipeline import PageChanges, alert_own_post_changes, mark_missing_after_full_read, snapshot, store_page

log = logging.getLogger(__name__)


@dataclass
class ReadResult:
    """What one read of a thread did."""

    requests: int = 0
    pages_parsed: int = 0
    not_modified: bool = False
    changes: PageChanges = field(default_factory=PageChanges)
    thread_item: ThreadItem | None = None


def own_usernames(dbs: Session, thread: WatchedThread) -> frozenset[str]:
    """Return the (case-folded) usernames of the client's account on the thread's forum."""
    names = dbs.scalars(
        select(ForumAccount.username).where(
            ForumAccount.client_id == thread.client_id, ForumAccount.forum_id == thread.forum_id
        )
    )
    return frozenset(n.casefold() for n in names)


def read_thread(
    dbs: Session,
    thread: WatchedThread,
    definition: ForumDefinition,
    fetcher: Fetcher,
    *,
    full: bool = False,
    now: datetime | None = None,
    session=None,
) -> ReadResult:
    """Read a thread from its last known page (or all pages when `full`) and store what changed.

    Raises FetchError or ParseError (LayoutChanged among them) for the caller to record.
    """
    engine = get_engine(definition.engine, definition.engine_options)
    full = full or full_read_due(thread, now or utcnow())
    result = ReadResult()
    own: frozenset[str] | None = None  # looked up with the first page that comes back (not on a 304)
    page_number = 1 if full or not thread.last_page_read else thread.last_page_read
    seen_ids: set[str] = set()
    while True:
        url = engine.page_url(thread.url, page_number)
        # Only the page we read last time has validators worth sending.
        conditional = not full and page_number == thread.last_page_read
        fetched = fetcher.get(
            url,
            etag=(thread.etag or None) if conditional else None,
            last_modified=(thread.last_modified or None) if conditional else None,
            session=session,
        )
        result.requests += 1
        if fetched.not_modified:
            result.not_modified = True
            break
        fetched_at = now or utcnow()
        ctx = definition.parse_context(fetched.final_url, fetched_at)
        # Bodies are sanitized by the pipeline, only for the new and edited posts it stores.
        page = engine.parse_thread(fetched.body, ctx, defer_html=True)
        if not page.posts:
            raise LayoutChanged(fetched.final_url, "no posts found on a thread page")
        result.pages_parsed += 1
        result.thread_item = page.thread
        seen_ids.update(p.external_id for p in page.posts)
        if own is None:
            own = own_usernames(dbs, thread)
        result.changes.extend(store_page(dbs, thread, page, own_usernames=own, seen_at=fetched_at))
        thread.title = page.thread.title or thread.title
        thread.page_count = page.thread.page_count
        thread.last_page_read = page_number
        thread.etag, thread.last_modified = fetched.etag or "", fetched.last_modified or ""
        if page_number >= page.thread.page_count:
            break
        page_number += 1
    if full and result.pages_parsed:
        result.changes.deleted += mark_missing_after_full_read(dbs, thread, seen_ids, now or utcnow())
        thread.last_full_read_at = now or utcnow()
    if result.thread_item is not None:
        item = result.thread_item
        if item.views is None and _stats_due(dbs, thread, result, now or utcnow()):
            try:
                item = _with_listing_stats(engine, fetcher, definition, thread, item, session, result)
            except (FetchError, ParseError) as exc:
                # The posts are read and stored; counters wait for the next read.
                log.warning("no counters for thread %s from its listing: %s", thread.id, exc)
        snapshot(dbs, thread, item, now or utcnow())
    alert_own_post_changes(dbs, thread, result.changes)
    dbs.flush()
    return result


# Views grow with every visit, so one listing read per hour is enough for the KPI curve.
STATS_INTERVAL = timedelta(hours=1)
# Listings sort by last post, so a watched (active) thread is near the top; look no further than this.
LISTING_PAGES_SEARCHED = 3


def _stats_due(dbs: Session, thread: WatchedThread, result: ReadResult, now: datetime) -> bool:
    """Return whether to read the listing for counters: new posts, or none for an hour."""
    if result.changes.new:
        return True
    last = dbs.scalar(select(func.max(ThreadSnapshot.taken_at)).where(ThreadSnapshot.thread_id == thread.id))
    return last is None or now - last >= STATS_INTERVAL


def _with_listing_stats(engine, fetcher: Fetcher, definition: ForumDefinition, thread: WatchedThread,
                        item: ThreadItem, session, result: ReadResult) -> ThreadItem:
    """Fill views and post count from the thread's row in its forum listing, where the forum shows them."""
    if not item.forum_url:
        return item
    page_number, page_count = 1, 1
    while page_number <= min(page_count, LISTING_PAGES_SEARCHED):
        fetched = fetcher.get(engine.listing_page_url(item.forum_url, page_number), session=session)
        result.requests += 1
        listing = engine.parse_listing(fetched.body, definition.parse_context(fetched.final_url, utcnow()))
        for row in listing.threads:
            if engine.canonical_thread_url(row.url) == thread.url:
                posts = row.post_count if row.post_count is not None else (
                    row.reply_count + 1 if row.reply_count is not None else item.post_count)
                return replace(item, views=row.views, post_count=posts)
        page_count, page_number = listing.page_count, page_number + 1
    log.info("thread %s is not in the first pages of %s; no counters this time", thread.id, item.forum_url)
    return item


def full_read_due(thread: WatchedThread, now: datetime) -> bool:
    """Return whether the thread's periodic read of every page is due."""
    if thread.last_full_read_at is None:
        return True
    return now - thread.last_full_read_at >= timedelta(hours=thread.full_read_hours)


FORUM_SUCCESS_REFRESH = timedelta(minutes=1)


def record_success(thread: WatchedThread, now: datetime) -> None:
    """Note a good read on the thread and its forum, and plan the next one."""
    thread.last_success_at = now
    thread.last_error = ""
    thread.next_run_at = now + timedelta(minutes=thread.interval_minutes)
    forum = thread.forum
    # Every thread of a forum reports here: refresh the forum's row once a minute, not on every
    # read (one write less per read, and no hot row for workers on PostgreSQL), but at once when
    # an error is newer, so the forum's status never says "failing" after a good read.
    last = forum.last_success_at
    if last is None or now - last >= FORUM_SUCCESS_REFRESH or (
            forum.last_error_at is not None and forum.last_error_at >= last):
        forum.last_success_at = now
    if forum.layout_broken_at is not None:
        log.info("forum %s reads again after a broken layout", forum.key)
        forum.layout_broken_at, forum.layout_broken_url, forum.layout_broken_reason = None, "", ""


# An unreachable forum is tried again soon, then ever less often while it stays down, up to this.
FETCH_RETRY_FIRST = timedelta(minutes=5)
FETCH_RETRY_CAP = timedelta(hours=1)


def retry_delay(thread: WatchedThread, error: Exception, now: datetime) -> timedelta:
    """Return when to read a thread again after `error`: as asked, with backoff, or at its interval."""
    retry_after = getattr(error, "retry_after", None)
    if retry_after:
        return timedelta(seconds=retry_after)
    interval = timedelta(minutes=thread.interval_minutes)
    if not isinstance(error, FetchError):
        return interval
    first = min(interval, FETCH_RETRY_FIRST)
    if thread.last_error and thread.last_error_at is not None:
        # Failing again (a success clears last_error): wait twice as long as last time.
        return min(max(first, 2 * (now - thread.last_error_at)), max(interval, FETCH_RETRY_CAP))
    return first


def record_failure(thread: WatchedThread, error: Exception, now: datetime) -> None:
    """Note a failed read where people will see it; a changed layout marks the forum broken."""
    message = str(error) or type(error).__name__
    thread.next_run_at = now + retry_delay(thread, error, now)
    thread.last_error = message[:2000]
    thread.last_error_at = now
    forum = thread.forum
    forum.last_error, forum.last_error_at = message[:2000], now
    if isinstance(error, LayoutChanged):
        forum.layout_broken_at = now
        forum.layout_broken_url = getattr(error, "url", "") or thread.url
        forum.layout_broken_reason = message[:2000]
