"""`repapp init` twice: the second run changes nothing in any table."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import MetaData, create_engine, select

REPAPP = str(Path(sys.executable).with_name("repapp"))
# One definition per forum site in the shipped forums/ folder (presets live below it).
FORUMS = len(list((Path(__file__).parents[2] / "forums").glob("*.yaml")))


def init(instance: Path) -> subprocess.CompletedProcess:
    """Run `repapp init` as a person would, against a fresh instance folder (SQLite inside it)."""
    env = dict(os.environ, REPAPP_INSTANCE_PATH=str(instance))
    for name in ("DATABASE_URL", "REPAPP_DATABASE_URL", "REPAPP_FORUMS_DIR", "REPAPP_PLAYBOOKS_DIR"):
        env.pop(name, None)
    return subprocess.run([REPAPP, "init"], env=env, capture_output=True, text=True, timeout=300)


def dump_database(url: str) -> dict[str, list[tuple]]:
    """Return every row of every table (the migration table included), in primary-key order."""
    engine = create_engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(bind=engine)
        with engine.connect() as connection:
            return {
                name: [tuple(row) for row in connection.execute(
                    select(table).order_by(*(table.primary_key.columns or table.columns)))]
                for name, table in sorted(metadata.tables.items())
            }
    finally:
        engine.dispose()


def test_init_twice_changes_nothing_the_second_time(tmp_path):
    """The first run creates the schema, forums, clients and playbook drafts; the second leaves every row as it was."""
    url = f"sqlite:///{tmp_path / 'repapp.sqlite3'}"
    first = init(tmp_path)
    assert first.returncode == 0, first.stderr
    assert f"Forums: {FORUMS} defined, {FORUMS} added" in first.stdout and "Playbooks: 3 files, 3 new versions." in first.stdout
    after_first = dump_database(url)
    assert len(after_first["forums"]) == FORUMS
    assert len(after_first["playbook_versions"]) == 3 and len(after_first["clients"]) == 3
    assert after_first["audit_events"], "loading is audited"

    second = init(tmp_path)
    assert second.returncode == 0, second.stderr
    assert f"Forums: {FORUMS} defined, 0 added, 0 updated." in second.stdout
    assert "Playbooks: 3 files, 0 new versions." in second.stdout
    assert dump_database(url) == after_first
