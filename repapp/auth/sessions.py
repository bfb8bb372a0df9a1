"""Server-side login sessions: created at login, revoked at logout, checked on every request."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import session
from sqlalchemy import update
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import User, UserSession, utcnow

SESSION_KEY = "sid"
# Refresh last_seen_at at most this often, so reading pages does not write on every request.
TOUCH_INTERVAL = timedelta(minutes=5)


def hash_address(address: str | None) -> str:
    """Hash a client address so it is never stored in clear."""
    return hashlib.sha256((address or "").encode()).hexdigest()


def start_session(dbs: Session, user: User, address: str | None) -> UserSession:
    """Create a server-side session for `user`; the caller stores its id in the cookie."""
    record = UserSession(id=secrets.token_urlsafe(32), user_id=user.id, address_hash=hash_address(address))
    dbs.add(record)
    return record


def revoke_session(dbs: Session, session_id: str | None) -> None:
    """Mark a session revoked so its cookie no longer logs anybody in."""
    if session_id:
        dbs.execute(
            update(UserSession)
            .where(UserSession.id == session_id, UserSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def revoke_all_sessions(dbs: Session, user_id: int) -> None:
    """End every session of a user (disabled account, password change)."""
    dbs.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def load_user(user_id: str) -> User | None:
    """Return the logged-in user only if the cookie's server-side session is still live."""
    session_id = session.get(SESSION_KEY)
    if not session_id or not user_id.isdigit():
        return None
    record = db.session.get(UserSession, session_id)
    if record is None or record.revoked_at is not None or record.user_id != int(user_id):
        return None
    user = record.user
    if not user.is_enabled:
        return None
    now = utcnow()
    if now - record.last_seen_at > TOUCH_INTERVAL:
        record.last_seen_at = now
        db.session.commit()
    return user
