"""Posting by hand: a person posts the approved reply on the forum and pastes its permalink.

Used where the engine cannot post, the forum's definition forbids it, the client has no account
password in repapp, or someone simply chooses to. The worker's re-read then confirms the post
as it does for engine posts. These services only flush; the view commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from ..forums.definitions import ForumDefinition
from ..models import PostMethod, Reply, ReplyState, User, utcnow
from ..scraping.engines import ENGINES
from ..threads.operations import ThreadError, find_definition
from .engines import POSTERS
from .errors import PermalinkError, PostingStateError
from .states import audit, move

__all__ = ["MANUAL_FROM", "mark_posted_manually", "post_by_hand", "post_id_from_permalink"]

# A person may report a reply posted from these states; never while a worker is sending it.
MANUAL_FROM = (ReplyState.APPROVED, ReplyState.UNKNOWN, ReplyState.FAILED)


def post_by_hand(dbs: Session, reply: Reply, *, actor: User | None = None) -> None:
    """Take an approved reply out of the worker's queue: a person will post it."""
    if reply.state != ReplyState.APPROVED:
        raise PostingStateError(f"only approved replies can be posted by hand; this one is {reply.state.value}")
    if reply.post_method == PostMethod.MANUAL:
        return
    reply.post_method = PostMethod.MANUAL
    dbs.flush()
    audit(dbs, reply, "reply.post_by_hand", actor=actor)


def post_id_from_permalink(reply: Reply, permalink: str, definitions: Mapping[str, ForumDefinition]) -> str:
    """Return the post id a pasted permalink names; raise PermalinkError if it is not of the reply's forum."""
    url = permalink.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PermalinkError("the permalink must be an http(s) address")
    try:
        definition = find_definition(url, dict(definitions))
    except ThreadError as exc:
        raise PermalinkError(str(exc)) from None
    if definition.key != reply.thread.forum.key:
        raise PermalinkError(f"the link is on {definition.name}, but the reply's thread is on another forum")
    poster = POSTERS.get(definition.engine)
    # An engine repapp cannot post with may still read a post's id from its link (Invision's
    # ?do=findComment&comment=N); where none can, the re-read matches the post by its text.
    read_id = poster(definition.encoding).post_id_from_url if poster is not None else getattr(
        ENGINES.get(definition.engine), "post_id_from_url", None)
    if read_id is None:
        return ""
    post_id = read_id(url)
    if post_id is None:
        raise PermalinkError("the link does not point at a post: copy the post's own link (its number or date)")
    return post_id


def mark_posted_manually(
    dbs: Session,
    reply: Reply,
    permalink: str,
    actor: User | None,
    *,
    definitions: Mapping[str, ForumDefinition],
    now: datetime | None = None,
) -> Reply:
    """Record that a person posted the reply at `permalink`; the worker's re-read confirms it."""
    if reply.state not in MANUAL_FROM:
        raise PostingStateError(f"a reply that is {reply.state.value} cannot be reported as posted by hand")
    external_id = post_id_from_permalink(reply, permalink, definitions)
    now = now or utcnow()
    before = reply.state
    if not move(dbs, reply, ReplyState.POSTED, frm=before, token=reply.claim_token, post_method=PostMethod.MANUAL,
                permalink=permalink.strip(), external_post_id=external_id, posted_at=now, posted_post_id=None,
                next_check_at=now, claim_token="", last_error=""):
        raise PostingStateError("the reply changed meanwhile; reload it and try again")
    audit(dbs, reply, "reply.posted_manually", actor=actor, frm=before.value, to=ReplyState.POSTED.value,
          permalink=reply.permalink, external_post_id=external_id)
    dbs.flush()
    return reply
