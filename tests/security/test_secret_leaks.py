"""Forum passwords never appear in logs, error pages, exports or the database in clear.

A full posting run against the live FlaskBB forum (login, post, confirm; then a refused login) is
logged at DEBUG for every logger, httpx's included; the password, and the forum's session cookie,
must appear in none of it. The admin pages that take the password are driven into their error
paths; the exports and a backup are searched for it byte by byte.
"""

from __future__ import annotations

import json
import logging
import secrets
from pathlib import Path

import pytest
from sqlalchemy import event, inspect, select, text
from sqlalchemy.exc import OperationalError

from conftest import FreshContextClient, make_test_config
from repapp import create_app
from repapp.crypto import decrypt, encrypt
from repapp.extensions import db
from repapp.forums.registry import forum_definitions
from repapp.models import Forum, ForumAccount, Reply, ReplyState, utcnow
from repapp.posting.jobs import post_due_replies
from repapp.posting.limits import PostingLimits
from repapp.scraping.fetch import Fetcher
from repapp.scraping.jobs import scrape_thread
from support import web
from support.live_scrape import LIVE_FORUM_KEY, set_up_live_client
from support.world import PASSWORD

SECRET = "Pw-" + secrets.token_hex(12)


def write_posting_definition(folder: Path, base_url: str) -> None:
    """Define the live forum with login and posting on."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{LIVE_FORUM_KEY}.yaml").write_text(
        f"key: {LIVE_FORUM_KEY}\nname: Live test forum\nbase_url: {base_url}/\nengine: flaskbb\ntimezone: UTC\n"
        "date_locale: en\npoliteness:\n  requests_per_minute: 600\n  concurrency: 4\n  timeout_seconds: 10\n"
        "  max_retries: 0\ncapabilities:\n  login: true\n  post: true\n",
        encoding="utf-8",
    )


def everything_logged(caplog) -> str:
    """Return every captured record as it would be written, tracebacks and arguments included."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(record) + repr(record.args) for record in caplog.records)


def database_text() -> str:
    """Return every value of every table, as text."""
    chunks = []
    for table in inspect(db.engine).get_table_names():
        for row in db.session.execute(text(f'SELECT * FROM "{table}"')):
            chunks.append(repr(tuple(row)))
    return "\n".join(chunks)


def _approved(setup, thread, body: str) -> Reply:
    """Add an approved reply planned for now."""
    now = utcnow()
    reply = Reply(client_id=setup.client.id, thread_id=thread.id, body=body, approved_body=body,
                  state=ReplyState.APPROVED, submitted_at=now, approved_at=now, planned_at=now)
    db.session.add(reply)
    db.session.commit()
    return reply


def _round() -> object:
    """Run one posting round as the worker does, without posting limits."""
    definitions = forum_definitions()
    with Fetcher.from_definitions(definitions) as fetcher:
        return post_due_replies(db.session, definitions, fetcher, limits_for=lambda dbs, reply: PostingLimits())


@pytest.mark.live_forum
def test_a_whole_posting_run_never_logs_the_password(tmp_path, flaskbb_forum, caplog):
    """Login, post, confirm, then a refused login: DEBUG logs of every library hold no password or cookie."""
    username = "leak_probe_" + secrets.token_hex(3)
    flaskbb_forum.admin("create_user", username=username, password=SECRET, email=f"{username}@example.invalid")
    forums_dir = tmp_path / "forums"
    write_posting_definition(forums_dir, flaskbb_forum.base_url)
    app = create_app(make_test_config(tmp_path, FORUMS_DIR=str(forums_dir), LOG_LEVEL="DEBUG"),
                     instance_path=str(tmp_path / "instance"))
    caplog.set_level(logging.DEBUG)
    app.test_client_class = FreshContextClient
    with app.app_context():
        db.create_all()
        try:
            setup = set_up_live_client(app, username)
            account = db.session.scalar(select(ForumAccount).where(ForumAccount.client_id == setup.client.id))
            account.password_encrypted = encrypt(SECRET)
            db.session.commit()
            topic = flaskbb_forum.scratch_topic("Пароль не должен утечь", replies=0)
            thread = setup.watch(flaskbb_forum.topic_url(topic["id"]))
            definitions = forum_definitions()
            with Fetcher.from_definitions(definitions) as fetcher:
                assert scrape_thread(db.session, thread.id, definitions, fetcher).ok
            posted = _approved(setup, thread, "Здравствуйте! Ответим в личных сообщениях.")
            first = _round()
            assert first.sent == {"posted": 1} and first.confirmed == {"confirmed": 1}, first
            db.session.expire_all()
            cookie_values = [c["value"] for c in json.loads(decrypt(account.session_encrypted))]
            assert any(len(value) > 8 for value in cookie_values)  # the forum session is kept, and checked below
            wrong = "Wrong-" + secrets.token_hex(12)
            account.password_encrypted, account.session_encrypted = encrypt(wrong), None
            db.session.commit()
            refused = _approved(setup, thread, "Второй ответ, который не уйдёт.")
            second = _round()
            assert second.sent == {"retry": 1}, second
            db.session.expire_all()
            logged = everything_logged(caplog)
            assert "HTTP Request: POST" in logged and "/auth/login" in logged  # the run really was logged in full
            for value in [SECRET, wrong, *[v for v in cookie_values if len(v) > 8]]:
                assert value not in logged
                assert value not in database_text()
            assert db.session.get(Reply, posted.id).state == ReplyState.POSTED
            assert wrong not in db.session.get(Reply, refused.id).last_error
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def admin_app(tmp_path):
    """An app that renders its error pages (as in production), with the world and an admin logged in."""
    from support.world import build_world

    app = create_app(make_test_config(tmp_path, PROPAGATE_EXCEPTIONS=False), instance_path=str(tmp_path / "i"))
    app.test_client_class = FreshContextClient
    with app.app_context():
        db.create_all()
        world = build_world(db.session)
        world.forum()
        client = app.test_client()
        assert web.login(client, world.user("admin").email, PASSWORD).status_code == 302
        yield app, world, client
        db.session.remove()
        db.engine.dispose()


