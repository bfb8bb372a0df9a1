"""Watched threads: adding them, reading them on demand, and their pages."""

from flask import Flask

from .blueprint import bp
from .cli import scrape_command, threads_group


def init_app(app: Flask) -> None:
    """Register the thread routes and commands."""
    app.register_blueprint(bp)
    app.cli.add_command(threads_group)
    app.cli.add_command(scrape_command)
