"""`repapp init` then `repapp demo`: a newcomer's database where every role has something to see."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

from repapp.demo import DEMO_FORUM_PASSWORD, DEMO_USERS

REPAPP = str(Path(sys.executable).with_name("repapp"))


def _run(args: list[str], instance: Path) -> subprocess.CompletedProcess:
    """Run the console script against a fresh instance folder, as scripts/run does."""
    env = dict(os.environ, REPAPP_INSTANCE_PATH=str(instance))
    for name in ("DATABASE_URL", "REPAPP_DATABASE_URL", "REPAPP_FORUMS_DIR", "REPAPP_PLAYBOOKS_DIR"):
        env.pop(name, None)
    return subprocess.run([REPAPP, *args], env=env, capture_output=True, text=True, timeout=300)


def test_demo_puts_playbooks_in_force_with_accounts_and_a_published_report(tmp_path):
    """Every demo client works by an approved playbook; the demo forum accounts can post; the client has a report."""
    assert _run(["init"], tmp_path).returncode == 0
    first = _run(["demo"], tmp_path)
    assert first.returncode == 0, first.stderr
    for email, *_ in DEMO_USERS:
        assert email in first.stdout
    again = _run(["demo", "--quiet"], tmp_path)
    assert again.returncode == 0, again.stderr
    engine = create_engine(f"sqlite:///{tmp_path / 'repapp.sqlite3'}")
    try:
        with engine.connect() as conn:
            in_force = conn.execute(text(
                "SELECT c.slug, count(v.id) FROM clients c JOIN playbook_versions v ON v.client_id = c.id "
                "WHERE v.status = 'approved' GROUP BY c.slug")).all()
            assert {slug for slug, count in in_force} == {"avtodom-premium", "svyaz-plus", "modnyi-shkaf"}
            drafts = conn.execute(text("SELECT count(*) FROM playbook_versions WHERE status = 'draft'")).scalar()
            assert drafts == 0  # nothing left dangling for the PR specialist after the demo
            demo_threads = conn.execute(text(
                "SELECT t.url FROM watched_threads t JOIN forums f ON f.id = t.forum_id WHERE f.key = 'demo-flaskbb'"
            )).scalars().all()
            assert len(demo_threads) == 3
            passwords = conn.execute(text(
                "SELECT a.password_encrypted FROM forum_accounts a JOIN forums f ON f.id = a.forum_id "
                "WHERE f.key = 'demo-flaskbb'")).scalars().all()
            assert len(passwords) == 3 and all(p and DEMO_FORUM_PASSWORD.encode() not in p for p in passwords)
            published = conn.execute(text("SELECT count(*) FROM monthly_reports WHERE state = 'published'")).scalar()
            assert published == 1
            versions = conn.execute(text("SELECT count(*) FROM playbook_versions")).scalar()
            active = conn.execute(text("SELECT key FROM forums WHERE is_active")).scalars().all()
            assert active == ["demo-flaskbb"]  # the demo never reads beyond this machine
    finally:
        engine.dispose()
    assert versions == 6  # the file's version and the demo's "approve everything" one, per client; not more on rerun
