"""Cases for staff: the list, one case with its posts, escalations and history, and the forms that change it."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from ..access import STAFF, client_or_404, ensure_client_visible, restrict_to_visible_clients, roles_required
from ..admin.forms import ConfirmForm
from ..extensions import db
from ..models import AuditEvent, Case, CaseState, Client, Escalation, Post, utcnow
from ..pagination import paginate
from .forms import EscalationForm, LinkPostForm, NewCaseForm, ReopenForm, TransitionForm, UnlinkPostForm
from .mail import MailSettings, draft_message
from .operations import (
    CLOSED,
    MANUAL_TARGETS,
    STATE_LABELS,
    CaseError,
    can_move,
    case_text,
    cases_with_overdue,
    choose_contact,
    escalate,
    find_contact,
    find_post,
    has_overdue_escalation,
    is_overdue,
    link_post,
    open_case,
    playbook_for_client,
    reopen,
    resend_escalation,
    suggest_topic,
    transition,
    try_send_now,
    unlink_post,
)
from .tokens import AnswerLinks

# What the history shows for each audit action.
HISTORY_LABELS = {
    "case.open": _l("Case opened"),
    "case.link_post": _l("Post linked"),
    "case.unlink_post": _l("Post unlinked"),
    "case.transition": _l("State changed"),
    "case.reopen": _l("Case reopened"),
    "escalation.create": _l("Escalated"),
    "escalation.sent": _l("E-mail sent to the contact"),
    "escalation.send_failed": _l("E-mail not sent"),
    "escalation.resend": _l("Escalation sent again with a new link"),
    "escalation.remind": _l("Contact reminded"),
    "escalation.remind_failed": _l("Reminder not sent"),
    "escalation.answer": _l("Contact answered"),
}


def _case_or_404(case_id: int) -> Case:
    """Load a case the current user may see, or answer 404."""
    case = db.session.get(Case, case_id) or abort(404)
    ensure_client_visible(case.client_id)
    return case


def _visible_clients() -> list[Client]:
    """Return the clients the current user may see, by name."""
    return list(db.session.scalars(
        restrict_to_visible_clients(select(Client).order_by(Client.name), Client.id, current_user)
    ))


def _answer_within() -> timedelta:
    """Return how long contacts have to answer (ESCALATION_ANSWER_HOURS, default 48)."""
    return timedelta(hours=float(current_app.config.get("ESCALATION_ANSWER_HOURS", 48)))


def _send_now(escalation_id: int) -> None:
    """Try the escalation's e-mail at once and say how it went; the worker retries a failure."""
    sent = try_send_now(db.session, escalation_id, MailSettings.from_config(current_app.config),
                        AnswerLinks.from_config(current_app.config))
    db.session.commit()
    if sent:
        flash(_("The e-mail has gone to the contact. Their answer will appear on this case."), "success")
    elif sent is False:
        error = db.session.get(Escalation, escalation_id).send_error
        flash(_("The e-mail could not be sent yet (%(error)s); repapp keeps trying.", error=error), "error")


@roles_required(*STAFF)
def case_list():
    """List cases, newest first, filtered by client, state or overdue escalations."""
    query = restrict_to_visible_clients(select(Case), Case.client_id, current_user).options(selectinload(Case.client))
    slug = request.args.get("client")
    client = client_or_404(slug) if slug else None
    if client:
        query = query.where(Case.client_id == client.id)
    state = request.args.get("state", "")
    if state == "active":
        query = query.where(Case.state.not_in(CLOSED))
    elif state:
        try:
            query = query.where(Case.state == CaseState(state))
        except ValueError:
            abort(400)
    overdue_only = request.args.get("overdue") == "1"
    if overdue_only:
        query = query.where(has_overdue_escalation(utcnow()))
    page = paginate(query.order_by(Case.opened_at.desc(), Case.id.desc()))
    overdue = cases_with_overdue(db.session, [c.id for c in page.items])
    return render_template("cases/list.html", page=page, client=client, clients=_visible_clients(), state=state,
                           states=list(CaseState), labels=STATE_LABELS, overdue=overdue, overdue_only=overdue_only)


