"""KPIs: the engine, targets view, manual figures and tracked links."""

from flask import Flask

from .blueprint import bp
from .cli import kpi_group


def init_app(app: Flask) -> None:
    """Register the KPI routes and the `repapp kpi` commands."""
    app.register_blueprint(bp)
    app.cli.add_command(kpi_group)
