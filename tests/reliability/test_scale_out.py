"""Several worker processes share the scraping: due threads are claimed in the database, none read twice.

Three real processes run the worker's claim-and-read loop against one database and a loopback
forum stand-in with 300 due threads; the forum counts the requests. On PostgreSQL the claims lock
rows with FOR UPDATE SKIP LOCKED, so a worker never waits for, nor takes, a row another one holds.
(SQLite is for one worker: there a claim that loses every race to others comes back empty.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from conftest import make_test_config
from repapp import create_app
from repapp.extensions import db
from repapp.models import Post, WatchedThread, utcnow
from standin_forum import POSTS_PER_PAGE, StandInForum
from support.live_scrape import set_up_live_client, write_live_definition

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
THREADS = 300
WORKERS = 3


def run_workers(config: dict, tmp_path: Path, cycle: int) -> list[dict]:
    """Start the workers together, wait for them, and return what each read."""
    go = tmp_path / f"go-{cycle}"
    processes = [
        subprocess.Popen([sys.executable, str(HERE / "scrape_worker.py"), json.dumps(config),
                          str(tmp_path / f"worker-{n}"), str(go)],
                         cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env={**os.environ, "PYTHONPATH": str(REPO)})
        for n in range(WORKERS)
    ]
    go.touch()
    results = []
    for process in processes:
        out, err = process.communicate(timeout=240)
        assert process.returncode == 0, err[-3000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def one_cycle(config: dict, tmp_path: Path, forum: StandInForum, ids: set[int], cycle: int) -> None:
    """Run one cycle and check every thread was read once, by exactly one worker."""
    before = len(forum.topic_hits())
    results = run_workers(config, tmp_path, cycle)
    reads = [tid for result in results for tid in result["read"]]
    assert [r["failed"] for r in results] == [[]] * WORKERS
    assert sorted(reads) == sorted(ids)  # every thread read, none by two workers
    assert all(result["read"] for result in results)  # and all three took part
    hits = Counter(hit.path for hit in forum.topic_hits()[before:])
    assert hits == Counter({f"/topic/{n}": 1 for n in range(1, THREADS + 1)})  # one request per thread


@pytest.mark.postgres
def test_three_workers_read_each_due_thread_exactly_once_per_cycle(tmp_path, postgres_server):
    """Two cycles of 300 due threads over three processes: each thread read once per cycle, no post doubled."""
    url = postgres_server.create_database("scale_out")
    with StandInForum() as forum:
        forums_dir = tmp_path / "forums"
        write_live_definition(forums_dir, forum.base_url)
        config = make_test_config(tmp_path, SQLALCHEMY_DATABASE_URI=url, FORUMS_DIR=str(forums_dir), SCRAPE_BATCH=10)
        app = create_app(config, instance_path=str(tmp_path / "instance"))
        with app.app_context():
            db.create_all()
            try:
                setup = set_up_live_client(app, "AvtoDom_official")
                due = utcnow() - timedelta(minutes=1)
                db.session.add_all(WatchedThread(client_id=setup.client.id, forum_id=setup.forum.id,
                                                 url=forum.topic_url(n), next_run_at=due)
                                   for n in range(1, THREADS + 1))
                db.session.commit()
                ids = set(db.session.scalars(select(WatchedThread.id)))

                one_cycle(config, tmp_path, forum, ids, cycle=1)
                db.session.execute(update(WatchedThread).values(next_run_at=utcnow() - timedelta(minutes=1)))
                db.session.commit()
                one_cycle(config, tmp_path, forum, ids, cycle=2)

                db.session.expire_all()
                assert db.session.scalar(select(func.count()).select_from(Post)) == THREADS * POSTS_PER_PAGE
                threads = db.session.scalars(select(WatchedThread)).all()
                assert all(t.last_success_at and not t.claimed_by and t.claimed_until is None for t in threads)
            finally:
                db.session.remove()
                db.drop_all()
                db.engine.dispose()
