"""The project's CLI commands: users, demo."""

from __future__ import annotations

from sqlalchemy import func, select

from repapp.demo import DEMO_PASSWORD, DEMO_USERS
from repapp.extensions import db
from repapp.models import Role, User


def test_users_create_with_role_and_client(runner, world):
    """`repapp users create` makes a client viewer tied to one client."""
    result = runner.invoke(args=["users", "create", "boss@brand.example", "--role", "client", "--client", "client-a",
                                 "--password", "a-strong-password"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "boss@brand.example"))
    assert user.role == Role.CLIENT and user.client.slug == "client-a"
    assert user.check_password("a-strong-password")


def test_users_create_rejects_unknown_client(runner, world):
    """An unknown client slug is a clear error and creates nobody."""
    result = runner.invoke(args=["users", "create", "x@y.example", "--role", "rep", "--client", "nope",
                                 "--password", "a-strong-password"])
    assert result.exit_code != 0 and "nope" in result.output
    assert db.session.scalar(select(User).where(User.email == "x@y.example")) is None


def test_users_create_prompts_for_password(runner, world):
    """Without --password the password is prompted twice."""
    result = runner.invoke(args=["users", "create", "p@y.example", "--role", "pr"], input="a-strong-pass\na-strong-pass\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User).where(User.email == "p@y.example")).check_password("a-strong-pass")


def test_demo_is_idempotent_and_every_demo_user_logs_in(app, runner):
    """Running `repapp demo` twice creates the users once; each can log in with the printed password."""
    from support import web

    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(User)) == len(DEMO_USERS)
    for email, role, _name, _clients in DEMO_USERS:
        assert email in first.output
        client = app.test_client()
        assert web.login(client, email, DEMO_PASSWORD).status_code == 302
        assert client.get("/").status_code == 200


def test_demo_refused_in_production(app, runner):
    """Demo users with a known password never land in a production database."""
    app.config["ENV_NAME"] = "production"
    result = runner.invoke(args=["demo"])
    assert result.exit_code != 0 and "production" in result.output
