"""User and client management for administrators."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from ..access import client_or_404, roles_required
from ..extensions import db
from ..models import Client, Role, User
from ..pagination import paginate
from .forms import ClientForm, ConfirmForm, UserForm
from .operations import AccountError, create_user, save_client, set_user_enabled, update_user


def _client_choices() -> list[SelectChoice]:
    """Return a choice per client (slug, name) for the user form."""
    return [SelectChoice(c.slug, c.name) for c in db.session.scalars(select(Client).order_by(Client.name))]


def _user_or_404(user_id: int) -> User:
    """Load a user by id or answer 404."""
    return db.session.get(User, user_id) or abort(404)


@roles_required(Role.ADMIN)
def user_list():
    """List users, a page at a time."""
    page = paginate(select(User).order_by(User.email))
    return render_template("admin/users.html", page=page, confirm=ConfirmForm())


@roles_required(Role.ADMIN)
def user_new():
    """Create a user."""
    form = UserForm()
    form.clients.choices = _client_choices()
    if form.validate_on_submit():
        if not form.password.data:
            form.password.errors.append(_("Set a password for the new user."))
        else:
            try:
                user = create_user(db.session, email=form.email.data, password=form.password.data,
                                   role=Role(form.role.data), name=form.name.data or "",
                                   client_slugs=form.clients.data, locale=form.locale.data, actor=current_user)
            except AccountError as exc:
                db.session.rollback()
                getattr(form, exc.field, form.email).errors.append(exc.message)
            else:
                db.session.commit()
                flash(_("User %(email)s created.", email=user.email), "success")
                return redirect(url_for("admin.user_list"))
    return render_template("admin/user_form.html", form=form, user=None), 400 if form.errors else 200


@roles_required(Role.ADMIN)
def user_edit(user_id: int):
    """Change a user's name, role, clients, language or password."""
    user = _user_or_404(user_id)
    form = UserForm(obj=user) if request.method == "GET" else UserForm()
    form.clients.choices = _client_choices()
    if request.method == "GET":
        form.role.data = user.role.value
        form.clients.data = [user.client.slug] if user.client else [c.slug for c in user.assigned_clients]
    form.email.data = user.email  # the e-mail is the login name; it is not changed here
    if form.validate_on_submit():
        try:
            update_user(db.session, user, name=form.name.data or "", role=Role(form.role.data),
                        client_slugs=form.clients.data, locale=form.locale.data,
                        password=form.password.data or None, actor=current_user)
        except AccountError as exc:
            db.session.rollback()
            getattr(form, exc.field, form.name).errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("admin.user_list"))
    return render_template("admin/user_form.html", form=form, user=user), 400 if form.errors else 200


@roles_required(Role.ADMIN)
def user_set_enabled(user_id: int):
    """Enable or disable a user (the list asks for confirmation first)."""
    user = _user_or_404(user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    enabled = request.form.get("enabled") == "1"
    try:
        set_user_enabled(db.session, user, enabled, actor=current_user)
    except AccountError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("User enabled.") if enabled else _("User disabled; their sessions have ended."), "success")
    return redirect(url_for("admin.user_list"))


@roles_required(Role.ADMIN)
def client_list():
    """List clients, a page at a time."""
    page = paginate(select(Client).order_by(Client.name))
    return render_template("admin/clients.html", page=page)


def _save_client_form(form: ClientForm, client: Client | None):
    """Save the client form or put the error on its field; return a redirect on success."""
    try:
        save_client(db.session, client, slug=form.slug.data.strip(), name=form.name.data.strip(),
                    display_name=form.display_name.data or "", site_url=form.site_url.data or "",
                    timezone=form.timezone.data, is_active=form.is_active.data, actor=current_user)
    except AccountError as exc:
        db.session.rollback()
        getattr(form, exc.field, form.slug).errors.append(exc.message)
        return None
    db.session.commit()
    flash(_("Client saved."), "success")
    return redirect(url_for("admin.client_list"))


@roles_required(Role.ADMIN)
def client_new():
    """Create a client."""
    form = ClientForm()
    if form.validate_on_submit() and (done := _save_client_form(form, None)):
        return done
    return render_template("admin/client_form.html", form=form, client=None), 400 if form.errors else 200


@roles_required(Role.ADMIN)
def client_edit(client_slug: str):
    """Change a client."""
    client = client_or_404(client_slug)
    form = ClientForm(obj=client)
    if form.validate_on_submit() and (done := _save_client_form(form, client)):
        return done
    return render_template("admin/client_form.html", form=form, client=client), 400 if form.errors else 200
