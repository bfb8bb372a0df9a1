"""An app wired to the live FlaskBB forum: a forum definition for it, a client and its account."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from repapp.bootstrap import sync_forums
from repapp.extensions import db
from repapp.forums.registry import forum_definitions
from repapp.models import Client, Forum, ForumAccount
from repapp.threads.operations import watch_thread

LIVE_FORUM_KEY = "live-flaskbb"


def write_live_definition(folder: Path, base_url: str, *, key: str = LIVE_FORUM_KEY, engine: str = "flaskbb") -> Path:
    """Write a forum definition pointing at a loopback forum."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{key}.yaml"
    path.write_text(
        f"key: {key}\nname: Live test forum\nbase_url: {base_url}/\nengine: {engine}\ntimezone: UTC\n"
        "date_locale: en\npoliteness:\n  requests_per_minute: 600\n  concurrency: 4\n  timeout_seconds: 10\n"
        "  max_retries: 1\n",
        encoding="utf-8",
    )
    return path


@dataclass
class LiveSetup:
    client: Client
    forum: Forum

    def watch(self, url: str):
        """Watch a thread of the live forum for the client and commit."""
        thread = watch_thread(db.session, self.client, url, forum_definitions())
        db.session.commit()
        return thread


def set_up_live_client(app, official_username: str) -> LiveSetup:
    """Load the forum definitions into the database and create a client with its forum account."""
    sync_forums(db.session, app.config["FORUMS_DIR"])
    forum = db.session.query(Forum).filter_by(key=LIVE_FORUM_KEY).one()
    client = Client(slug="avtodom-live", name="Автодом (живой форум)")
    db.session.add(client)
    db.session.flush()
    db.session.add(ForumAccount(client_id=client.id, forum_id=forum.id, username=official_username))
    db.session.commit()
    return LiveSetup(client, forum)
