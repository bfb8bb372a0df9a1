"""The `repapp` console script: the app's Flask CLI group, no --app needed."""

from __future__ import annotations

import sys

import click
from flask.cli import FlaskGroup

from . import create_app
from .config import ConfigError


def _create_app():
    """Build the app for a CLI invocation."""
    return create_app()


cli = FlaskGroup(create_app=_create_app, help="repapp: forum representatives' workbench.")


def main() -> None:
    """Run the CLI, turning configuration errors into one clear line."""
    try:
        cli.main(prog_name="repapp")
    except ConfigError as exc:
        click.echo(f"repapp: configuration error: {exc}", err=True)
        sys.exit(2)