def _posts_from(ids: list[str]) -> list[Post]:
    """Load the posts named by id, each visible to the current user, or answer 404."""
    posts = []
    for raw in ids:
        if not raw.strip().isdigit():
            abort(400)
        post = db.session.get(Post, int(raw)) or abort(404)
        ensure_client_visible(post.client_id)
        if post not in posts:
            posts.append(post)
    return posts


@roles_required(*STAFF)
def case_new():
    """Open a case, from posts (?post=ID, repeatable) or from scratch for a client."""
    form = NewCaseForm()
    raw_ids = request.args.getlist("post") if request.method == "GET" else (form.post_ids.data or "").split(",")
    posts = _posts_from([i for i in raw_ids if i.strip()])
    clients = [posts[0].thread.client] if posts else _visible_clients()
    form.client.choices = [SelectChoice(c.slug, c.name) for c in clients]
    if request.method == "GET":
        form.post_ids.data = ",".join(str(p.id) for p in posts)
    if form.validate_on_submit():
        client = client_or_404(form.client.data)
        try:
            case = open_case(db.session, client, title=form.title.data or "", posts=posts, actor=current_user,
                             note=form.note.data or "")
        except CaseError as exc:
            db.session.rollback()
            form.title.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("Case #%(id)d opened.", id=case.id), "success")
            return redirect(url_for("cases.case_detail", case_id=case.id))
    return render_template("cases/new.html", form=form, posts=posts), 400 if form.errors else 200


def _history(case: Case) -> list[AuditEvent]:
    """Return the audit events of a case and its escalations, oldest first."""
    escalation_ids = [str(e.id) for e in case.escalations]
    condition = (AuditEvent.object_type == "case") & (AuditEvent.object_id == str(case.id))
    if escalation_ids:
        condition = or_(condition, (AuditEvent.object_type == "escalation")
                        & AuditEvent.object_id.in_(escalation_ids))
    return list(db.session.scalars(
        select(AuditEvent).where(condition).options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.at, AuditEvent.id)
    ))


@roles_required(*STAFF)
def case_detail(case_id: int):
    """Show a case: its posts, escalations with answers, the moves it can make, and its history."""
    case = _case_or_404(case_id)
    now = utcnow()
    transition_form = TransitionForm()
    transition_form.state.choices = [c for c in transition_form.state.choices if can_move(case, CaseState(c.value))]
    return render_template(
        "cases/detail.html", case=case, labels=STATE_LABELS, history=_history(case), history_labels=HISTORY_LABELS,
        overdue={e.id for e in case.escalations if is_overdue(e, now)}, closed=case.state in CLOSED,
        moves=[s for s in MANUAL_TARGETS if can_move(case, s)], transition_form=transition_form,
        reopen_form=ReopenForm(), link_form=LinkPostForm(), confirm=ConfirmForm(),
        can_escalate=case.state not in CLOSED,
    )


def _back(case: Case):
    """Redirect to the case page."""
    return redirect(url_for("cases.case_detail", case_id=case.id))


def _flash_errors(form) -> None:
    """Flash a form's field errors (forms posted from the case page have no page of their own)."""
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")


@roles_required(*STAFF)
def case_transition(case_id: int):
    """Move a case to another state (solving and giving up are confirmed on the page)."""
    case = _case_or_404(case_id)
    form = TransitionForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return _back(case)
    try:
        transition(db.session, case, CaseState(form.state.data), actor=current_user,
                   resolution=form.resolution.data or "")
    except CaseError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _back(case)
    db.session.commit()
    flash(_("The case is now “%(state)s”.", state=STATE_LABELS[case.state]), "success")
    return _back(case)


