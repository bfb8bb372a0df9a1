"""Monthly reports: frozen figures, acceptance and publication, exports and the monthly job."""

from flask import Flask

from .blueprint import bp
from .cli import report_command


def init_app(app: Flask) -> None:
    """Register the report routes and the `repapp report` command."""
    app.register_blueprint(bp)
    app.cli.add_command(report_command)
