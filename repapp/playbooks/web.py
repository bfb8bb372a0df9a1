"""The playbook pages, registered with the app (the CLI is registered by `repapp.playbooks.cli`)."""

from flask import Flask

from .blueprint import bp


def init_app(app: Flask) -> None:
    """Register the playbook routes."""
    app.register_blueprint(bp)
