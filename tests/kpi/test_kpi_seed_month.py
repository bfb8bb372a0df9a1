"""The seed's second month, rebuilt from raw data, gives exactly the seed's figures.

The case report says: views 3 227, clicks to site 100, news 12, questions 20, problems solved 2 of 2,
positive reviews 2, messages in thread 154, special-discount uses 0. The month below is built from
what repapp would really hold — scraped pages and statistics snapshots (through the scraping
pipeline), clicks on tracked links and an analytics import (through the KPI services), cases and
news replies — with the traps a real month has: posts just outside the month in Moscow time, a
deleted post, a stale cached page that shows fewer views, a missed day of snapshots, a thread
watched only from the 3rd, repeated and bot clicks, a corrected import, and another client's data.

`build_seed_month` is imported by the report tests as `kpi.test_kpi_seed_month`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from repapp.extensions import db
from repapp.kpi.engine import compute_month
from repapp.kpi.links import Visit, create_link, record_click
from repapp.kpi.manual import enter_value, import_csv
from repapp.models import (
    Case,
    CaseState,
    Client,
    Forum,
    KpiKey,
    KpiTarget,
    LinkClick,
    Post,
    PostTag,
    Reply,
    ReplyKind,
    ReplyState,
    TriageState,
    WatchedThread,
)
from repapp.scraping.items import PostItem, ThreadItem, ThreadPage
from repapp.scraping.pipeline import mark_missing_after_full_read, snapshot, store_page

MSK = ZoneInfo("Europe/Moscow")
MONTH = date(2025, 2, 1)
NOW = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)  # the month is over
SECRET = "test-secret-key-" + "x" * 32
SEED = {
    KpiKey.VIEWS: 3227, KpiKey.CLICKS_TO_SITE: 100, KpiKey.NEWS_POSTED: 12, KpiKey.QUESTIONS: 20,
    KpiKey.PROBLEMS_SOLVED: 2, KpiKey.PROBLEMS_TOTAL: 2, KpiKey.POSITIVE_REVIEWS: 2,
    KpiKey.MESSAGES_IN_THREAD: 154, KpiKey.DISCOUNT_USES: 0,
}
TARGETS = {
    KpiKey.VIEWS: 3000, KpiKey.CLICKS_TO_SITE: 120, KpiKey.NEWS_POSTED: 12, KpiKey.QUESTIONS: 15,
    KpiKey.PROBLEMS_SOLVED: 2, KpiKey.POSITIVE_REVIEWS: 5, KpiKey.MESSAGES_IN_THREAD: 150, KpiKey.DISCOUNT_USES: 10,
    KpiKey.RESPONSE_TIME_HOURS_MEDIAN: 4,
}


@dataclass
class SeedMonth:
    client: Client
    month: date
    now: datetime
    forum_x: Forum
    forum_y: Forum
    thread_1: WatchedThread
    thread_2: WatchedThread


def msk(day: int, hour: int = 12, minute: int = 0, month: int = 2) -> datetime:
    """Return a Moscow wall-clock moment in 2025."""
    return datetime(2025, month, day, hour, minute, tzinfo=MSK)


def _page(thread: WatchedThread, posts: list[tuple[str, str, datetime, str]]) -> ThreadPage:
    """Build one parsed page of a thread from (id, author, posted_at, text)."""
    items = tuple(PostItem(external_id=pid, url=f"{thread.url}#p{pid}", author=author, posted_at=at, text=text,
                           quotes=(), html=f"<p>{text}</p>") for pid, author, at, text in posts)
    return ThreadPage(ThreadItem(thread.title, thread.url, 1, 1, None, None), items)


def _snap(thread: WatchedThread, at: datetime, views: int | None, posts: int | None) -> None:
    """Record a statistics snapshot through the scraping pipeline."""
    snapshot(db.session, thread, ThreadItem(thread.title, thread.url, 1, 1, views, posts), at)


def _tag(post: Post, *tags: str) -> None:
    """Tag a post as a representative would in the inbox."""
    for tag in tags:
        db.session.add(PostTag(post_id=post.id, tag=tag, source="manual"))


def build_seed_month(world) -> SeedMonth:
    """Fill client A's February 2025 so that it reproduces the seed's second month exactly."""
    dbs = db.session
    client = world.client_a
    client.created_at = datetime(2024, 12, 1, tzinfo=UTC)
    forum_x = world.forum()
    forum_y = Forum(key="second-forum", name="Second forum", base_url="http://127.0.0.1:9/", engine="phpbb")
    dbs.add(forum_y)
    dbs.flush()
    thread_1 = world.thread_a()
    thread_2 = WatchedThread(client_id=client.id, forum_id=forum_y.id, url="http://127.0.0.1:9/viewtopic.php?t=2",
                             title="Second thread of A")
    dbs.add(thread_2)
    other = WatchedThread(client_id=world.client_b.id, forum_id=forum_x.id, url="http://127.0.0.1:9/topic/99",
                          title="Thread of B")
    dbs.add(other)
    dbs.flush()

    # Views and messages: thread 1 grows 1000 → 3500 and 100 → 220; thread 2, watched from the 3rd,
    # 200 → 927 and 10 → 44. Together: 3 227 views and 154 messages.
    _snap(thread_1, msk(31, 23, 40, month=1), 1000, 100)
    _snap(thread_1, msk(1, 0, 10), 1000, 100)
    _snap(thread_1, msk(10, 12, 0), 1800, 150)
    _snap(thread_1, msk(10, 12, 15), 1750, 149)  # a cached page and a deleted post: lower, ignored
    _snap(thread_1, msk(20, 9, 0), 2900, 190)  # the days between were not read at all
    _snap(thread_1, msk(28, 23, 50), 3500, 220)
    _snap(thread_1, msk(1, 0, 20, month=3), 3500, 220)
    _snap(thread_1, msk(5, 10, 0, month=3), 3900, 240)  # March's growth is March's
    _snap(thread_2, msk(3, 10, 0), 200, 10)
    _snap(thread_2, msk(15, 10, 0), 500, 30)
    _snap(thread_2, msk(28, 22, 0), 927, 44)
    _snap(other, msk(1, 1, 0), 10, 1)
    _snap(other, msk(27, 1, 0), 99_999, 9_999)

    # Forum users' posts and the official account's news, as the scraper stores them.
    users = [f"user{i}" for i in range(30)]
    posts_1 = [(str(100 + i), users[i], msk(1 + i, 10, 0), f"Вопрос номер {i}?") for i in range(12)]
    posts_1 += [
        ("200", "fan1", msk(14, 11, 0), "Отличный сервис, спасибо!"),
        ("201", "angry1", msk(15, 11, 0), "Машину не выдали вовремя, это проблема."),
        ("202", "early", msk(31, 23, 30, month=1), "Вопрос ещё в январе?"),
        ("203", "midnight", msk(1, 0, 5), "Вопрос сразу после полуночи по Москве?"),  # Jan 31 21:05 UTC
        ("204", "late", msk(1, 0, 5, month=3), "Вопрос уже в марте?"),
        ("205", "spam", msk(16, 11, 0), "Вопрос, который удалили модераторы?"),
        ("206", "chatter", msk(17, 11, 0), "Просто мимо проходил."),
    ]
    posts_1 += [(str(300 + i), "A_official", msk(2 + 2 * i, 15, 0), f"Новость {i}") for i in range(8)]
    posts_2 = [(str(110 + i), users[12 + i], msk(5 + i, 14, 0), f"Вопрос по второй ветке {i}?") for i in range(7)]
    posts_2 += [
        ("210", "fan2", msk(20, 12, 0), "Рекомендую всем, всё честно."),
        ("211", "angry2", msk(21, 12, 0), "Сломалось через неделю, проблема."),
    ]
    posts_2 += [(str(310 + i), "A_official", msk(3 + 3 * i, 16, 0), f"Новость {8 + i}") for i in range(4)]
    own = frozenset({"a_official"})
    store_page(dbs, thread_1, _page(thread_1, posts_1), own_usernames=own, seen_at=NOW)
    store_page(dbs, thread_2, _page(thread_2, posts_2), own_usernames=own, seen_at=NOW)
    seen = {pid for pid, *_rest in posts_1 if pid != "205"} | {"1"}
    mark_missing_after_full_read(dbs, thread_1, seen, NOW)
    by_id = {(p.thread_id, p.external_id): p for p in dbs.scalars(select(Post).where(Post.client_id == client.id))}

    def post(thread: WatchedThread, pid: str) -> Post:
        return by_id[(thread.id, pid)]

    for i in range(12):
        _tag(post(thread_1, str(100 + i)), "question")
    for i in range(7):
        _tag(post(thread_2, str(110 + i)), "question")
    _tag(post(thread_1, "203"), "question")  # 12 + 7 + 1 = 20
    for pid in ("202", "204", "205"):
        _tag(post(thread_1, pid), "question")  # outside the month or deleted: not counted
    _tag(post(thread_1, "200"), "positive")
    _tag(post(thread_2, "210"), "positive", "recommendation")
    _tag(post(thread_1, "201"), "problem", "negative")
    _tag(post(thread_2, "211"), "problem", "negative")
    b_post = Post(thread_id=other.id, client_id=world.client_b.id, external_id="1", author="x",
                  posted_at=msk(10), text="Вопрос B?")
    dbs.add(b_post)
    dbs.flush()
    _tag(b_post, "question")

    # News: 12 published (8 by rep A, 4 by the second representative); a draft and January's do not count.
    rep_a, rep_2 = world.user("rep_a"), world.user("subject_a")
    for i in range(12):
        thread = thread_1 if i < 8 else thread_2
        ext = str(300 + i) if i < 8 else str(310 + i - 8)
        dbs.add(Reply(client_id=client.id, thread_id=thread.id, author_id=(rep_a if i < 8 else rep_2).id,
                      kind=ReplyKind.NEWS, state=ReplyState.POSTED, body=f"Новость {i}",
                      posted_at=post(thread, ext).posted_at, posted_post_id=post(thread, ext).id))
    dbs.add(Reply(client_id=client.id, thread_id=thread_1.id, author_id=rep_a.id, kind=ReplyKind.NEWS,
                  state=ReplyState.DRAFT, body="Черновик"))
    dbs.add(Reply(client_id=client.id, thread_id=thread_1.id, author_id=rep_a.id, kind=ReplyKind.NEWS,
                  state=ReplyState.POSTED, body="Январская", posted_at=msk(31, 12, 0, month=1)))

    # Answers to questions (for the response-time section) and one still waiting past its time.
    for i, hours in enumerate((1, 2, 3, 30)):
        question = post(thread_1, str(100 + i))
        dbs.add(Reply(client_id=client.id, thread_id=thread_1.id, in_reply_to_id=question.id, author_id=rep_a.id,
                      kind=ReplyKind.REPLY, state=ReplyState.POSTED, body="Ответ",
                      posted_at=question.posted_at + timedelta(hours=hours)))
    waiting = post(thread_2, "116")
    waiting.response_due_at, waiting.triage_state = waiting.posted_at + timedelta(hours=4), TriageState.NEW

    # Problems: two cases opened in February, both solved; January's case solved in February does not count.
    for title, pid, thread, opened, closed in (
        ("Задержка выдачи машины", "201", thread_1, msk(15, 12), msk(18, 12)),
        ("Поломка через неделю", "211", thread_2, msk(21, 13), msk(25, 12)),
    ):
        case = Case(client_id=client.id, title=title, state=CaseState.SOLVED, opened_by_id=rep_a.id,
                    opened_at=opened, closed_at=closed, resolution="Решено в личных сообщениях.",
                    internal_note="Внутренняя заметка: клиент грозил судом")
        case.posts.append(post(thread, pid))
        dbs.add(case)
    dbs.add(Case(client_id=client.id, title="Январская проблема", state=CaseState.SOLVED, opened_at=msk(20, month=1),
                 closed_at=msk(3)))
    dbs.add(Case(client_id=world.client_b.id, title="Проблема B", state=CaseState.SOLVED, opened_at=msk(5),
                 closed_at=msk(6)))

    # Clicks: 88 people through the tracked links, plus 12 counted by the client's analytics.
    link_1 = create_link(dbs, thread_1, "https://client-a.example/offer", actor=rep_a)
    link_2 = create_link(dbs, thread_2, "https://client-a.example/service", actor=rep_2)
    browser = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"
    for i in range(60):
        assert record_click(dbs, link_1, Visit(f"10.0.{i // 250}.{i % 250}", browser), SECRET, at=msk(1 + i % 28, 13))
    for i in range(27):
        assert record_click(dbs, link_2, Visit(f"10.1.0.{i}", browser), SECRET, at=msk(1 + i, 14))
    assert not record_click(dbs, link_2, Visit("10.1.0.0", browser), SECRET, at=msk(1, 20))  # same visitor, same day
    assert record_click(dbs, link_2, Visit("10.1.0.0", browser), SECRET, at=msk(2, 9))  # the next day counts
    assert not record_click(dbs, link_1, Visit("10.9.9.9", "Googlebot/2.1"), SECRET, at=msk(5))
    assert not record_click(dbs, link_1, Visit("10.9.9.8", "TelegramBot (like TwitterBot)"), SECRET, at=msk(5))
    assert record_click(dbs, link_1, Visit("10.9.9.7", browser), SECRET, at=msk(1, 0, 30, month=3))  # March
    other_link = create_link(dbs, other, "https://client-b.example/", actor=None)
    assert record_click(dbs, other_link, Visit("10.5.5.5", browser), SECRET, at=msk(5))
    pr = world.user("pr")
    enter_value(dbs, client, MONTH, KpiKey.CLICKS_TO_SITE, 30, forum=forum_y, actor=pr, note="first estimate")
    import_csv(dbs, "month;kpi;forum;value;note\n2025-02;clicks_to_site;second-forum;12;Яндекс Метрика\n",
               source_name="metrika-2025-02.csv", client=client, actor=pr)
    enter_value(dbs, client, MONTH, KpiKey.DISCOUNT_USES, 0, actor=pr, note="promo code SEED: none used")

    for kpi, target in TARGETS.items():
        dbs.add(KpiTarget(client_id=client.id, month=MONTH, kpi=kpi, target=target,
                          is_priority=kpi == KpiKey.QUESTIONS))
    dbs.commit()
    return SeedMonth(client, MONTH, NOW, forum_x, forum_y, thread_1, thread_2)


def test_the_seed_month_gives_the_seed_figures(world):
    """Every figure of the seed's case report comes out exactly, from raw posts, snapshots, cases and clicks."""
    seed = build_seed_month(world)
    figures = compute_month(db.session, seed.client, seed.month, now=seed.now)
    assert {kpi: figures.totals[kpi.value] for kpi in SEED} == SEED
    assert db.session.scalar(select(LinkClick.id).where(LinkClick.visitor_hash.contains("10.0"))) is None


