"""Triage actions on inbox posts; the caller commits."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from ..audit import record_event
from ..models import Post, PostTag, TriageState, User, utcnow
from .tags import TAGS


class TriageError(ValueError):
    """A triage action that does not fit the post's state."""


def set_tags(dbs: Session, post: Post, tags: Iterable[str], *, actor: User) -> None:
    """Replace the post's tags with the ones a person chose (kept as manual)."""
    chosen = set(tags)
    unknown = chosen - set(TAGS)
    if unknown:
        raise TriageError(f"unknown tags: {', '.join(sorted(unknown))}")
    before = sorted(t.tag for t in post.tags)
    post.tags = [t for t in post.tags if t.tag in chosen]
    present = {t.tag for t in post.tags}
    for tag in present:
        next(t for t in post.tags if t.tag == tag).source = "manual"
    for tag in sorted(chosen - present):
        post.tags.append(PostTag(tag=tag, source="manual", created_by_id=actor.id))
    dbs.flush()
    record_event(dbs, "post.tags", "post", post.id, actor=actor, client_id=post.client_id,
                 before=before, after=sorted(chosen))


def take(dbs: Session, post: Post, *, actor: User) -> None:
    """Take a post: the representative answers it and its deadline alerts go to them."""
    if post.triage_state not in (TriageState.NEW, TriageState.TAKEN):
        raise TriageError("this post is already answered or needs no answer")
    post.triage_state, post.taken_by_id = TriageState.TAKEN, actor.id
    record_event(dbs, "post.take", "post", post.id, actor=actor, client_id=post.client_id)


def mark_no_answer(dbs: Session, post: Post, reason: str, *, actor: User) -> None:
    """Close a post without an answer, with the reason."""
    reason = reason.strip()
    if not reason:
        raise TriageError("say why no answer is needed")
    post.triage_state, post.no_answer_reason = TriageState.NO_ANSWER_NEEDED, reason
    record_event(dbs, "post.no_answer", "post", post.id, actor=actor, client_id=post.client_id, reason=reason)


def reopen(dbs: Session, post: Post, *, actor: User) -> None:
    """Put a closed post back in the inbox."""
    post.triage_state, post.no_answer_reason = TriageState.NEW, ""
    record_event(dbs, "post.reopen", "post", post.id, actor=actor, client_id=post.client_id)


def mark_inbox_seen(user: User) -> None:
    """Remember when the user last looked at the inbox (for "changed since")."""
    user.inbox_seen_at = utcnow()
