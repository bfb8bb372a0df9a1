"""The inbox: filtered lists of posts, one post in context, and triage actions."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..access import STAFF, client_or_404, ensure_client_visible, restrict_to_visible_clients, roles_required
from ..admin.forms import ConfirmForm
from ..extensions import db
from ..models import Client, Forum, Post, Reply, ReplyState, TriageState, utcnow
from ..pagination import paginate
from .forms import NoAnswerForm, TagsForm
from .operations import TriageError, mark_inbox_seen, mark_no_answer, reopen, set_tags, take
from .queries import ORDERS, InboxFilters, inbox_select, thread_context
from .tags import TAG_LABELS


def _post_or_404(post_id: int) -> Post:
    """Load a post the current user may see, or answer 404."""
    post = db.session.get(Post, post_id) or abort(404)
    ensure_client_visible(post.client_id)
    return post


def _filters() -> InboxFilters:
    """Read the inbox filters from the query string, ignoring values that make no sense."""
    args = request.args
    slug = args.get("client") or None
    client = client_or_404(slug) if slug else None
    state = args.get("state", "open")
    if state not in ("open", "all", *(s.value for s in TriageState)):
        state = "open"
    order = args.get("order", "urgency")
    return InboxFilters(
        client_id=client.id if client else None,
        forum_key=args.get("forum") or None,
        tag=args.get("tag") if args.get("tag") in TAG_LABELS else None,
        state=state,
        order=order if order in ORDERS else "urgency",
    )


@roles_required(*STAFF)
def inbox():
    """List the posts waiting for the user's clients, most urgent first."""
    filters = _filters()
    page = paginate(inbox_select(current_user, filters))
    seen_at = current_user.inbox_seen_at
    clients = db.session.scalars(
        restrict_to_visible_clients(select(Client).order_by(Client.name), Client.id, current_user)
    ).all()
    forums = db.session.scalars(select(Forum).order_by(Forum.name)).all()
    response = render_template(
        "inbox/list.html", page=page, filters=filters, clients=clients, forums=forums, tags=TAG_LABELS,
        seen_at=seen_at, now=utcnow(),
    )
    mark_inbox_seen(current_user)
    db.session.commit()
    return response


@roles_required(*STAFF)
def item(post_id: int):
    """Show a post in its thread's context with the triage actions and the drafts answering it."""
    post = _post_or_404(post_id)
    before, history = thread_context(post)
    drafts = db.session.scalars(
        select(Reply).where(Reply.in_reply_to_id == post.id).order_by(Reply.created_at.desc())
    ).all()
    tags_form = TagsForm(tags=[t.tag for t in post.tags])
    return render_template(
        "inbox/item.html", post=post, before=before, history=history, drafts=drafts, tags_form=tags_form,
        no_answer_form=NoAnswerForm(), confirm=ConfirmForm(), tags=TAG_LABELS, now=utcnow(), ReplyState=ReplyState,
    )


def _triage(post: Post, action, success: str | None = None) -> object:
    """Run a triage action on a post, reporting a refusal as a message."""
    try:
        action(post)
    except TriageError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        if success:
            flash(success, "success")
    return redirect(url_for("inbox.item", post_id=post.id))


@roles_required(*STAFF)
def item_tags(post_id: int):
    """Replace the post's tags with the chosen ones."""
    post = _post_or_404(post_id)
    form = TagsForm()
    if not form.validate_on_submit():
        abort(400)
    return _triage(post, lambda post: set_tags(db.session, post, form.tags.data, actor=current_user),
                   _("Tags saved."))


@roles_required(*STAFF)
def item_take(post_id: int):
    """Take the post."""
    post = _post_or_404(post_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _triage(post, lambda post: take(db.session, post, actor=current_user))


@roles_required(*STAFF)
def item_no_answer(post_id: int):
    """Close the post without an answer, with a reason."""
    post = _post_or_404(post_id)
    form = NoAnswerForm()
    if not form.validate_on_submit():
        flash(_("Say why no answer is needed."), "error")
        return redirect(url_for("inbox.item", post_id=post_id))
    return _triage(post, lambda post: mark_no_answer(db.session, post, form.reason.data, actor=current_user))


@roles_required(*STAFF)
def item_reopen(post_id: int):
    """Put a closed post back in the inbox."""
    post = _post_or_404(post_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _triage(post, lambda post: reopen(db.session, post, actor=current_user))
