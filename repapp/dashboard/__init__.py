"""The home page: a dashboard per role."""

from flask import Flask

from .blueprint import bp


def init_app(app: Flask) -> None:
    """Register the dashboard routes."""
    app.register_blueprint(bp)
