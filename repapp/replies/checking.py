"""Checking a draft against the playbook version in force, with the posting context filled in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Reply, ReplyKind


@dataclass
class CheckOutcome:
    """What the check found and what follows from it."""

    findings: list[Any] = field(default_factory=list)
    blocking: bool = False
    needs_approval: bool = True
    reasons: list[str] = field(default_factory=list)
    playbook_version_id: int | None = None

    def findings_data(self) -> list[dict[str, Any]]:
        """Return the findings as JSON-compatible dicts."""
        return [f.to_data() for f in self.findings]


def _posting_counts(dbs: Session, reply: Reply, now: datetime, timezone: str) -> tuple[int, int, datetime | None]:
    """Count the account's posts on this forum today and this calendar week (client's zone), and the last."""
    from zoneinfo import ZoneInfo

    from ..posting.planning import account_times

    zone = ZoneInfo(timezone)
    local_now = now.astimezone(zone)
    times = [t for t in account_times(dbs, reply, now, include_planned=False) if t <= now]
    local = [t.astimezone(zone) for t in times]
    today = sum(1 for t in local if t.date() == local_now.date())
    week = sum(1 for t in local if t.isocalendar()[:2] == local_now.isocalendar()[:2])
    return today, week, max(times, default=None)


def check_reply(dbs: Session, reply: Reply, body: str, now: datetime, locale: str = "ru") -> CheckOutcome:
    """Check `body` as the reply's text against the playbook in force at `now`."""
    from ..playbooks.draft_check import (
        DraftContext,
        check_draft,
        describe_approval_reason,
        has_blocking,
        needs_approval,
    )
    from ..playbooks.versions import parsed, version_in_force

    version = version_in_force(dbs, reply.client_id, now)
    if version is None:
        reason = ("Для клиента нет утверждённого ТЗ: ответ идёт на согласование." if locale == "ru"
                  else "No approved playbook is in force for this client: the reply needs approval.")
        return CheckOutcome(needs_approval=True, reasons=[reason])
    playbook = parsed(version)
    today, week, last = _posting_counts(dbs, reply, now, playbook.client.timezone)
    context = DraftContext(
        forum_key=reply.thread.forum.key,
        thread_url=reply.thread.url,
        kind=reply.kind.value if isinstance(reply.kind, ReplyKind) else str(reply.kind),
        now=now,
        posts_today=today,
        posts_this_week=week,
        last_post_at=last,
        tracked_link_prefix=current_app.config["BASE_URL"].rstrip("/") + "/go/",
        in_reply_to_text=reply.in_reply_to.text if reply.in_reply_to else "",
    )
    findings = check_draft(body, playbook, context)
    first_approved = _first_approval(dbs, reply.client_id)
    approval, reasons = needs_approval(findings, playbook, context, first_approved_at=first_approved)
    return CheckOutcome(findings=findings, blocking=has_blocking(findings), needs_approval=approval,
                        reasons=[describe_approval_reason(r, playbook, locale) for r in reasons],
                        playbook_version_id=version.id)


def _first_approval(dbs: Session, client_id: int) -> datetime | None:
    """Return when the client's first playbook version was approved (the start of the work)."""
    from ..models import PlaybookStatus, PlaybookVersion

    return dbs.scalar(
        select(func.min(PlaybookVersion.approved_at)).where(
            PlaybookVersion.client_id == client_id, PlaybookVersion.status == PlaybookStatus.APPROVED
        )
    )
