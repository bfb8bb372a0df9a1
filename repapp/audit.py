"""Recording state changes in the audit log."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from .models import AuditEvent, User

log = logging.getLogger(__name__)


def record_event(
    session: Session,
    action: str,
    object_type: str,
    object_id: object = "",
    *,
    actor: User | None = None,
    actor_label: str = "",
    client_id: int | None = None,
    **details: Any,
) -> AuditEvent:
    """Add an audit event for `action` on an object; the caller commits."""
    event = AuditEvent(
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        actor_id=actor.id if actor is not None else None,
        actor_label=actor.email if actor is not None else (actor_label or "system"),
        client_id=client_id,
        details=details,
    )
    session.add(event)
    log.info("audit %s %s:%s by %s", action, object_type, object_id, event.actor_label)
    return event
