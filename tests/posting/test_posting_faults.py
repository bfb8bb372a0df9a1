"""Posting faults against the live FlaskBB forum behind a loopback fault proxy, and a worker killed mid-send.

Each ends with the reply on the forum exactly once (counted by FlaskBB itself), or still pending:
never lost, never doubled.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
from posting_live import SETTINGS, approved_reply, live_app, reload, run_round
from posting_loopback import FaultProxy

from repapp.models import ReplyState, utcnow

pytestmark = pytest.mark.live_forum

TIMEOUT = 3.0  # the forum definition's timeout: how long a withheld answer is waited for
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def proxied(tmp_path, flaskbb_forum):
    """An app whose forum definition points at a fault proxy in front of the live forum."""
    password = flaskbb_forum.users[flaskbb_forum.official]
    with (FaultProxy(flaskbb_forum.base_url, hold_seconds=TIMEOUT + 3) as proxy,
          live_app(tmp_path, proxy.base_url, flaskbb_forum.official, password, timeout=TIMEOUT) as (app, setup, config)):
        yield proxy, app, setup, config


def scratch(flaskbb_forum, proxy, setup, title):
    """Make a scratch topic, watch it through the proxy, and return (topic id, its post ids now, thread)."""
    topic = flaskbb_forum.scratch_topic(title, replies=0)
    thread = setup.watch(f"{proxy.base_url}/topic/{topic['id']}")
    return topic["id"], topic["post_ids"], thread


def post_ids(flaskbb_forum, topic_id):
    """Return the topic's visible post ids, as FlaskBB itself counts them."""
    return flaskbb_forum.admin("topic_info", topic_id=topic_id)["post_ids"]


def test_answer_lost_after_the_forum_stored_the_post(proxied, flaskbb_forum):
    """The forum stores the reply but its answer never arrives: unknown, then found by the re-read; once."""
    proxy, _app, setup, _ = proxied
    topic_id, before, thread = scratch(flaskbb_forum, proxy, setup, "Ответ потерялся по дороге")
    reply = approved_reply(setup, thread, None, "Спасибо за вопрос! Ответили вам в личных сообщениях.")
    proxy.inject("hang-after", "POST", f"/topic/{topic_id}/post/new")

    first = run_round()

    assert first.sent == {"unknown": 1} and not first.resolved  # the forum may still be storing it: wait
    assert ("withheld", "POST", f"/topic/{topic_id}/post/new", 302) in proxy.log
    reply = reload(reply)
    assert reply.state == ReplyState.UNKNOWN and "no answer" in reply.last_error
    after = post_ids(flaskbb_forum, topic_id)
    assert len(after) == len(before) + 1

    later = run_round(now=utcnow() + SETTINGS.unknown_settle + timedelta(seconds=1))

    assert later.resolved == {"confirmed": 1} and not later.sent
    reply = reload(reply)
    assert reply.state == ReplyState.POSTED and reply.external_post_id == str(after[-1])
    assert reply.posted_post is not None and reply.permalink == f"{proxy.base_url}/post/{after[-1]}"
    assert reply.attempts == 1
    assert not run_round(now=utcnow() + timedelta(hours=1)).sent
    assert post_ids(flaskbb_forum, topic_id) == after


def test_connection_dropped_before_the_forum_got_it(proxied, flaskbb_forum):
    """The POST never reaches the forum: unknown, the re-read finds nothing, sent again; once."""
    proxy, _app, setup, _ = proxied
    topic_id, before, thread = scratch(flaskbb_forum, proxy, setup, "Соединение оборвалось")
    reply = approved_reply(setup, thread, None, "Добрый день! Уточните, пожалуйста, номер заказа в личке.")
    proxy.inject("drop-before", "POST", f"/topic/{topic_id}/post/new")

    assert run_round().sent == {"unknown": 1}
    assert post_ids(flaskbb_forum, topic_id) == before
    settled = utcnow() + SETTINGS.unknown_settle + timedelta(seconds=1)
    assert run_round(now=settled).resolved == {"retry": 1}
    reply = reload(reply)
    assert reply.state == ReplyState.APPROVED and reply.planned_at > settled  # retried later, with backoff

    retry = run_round(now=reply.planned_at + timedelta(seconds=1))

    assert retry.sent == {"posted": 1} and retry.confirmed == {"confirmed": 1}
    after = post_ids(flaskbb_forum, topic_id)
    assert len(after) == len(before) + 1
    reply = reload(reply)
    assert reply.state == ReplyState.POSTED and reply.attempts == 2 and reply.external_post_id == str(after[-1])


