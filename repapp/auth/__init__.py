"""Authentication: login, logout, sessions, throttling."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from ..extensions import login_manager
from .blueprint import bp
from .sessions import load_user


def init_app(app: Flask) -> None:
    """Register the login manager and the auth routes."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)
    app.register_blueprint(bp)
