"""Replies: drafting with a live playbook check, approval, and the outbox."""

from flask import Flask

from .blueprint import bp


def init_app(app: Flask) -> None:
    """Register the reply routes."""
    app.register_blueprint(bp)
