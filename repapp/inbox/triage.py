"""Triage at ingestion: auto-tags and the response clock for new posts by forum users."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from ..models import Post, PostTag, TriageState, WatchedThread

log = logging.getLogger(__name__)


def response_deadline(posted_at: datetime, playbook) -> datetime | None:
    """Return when the first answer is due under the playbook's response time, in its business hours."""
    from ..kpi.business_hours import Schedule, add_business_seconds
    from ..playbooks.fields import parse_duration

    rule = playbook.regulations.response_time if playbook and playbook.regulations else None
    if rule is None:
        return None
    schedule = Schedule.parse(rule.business_hours, rule.days.value, playbook.client.timezone)
    within = parse_duration(rule.first_response_within).total_seconds()
    return add_business_seconds(posted_at, within, schedule)


def triage_new_posts(dbs: Session, thread: WatchedThread, posts: Iterable[Post], now: datetime) -> int:
    """Tag new posts by others and start their response clocks; return how many were triaged."""
    from ..playbooks.versions import playbook_in_force
    from ..triage.tagging import auto_tags, needs_answer

    posts = [post for post in posts if not post.is_own and post.triage_state == TriageState.NEW]
    if not posts:
        return 0  # most re-reads find nothing new: spare the playbook lookup
    playbook = playbook_in_force(dbs, thread.client_id, now)
    count = 0
    for post in posts:
        quotes_text = " ".join(q.get("text", "") for q in post.quotes or [])
        tags = auto_tags(post.text, author=post.author, playbook=playbook, quotes_text=quotes_text)
        post.tags = [PostTag(tag=tag, source="auto") for tag in sorted(tags)]
        # Posts that need no answer stay in the inbox for a person to close, but start no clock.
        if needs_answer(tags) and post.posted_at is not None:
            post.response_due_at = response_deadline(post.posted_at, playbook)
        count += 1
    dbs.flush()
    return count
