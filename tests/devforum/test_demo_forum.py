"""The demo forum: seeded Russian threads, official accounts, chatter and the devforum command."""

from __future__ import annotations

import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from repapp.devforum import cli as devforum_cli
from repapp.devforum import demo
from repapp.devforum.client import user_client
from repapp.devforum.server import DB_NAME, FlaskBBError, FlaskBBServer

live = pytest.mark.live_forum


@pytest.fixture(scope="module")
def demo_forum(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FlaskBBServer, demo.DemoSeed]]:
    """Start a FlaskBB forum on a fresh work dir and seed the demo into it."""
    server = FlaskBBServer(tmp_path_factory.mktemp("demo-forum"))
    try:
        server.start()
        seed = demo.seed_demo(server)
    except FlaskBBError as exc:
        server.stop()
        pytest.fail(f"live FlaskBB forum unavailable: {exc}", pytrace=False)
    try:
        yield server, seed
    finally:
        server.stop()


def free_port() -> int:
    """Return a port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def processes_mentioning(text: str) -> list[str]:
    """Return the command lines of running processes that contain text."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmdline and proc.name.isdigit() and int(proc.name) != os.getpid():
            found.append(cmdline)
    return found


@live
def test_seed_creates_the_three_russian_threads(demo_forum):
    server, seed = demo_forum

    assert seed.created and seed.topics == {"cars": 1, "telecom": 2, "fashion": 3}
    with user_client(server.base_url) as anon:
        for thread in demo.THREADS:
            info = server.admin("topic_info", topic_id=seed.topics[thread.key])
            page = anon.get(f"/topic/{seed.topics[thread.key]}")
            assert info["title"] == thread.title
            assert info["post_count"] >= len(thread.posts)
            assert page.status_code == 200
            # The first post and an official reply are on the thread page, in Russian.
            assert thread.posts[0].text[:40] in page.text
            assert seed.officials[thread.client] in page.text
    assert len(demo.CARS.posts) == 12


@live
def test_official_accounts_and_users_can_log_in(demo_forum):
    server, seed = demo_forum

    for name in [*seed.officials.values(), "Сергей_М", "Алексей.В"]:
        with user_client(server.base_url, name, demo.DEMO_PASSWORD) as client:
            assert client.get("/").status_code == 200


@live
def test_seeding_again_reuses_the_threads(demo_forum):
    server, seed = demo_forum
    before = {key: server.admin("topic_info", topic_id=tid)["post_ids"] for key, tid in seed.topics.items()}

    again = demo.seed_demo(server)

    assert not again.created and again.topics == seed.topics
    assert {key: server.admin("topic_info", topic_id=tid)["post_ids"]
            for key, tid in seed.topics.items()} == before
    with pytest.raises(FlaskBBError, match="no such topic"):
        server.admin("topic_info", topic_id=max(seed.topics.values()) + 1)


@live
def test_reseed_adds_an_official_account_a_playbook_renamed(demo_forum, tmp_path):
    server, _ = demo_forum
    (tmp_path / "svyaz.yaml").write_text(
        "client: {slug: svyaz-plus}\nforums:\n  demo-flaskbb: {account: СвязьПлюс_официально}\n",
        encoding="utf-8")
    officials = demo.official_accounts(tmp_path)

    seed = demo.seed_demo(server, officials)

    assert officials == {**demo.DEFAULT_OFFICIALS, "svyaz-plus": "СвязьПлюс_официально"}
    assert "СвязьПлюс_официально" in seed.users
    with user_client(server.base_url, "СвязьПлюс_официально", demo.DEMO_PASSWORD) as client:
        assert client.get("/").status_code == 200


@live
def test_chatter_adds_posts_then_stops(demo_forum):
    server, seed = demo_forum
    counts = {key: server.admin("topic_info", topic_id=tid)["post_count"] for key, tid in seed.topics.items()}
    seen = []

    posted = demo.run_chatter(server, seed.topics, threading.Event(), seconds=0.05, max_posts=2,
                              rng=random.Random(7), on_post=seen.append)

    assert len(posted) == 2 and seen == posted
    for post in posted:
        assert post.author in demo.FORUM_USERS or post.author == demo.SPAM_USER
        assert post.post_id in server.admin("topic_info", topic_id=post.topic_id)["post_ids"]
    assert sum(server.admin("topic_info", topic_id=tid)["post_count"] for tid in seed.topics.values()) \
        == sum(counts.values()) + 2
    stopped = threading.Event()
    stopped.set()
    assert demo.run_chatter(server, seed.topics, stopped, seconds=0.05, max_posts=5) == []


