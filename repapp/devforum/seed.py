"""Seed a live FlaskBB forum with the users and threads the scraper tests read."""

from __future__ import annotations

import itertools
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from repapp.devforum.client import user_client
from repapp.devforum.server import FlaskBBServer

OFFICIAL = "AvtoDom_official"
PASSWORD = "forum-pass-1"
USERS = (OFFICIAL, "ivan_petrov", "marina_k", "sergey77", "olga_v")
LONG_THREAD_POSTS = 27
POSTS_PER_PAGE = 10
BACKDATE = timedelta(days=4)

CODE_POST = (
    "Сканер ошибок выдал вот это, кто знает что значит?\n\n"
    "```\nP0420 Catalyst System Efficiency Below Threshold\n"
    "P0171 System Too Lean (Bank 1)\n```\n\n"
    "И ещё лог из приложения:\n\n"
    "```python\nfor code in ['P0420', 'P0171']:\n    print(code, '<ok>')\n```"
)
ESCAPE_POST = 'Пишут, что <b>скидка</b> 10% & "подарок" — правда? Ссылка: https://example.org/promo'


def flaskbb_quote(username: str, text: str) -> str:
    """Quote text the way FlaskBB's own "Full Reply" button does."""
    body = "\n> ".join(text.strip().split("\n"))
    return f"**[{username}](/user/{username}) wrote:**\n> {body}\n"


def long_thread_posts() -> list[tuple[str, str]]:
    """Return (author, markdown) for every post of the long test thread."""
    posts = [
        ("ivan_petrov", "Всем привет! Кто обслуживался в **АвтоДоме** на Ленинском? "
                        "Стоит ли ехать на ТО туда, или лучше к официалам?"),
        (OFFICIAL, flaskbb_quote("ivan_petrov", "Стоит ли ехать на ТО туда, или лучше к официалам?")
         + "\nЗдравствуйте, Иван! Мы и есть официальный дилер. Записаться на ТО можно "
           "по телефону из профиля или на сайте."),
        ("marina_k", "Была там в марте, всё сделали быстро. Кофе вкусный :)"),
        ("sergey77", "> Кофе вкусный\n\nКофе это хорошо, а цены какие?"),
        ("olga_v", CODE_POST),
        (OFFICIAL, flaskbb_quote("olga_v", "P0420 Catalyst System Efficiency Below Threshold")
         + "\nОльга, это ошибка катализатора. Лучше приехать на диагностику, она бесплатная "
           "до конца месяца."),
        ("ivan_petrov", ESCAPE_POST),
        # Hand-written quote: the header sits inside the blockquote this time.
        ("olga_v", "> **marina_k wrote:**\n> Была там в марте, всё сделали быстро.\n\n"
                   "А я в апреле ждала два часа. @sergey77 цены есть на сайте."),
    ]
    fillers = itertools.cycle([
        ("marina_k", "Спасибо, записалась на субботу."),
        ("sergey77", "А запчасти в наличии или под заказ ждать?"),
        ("olga_v", "Съездила на диагностику, поменяли датчик кислорода."),
        ("ivan_petrov", "Подтверждаю, мастер толковый, всё объяснил.\n\nВторой абзац ответа."),
        (OFFICIAL, "Спасибо за отзыв! Будем рады видеть вас снова."),
    ])
    while len(posts) < LONG_THREAD_POSTS:
        author, text = next(fillers)
        posts.append((author, f"{text} (сообщение {len(posts) + 1})"))
    return posts


def timeline(start: datetime, count: int) -> list[datetime]:
    """Spread count post dates from start with uneven gaps, oldest first."""
    gaps_minutes = itertools.cycle([170, 25, 240, 5, 95, 310, 40])
    dates, at = [], start
    for _ in range(count):
        dates.append(at)
        at += timedelta(minutes=next(gaps_minutes))
    return dates


