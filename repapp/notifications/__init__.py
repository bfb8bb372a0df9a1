"""Notifications: what changed since a user last looked, deadline alerts by e-mail and webhook."""

from flask import Flask
from flask_login import current_user

from ..extensions import db
from .blueprint import bp
from .operations import unread_count


def unread_notifications() -> int:
    """Return the current user's unread count, for the header (0 when nobody is logged in)."""
    if not current_user or not current_user.is_authenticated:
        return 0
    return unread_count(db.session, current_user.id)


def init_app(app: Flask) -> None:
    """Register the notification routes and the header's unread count."""
    app.register_blueprint(bp)
    app.jinja_env.globals["unread_notifications"] = unread_notifications
