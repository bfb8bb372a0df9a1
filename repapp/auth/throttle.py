"""Login throttling per account and per address, kept in the database so every web worker sees it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..models import LoginFailure, utcnow
from .sessions import hash_address


def throttle_keys(email: str, address: str | None) -> list[str]:
    """Return the counters a login attempt is charged to."""
    return [f"account:{email.strip().lower()}", f"address:{hash_address(address)}"]


def is_throttled(dbs: Session, keys: list[str], max_failures: int, window: timedelta) -> bool:
    """Return whether any of `keys` has reached `max_failures` within `window`."""
    since = utcnow() - window
    for key in keys:
        count = dbs.scalar(
            select(func.count()).select_from(LoginFailure).where(LoginFailure.key == key, LoginFailure.at >= since)
        )
        if count >= max_failures:
            return True
    return False


def record_failure(dbs: Session, keys: list[str]) -> None:
    """Count one failed login against each key."""
    for key in keys:
        dbs.add(LoginFailure(key=key))


def clear_failures(dbs: Session, email: str) -> None:
    """Forget an account's failures after a successful login."""
    dbs.execute(delete(LoginFailure).where(LoginFailure.key == throttle_keys(email, None)[0]))


def prune_failures(dbs: Session, older_than: timedelta) -> int:
    """Delete failures older than `older_than`; return how many."""
    result = dbs.execute(delete(LoginFailure).where(LoginFailure.at < utcnow() - older_than))
    return result.rowcount or 0