ACCOUNTS = "/admin/clients/client-a/accounts"


def test_the_account_form_never_echoes_the_password(admin_app, caplog):
    """A refused form shows the username again but never the password; saving logs no password."""
    caplog.set_level(logging.DEBUG)
    _app, _world, admin = admin_app
    refused = web.post_form(admin, ACCOUNTS, {"forum": "demo-flaskbb", "username": "", "password": SECRET},
                            token_from=ACCOUNTS)
    assert refused.status_code in (200, 400) and SECRET.encode() not in refused.data
    saved = web.post_form(admin, ACCOUNTS, {"forum": "demo-flaskbb", "username": "A_official", "password": SECRET},
                          token_from=ACCOUNTS)
    assert saved.status_code == 302
    listing = admin.get(ACCOUNTS)
    assert b"A_official" in listing.data and SECRET.encode() not in listing.data
    assert SECRET not in everything_logged(caplog)
    assert SECRET not in database_text()


def test_a_crash_while_saving_the_password_shows_and_logs_no_password(admin_app, caplog):
    """The database fails in the middle of the save: the 500 page and the logged traceback hold no password."""
    caplog.set_level(logging.DEBUG)
    _app, _world, admin = admin_app
    token = web.csrf_token(admin, ACCOUNTS)

    def refuse_writes(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE")) and "forum_accounts" in statement:
            raise OperationalError(statement, parameters, ConnectionError("the database went away"))

    event.listen(db.engine, "before_cursor_execute", refuse_writes)
    try:
        crashed = admin.post(ACCOUNTS, data={"csrf_token": token, "forum": "demo-flaskbb", "username": "A_official",
                                             "password": SECRET})
    finally:
        event.remove(db.engine, "before_cursor_execute", refuse_writes)
    assert crashed.status_code == 500
    assert SECRET.encode() not in crashed.data
    logged = everything_logged(caplog)
    assert "went away" in logged  # the failure itself is logged, with its traceback
    assert SECRET not in logged


def test_exports_and_backups_hold_no_password(admin_app, tmp_path):
    """Report downloads, the playbook export and a database backup: no password in clear."""
    app, world, _admin = admin_app
    account = world.account_a()
    account.password_encrypted = encrypt(SECRET)
    db.session.commit()
    report = world.report_a()
    world.playbook_version_a()
    pr = app.test_client()
    assert web.login(pr, world.user("pr").email, PASSWORD).status_code == 302
    downloads = [pr.get(f"/reports/{report.id}/download/{fmt}") for fmt in ("csv", "xlsx", "json", "pdf")]
    downloads.append(pr.get("/playbooks/clients/client-a/export"))
    for response in downloads:
        assert response.status_code == 200, response.request.path
        assert SECRET.encode() not in response.data
    cli = app.test_cli_runner()
    exported = cli.invoke(args=["playbook", "export", "client-a"])
    assert SECRET not in exported.output
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        copy = tmp_path / "backup.sqlite3"
        assert cli.invoke(args=["backup", str(copy)]).exit_code == 0
        assert SECRET.encode() not in copy.read_bytes()
    assert decrypt(db.session.get(ForumAccount, account.id).password_encrypted) == SECRET
    assert db.session.scalar(select(Forum.key)) == "demo-flaskbb"
