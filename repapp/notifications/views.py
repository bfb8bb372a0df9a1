"""A user's notifications: the list with what changed in the inbox, marking read."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..access import ALL_ROLES, STAFF, roles_required
from ..admin.forms import ConfirmForm
from ..extensions import db
from ..models import Notification, Post, Role
from ..pagination import paginate
from .operations import inbox_changes, mark_inbox_seen, mark_read, notifications_query, unread_count


def _links(notes: list[Notification]) -> dict[int, str]:
    """Return where each notification leads: its case, or the thread page at its post."""
    post_ids = [int(n.object_id) for n in notes if n.object_type == "post" and n.object_id.isdigit()]
    threads = dict(db.session.execute(select(Post.id, Post.thread_id).where(Post.id.in_(post_ids))).all()) \
        if post_ids else {}
    links = {}
    for note in notes:
        if note.object_type == "case" and note.object_id.isdigit():
            links[note.id] = url_for("cases.case_detail", case_id=int(note.object_id))
        elif note.object_type == "post" and note.object_id.isdigit() and int(note.object_id) in threads:
            links[note.id] = url_for("threads.thread_detail", thread_id=threads[int(note.object_id)]) \
                + f"#post-{note.object_id}"
    return links


@roles_required(*ALL_ROLES)
def notification_list():
    """List the user's notifications, newest first, with what changed in their inbox since they last looked."""
    unread_only = request.args.get("unread") == "1"
    page = paginate(notifications_query(current_user.id, unread_only=unread_only))
    changes = inbox_changes(db.session, current_user) if current_user.role != Role.CLIENT else None
    links = _links(page.items) if current_user.role != Role.CLIENT else {}
    return render_template("notifications/list.html", page=page, unread_only=unread_only, changes=changes, links=links,
                           unread=unread_count(db.session, current_user.id), confirm=ConfirmForm())


@roles_required(*ALL_ROLES)
def notifications_mark_read():
    """Mark the chosen notifications read (or all, with all=1)."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash(_("The form has expired. Reload the page and try again."), "error")
        return redirect(url_for("notifications.notification_list"))
    if request.form.get("all") == "1":
        ids = None
    else:
        ids = [int(i) for i in request.form.getlist("id") if i.isdigit()]
    count = mark_read(db.session, current_user, ids)
    db.session.commit()
    if count:
        flash(_("Marked as read."), "success")
    return redirect(url_for("notifications.notification_list"))


@roles_required(*STAFF)
def inbox_mark_seen():
    """Remember that the user has seen every change in their inbox up to now."""
    if ConfirmForm().validate_on_submit():
        mark_inbox_seen(db.session, current_user)
        db.session.commit()
    return redirect(url_for("notifications.notification_list"))
