"""Dashboards: what each role should look at first."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from sqlalchemy import func, select

from ..access import ALL_ROLES, restrict_to_visible_clients, roles_required
from ..extensions import db
from ..models import (
    Client,
    Forum,
    MonthlyReport,
    PlaybookStatus,
    PlaybookVersion,
    Post,
    Reply,
    ReplyState,
    ReportState,
    Role,
    TriageState,
    User,
    WatchedThread,
)


def _count(query) -> int:
    """Return the row count of a select."""
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


@roles_required(*ALL_ROLES)
def home():
    """Show the dashboard of the current user's role."""
    role = current_user.role
    if role == Role.CLIENT:
        reports = db.session.scalars(
            select(MonthlyReport)
            .where(MonthlyReport.client_id == current_user.client_id, MonthlyReport.state == ReportState.PUBLISHED)
            .order_by(MonthlyReport.month.desc())
            .limit(12)
        ).all()
        return render_template("dashboard/client.html", client=current_user.client, reports=reports)
    clients = db.session.scalars(
        restrict_to_visible_clients(select(Client).where(Client.is_active).order_by(Client.name), Client.id, current_user)
    ).all()
    new_posts = dict(
        db.session.execute(
            restrict_to_visible_clients(
                select(Post.client_id, func.count())
                .where(Post.triage_state == TriageState.NEW, Post.is_own.is_(False), Post.deleted_at.is_(None))
                .group_by(Post.client_id),
                Post.client_id,
                current_user,
            )
        ).all()
    )
    threads = dict(
        db.session.execute(
            restrict_to_visible_clients(
                select(WatchedThread.client_id, func.count()).where(WatchedThread.is_active).group_by(WatchedThread.client_id),
                WatchedThread.client_id,
                current_user,
            )
        ).all()
    )
    stats = {
        "users": _count(select(User.id)),
        "forums": _count(select(Forum.id)),
        "playbooks_to_approve": _count(select(PlaybookVersion.id).where(PlaybookVersion.status == PlaybookStatus.DRAFT)),
        "replies_to_approve": _count(
            select(Reply.id).where(Reply.state == ReplyState.SUBMITTED, Reply.needs_approval.is_(True))
        ),
        "reports_to_accept": _count(select(MonthlyReport.id).where(MonthlyReport.state == ReportState.DRAFT)),
    }
    return render_template(
        f"dashboard/{role.value}.html", clients=clients, new_posts=new_posts, threads=threads, stats=stats
    )
