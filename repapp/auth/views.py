"""Login, logout and the user's language choice."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, select

from ..access import ALL_ROLES, public, roles_required
from ..audit import record_event
from ..extensions import db
from ..i18n import SUPPORTED_LOCALES
from ..models import User, utcnow
from . import sessions, throttle
from .fresh import mark_fresh
from .forms import ConfirmPasswordForm, LoginForm


def is_safe_next(target: str | None) -> bool:
    """Accept only local paths as a post-login destination."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


@public
def login():
    """Show the login form and log the user in."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        keys = throttle.throttle_keys(email, request.remote_addr)
        window = timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])
        if throttle.is_throttled(db.session, keys, current_app.config["LOGIN_MAX_FAILURES"], window):
            flash(_("Too many failed attempts. Try again in %(minutes)d minutes.",
                    minutes=current_app.config["LOGIN_WINDOW_MINUTES"]), "error")
            return render_template("auth/login.html", form=form), 429
        user = db.session.scalar(select(User).where(func.lower(User.email) == email))
        if user is None or not user.check_password(form.password.data):
            throttle.record_failure(db.session, keys)
            db.session.commit()
            flash(_("Wrong e-mail or password."), "error")
            status = 401
        elif not user.is_enabled:
            flash(_("This account is disabled. Ask an administrator."), "error")
            status = 403
        else:
            return _finish_login(user)
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


def _finish_login(user: User):
    """Start a fresh server-side session for `user` and go where they were heading."""
    throttle.clear_failures(db.session, user.email)
    session.clear()  # a new session id on login: no fixation
    record = sessions.start_session(db.session, user, request.remote_addr)
    user.last_login_at = utcnow()
    record_event(db.session, "login", "user", user.id, actor=user)
    db.session.commit()
    session[sessions.SESSION_KEY] = record.id
    login_user(user)
    mark_fresh()
    session.permanent = True
    target = request.args.get("next")
    return redirect(target if is_safe_next(target) else url_for("dashboard.home"))


@roles_required(*ALL_ROLES)
def logout():
    """End the session on the server too, so a copied cookie stops working."""
    sessions.revoke_session(db.session, session.get(sessions.SESSION_KEY))
    record_event(db.session, "logout", "user", current_user.id, actor=current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@roles_required(*ALL_ROLES)
def set_language():
    """Save the user's interface language."""
    locale = request.form.get("locale", "")
    if locale not in SUPPORTED_LOCALES:
        abort(400)
    current_user.locale = locale
    db.session.commit()
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for("dashboard.home"))


@roles_required(*ALL_ROLES)
def confirm_password():
    """Ask for the password again before showing or changing secrets."""
    form = ConfirmPasswordForm()
    status = 200
    if form.validate_on_submit():
        keys = throttle.throttle_keys(current_user.email, request.remote_addr)
        window = timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])
        if throttle.is_throttled(db.session, keys, current_app.config["LOGIN_MAX_FAILURES"], window):
            flash(_("Too many failed attempts. Try again in %(minutes)d minutes.",
                    minutes=current_app.config["LOGIN_WINDOW_MINUTES"]), "error")
            return render_template("auth/confirm.html", form=form), 429
        if current_user.check_password(form.password.data):
            mark_fresh()
            target = request.args.get("next")
            return redirect(target if is_safe_next(target) else url_for("dashboard.home"))
        throttle.record_failure(db.session, keys)
        db.session.commit()
        form.password.errors.append(_("Wrong password."))
        status = 401
    return render_template("auth/confirm.html", form=form), status