def test_chatter_lines_come_round_before_repeating():
    chatter = demo.Chatter(random.Random(3))
    lines = [chatter._draw(demo.FASHION) for _ in range(len(demo.FASHION.chatter))]

    assert sorted(lines) == sorted(demo.FASHION.chatter)
    assert all(0.6 * 10 <= pause <= 1.4 * 10 for pause, _ in zip(chatter.pauses(10), range(50)))


def test_demo_content_fits_flaskbb_username_rules():
    names = [u["username"] for u in demo.demo_users(demo.DEFAULT_OFFICIALS, datetime.now(UTC))]

    assert len(set(names)) == len(names)
    for name in names:
        assert 3 <= len(name) <= 20 and all(ch.isalnum() or ch in "_.+-" for ch in name), name


def test_stale_or_half_seeded_forum_is_reset(tmp_path):
    db, marker = tmp_path / DB_NAME, tmp_path / demo.SEED_MARKER
    assert not demo.reset_if_stale(tmp_path)  # nothing there yet
    db.write_bytes(b"half seeded")
    assert demo.reset_if_stale(tmp_path) and not db.exists()

    db.write_bytes(b"seeded long ago")
    marker.write_text('{"content": "older", "topics": {"cars": 1}}', encoding="utf-8")
    assert demo.reset_if_stale(tmp_path) and not db.exists() and not marker.exists()

    db.write_bytes(b"seeded now")
    marker.write_text(f'{{"content": "{demo.content_version()}"}}', encoding="utf-8")
    assert not demo.reset_if_stale(tmp_path) and db.exists()


def test_devforum_without_python_312_exits_3(runner, monkeypatch, tmp_path):
    monkeypatch.setattr(devforum_cli, "find_python", lambda: (None, "FlaskBB 2.2.0 needs Python >= 3.12"))

    result = runner.invoke(args=["devforum", "--workdir", str(tmp_path / "forum")])

    assert result.exit_code == devforum_cli.EXIT_NO_PYTHON
    assert "needs Python >= 3.12" in result.output
    assert not (tmp_path / "forum").exists()


def copy_forum(server: FlaskBBServer, workdir: Path) -> None:
    """Copy a running forum's database and seed record into a new work dir."""
    workdir.mkdir()
    src, dst = sqlite3.connect(server.paths.db), sqlite3.connect(workdir / DB_NAME)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    for name in (demo.SEED_MARKER, "secret_key"):
        (workdir / name).write_bytes((server.workdir / name).read_bytes())


def test_sigterm_stops_like_ctrl_c_once_then_handlers_are_restored():
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)

    with devforum_cli._stop_on_signals():
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)
        # scripts/run's kill after a Ctrl-C: ignored while the forum shuts down.
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.1)

    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before


@live
def test_devforum_command_serves_and_stops_on_ctrl_c(demo_forum, tmp_path):
    server, seed = demo_forum
    workdir = tmp_path / "forum"
    # A copy of the seeded forum: the command must reuse it, not seed again.
    copy_forum(server, workdir)
    port, ready = free_port(), tmp_path / "ready"
    env = {**os.environ, "REPAPP_INSTANCE_PATH": str(tmp_path / "instance")}
    cmd = [sys.executable, "-c", "from repapp.cli import main; main()", "devforum", "--port", str(port),
           "--workdir", str(workdir), "--chatter-seconds", "0.2", "--chatter-max", "3",
           "--ready-file", str(ready)]
    with (tmp_path / "out.log").open("w+", encoding="utf-8") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
        try:
            deadline = time.monotonic() + 60
            while not ready.exists() and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.1)
            assert ready.exists(), (tmp_path / "out.log").read_text(encoding="utf-8")
            assert ready.read_text(encoding="utf-8").strip() == f"http://127.0.0.1:{port}/"
            page = httpx.get(f"http://127.0.0.1:{port}/topic/{seed.topics['cars']}", timeout=10)
            assert page.status_code == 200 and demo.CARS.title in page.text
            assert processes_mentioning(str(workdir))
            proc.send_signal(signal.SIGINT)
            assert proc.wait(20) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        out.seek(0)
        log = out.read()
    assert "reusing the demo threads" in log and "demo-forum-pass" in log
    assert "stopping the demo forum" in log
    assert not ready.exists()
    assert processes_mentioning(str(workdir)) == []
