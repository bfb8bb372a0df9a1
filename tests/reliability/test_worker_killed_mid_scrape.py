"""A `repapp worker` killed with SIGKILL in the middle of reading a thread, then restarted: nothing lost, nothing doubled.

The worker reads a three-page thread of the live FlaskBB forum through a proxy that holds the
request for page 2: page 1 is parsed and flushed, nothing is committed. SIGKILL then. The claim
outlives the process until its lease ends (a restarted worker leaves it alone); after that the
next worker reads the whole thread once. Storing is idempotent by (thread, external id): reading
every page again stores no post twice.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from conftest import make_test_config
from holding_proxy import HoldingProxy
from repapp import create_app
from repapp.extensions import db
from repapp.models import Post, WatchedThread, utcnow
from support.live_scrape import set_up_live_client, write_live_definition

pytestmark = pytest.mark.live_forum

REPO = Path(__file__).resolve().parents[2]
REPAPP = Path(sys.executable).with_name("repapp")


def worker_env(config: dict, instance: Path) -> dict[str, str]:
    """Return the environment a production worker would run with, pointing at the test's database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REPAPP_", "DATABASE_URL", "FLASK_"))}
    env.update({
        "REPAPP_ENV": "production",
        "REPAPP_INSTANCE_PATH": str(instance),
        "REPAPP_SECRET_KEY": config["SECRET_KEY"],
        "REPAPP_ENCRYPTION_KEYS": ",".join(config["ENCRYPTION_KEYS"]),
        "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
        "REPAPP_FORUMS_DIR": config["FORUMS_DIR"],
        "REPAPP_SMTP_PORT": "9",  # nothing to mail here; never a real server
    })
    return env


def posts_of(thread_id: int) -> list[str]:
    """Return the stored external ids of the thread's posts."""
    db.session.expire_all()
    return list(db.session.scalars(select(Post.external_id).where(Post.thread_id == thread_id)))


def test_sigkill_mid_read_then_restart(tmp_path, flaskbb_forum):
    """Killed between page 1 and page 2: no post stored; restarted workers respect the lease, then read all once."""
    with HoldingProxy(flaskbb_forum.base_url) as proxy:
        forums_dir = tmp_path / "forums"
        write_live_definition(forums_dir, proxy.base_url)
        config = make_test_config(tmp_path, FORUMS_DIR=str(forums_dir))
        app = create_app(config, instance_path=str(tmp_path / "instance"))
        with app.app_context():
            db.create_all()
            try:
                setup = set_up_live_client(app, flaskbb_forum.official)
                topic = flaskbb_forum.scratch_topic("Воркер убит посреди чтения", replies=23)  # 24 posts, 3 pages
                thread = setup.watch(f"{proxy.base_url}/topic/{topic['id']}")
                env = worker_env(config, tmp_path / "worker-instance")
                proxy.hold = f"/topic/{topic['id']}?page=2"
                log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed below, after the kill
                worker = subprocess.Popen([str(REPAPP), "worker"], cwd=REPO, env=env, stdout=log, stderr=log)
                try:
                    assert proxy.reached.wait(90), (tmp_path / "worker.log").read_text()[-3000:]
                    os.kill(worker.pid, signal.SIGKILL)
                    assert worker.wait(timeout=30) == -signal.SIGKILL
                finally:
                    if worker.poll() is None:
                        worker.kill()
                        worker.wait()
                    log.close()
                proxy.hold = None

                assert posts_of(thread.id) == []  # page 1 was flushed, never committed
                held = db.session.get(WatchedThread, thread.id)
                assert held.claimed_by.endswith(f":{worker.pid}") and held.claimed_until > utcnow()

                requested = len(proxy.topic_paths())
                once = subprocess.run([str(REPAPP), "worker", "--once"], cwd=REPO, env=env, capture_output=True,
                                      text=True, timeout=180)
                assert once.returncode == 0, once.stderr[-3000:]
                assert len(proxy.topic_paths()) == requested and posts_of(thread.id) == []  # the lease holds

                db.session.execute(update(WatchedThread).where(WatchedThread.id == thread.id)
                                   .values(claimed_until=utcnow() - timedelta(seconds=1)))  # the lease runs out
                db.session.commit()
                again = subprocess.run([str(REPAPP), "worker", "--once"], cwd=REPO, env=env, capture_output=True,
                                       text=True, timeout=180)
                assert again.returncode == 0, again.stderr[-3000:]
                forum_ids = sorted(str(i) for i in flaskbb_forum.admin("topic_info", topic_id=topic["id"])["post_ids"])
                assert sorted(posts_of(thread.id)) == forum_ids  # every post, once
                read = db.session.get(WatchedThread, thread.id)
                assert read.last_success_at and read.claimed_by == "" and read.last_page_read == 3

                # Idempotent by (thread, external id): a full re-read from page 1 stores nothing twice.
                db.session.execute(update(WatchedThread).where(WatchedThread.id == thread.id).values(
                    last_page_read=0, last_full_read_at=None, etag="", last_modified="", next_run_at=utcnow()))
                db.session.commit()
                before = len(proxy.topic_paths())
                third = subprocess.run([str(REPAPP), "worker", "--once"], cwd=REPO, env=env, capture_output=True,
                                       text=True, timeout=180)
                assert third.returncode == 0, third.stderr[-3000:]
                assert {p.split("?")[-1] for p in proxy.topic_paths()[before:]} >= {"page=2", "page=3"}  # all read again
                assert sorted(posts_of(thread.id)) == forum_ids
                assert db.session.scalar(select(func.count()).select_from(Post)) == len(forum_ids)
            finally:
                db.session.remove()
                db.engine.dispose()
