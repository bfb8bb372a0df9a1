"""The representatives' inbox: new forum posts to triage and answer."""

from flask import Flask

from .blueprint import bp


def init_app(app: Flask) -> None:
    """Register the inbox routes."""
    app.register_blueprint(bp)
