"""Loading forums/ and playbooks/ into the database (what `repapp init` does; idempotent)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Forum

log = logging.getLogger(__name__)


def _definition_data(definition: Any) -> dict[str, Any]:
    """Return a forum definition as JSON-compatible data."""
    data = definition.as_dict()
    data.pop("source", None)  # a machine-specific path; not part of what the forum is
    return data


def sync_forums(dbs: Session, folder: str | Path) -> list[str]:
    """Create or update a Forum row per definition file; return summary lines."""
    from .forums.definitions import load_forum_definitions
    from .scraping.engines import ENGINES

    definitions = load_forum_definitions(folder, known_engines=ENGINES)
    existing = {f.key: f for f in dbs.scalars(select(Forum))}
    created = updated = 0
    for key, definition in sorted(definitions.items()):
        data = _definition_data(definition)
        forum = existing.get(key)
        if forum is None:
            forum = Forum(key=key)
            dbs.add(forum)
            created += 1
        elif forum.definition == data:
            continue
        else:
            updated += 1
        forum.name, forum.base_url, forum.engine, forum.definition = (
            definition.name, str(definition.base_url).rstrip("/"), definition.engine, data,
        )
    dbs.flush()
    return [f"Forums: {len(definitions)} defined, {created} added, {updated} updated."]


def sync_playbooks(dbs: Session, folder: str | Path) -> list[str]:
    """Import every playbook file, creating clients and new draft versions where content changed."""
    from .playbooks.versions import import_playbook_files

    paths = sorted(Path(folder).glob("*.yaml")) if Path(folder).is_dir() else []
    results = import_playbook_files(dbs, paths, actor=None)
    changed = sum(1 for r in results if r.created)
    return [f"Playbooks: {len(paths)} files, {changed} new versions."]


def load_definitions(dbs: Session, forums_dir: str | Path, playbooks_dir: str | Path) -> list[str]:
    """Load forum definitions, then playbooks (which refer to forums)."""
    return sync_forums(dbs, forums_dir) + sync_playbooks(dbs, playbooks_dir)
