"""Administration: users and clients."""

from flask import Flask

from .blueprint import bp


def init_app(app: Flask) -> None:
    """Register the admin routes."""
    app.register_blueprint(bp)
