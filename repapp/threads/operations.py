"""Starting and stopping to watch threads, and asking for a read now; the caller commits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..audit import record_event
from ..forums.definitions import ForumDefinition
from ..models import Client, Forum, User, WatchedThread, utcnow
from ..scraping.engines import get_engine


class ThreadError(ValueError):
    """A thread cannot be watched as asked; the message says why."""


def find_definition(url: str, definitions: dict[str, ForumDefinition]) -> ForumDefinition:
    """Return the definition of the forum the URL belongs to, or explain that none does."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ThreadError("not an http(s) address")
    for definition in definitions.values():
        base = urlsplit(definition.base_url)
        same_host = parts.netloc == base.netloc or parts.netloc in definition.aliases
        if same_host and parts.scheme == base.scheme and parts.path.startswith(base.path.rstrip("/")):
            return definition
    raise ThreadError(f"{parts.netloc} is not a defined forum; add a definition to forums/ first")


def watch_thread(
    dbs: Session, client: Client, url: str, definitions: dict[str, ForumDefinition], *, actor: User | None = None
) -> WatchedThread:
    """Start watching a thread for a client; it is read at the worker's next pass."""
    definition = find_definition(url, definitions)
    forum = dbs.scalar(select(Forum).where(Forum.key == definition.key))
    if forum is None:
        raise ThreadError(f"forum {definition.key!r} is defined but not loaded; run `repapp init`")
    canonical = get_engine(definition.engine, definition.engine_options).canonical_thread_url(url.strip())
    if dbs.scalar(select(WatchedThread.id).where(WatchedThread.client_id == client.id, WatchedThread.url == canonical)):
        raise ThreadError("this thread is already watched for this client")
    thread = WatchedThread(client_id=client.id, forum_id=forum.id, url=canonical, next_run_at=utcnow(),
                           added_by_id=actor.id if actor else None)
    dbs.add(thread)
    dbs.flush()
    record_event(dbs, "thread.watch", "thread", thread.id, actor=actor, client_id=client.id, url=canonical)
    return thread


def request_read(dbs: Session, thread: WatchedThread, *, actor: User | None = None) -> None:
    """Make the thread due now, so the worker reads it at its next pass."""
    thread.next_run_at = utcnow()
    record_event(dbs, "thread.read_requested", "thread", thread.id, actor=actor, client_id=thread.client_id)


def set_watching(dbs: Session, thread: WatchedThread, active: bool, *, actor: User | None = None) -> None:
    """Stop or resume watching a thread (its posts stay)."""
    thread.is_active = active
    if active:
        thread.next_run_at = utcnow()
    record_event(dbs, "thread.resume" if active else "thread.stop", "thread", thread.id, actor=actor,
                 client_id=thread.client_id)