@roles_required(*STAFF)
def case_reopen(case_id: int):
    """Reopen a solved or unsolved case."""
    case = _case_or_404(case_id)
    form = ReopenForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return _back(case)
    try:
        reopen(db.session, case, actor=current_user, reason=form.reason.data or "")
    except CaseError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _back(case)
    db.session.commit()
    flash(_("Case reopened."), "success")
    return _back(case)


@roles_required(*STAFF)
def case_link_post(case_id: int):
    """Link another post of the client to the case."""
    case = _case_or_404(case_id)
    form = LinkPostForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return _back(case)
    post = find_post(db.session, case.client_id, form.post.data)
    if post is None:
        flash(_("No post of %(client)s with that number or address.", client=case.client.name), "error")
        return _back(case)
    try:
        link_post(db.session, case, post, actor=current_user)
    except CaseError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _back(case)
    db.session.commit()
    flash(_("Post linked."), "success")
    return _back(case)


@roles_required(*STAFF)
def case_unlink_post(case_id: int):
    """Take a post off the case (confirmed on the page)."""
    case = _case_or_404(case_id)
    form = UnlinkPostForm()
    if not form.validate_on_submit() or not str(form.post_id.data).isdigit():
        flash(_("Choose the post to unlink."), "error")
        return _back(case)
    post = db.session.get(Post, int(form.post_id.data))
    try:
        if post is None:
            raise CaseError(_l("The post is not linked to this case."))
        unlink_post(db.session, case, post, actor=current_user)
    except CaseError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _back(case)
    db.session.commit()
    flash(_("Post unlinked."), "success")
    return _back(case)


@roles_required(*STAFF)
def escalation_new(case_id: int):
    """Escalate a case to one of the playbook's contacts; the form is the last look before the e-mail goes."""
    case = _case_or_404(case_id)
    playbook = playbook_for_client(db.session, case.client_id)
    contacts = list(playbook.contacts) if playbook else []
    topics = list(playbook.topics) if playbook else []
    form = EscalationForm()
    form.contact.choices = [SelectChoice(c.id, f"{c.role} — {c.name} <{c.email}>") for c in contacts]
    form.topic.choices = [SelectChoice("", "—")] + [SelectChoice(t.id, t.title) for t in topics]
    if request.method == "GET" and playbook is not None:
        text = case_text(case)
        topic = suggest_topic(playbook, text)
        contact = choose_contact(playbook, text, topic=topic)
        form.contact.data = contact.id if contact else None
        form.topic.data = topic or ""
        form.message.data = draft_message(case)
    if case.state in CLOSED:
        flash(_("Reopen the case before escalating it."), "error")
        return _back(case)
    if playbook is not None and form.validate_on_submit():
        contact = find_contact(playbook, form.contact.data)
        topic = next((t.title for t in topics if t.id == form.topic.data), "")
        try:
            escalation = escalate(db.session, case, contact, form.message.data, actor=current_user, topic=topic,
                                  answer_within=_answer_within())
        except CaseError as exc:
            db.session.rollback()
            form.message.errors.append(exc.message)
        else:
            db.session.commit()
            _send_now(escalation.id)
            return _back(case)
    failed = request.method == "POST"  # reaching here after a POST means it was refused
    return render_template("cases/escalate.html", case=case, form=form, playbook=playbook,
                           contacts=contacts), 400 if failed else 200


@roles_required(*STAFF)
def escalation_resend(escalation_id: int):
    """Send an unanswered escalation again with a new link (confirmed on the page); old links stop working."""
    escalation = db.session.get(Escalation, escalation_id) or abort(404)
    case = escalation.case
    ensure_client_visible(case.client_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        resend_escalation(db.session, escalation, actor=current_user, answer_within=_answer_within())
    except CaseError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _back(case)
    db.session.commit()
    _send_now(escalation.id)
    return _back(case)
