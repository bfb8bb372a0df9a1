"""Giving world client A an approved playbook (the car dealer's) in force since yesterday."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from repapp.extensions import db
from repapp.models import PlaybookStatus, PlaybookVersion, utcnow
from repapp.playbooks.export import playbook_content_hash
from repapp.playbooks.loader import load_playbook_file

PLAYBOOKS = Path(__file__).resolve().parents[2] / "playbooks"


def approve_example_playbook(world, name: str = "avtodom-premium") -> PlaybookVersion:
    """Store the example playbook as client A's approved version, in force since yesterday."""
    playbook = load_playbook_file(PLAYBOOKS / f"{name}.yaml", known_forums=None)
    yesterday = utcnow() - timedelta(days=1)
    version = PlaybookVersion(
        client_id=world.client_a.id, number=1, status=PlaybookStatus.APPROVED, content=playbook.to_data(),
        content_hash=playbook_content_hash(playbook), source=f"{name}.yaml", approved_at=yesterday,
        effective_from=yesterday, approved_by_id=world.user("pr").id,
    )
    db.session.add(version)
    db.session.commit()
    return version
