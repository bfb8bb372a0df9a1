"""SQLite: the web process and the worker write at the same time without "database is locked".

The web app runs under waitress (threads) and takes form POSTs from four browsers at once while a
worker process reads 200 threads of a loopback forum stand-in and stores their posts. WAL lets
readers and the writer pass each other; the busy timeout makes a writer wait for the lock instead
of failing. Both are checked on the connections themselves, then shown to hold under load.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text

from conftest import FreshContextClient, make_test_config
from repapp import create_app
from repapp.extensions import db
from repapp.models import Post, WatchedThread, utcnow
from standin_forum import POSTS_PER_PAGE, StandInForum
from support.browser import serve_app
from support.live_scrape import set_up_live_client, write_live_definition
from support.world import PASSWORD, build_world

pytestmark = pytest.mark.sqlite_only

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
THREADS = 200
BROWSERS, POSTS_EACH = 4, 25
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def browse_and_tag(base_url: str, email: str, post_id: int, outcomes: list[int]) -> None:
    """Log in and save the post's tags again and again, recording each answer's status."""
    with httpx.Client(base_url=base_url, trust_env=False, timeout=60) as browser:
        token = CSRF.search(browser.get("/auth/login").text)[1]
        assert browser.post("/auth/login", data={"csrf_token": token, "email": email, "password": PASSWORD}).status_code == 302
        for n in range(POSTS_EACH):
            token = CSRF.search(browser.get(f"/inbox/{post_id}").text)[1]
            tags = ["question"] if n % 2 else ["problem", "negative"]
            answer = browser.post(f"/inbox/{post_id}/tags", data={"csrf_token": token, "tags": tags})
            outcomes.append(answer.status_code)


def test_web_posts_while_the_worker_stores_posts(tmp_path, caplog):
    """100 form POSTs during a worker's 200 thread reads: every POST succeeds, every thread is stored."""
    caplog.set_level(logging.WARNING)
    with StandInForum() as forum:
        forums_dir = tmp_path / "forums"
        write_live_definition(forums_dir, forum.base_url)
        config = make_test_config(tmp_path, FORUMS_DIR=str(forums_dir), SCRAPE_BATCH=20)
        app = create_app(config, instance_path=str(tmp_path / "instance"))
        app.test_client_class = FreshContextClient
        with app.app_context():
            db.create_all()
            try:
                assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
                assert db.session.execute(text("PRAGMA busy_timeout")).scalar() >= 10_000
                world = build_world(db.session)
                email, thread_a = world.user("rep_a").email, world.thread_a()
                thread_a.is_active = False  # on the world's forum, which the worker has no definition for
                # One post per browser: people tag different posts; the race here is web against worker.
                post_ids = [world.post_a().id]
                for n in range(2, BROWSERS + 1):
                    post = Post(thread_id=thread_a.id, client_id=world.client_a.id, external_id=str(n), author="user",
                                text=f"Question {n}?", html=f"<p>Question {n}?</p>")
                    db.session.add(post)
                    db.session.flush()
                    post_ids.append(post.id)
                setup = set_up_live_client(app, "AvtoDom_official")
                due = utcnow() - timedelta(minutes=1)
                db.session.add_all(WatchedThread(client_id=setup.client.id, forum_id=setup.forum.id,
                                                 url=forum.topic_url(n), next_run_at=due) for n in range(1, THREADS + 1))
                db.session.commit()
                db.session.remove()

                go = tmp_path / "go"
                worker = subprocess.Popen(
                    [sys.executable, str(HERE / "scrape_worker.py"), json.dumps(config), str(tmp_path / "w"), str(go)],
                    cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                    env={**os.environ, "PYTHONPATH": str(REPO)})
                outcomes: list[int] = []
                with serve_app(app, threads=BROWSERS) as server:
                    browsers = [threading.Thread(target=browse_and_tag,
                                                 args=(server.base_url, email, post_id, outcomes))
                                for post_id in post_ids]
                    go.touch()
                    for browser in browsers:
                        browser.start()
                    for browser in browsers:
                        browser.join(timeout=240)
                    out, err = worker.communicate(timeout=240)
                assert worker.returncode == 0, err[-3000:]
                result = json.loads(out.strip().splitlines()[-1])
                assert result["failed"] == [] and len(result["read"]) == THREADS
                assert outcomes == [302] * (BROWSERS * POSTS_EACH)
                assert "database is locked" not in err
                assert not [r for r in caplog.records if "locked" in r.getMessage() or r.levelno >= logging.ERROR]
                assert db.session.scalar(select(func.count()).select_from(Post)) == THREADS * POSTS_PER_PAGE + BROWSERS
            finally:
                db.session.remove()
                db.engine.dispose()
