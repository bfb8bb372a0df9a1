"""Forum passwords encrypted at rest with MultiFernet; a sentinel proves the configured keys are right."""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .models import ForumAccount, Setting

SENTINEL_KEY = "encryption_sentinel"
SENTINEL_PLAINTEXT = b"repapp-key-check"


class WrongEncryptionKey(RuntimeError):
    """The configured keys cannot decrypt what this database holds."""


def cipher(keys: Sequence[str] | None = None) -> MultiFernet:
    """Return the cipher for the configured keys: the first encrypts, every one decrypts."""
    keys = keys if keys is not None else current_app.config["ENCRYPTION_KEYS"]
    return MultiFernet([Fernet(k) for k in keys])


def encrypt(plaintext: str, keys: Sequence[str] | None = None) -> bytes:
    """Encrypt a secret for storage."""
    return cipher(keys).encrypt(plaintext.encode())


def decrypt(token: bytes, keys: Sequence[str] | None = None) -> str:
    """Decrypt a stored secret; raise WrongEncryptionKey when no configured key fits."""
    try:
        return cipher(keys).decrypt(token).decode()
    except InvalidToken:
        raise WrongEncryptionKey("no configured encryption key decrypts this value") from None


def ensure_sentinel(dbs: Session, keys: Sequence[str]) -> None:
    """Store the sentinel on first use; afterwards refuse keys that cannot decrypt it."""
    row = dbs.get(Setting, SENTINEL_KEY)
    if row is None:
        dbs.add(Setting(key=SENTINEL_KEY, value=encrypt(SENTINEL_PLAINTEXT.decode(), keys).decode()))
        try:
            dbs.commit()
            return
        except IntegrityError:
            # Another process (web and worker start together) stored it first: check theirs.
            dbs.rollback()
            row = dbs.get(Setting, SENTINEL_KEY)
    try:
        ok = cipher(keys).decrypt(row.value.encode()) == SENTINEL_PLAINTEXT
    except InvalidToken:
        ok = False
    if not ok:
        raise WrongEncryptionKey(
            "ENCRYPTION_KEYS cannot decrypt this database's secrets: the key was changed or lost. "
            "Put the previous key back (after the new one, to rotate) and run `repapp keys rotate`."
        )


def rotate(dbs: Session, keys: Sequence[str]) -> int:
    """Re-encrypt every stored secret under the first key; return how many values changed."""
    fernet = cipher(keys)
    count = 0
    for account in dbs.scalars(select(ForumAccount)):
        for attr in ("password_encrypted", "session_encrypted"):
            token = getattr(account, attr)
            if token:
                try:
                    setattr(account, attr, fernet.rotate(token))
                except InvalidToken:
                    raise WrongEncryptionKey(f"forum account #{account.id}: {attr} fits no configured key") from None
                count += 1
    sentinel = dbs.get(Setting, SENTINEL_KEY)
    if sentinel is not None:
        sentinel.value = fernet.rotate(sentinel.value.encode()).decode()
    dbs.flush()
    return count


def check_keys_at_start_up(app: Flask) -> None:
    """Refuse to run with keys that cannot read the database's secrets (once the schema exists)."""
    from .extensions import db

    with app.app_context():
        if not inspect(db.engine).has_table(Setting.__tablename__):
            return  # a fresh database: `repapp init` creates the schema, the sentinel follows
        ensure_sentinel(db.session, app.config["ENCRYPTION_KEYS"])
        db.session.remove()
