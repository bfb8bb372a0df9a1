"""Who may reach what: role declarations on every view, deny by default, client isolation."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, current_app, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.sql import Select

from .extensions import db, login_manager
from .models import Client, Role, User

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

ALL_ROLES = frozenset(Role)
STAFF = frozenset({Role.ADMIN, Role.PR, Role.REP})
MANAGERS = frozenset({Role.ADMIN, Role.PR})


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Allow a view only to logged-in users with one of `roles`."""
    allowed = frozenset(roles)

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapper.allowed_roles = allowed  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def public(view: F) -> F:
    """Mark a view as reachable without logging in (login page, tracked links, token answers)."""
    view.allowed_roles = None  # type: ignore[attr-defined]
    view.is_public = True  # type: ignore[attr-defined]
    return view


def declared_access(view: Callable[..., Any]) -> str:
    """Return "public", "roles" or "undeclared" for a view function."""
    if getattr(view, "is_public", False):
        return "public"
    if getattr(view, "allowed_roles", None):
        return "roles"
    return "undeclared"


def visible_client_ids(user: User) -> set[int] | None:
    """Return the client ids `user` may see, or None for all (admin, PR)."""
    if user.role in MANAGERS:
        return None
    if user.role == Role.REP:
        return {c.id for c in user.assigned_clients}
    return {user.client_id} if user.client_id else set()


def restrict_to_visible_clients(query: Select[Any], column: Any, user: User) -> Select[Any]:
    """Limit `query` to rows whose client `column` the user may see."""
    ids = visible_client_ids(user)
    return query if ids is None else query.where(column.in_(ids))


def client_or_404(slug: str, user: User | None = None) -> Client:
    """Load a client by slug, answering 404 when it does not exist or is not visible."""
    user = user or current_user
    client = db.session.scalar(select(Client).where(Client.slug == slug))
    if client is None:
        abort(404)
    ids = visible_client_ids(user)
    if ids is not None and client.id not in ids:
        abort(404)
    return client


def ensure_client_visible(client_id: int, user: User | None = None) -> None:
    """Answer 404 when the object's client is not visible to the user."""
    ids = visible_client_ids(user or current_user)
    if ids is not None and client_id not in ids:
        abort(404)


def _deny_undeclared_views() -> None:
    """Refuse any view that declares no access rule, so a forgotten decorator fails closed."""
    if request.endpoint is None or request.endpoint == "static":
        return
    view = current_app.view_functions.get(request.endpoint)
    if view is not None and declared_access(view) == "undeclared":
        log.error("view %s declares no access rule; refusing", request.endpoint)
        abort(403)


def init_app(app: Flask) -> None:
    """Install the deny-by-default check."""
    app.before_request(_deny_undeclared_views)
