"""Drafting with a live check, the approval queue and the outbox."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..access import MANAGERS, STAFF, ensure_client_visible, restrict_to_visible_clients, roles_required
from ..extensions import db
from ..models import Post, Reply, ReplyKind, ReplyState, WatchedThread, utcnow
from ..pagination import paginate
from .checking import check_reply
from .forms import ApproveForm, DraftForm, ManualPostForm, NewDraftForm, RejectForm
from .operations import ReplyError, approve, create_draft, reject, save_body, submit

OUTBOX_STATES = (ReplyState.APPROVED, ReplyState.POSTING, ReplyState.UNKNOWN, ReplyState.FAILED)


def _reply_or_404(reply_id: int) -> Reply:
    """Load a reply the current user may see, or answer 404."""
    reply = db.session.get(Reply, reply_id) or abort(404)
    ensure_client_visible(reply.client_id)
    return reply


@roles_required(*STAFF)
def draft_new():
    """Start a draft answering a post, or a news post / new thread in a watched thread."""
    form = NewDraftForm()
    if not form.validate_on_submit():
        abort(400)
    post = db.session.get(Post, form.post_id.data) if form.post_id.data else None
    thread = db.session.get(WatchedThread, form.thread_id.data) if form.thread_id.data else None
    target = post or thread or abort(400)
    ensure_client_visible(target.client_id)
    reply = create_draft(db.session, author=current_user, post=post, thread=thread, kind=ReplyKind(form.kind.data))
    db.session.commit()
    return redirect(url_for("replies.reply_edit", reply_id=reply.id))


def _suggestions(reply: Reply) -> list:
    """Return the standard answers whose triggers match the post being answered."""
    from ..playbooks.draft_check import matching_standard_answers
    from ..playbooks.versions import playbook_in_force

    playbook = playbook_in_force(db.session, reply.client_id, utcnow())
    if playbook is None or reply.in_reply_to is None:
        return []
    return matching_standard_answers(reply.in_reply_to.text, playbook)


@roles_required(*STAFF)
def reply_edit(reply_id: int):
    """Edit a draft (saving or submitting it), or review a submitted one."""
    reply = _reply_or_404(reply_id)
    form = DraftForm(body=reply.body)
    outcome = None
    status = 200
    if form.validate_on_submit():
        try:
            if request.form.get("action") == "submit":
                submit(db.session, reply, form.body.data, actor=current_user)
                db.session.commit()
                flash(_("Sent for approval.") if reply.state == ReplyState.SUBMITTED
                      else _("Approved by the playbook policy: it goes to the outbox."), "success")
                return redirect(url_for("replies.reply_edit", reply_id=reply.id))
            save_body(db.session, reply, form.body.data, actor=current_user)
            db.session.commit()
            flash(_("Draft saved."), "success")
            return redirect(url_for("replies.reply_edit", reply_id=reply.id))
        except ReplyError as exc:
            db.session.rollback()
            outcome = exc.outcome
            flash(str(exc), "error")
            status = 400
    if outcome is None and reply.state in (ReplyState.DRAFT, ReplyState.REJECTED, ReplyState.SUBMITTED):
        outcome = check_reply(db.session, reply, form.body.data or reply.body, utcnow(), str(get_locale()))
    return render_template(
        "replies/edit.html", reply=reply, form=form, outcome=outcome, suggestions=_suggestions(reply),
        approve_form=ApproveForm(body=reply.body), reject_form=RejectForm(), manual_form=ManualPostForm(),
        ReplyState=ReplyState,
    ), status


@roles_required(*STAFF)
def reply_check(reply_id: int):
    """Check the text being typed and answer with the findings as JSON."""
    reply = _reply_or_404(reply_id)
    body = request.form.get("body", "")
    if len(body) > 20000:
        return jsonify(error="too long"), 400
    outcome = check_reply(db.session, reply, body, utcnow(), str(get_locale()))
    return jsonify(findings=outcome.findings_data(), blocking=outcome.blocking,
                   needs_approval=outcome.needs_approval, reasons=outcome.reasons)


@roles_required(*MANAGERS)
def reply_approve(reply_id: int):
    """Approve a submitted reply, possibly edited."""
    reply = _reply_or_404(reply_id)
    form = ApproveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        approve(db.session, reply, actor=current_user, body=form.body.data)
    except ReplyError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("replies.reply_edit", reply_id=reply.id))
    db.session.commit()
    flash(_("Approved: the reply waits in the outbox for its slot."), "success")
    return redirect(url_for("replies.approvals_queue"))


@roles_required(*MANAGERS)
def reply_reject(reply_id: int):
    """Return a submitted reply to its author with a comment."""
    reply = _reply_or_404(reply_id)
    form = RejectForm()
    if not form.validate_on_submit():
        flash(_("Say what to change: the comment goes back to the author."), "error")
        return redirect(url_for("replies.reply_edit", reply_id=reply.id))
    try:
        reject(db.session, reply, form.comment.data, actor=current_user)
    except ReplyError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("replies.reply_edit", reply_id=reply.id))
    db.session.commit()
    flash(_("Returned to the author."), "success")
    return redirect(url_for("replies.approvals_queue"))


@roles_required(*STAFF)
def reply_manual(reply_id: int):
    """Record a reply posted by hand from its permalink; a re-read confirms it."""
    from ..forums.registry import forum_definitions
    from ..posting.manual import mark_posted_manually

    reply = _reply_or_404(reply_id)
    form = ManualPostForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        mark_posted_manually(db.session, reply, form.permalink.data.strip(), current_user,
                             definitions=forum_definitions())
    except ValueError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Recorded. The next read of the thread confirms the post."), "success")
    return redirect(url_for("replies.reply_edit", reply_id=reply.id))


@roles_required(*MANAGERS)
def approval_queue():
    """List the replies waiting for a PR specialist, oldest first."""
    query = restrict_to_visible_clients(
        select(Reply).where(Reply.state == ReplyState.SUBMITTED, Reply.needs_approval.is_(True)),
        Reply.client_id, current_user,
    ).order_by(Reply.submitted_at.asc(), Reply.id)
    return render_template("replies/approvals.html", page=paginate(query))


@roles_required(*STAFF)
def outbox():
    """List approved replies with their planned times, and recent posts."""
    query = restrict_to_visible_clients(
        select(Reply).where(Reply.state.in_(OUTBOX_STATES)), Reply.client_id, current_user
    ).order_by(Reply.planned_at.is_(None), Reply.planned_at.asc(), Reply.id)
    posted = db.session.scalars(
        restrict_to_visible_clients(select(Reply).where(Reply.state == ReplyState.POSTED), Reply.client_id,
                                    current_user).order_by(Reply.posted_at.desc()).limit(20)
    ).all()
    return render_template("replies/outbox.html", page=paginate(query), posted=posted, ReplyState=ReplyState)
