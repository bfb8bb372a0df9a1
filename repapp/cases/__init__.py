"""Cases (problems taken from the forum) and their escalations to the client's contacts."""

from flask import Flask

from .blueprint import answers_bp, bp


def init_app(app: Flask) -> None:
    """Register the case routes and the contacts' answer page."""
    app.register_blueprint(bp)
    app.register_blueprint(answers_bp)
