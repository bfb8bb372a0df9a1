"""Project CLI commands: init, users, demo, serve."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from .admin.operations import AccountError, create_user
from .extensions import db
from .models import Role


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the database and load forums/ and playbooks/ (safe to run again)."""
    upgrade()
    refuse_wrong_keys()
    from .bootstrap import load_definitions

    summary = load_definitions(db.session, current_app.config["FORUMS_DIR"], current_app.config["PLAYBOOKS_DIR"])
    db.session.commit()
    for line in summary:
        click.echo(line)
    click.echo("Database ready.")


@click.group("users")
def users_group() -> None:
    """Manage users."""


@users_group.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--client", "clients", multiple=True, help="Client slug (repeat for a representative).")
@click.option("--name", default="")
@click.option("--locale", type=click.Choice(["ru", "en"]), default="ru")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def users_create_command(email: str, role: str, clients: tuple[str, ...], name: str, locale: str, password: str) -> None:
    """Create a user with a role (and clients for representatives and client viewers)."""
    try:
        user = create_user(db.session, email=email, password=password, role=Role(role), name=name,
                           client_slugs=clients, locale=locale)
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role.value}).")


@click.command("demo")
@click.option("--quiet", is_flag=True, help="Do not print the credentials.")
@with_appcontext
def demo_command(quiet: bool) -> None:
    """Fill the database with a demo agency and print the demo users' credentials (idempotent)."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("refusing to load demo users with known passwords in production")
    from .demo import DEMO_PASSWORD, load_demo
    from .forums.registry import forum_definitions

    users = load_demo(db.session, forum_definitions())
    db.session.commit()
    if not quiet:
        click.echo("Demo users (password for all: %s):" % DEMO_PASSWORD)
        for user in users:
            click.echo(f"  {user.role.value:7} {user.email}")


@click.group("keys")
def keys_group() -> None:
    """Manage the encryption keys of forum passwords."""


@keys_group.command("generate")
def keys_generate_command() -> None:
    """Print a new Fernet key (put it first in ENCRYPTION_KEYS, keep the old one after it)."""
    from cryptography.fernet import Fernet

    click.echo(Fernet.generate_key().decode())


@keys_group.command("rotate")
@with_appcontext
def keys_rotate_command() -> None:
    """Re-encrypt every stored secret under the first key; afterwards the older keys can be dropped."""
    from .crypto import WrongEncryptionKey, rotate

    try:
        count = rotate(db.session, current_app.config["ENCRYPTION_KEYS"])
    except WrongEncryptionKey as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Re-encrypted {count} secrets under the first key. Older keys may now be removed.")


def refuse_wrong_keys() -> None:
    """Stop before serving or working when the keys cannot read the database's secrets."""
    from .crypto import WrongEncryptionKey, check_keys_at_start_up

    try:
        check_keys_at_start_up(current_app._get_current_object())
    except WrongEncryptionKey as exc:
        raise click.ClickException(str(exc)) from None


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@with_appcontext
def serve_command(host: str, port: int, threads: int) -> None:
    """Serve the web app with waitress (a production-grade WSGI server)."""
    from waitress import serve

    refuse_wrong_keys()
    app = current_app._get_current_object()
    click.echo(f"repapp is running at http://{host}:{port}/")
    serve(app, host=host, port=port, threads=threads, ident="repapp")


def init_app(app: Flask) -> None:
    """Register the project commands."""
    for command in (init_command, users_group, demo_command, serve_command, keys_group):
        app.cli.add_command(command)