def test_server_error_is_retried_later(proxied, flaskbb_forum):
    """A 500 (nothing stored): the re-read at once finds nothing, the reply waits its backoff, then goes; once."""
    proxy, _app, setup, _ = proxied
    topic_id, before, thread = scratch(flaskbb_forum, proxy, setup, "Ошибка сервера форума")
    reply = approved_reply(setup, thread, None, "Здравствуйте! Акция действует до конца месяца.")
    proxy.inject("500", "POST", f"/topic/{topic_id}/post/new")

    first = run_round()

    assert first.sent == {"unknown": 1} and first.resolved == {"retry": 1}
    reply = reload(reply)
    assert reply.state == ReplyState.APPROVED and "HTTP 500" in reply.last_error and reply.attempts == 1
    assert reply.planned_at > utcnow()
    assert post_ids(flaskbb_forum, topic_id) == before
    assert not run_round().sent  # not before its backoff

    retry = run_round(now=reply.planned_at + timedelta(seconds=1))

    assert retry.sent == {"posted": 1} and retry.confirmed == {"confirmed": 1}
    assert len(post_ids(flaskbb_forum, topic_id)) == len(before) + 1
    assert reload(reply).state == ReplyState.POSTED


CRASHING_WORKER = textwrap.dedent("""
    import json, os, signal, sys
    from repapp import create_app
    from repapp.extensions import db
    from repapp.forums.registry import forum_definitions
    from repapp.posting.jobs import post_due_replies
    from repapp.posting.limits import PostingLimits
    from repapp.scraping.fetch import Fetcher

    def crash(reply_id):
        # The forum has answered "stored"; die before that is committed.
        os.kill(os.getpid(), signal.SIGKILL)

    app = create_app(json.loads(sys.argv[1]), instance_path=sys.argv[2])
    with app.app_context():
        definitions = forum_definitions()
        with Fetcher.from_definitions(definitions) as fetcher:
            post_due_replies(db.session, definitions, fetcher, limits_for=lambda dbs, reply: PostingLimits(),
                             after_send=crash)
    sys.exit("the worker was meant to be killed")
""")


def test_worker_killed_between_send_and_commit(proxied, flaskbb_forum, tmp_path):
    """SIGKILL after the forum stored the post: the claim outlives its lease, the re-read finds the post; once."""
    proxy, _app, setup, config = proxied
    topic_id, before, thread = scratch(flaskbb_forum, proxy, setup, "Воркер упал")
    reply = approved_reply(setup, thread, None, "Спасибо, что выбрали АвтоДом! Ждём вас на ТО.")

    worker = subprocess.run([sys.executable, "-c", CRASHING_WORKER, json.dumps(config), str(tmp_path / "worker")],
                            cwd=REPO, capture_output=True, text=True, timeout=120, check=False)

    assert worker.returncode == -signal.SIGKILL, worker.stderr[-2000:]
    after = post_ids(flaskbb_forum, topic_id)
    assert len(after) == len(before) + 1  # the forum has it
    reply = reload(reply)
    assert reply.state == ReplyState.POSTING and reply.claim_token  # the answer was never recorded
    assert not run_round().sent  # a live claim is left alone

    recovery = run_round(now=utcnow() + SETTINGS.claim_lease + timedelta(seconds=1))

    assert recovery.expired == [reply.id] and recovery.resolved == {"confirmed": 1} and not recovery.sent
    reply = reload(reply)
    assert reply.state == ReplyState.POSTED and reply.external_post_id == str(after[-1]) and reply.attempts == 1
    assert post_ids(flaskbb_forum, topic_id) == after
