"""The client's forum accounts: usernames and encrypted passwords, behind a fresh login."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..access import client_or_404, roles_required
from ..audit import record_event
from ..auth.fresh import fresh_login_required
from ..crypto import encrypt
from ..extensions import db
from ..models import Client, Forum, ForumAccount, Role, User
from .forms import ConfirmForm


class ForumAccountForm(FlaskForm):
    forum = SelectField(_l("Forum"), choices=[])
    username = StringField(_l("Username on the forum"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("Password on the forum"), validators=[Optional(), Length(max=500)])


def save_forum_account(
    dbs: Session, client: Client, forum: Forum, username: str, password: str | None, *, actor: User | None = None
) -> ForumAccount:
    """Create or update the client's account on a forum; the password is encrypted, never logged."""
    account = dbs.scalar(select(ForumAccount).where(ForumAccount.client_id == client.id,
                                                    ForumAccount.forum_id == forum.id))
    created = account is None
    account = account or ForumAccount(client_id=client.id, forum_id=forum.id)
    account.username = username.strip()
    if password:
        account.password_encrypted = encrypt(password)
        account.session_encrypted = None  # a kept forum session belongs to the old password
    dbs.add(account)
    dbs.flush()
    record_event(dbs, "forum_account.create" if created else "forum_account.update", "forum_account", account.id,
                 actor=actor, client_id=client.id, forum=forum.key, username=account.username,
                 password_changed=bool(password))
    return account


@roles_required(Role.ADMIN)
@fresh_login_required
def forum_accounts(client_slug: str):
    """List the client's forum accounts and add or update one."""
    client = client_or_404(client_slug)
    form = ForumAccountForm()
    forums = list(db.session.scalars(select(Forum).order_by(Forum.name)))
    form.forum.choices = [SelectChoice(f.key, f.name) for f in forums]
    if form.validate_on_submit():
        forum = next(f for f in forums if f.key == form.forum.data)
        save_forum_account(db.session, client, forum, form.username.data, form.password.data or None,
                           actor=current_user)
        db.session.commit()
        flash(_("Forum account saved."), "success")
        return redirect(url_for("admin.forum_accounts", client_slug=client.slug))
    accounts = db.session.scalars(select(ForumAccount).where(ForumAccount.client_id == client.id)).all()
    return render_template("admin/forum_accounts.html", client=client, form=form, accounts=accounts,
                           confirm=ConfirmForm()), 400 if form.errors else 200


@roles_required(Role.ADMIN)
@fresh_login_required
def forum_account_delete(account_id: int):
    """Delete a forum account (confirmed on the page)."""
    account = db.session.get(ForumAccount, account_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    slug = account.client.slug
    record_event(db.session, "forum_account.delete", "forum_account", account.id, actor=current_user,
                 client_id=account.client_id, username=account.username)
    db.session.delete(account)
    db.session.commit()
    flash(_("Forum account deleted."), "success")
    return redirect(url_for("admin.forum_accounts", client_slug=slug))
