"""Watched threads: the list, one thread with its posts and health, adding, reading now."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from ..access import MANAGERS, STAFF, client_or_404, ensure_client_visible, restrict_to_visible_clients, roles_required
from ..admin.forms import ConfirmForm
from ..extensions import db
from ..forums.registry import forum_definitions
from ..models import Client, Post, ThreadSnapshot, WatchedThread, utcnow
from ..pagination import paginate
from .forms import WatchThreadForm
from .operations import ThreadError, request_read, set_watching, watch_thread


def _thread_or_404(thread_id: int) -> WatchedThread:
    """Load a thread the current user may see, or answer 404."""
    thread = db.session.get(WatchedThread, thread_id) or abort(404)
    ensure_client_visible(thread.client_id)
    return thread


def _visible_clients() -> list[Client]:
    """Return the clients the current user may see, by name."""
    return list(db.session.scalars(
        restrict_to_visible_clients(select(Client).order_by(Client.name), Client.id, current_user)
    ))


@roles_required(*STAFF)
def thread_list():
    """List watched threads, optionally of one client, a page at a time."""
    query = restrict_to_visible_clients(select(WatchedThread), WatchedThread.client_id, current_user)
    slug = request.args.get("client")
    client = client_or_404(slug) if slug else None
    if client:
        query = query.where(WatchedThread.client_id == client.id)
    page = paginate(query.order_by(WatchedThread.is_active.desc(), WatchedThread.title, WatchedThread.id))
    return render_template("threads/list.html", page=page, client=client, clients=_visible_clients())


@roles_required(*MANAGERS)
def thread_new():
    """Start watching a thread for a client."""
    form = WatchThreadForm()
    form.client.choices = [SelectChoice(c.slug, c.name) for c in _visible_clients()]
    if form.validate_on_submit():
        client = client_or_404(form.client.data)
        try:
            thread = watch_thread(db.session, client, form.url.data, forum_definitions(), actor=current_user)
        except ThreadError as exc:
            db.session.rollback()
            form.url.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("The thread is watched now; the worker reads it within a minute."), "success")
            return redirect(url_for("threads.thread_detail", thread_id=thread.id))
    return render_template("threads/new.html", form=form), 400 if form.errors else 200


@roles_required(*STAFF)
def thread_detail(thread_id: int):
    """Show a thread's health, latest statistics and posts."""
    thread = _thread_or_404(thread_id)
    posts = paginate(select(Post).where(Post.thread_id == thread.id).order_by(Post.posted_at.desc(), Post.id.desc()))
    latest = db.session.scalar(
        select(ThreadSnapshot).where(ThreadSnapshot.thread_id == thread.id).order_by(ThreadSnapshot.taken_at.desc()).limit(1)
    )
    state, label = _read_status(thread)
    return render_template("threads/detail.html", thread=thread, posts=posts, latest=latest, confirm=ConfirmForm(),
                           read_state=state, read_label=label)


def _read_status(thread: WatchedThread) -> tuple[str, str]:
    """Return whether a worker is reading the thread, it waits for one, or neither, with a sentence saying so."""
    now = utcnow()
    if thread.claimed_until is not None and thread.claimed_until > now:
        return "reading", _("Reading the thread now…")
    if thread.is_active and (thread.next_run_at is None or thread.next_run_at <= now):
        if thread.next_run_at is None:
            return "queued", _("Waiting for the worker to read the thread…")
        return "queued", _("Waiting for the worker to read the thread (due since %(time)s)…",
                           time=format_datetime(thread.next_run_at, "short"))
    return "idle", ""


@roles_required(*STAFF)
def thread_status(thread_id: int):
    """Answer whether the thread is being read or waits for the worker, for the page to follow its progress."""
    thread = _thread_or_404(thread_id)
    state, label = _read_status(thread)
    return jsonify(state=state, label=label, last_success_at=thread.last_success_at.isoformat()
                   if thread.last_success_at else None, last_error=thread.last_error or None)


@roles_required(*STAFF)
def thread_read_now(thread_id: int):
    """Ask the worker to read the thread at its next pass."""
    thread = _thread_or_404(thread_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    request_read(db.session, thread, actor=current_user)
    db.session.commit()
    flash(_("Queued: the worker reads this thread within a minute. This page shows the result."), "info")
    return redirect(url_for("threads.thread_detail", thread_id=thread.id))


@roles_required(*MANAGERS)
def thread_set_watching(thread_id: int):
    """Stop or resume watching a thread (confirmed on the page)."""
    thread = _thread_or_404(thread_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    set_watching(db.session, thread, active, actor=current_user)
    db.session.commit()
    flash(_("Watching again.") if active else _("No longer watched; its posts stay."), "success")
    return redirect(url_for("threads.thread_detail", thread_id=thread.id))
