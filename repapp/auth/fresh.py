"""Fresh login: credentials pages ask for the password again if it was not typed recently."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import redirect, request, session, url_for

F = TypeVar("F", bound=Callable[..., Any])

FRESH_KEY = "fresh_at"
FRESH_SECONDS = 10 * 60


def mark_fresh() -> None:
    """Record that the user just typed their password."""
    session[FRESH_KEY] = int(time.time())


def is_fresh() -> bool:
    """Return whether the password was typed within the last few minutes."""
    return time.time() - session.get(FRESH_KEY, 0) < FRESH_SECONDS


def fresh_login_required(view: F) -> F:
    """Send the user to confirm their password first unless they typed it recently."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not is_fresh():
            return redirect(url_for("auth.confirm_password", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
