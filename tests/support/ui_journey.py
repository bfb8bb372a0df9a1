"""Ground for the browser journeys: a playbook in force, posts in the inbox, the live forum, screenshots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from repapp.bootstrap import sync_forums
from repapp.crypto import encrypt
from repapp.extensions import db
from repapp.forums.registry import forget_definitions, forum_definitions
from repapp.inbox.triage import triage_new_posts
from repapp.models import (
    ForumAccount,
    PlaybookStatus,
    PlaybookVersion,
    Post,
    WatchedThread,
    utcnow,
)
from repapp.playbooks.export import playbook_content_hash
from repapp.playbooks.loader import load_playbook_file
from repapp.threads.operations import watch_thread

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
# The world forum's key, which the car dealer's playbook lists (its account, limits and topics apply).
FORUM_KEY = "demo-flaskbb"
SIGNATURE = "С уважением, Автодом Премиум\nhttps://avtodom-premium.ru/"


def shoot(page: Any, name: str) -> Path:
    """Save a full-page screenshot as a test artifact and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def horizontal_overflow(page: Any) -> list[str]:
    """Return the elements that stick out past the right edge of the viewport (none on a usable page)."""
    return page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth, out = [];
          for (const el of document.querySelectorAll('body *')) {
            const box = el.getBoundingClientRect();
            if (box.width > 0 && box.right > width + 1 && getComputedStyle(el).position !== 'fixed') {
              const name = el.tagName.toLowerCase() + (el.className ? '.' + el.className : '');
              out.push(name + ' ' + Math.round(box.right));
            }
          }
          const scrolled = document.documentElement.scrollWidth;
          if (scrolled > width) out.unshift('document ' + scrolled);
          return out;
        }"""
    )


def car_dealer_playbook(world, *, approve_everything: bool = True,
                        since: timedelta = timedelta(days=90)) -> PlaybookVersion:
    """Put the car dealer's playbook in force for client A (every reply approved by a PR specialist, if asked)."""
    playbook = load_playbook_file(ROOT / "playbooks" / "avtodom-premium.yaml", known_forums=None)
    if approve_everything:
        # The seed's first month: everything goes through the PR specialist.
        until = (utcnow() + timedelta(days=30)).date()
        playbook = playbook.model_copy(update={"approval": playbook.approval.model_copy(
            update={"everything_until": until})})
    start = utcnow() - since
    version = PlaybookVersion(
        client_id=world.client_a.id, number=1, status=PlaybookStatus.APPROVED, content=playbook.to_data(),
        content_hash=playbook_content_hash(playbook), source="avtodom-premium.yaml", approved_at=start,
        effective_from=start, approved_by_id=world.user("pr").id,
    )
    db.session.add(version)
    db.session.commit()
    return version


def inbox_posts(world, texts: list[tuple[str, str]], *, thread: WatchedThread | None = None) -> list[Post]:
    """Store forum users' posts (author, text) in client A's thread, oldest first, triaged as at ingestion."""
    thread = thread or world.thread_a()
    now = utcnow()
    count = db.session.query(Post).filter_by(thread_id=thread.id).count()
    posts = []
    for index, (author, text) in enumerate(texts):
        posted = now - timedelta(hours=len(texts) - index)
        post = Post(thread_id=thread.id, client_id=thread.client_id, external_id=str(1000 + count + index),
                    author=author, text=text, html=f"<p>{text}</p>", posted_at=posted, first_seen_at=posted)
        db.session.add(post)
        posts.append(post)
    db.session.flush()
    triage_new_posts(db.session, thread, posts, now)
    db.session.commit()
    return posts


@dataclass
class LiveForum:
    """Client A wired to the live FlaskBB forum under the playbook's forum key."""

    forum_dir: Path
    account: ForumAccount

    def watch(self, world, url: str) -> WatchedThread:
        """Watch a thread of the live forum for client A (due for its first read at once) and commit."""
        thread = watch_thread(db.session, world.client_a, url, forum_definitions())
        db.session.commit()
        return thread


def wire_live_forum(app, world, flaskbb_forum, folder: Path) -> LiveForum:
    """Point the forum key at the live forum and give client A its official account there (password stored)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{FORUM_KEY}.yaml").write_text(
        f"key: {FORUM_KEY}\nname: Live demo forum\nbase_url: {flaskbb_forum.base_url}/\nengine: flaskbb\n"
        "timezone: UTC\ndate_locale: en\npoliteness:\n  requests_per_minute: 600\n  concurrency: 4\n"
        "  timeout_seconds: 10\n  max_retries: 1\ncapabilities:\n  login: true\n  post: true\n",
        encoding="utf-8",
    )
    app.config["FORUMS_DIR"] = str(folder)
    forget_definitions(app)
    sync_forums(db.session, folder)
    forum_id = world.forum().id
    account = db.session.scalar(select(ForumAccount).where(ForumAccount.client_id == world.client_a.id,
                                                           ForumAccount.forum_id == forum_id))
    if account is None:
        account = ForumAccount(client_id=world.client_a.id, forum_id=forum_id, username=flaskbb_forum.official)
        db.session.add(account)
    account.username = flaskbb_forum.official
    account.password_encrypted = encrypt(flaskbb_forum.users[flaskbb_forum.official])
    db.session.commit()
    return LiveForum(folder, account)
