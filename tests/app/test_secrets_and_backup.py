"""Forum passwords encrypted at rest, key rotation, the start-up key check, and backups."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from repapp.crypto import WrongEncryptionKey, decrypt, encrypt, ensure_sentinel, rotate
from repapp.extensions import db
from repapp.models import Client, Forum, ForumAccount, User


def _account(world, password: str) -> ForumAccount:
    """Store a forum account of client A with an encrypted password."""
    account = ForumAccount(client_id=world.client_a.id, forum_id=world.forum().id, username="Brand_official",
                           password_encrypted=encrypt(password))
    db.session.add(account)
    db.session.commit()
    return account


def test_password_is_stored_encrypted(app, world):
    """The database never holds the password in clear, and the configured key reads it back."""
    account = _account(world, "s3cret-forum-pass")
    raw = db.session.execute(select(ForumAccount.password_encrypted).where(ForumAccount.id == account.id)).scalar()
    assert b"s3cret-forum-pass" not in raw
    assert decrypt(raw) == "s3cret-forum-pass"


def test_rotation_lets_the_old_key_go(app, world):
    """After `keys rotate` with [new, old], the new key alone decrypts everything; the old alone does not."""
    old = app.config["ENCRYPTION_KEYS"]
    account = _account(world, "pass-before-rotation")
    ensure_sentinel(db.session, old)
    new = [Fernet.generate_key().decode()]
    app.config["ENCRYPTION_KEYS"] = new + old
    result = app.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0 and "Re-encrypted 1" in result.output
    db.session.expire_all()
    token = db.session.get(ForumAccount, account.id).password_encrypted
    assert decrypt(token, new) == "pass-before-rotation"
    with pytest.raises(WrongEncryptionKey):
        decrypt(token, old)
    ensure_sentinel(db.session, new)  # the sentinel moved too


def test_wrong_key_refuses_to_start(app, world):
    """With a key that cannot read the sentinel, the worker (and web server) refuse to run."""
    ensure_sentinel(db.session, app.config["ENCRYPTION_KEYS"])
    app.config["ENCRYPTION_KEYS"] = [Fernet.generate_key().decode()]
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code != 0 and "cannot decrypt" in result.output
    with pytest.raises(WrongEncryptionKey):
        ensure_sentinel(db.session, app.config["ENCRYPTION_KEYS"])


@pytest.mark.sqlite_only
def test_backup_and_restore_bring_back_every_row(app, world, tmp_path):
    """A backup taken while the app is connected restores every row after they are deleted."""
    _account(world, "kept-in-backup")
    counts = {m: db.session.scalar(select(func.count()).select_from(m)) for m in (User, Client, Forum, ForumAccount)}
    runner = app.test_cli_runner()
    backup = tmp_path / "backup.sqlite3"
    assert runner.invoke(args=["backup", str(backup)]).exit_code == 0
    assert runner.invoke(args=["backup", str(backup)]).exit_code != 0  # never overwrites
    db.session.query(ForumAccount).delete()
    db.session.commit()
    db.session.remove()
    result = runner.invoke(args=["restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    for model, count in counts.items():
        assert db.session.scalar(select(func.count()).select_from(model)) == count
    assert decrypt(db.session.scalar(select(ForumAccount.password_encrypted))) == "kept-in-backup"


def test_credentials_page_needs_a_fresh_password(app, world, login_as):
    """Forum credentials ask for the password again after a while, and never show the password."""
    from support import web
    from support.world import PASSWORD

    world.account_a()
    admin = login_as("admin")
    page = admin.get("/admin/clients/client-a/accounts")
    assert page.status_code == 200 and b"A_official" in page.data and b"forum-secret-of-a" not in page.data
    with admin.session_transaction() as session:
        session["fresh_at"] = 0
    stale = admin.get("/admin/clients/client-a/accounts")
    assert stale.status_code == 302 and "/auth/confirm" in stale.headers["Location"]
    wrong = web.post_form(admin, stale.headers["Location"], {"password": "not-it"}, token_from="/")
    assert wrong.status_code == 401
    right = web.post_form(admin, stale.headers["Location"], {"password": PASSWORD}, token_from="/")
    assert right.status_code == 302 and right.headers["Location"].endswith("/admin/clients/client-a/accounts")
    assert admin.get("/admin/clients/client-a/accounts").status_code == 200


def test_saving_an_account_encrypts_and_audits_without_the_password(app, world, login_as):
    """A new password is stored encrypted; the audit log records the change but not the secret."""
    from repapp.models import AuditEvent
    from support import web

    world.forum()
    admin = login_as("admin")
    response = web.post_form(admin, "/admin/clients/client-b/accounts",
                             {"forum": "demo-flaskbb", "username": "B_official", "password": "b-forum-pass"},
                             token_from="/admin/clients/client-b/accounts")
    assert response.status_code == 302
    account = db.session.scalar(select(ForumAccount).where(ForumAccount.username == "B_official"))
    assert decrypt(account.password_encrypted) == "b-forum-pass"
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "forum_account")).all()
    assert events and all("b-forum-pass" not in str(e.details) for e in events)
