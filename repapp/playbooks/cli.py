"""The `repapp playbook` command group; `validate` is pure: paths in, problem lines out."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from .loader import forum_keys_in, playbook_paths, validate_paths

# forums/ beside the repapp package, where the forum definitions live in a checkout.
DEFAULT_FORUMS_DIR = Path(__file__).resolve().parents[2] / "forums"

# An AppGroup, so that commands added later (import, export, approve) get an app context;
# `validate` opts out because it needs neither the app nor the database.
playbook_group = AppGroup("playbook", help="Validate and manage client playbooks.")


@playbook_group.command("validate", with_appcontext=False)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--forums-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=DEFAULT_FORUMS_DIR,
    show_default=True,
    help="Folder of forum definitions whose keys playbooks may use; skipped when empty or missing.",
)
def validate_command(paths: tuple[Path, ...], forums_dir: Path) -> None:
    """Check playbook files (or folders of them); print PATH:LINE: field: message per problem."""
    known_forums = forum_keys_in(forums_dir)
    problems = validate_paths(paths, known_forums)
    for problem in problems:
        click.echo(str(problem))
    checked = len(playbook_paths(paths))
    if problems:
        click.echo(f"{len(problems)} problem(s) in {checked} playbook file(s)", err=True)
        click.get_current_context().exit(1)
    note = "" if known_forums is not None else " (forum keys not checked: no definitions found)"
    click.echo(f"{checked} playbook file(s) valid{note}", err=True)


def init_app(app) -> None:
    """Register the `playbook` command group with the app's CLI."""
    app.cli.add_command(playbook_group)
