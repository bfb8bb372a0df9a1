"""Creating and changing users and clients; the caller commits."""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..audit import record_event
from ..auth.sessions import revoke_all_sessions
from ..models import Client, Role, User

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """A user or client change that breaks a rule; the message is shown as it is."""

    def __init__(self, field: str, message: object) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _clients_by_slug(dbs: Session, slugs: Iterable[str]) -> list[Client]:
    """Load clients by slug, failing on any unknown slug."""
    slugs = sorted(set(slugs))
    found = dbs.scalars(select(Client).where(Client.slug.in_(slugs))).all() if slugs else []
    missing = set(slugs) - {c.slug for c in found}
    if missing:
        raise AccountError("clients", _l("Unknown client: %(slugs)s", slugs=", ".join(sorted(missing))))
    return list(found)


def _check_role_scope(role: Role, clients: list[Client]) -> None:
    """A client viewer has exactly one client; admins and PR specialists none."""
    if role == Role.CLIENT and len(clients) != 1:
        raise AccountError("clients", _l("A client viewer must belong to exactly one client."))
    if role in (Role.ADMIN, Role.PR) and clients:
        raise AccountError("clients", _l("Admins and PR specialists see every client; assign none."))


def create_user(
    dbs: Session,
    *,
    email: str,
    password: str,
    role: Role,
    name: str = "",
    client_slugs: Iterable[str] = (),
    locale: str = "ru",
    actor: User | None = None,
) -> User:
    """Create a user with a role and, for reps and client viewers, their clients."""
    email = email.strip().lower()
    if dbs.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise AccountError("email", _l("A user with this e-mail already exists."))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("password", _l("At least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    clients = _clients_by_slug(dbs, client_slugs)
    _check_role_scope(role, clients)
    user = User(email=email, name=name, role=role, locale=locale)
    user.set_password(password)
    _assign_clients(user, role, clients)
    dbs.add(user)
    dbs.flush()
    record_event(dbs, "user.create", "user", user.id, actor=actor, role=role.value,
                 clients=[c.slug for c in clients])
    return user


def _assign_clients(user: User, role: Role, clients: list[Client]) -> None:
    """Point the user at their clients according to the role."""
    user.client = clients[0] if role == Role.CLIENT else None
    user.assigned_clients = clients if role == Role.REP else []


def update_user(
    dbs: Session,
    user: User,
    *,
    name: str,
    role: Role,
    client_slugs: Iterable[str],
    locale: str,
    password: str | None = None,
    actor: User | None = None,
) -> User:
    """Change a user's name, role, clients, language and optionally password."""
    clients = _clients_by_slug(dbs, client_slugs)
    _check_role_scope(role, clients)
    before = {"role": user.role.value, "clients": sorted(c.slug for c in _user_clients(user))}
    user.name, user.role, user.locale = name, role, locale
    _assign_clients(user, role, clients)
    if password:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError("password", _l("At least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
        user.set_password(password)
        revoke_all_sessions(dbs, user.id)
    dbs.flush()
    record_event(dbs, "user.update", "user", user.id, actor=actor, before=before,
                 after={"role": role.value, "clients": sorted(c.slug for c in clients)},
                 password_changed=bool(password))
    return user


def _user_clients(user: User) -> list[Client]:
    """Return the clients a user is tied to, whatever the role."""
    return [user.client] if user.client else list(user.assigned_clients)


def set_user_enabled(dbs: Session, user: User, enabled: bool, *, actor: User | None = None) -> None:
    """Enable or disable a user; disabling ends every session at once."""
    if actor is not None and actor.id == user.id and not enabled:
        raise AccountError("user", _l("You cannot disable yourself."))
    user.is_enabled = enabled
    if not enabled:
        revoke_all_sessions(dbs, user.id)
    dbs.flush()
    record_event(dbs, "user.enable" if enabled else "user.disable", "user", user.id, actor=actor)


def save_client(
    dbs: Session,
    client: Client | None,
    *,
    slug: str,
    name: str,
    display_name: str = "",
    site_url: str = "",
    timezone: str = "Europe/Moscow",
    is_active: bool = True,
    actor: User | None = None,
) -> Client:
    """Create a client (client is None) or update one."""
    if not SLUG_RE.match(slug):
        raise AccountError("slug", _l("Use 2–63 lowercase Latin letters, digits and hyphens."))
    clash = dbs.scalar(select(Client).where(Client.slug == slug))
    if clash is not None and clash is not client:
        raise AccountError("slug", _l("Another client already uses this slug."))
    created = client is None
    client = client or Client(slug=slug, name=name)
    client.slug, client.name, client.display_name = slug, name, display_name
    client.site_url, client.timezone, client.is_active = site_url, timezone, is_active
    dbs.add(client)
    dbs.flush()
    record_event(dbs, "client.create" if created else "client.update", "client", client.id, actor=actor,
                 client_id=client.id, slug=slug)
    return client