def standard_spec(now: datetime | None = None) -> dict[str, Any]:
    """Build the admin 'seed' spec: users, one category/forum, two threads."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    posts = long_thread_posts()
    dates = timeline(now - BACKDATE, len(posts))
    return {
        "users": [{"username": name, "password": PASSWORD,
                   "email": f"{name.lower()}@example.invalid",
                   "date_joined": (now - timedelta(days=30)).isoformat()} for name in USERS],
        "categories": [{
            "key": "cars", "title": "Автомобили",
            "forums": [{
                "key": "dealers", "title": "Дилеры и сервис",
                "description": "Отзывы о дилерах, сервисе и ТО",
                "topics": [
                    {"key": "long", "title": "АвтоДом на Ленинском: отзывы & вопросы <сервис>",
                     "posts": [{"author": a, "content": c, "date_created": d.isoformat()}
                               for (a, c), d in zip(posts, dates)]},
                    {"key": "short", "title": "Гарантия на аккумулятор",
                     "posts": [
                         {"author": "marina_k", "content": "Какая гарантия на аккумулятор?"},
                         {"author": OFFICIAL, "content": "Марина, гарантия 2 года."},
                     ]},
                ],
            }],
        }],
    }


@dataclass
class SeededForum:
    """A running, seeded FlaskBB forum and everything tests need to know about it.

    users maps username -> password (all share PASSWORD); the long thread has
    LONG_THREAD_POSTS posts dated from BACKDATE ago on (post_dates), the first
    one being backdated_post_id; the short thread's posts are dated at seeding.
    """

    server: FlaskBBServer
    users: dict[str, str]
    user_ids: dict[str, int]
    official: str
    category_id: int
    forum_id: int
    long_topic_id: int
    long_post_ids: list[int]
    short_topic_id: int
    short_post_ids: list[int]
    backdated_post_id: int
    backdated_at: datetime
    post_dates: dict[int, datetime] = field(default_factory=dict)
    quote_post_ids: list[int] = field(default_factory=list)
    code_post_id: int = 0
    escape_post_id: int = 0

    @property
    def base_url(self) -> str:
        """Return the forum's root URL."""
        return self.server.base_url

    def admin(self, action: str, **params: Any) -> dict[str, Any]:
        """Run an admin action inside FlaskBB."""
        return self.server.admin(action, **params)

    def topic_url(self, topic_id: int, page: int = 1) -> str:
        """Return the absolute URL of a topic page."""
        suffix = f"?page={page}" if page > 1 else ""
        return f"{self.base_url}/topic/{topic_id}{suffix}"

    def client(self, username: str | None = None) -> AbstractContextManager[httpx.Client]:
        """Return a context manager yielding an httpx client, logged in if username."""
        password = self.users[username] if username else None
        return user_client(self.base_url, username, password)

    def scratch_topic(self, title: str, replies: int = 1,
                      author: str = "ivan_petrov") -> dict[str, Any]:
        """Create a fresh topic for a test that changes posts; return its ids."""
        made = self.admin("create_topic", forum_id=self.forum_id, author=author,
                          title=title, content=f"{title}: первое сообщение")
        post_ids = [made["post_id"]]
        for n in range(replies):
            post_ids.append(self.admin("add_post", topic_id=made["id"], author=OFFICIAL,
                                       content=f"Ответ {n + 1}")["id"])
        return {"id": made["id"], "post_ids": post_ids}


def seed_test_forum(server: FlaskBBServer, now: datetime | None = None) -> SeededForum:
    """Seed the standard test data into a running forum."""
    spec = standard_spec(now)
    ids = server.admin("seed", **spec)
    long_topic, short_topic = ids["topics"]["long"], ids["topics"]["short"]
    long_ids = long_topic["post_ids"]
    long_spec = spec["categories"][0]["forums"][0]["topics"][0]["posts"]
    dates = {pid: datetime.fromisoformat(p["date_created"]) for pid, p in zip(long_ids, long_spec)}
    quotes = [pid for pid, p in zip(long_ids, long_spec)
              if "\n> " in p["content"] or p["content"].startswith("> ")]
    return SeededForum(
        server=server,
        users={name: PASSWORD for name in USERS},
        user_ids=dict(ids["users"]),
        official=OFFICIAL,
        category_id=ids["categories"]["cars"],
        forum_id=ids["forums"]["dealers"],
        long_topic_id=long_topic["id"],
        long_post_ids=long_ids,
        short_topic_id=short_topic["id"],
        short_post_ids=short_topic["post_ids"],
        backdated_post_id=long_ids[0],
        backdated_at=dates[long_ids[0]],
        post_dates=dates,
        quote_post_ids=quotes,
        code_post_id=long_ids[4],
        escape_post_id=long_ids[6],
    )