def test_breakdowns_add_up_by_forum_thread_and_representative(world):
    """Forum and thread figures add up to the totals; representatives get their own news, clicks and cases."""
    seed = build_seed_month(world)
    figures = compute_month(db.session, seed.client, seed.month, now=seed.now)
    x, y = seed.forum_x.id, seed.forum_y.id
    assert figures.by_forum[x]["views"] == 2500 and figures.by_forum[y]["views"] == 727
    assert figures.by_thread[seed.thread_1.id]["messages_in_thread"] == 120
    assert figures.by_thread[seed.thread_2.id]["messages_in_thread"] == 34
    assert figures.by_forum[x]["questions"] == 13 and figures.by_forum[y]["questions"] == 7
    assert figures.by_forum[x]["clicks_to_site"] == 60 and figures.by_forum[y]["clicks_to_site"] == 28 + 12
    rep_a, rep_2 = figures.by_rep[world.user("rep_a").id], figures.by_rep[world.user("subject_a").id]
    assert (rep_a["news_posted"], rep_2["news_posted"]) == (8, 4)
    assert (rep_a["clicks_to_site"], rep_2["clicks_to_site"]) == (60, 28)
    assert rep_a["problems_solved"] == 2
    assert figures.daily["views"][-1] == 3227 and figures.daily["views"][0] == 0
    assert figures.daily["questions"][0] == 2  # the 1st: question 0 and the one just after midnight


def test_a_month_in_progress_has_no_values_for_days_to_come(world):
    """On 11 February at 15:00 the days after the 11th are blank and a question asked at 14:00 is still in time."""
    seed = build_seed_month(world)
    figures = compute_month(db.session, seed.client, seed.month, now=msk(11, 15, 0))
    assert figures.daily["questions"][10] is not None and figures.daily["questions"][11] is None
    assert figures.response.missed == 0 and figures.response.pending == 1
    after = compute_month(db.session, seed.client, seed.month, now=seed.now)
    assert after.response.missed == 1 and after.response.pending == 0
