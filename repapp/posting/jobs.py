"""The posting job: expire dead claims, plan, send what is due, settle unknowns, confirm posts."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..extensions import db
from ..forums.definitions import ForumDefinition
from ..models import Reply, ReplyState, utcnow
from ..scraping.fetch import Fetcher
from .confirming import confirm_posted, resolve_unknown
from .planning import LimitsFor, limits_for, plan_unplanned
from .sending import (
    Claim,
    SendResult,
    claim_due_replies,
    expire_stale_claims,
    send_reply,
)
from .states import DEFAULT_SETTINGS, PostingSettings

__all__ = ["PostingRound", "post_due_replies", "post_due_replies_job", "settings_from_config"]

log = logging.getLogger(__name__)


@dataclass
class PostingRound:
    """What one run of the job did: outcomes counted per step, and the replies that raised."""

    expired: list[int] = field(default_factory=list)
    planned: list[int] = field(default_factory=list)
    sent: Counter[str] = field(default_factory=Counter)
    resolved: Counter[str] = field(default_factory=Counter)
    confirmed: Counter[str] = field(default_factory=Counter)
    errors: list[int] = field(default_factory=list)


def _due_checks(dbs: Session, state: ReplyState, now: datetime, limit: int) -> list[int]:
    """Return replies in `state` whose re-read is due."""
    query = select(Reply.id).where(Reply.state == state, Reply.next_check_at.is_not(None),
                                   Reply.next_check_at <= now)
    if state == ReplyState.POSTED:
        query = query.where(Reply.posted_post_id.is_(None))
    return list(dbs.scalars(query.order_by(Reply.next_check_at, Reply.id).limit(limit)))


def _each(dbs: Session, step: str, reply_id: int, run: Callable[..., Any], round_: PostingRound, **kwargs: Any) -> str:
    """Run one reply's step; a failure is rolled back, logged with its traceback and counted."""
    try:
        return str(run(dbs, reply_id, **kwargs).outcome)
    except Exception:
        dbs.rollback()
        round_.errors.append(reply_id)
        log.exception("posting: %s of reply %s failed", step, reply_id)
        return "error"


def _send_claimed(dbs: Session, reply_id: int, *, token: str, **kwargs: Any) -> SendResult:
    """Send a reply this round claimed."""
    return send_reply(dbs, Claim(reply_id, token), **kwargs)


def post_due_replies(
    dbs: Session,
    definitions: Mapping[str, ForumDefinition],
    fetcher: Fetcher,
    *,
    settings: PostingSettings = DEFAULT_SETTINGS,
    limits_for: LimitsFor = limits_for,
    batch: int = 20,
    now: datetime | None = None,
    after_send: Callable[[int], None] | None = None,
) -> PostingRound:
    """Do one round of posting work; `now` (for tests) fixes the clock of the whole round."""
    round_ = PostingRound()
    clock: Callable[[], datetime] = (lambda: now) if now is not None else utcnow
    round_.expired = expire_stale_claims(dbs, now=clock(), settings=settings)
    round_.planned = plan_unplanned(dbs, now=clock(), limits_for=limits_for)
    dbs.commit()
    common = {"fetcher": fetcher, "definitions": definitions, "settings": settings}
    for claim in claim_due_replies(dbs, limit=batch, now=clock()):
        reply = dbs.get(Reply, claim.reply_id)
        limits = limits_for(dbs, reply) if reply is not None else None
        outcome = _each(dbs, "sending", claim.reply_id, _send_claimed, round_, token=claim.token, limits=limits,
                        now=clock(), after_send=after_send, **common)
        round_.sent[outcome] += 1
    for reply_id in _due_checks(dbs, ReplyState.UNKNOWN, clock(), batch):
        round_.resolved[_each(dbs, "settling", reply_id, resolve_unknown, round_, now=clock(), **common)] += 1
    for reply_id in _due_checks(dbs, ReplyState.POSTED, clock(), batch):
        round_.confirmed[_each(dbs, "confirming", reply_id, confirm_posted, round_, now=clock(), **common)] += 1
    if round_.sent or round_.resolved or round_.confirmed or round_.expired:
        log.info("posting round: sent %s, settled %s, confirmed %s, expired claims %s",
                 dict(round_.sent), dict(round_.resolved), dict(round_.confirmed), round_.expired)
    return round_


def _seconds(config: Mapping[str, Any], key: str, default: timedelta) -> timedelta:
    """Read an optional duration in seconds from the config."""
    value = config.get(key)
    return default if value is None else timedelta(seconds=float(value))


def settings_from_config(config: Mapping[str, Any]) -> PostingSettings:
    """Return the protocol timings, with optional POSTING_* overrides from the app config."""
    base = DEFAULT_SETTINGS
    return PostingSettings(
        claim_lease=_seconds(config, "POSTING_CLAIM_LEASE_SECONDS", base.claim_lease),
        unknown_settle=_seconds(config, "POSTING_UNKNOWN_SETTLE_SECONDS", base.unknown_settle),
        max_attempts=int(config.get("POSTING_MAX_ATTEMPTS", base.max_attempts)),
        retry_base=_seconds(config, "POSTING_RETRY_BASE_SECONDS", base.retry_base),
        retry_cap=_seconds(config, "POSTING_RETRY_CAP_SECONDS", base.retry_cap),
        check_retry=_seconds(config, "POSTING_CHECK_RETRY_SECONDS", base.check_retry),
        confirm_for=_seconds(config, "POSTING_CONFIRM_FOR_SECONDS", base.confirm_for),
        clock_slack=_seconds(config, "POSTING_CLOCK_SLACK_SECONDS", base.clock_slack),
    )


def post_due_replies_job(app: Flask) -> PostingRound:
    """Post the approved replies that are due, and settle and confirm the ones sent before."""
    from ..forums.registry import forum_definitions

    definitions = forum_definitions(app)
    with Fetcher.from_definitions(definitions) as fetcher:
        return post_due_replies(db.session, definitions, fetcher, settings=settings_from_config(app.config),
                                batch=app.config.get("POSTING_BATCH", 20))
