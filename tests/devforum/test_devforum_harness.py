"""Pin down the live FlaskBB harness: what it serves and how it reacts, over real HTTP."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest
from bs4 import BeautifulSoup, Tag

from repapp.devforum.client import ForumActionError, csrf_token, login, reply
from repapp.devforum.flaskbb_env import add_future_annotations, find_python
from repapp.devforum.seed import LONG_THREAD_POSTS, OFFICIAL, POSTS_PER_PAGE, SeededForum
from repapp.devforum.server import FlaskBBError, FlaskBBServer

live = pytest.mark.live_forum


def soup_of(client: httpx.Client, url: str) -> BeautifulSoup:
    """Fetch a page that must answer 200 and parse it."""
    resp = client.get(url)
    assert resp.status_code == 200, url
    return BeautifulSoup(resp.text, "lxml")


def post_ids(page: BeautifulSoup) -> list[int]:
    """Return the post ids on a thread page, in page order."""
    return [int(div["id"][3:]) for div in page.select(".post-content[id^=pid]")]


def post_row(page: BeautifulSoup, post_id: int) -> Tag:
    """Return the whole row (author, meta, content) of one post."""
    content = page.select_one(f"#pid{post_id}")
    assert content is not None, f"post {post_id} not on page"
    row = content.find_parent(class_="post-row")
    assert isinstance(row, Tag)
    return row


@pytest.fixture
def anon(flaskbb_forum: SeededForum):
    """An anonymous browser on the forum."""
    with flaskbb_forum.client() as client:
        yield client


@live
def test_long_thread_paginates_ten_per_page(flaskbb_forum: SeededForum, anon: httpx.Client):
    pages = [post_ids(soup_of(anon, flaskbb_forum.topic_url(flaskbb_forum.long_topic_id, n)))
             for n in (1, 2, 3)]

    assert [len(p) for p in pages] == [10, 10, LONG_THREAD_POSTS - 2 * POSTS_PER_PAGE]
    assert sum(pages, []) == flaskbb_forum.long_post_ids
    assert anon.get(flaskbb_forum.topic_url(flaskbb_forum.long_topic_id, 4)).status_code == 404


@live
def test_page_links_and_slug_url(flaskbb_forum: SeededForum, anon: httpx.Client):
    page = soup_of(anon, flaskbb_forum.topic_url(flaskbb_forum.long_topic_id))
    hrefs = {a["href"] for a in page.select("ul.pagination a.page-link")}

    assert any(h.endswith("?page=3") for h in hrefs)
    # The canonical URL carries a transliterated slug; the bare id works too.
    canonical = page.select_one(".topic-header a")["href"]
    assert canonical.startswith(f"/topic/{flaskbb_forum.long_topic_id}-avtodom")


@live
def test_backdated_post_shows_its_date(flaskbb_forum: SeededForum, anon: httpx.Client):
    page = soup_of(anon, flaskbb_forum.topic_url(flaskbb_forum.long_topic_id))
    stamp = post_row(page, flaskbb_forum.backdated_post_id).select_one(".post-meta time[datetime]")

    shown = datetime.fromisoformat(stamp["datetime"])
    assert shown == flaskbb_forum.backdated_at
    assert (datetime.now(shown.tzinfo) - shown).days >= 3


@live
def test_quotes_render_as_blockquotes(flaskbb_forum: SeededForum, anon: httpx.Client):
    page = soup_of(anon, flaskbb_forum.topic_url(flaskbb_forum.long_topic_id))
    quoted = [pid for pid in flaskbb_forum.quote_post_ids if pid in post_ids(page)]
    assert len(quoted) >= 3

    # FlaskBB's "Full Reply": a bold profile-link header, then the blockquote.
    full_reply = page.select_one(f"#pid{flaskbb_forum.long_post_ids[1]}")
    header = full_reply.select_one("p > strong > a[href='/user/ivan_petrov']")
    assert header is not None and "wrote:" in header.parent.get_text()
    assert "официалам" in full_reply.select_one("blockquote").get_text()
    # A hand-written "> " quote with the header inside the blockquote.
    inside = page.select_one(f"#pid{flaskbb_forum.long_post_ids[7]}")
    assert "marina_k wrote:" in inside.select_one("blockquote strong").get_text()
    assert inside.select_one("a[href='/user/sergey77']") is not None


@live
def test_cyrillic_code_and_escaping(flaskbb_forum: SeededForum, anon: httpx.Client):
    page = soup_of(anon, flaskbb_forum.topic_url(flaskbb_forum.long_topic_id))
    code = page.select_one(f"#pid{flaskbb_forum.code_post_id}")
    escaped = page.select_one(f"#pid{flaskbb_forum.escape_post_id}")

    assert "Сканер ошибок" in code.get_text()
    assert "P0420" in code.select_one("pre > code").get_text()
    assert "'<ok>'" in code.select_one("div.highlight pre").get_text()
    assert escaped.select_one("b") is None
    assert '<b>скидка</b> 10% & "подарок"' in escaped.get_text()


@live
def test_views_grow_on_every_fetch(flaskbb_forum: SeededForum, anon: httpx.Client):
    topic = flaskbb_forum.short_topic_id
    before = flaskbb_forum.admin("topic_info", topic_id=topic)["views"]
    anon.get(flaskbb_forum.topic_url(topic))
    anon.get(flaskbb_forum.topic_url(topic))

    assert flaskbb_forum.admin("topic_info", topic_id=topic)["views"] == before + 2


@live
def test_seeded_users_and_official_account(flaskbb_forum: SeededForum, anon: httpx.Client):
    assert OFFICIAL in flaskbb_forum.users and len(flaskbb_forum.users) >= 4
    profile = soup_of(anon, f"/user/{OFFICIAL}")
    assert OFFICIAL in profile.get_text()
    short = soup_of(anon, flaskbb_forum.topic_url(flaskbb_forum.short_topic_id))
    authors = [a.get_text() for a in short.select(".author-name a")]
    assert authors == ["marina_k", OFFICIAL]


@live
def test_reply_over_http_appears(flaskbb_forum: SeededForum):
    topic = flaskbb_forum.scratch_topic("Ответ через сайт")
    with flaskbb_forum.client("marina_k") as marina:
        new_id = reply(marina, topic["id"], "Спасибо, **помогло**!")
        page = soup_of(marina, flaskbb_forum.topic_url(topic["id"]))

    assert post_ids(page) == [*topic["post_ids"], new_id]
    row = post_row(page, new_id)
    assert row.select_one(".author-name a").get_text() == "marina_k"
    assert row.select_one(".post-content strong").get_text() == "помогло"


@live
def test_admin_edit_changes_page(flaskbb_forum: SeededForum, anon: httpx.Client):
    topic = flaskbb_forum.scratch_topic("Правка сообщения")
    target = topic["post_ids"][1]
    flaskbb_forum.admin("edit_post", post_id=target, content="Исправленный ответ")

    row = post_row(soup_of(anon, flaskbb_forum.topic_url(topic["id"])), target)
    assert row.select_one(".post-content").get_text(strip=True).startswith("Исправленный ответ")
    assert "Last modified" in row.select_one(".post-meta").get_text()


@live
def test_admin_delete_removes_post(flaskbb_forum: SeededForum, anon: httpx.Client):
    topic = flaskbb_forum.scratch_topic("Удаление сообщения", replies=2)
    gone = topic["post_ids"][1]
    result = flaskbb_forum.admin("delete_post", post_id=gone)

    assert result == {"id": gone, "topic_id": topic["id"], "topic_deleted": False}
    ids = post_ids(soup_of(anon, flaskbb_forum.topic_url(topic["id"])))
    assert ids == [topic["post_ids"][0], topic["post_ids"][2]]
    assert_gone(anon, f"/post/{gone}")


def assert_gone(client: httpx.Client, url: str) -> None:
    """Assert FlaskBB's answer for a missing post/topic: 200 with a bare error page."""
    # Not a 404: FlaskBB's permission check fails first and renders this.
    resp = client.get(url)
    assert resp.status_code == 200
    assert "Could not load forum data" in resp.text
    assert 'class="post-content"' not in resp.text


@live
def test_deleting_first_post_deletes_topic(flaskbb_forum: SeededForum, anon: httpx.Client):
    topic = flaskbb_forum.scratch_topic("Удаление темы")
    result = flaskbb_forum.admin("delete_post", post_id=topic["post_ids"][0])

    assert result["topic_deleted"] is True
    assert_gone(anon, flaskbb_forum.topic_url(topic["id"]))


@live
def test_admin_add_post_backdated(flaskbb_forum: SeededForum, anon: httpx.Client):
    topic = flaskbb_forum.scratch_topic("Старый ответ", replies=0)
    when = datetime.fromisoformat("2024-02-29T08:30:00+00:00")
    new = flaskbb_forum.admin("add_post", topic_id=topic["id"], author="sergey77",
                              content="Из архива", date_created=when)

    row = post_row(soup_of(anon, flaskbb_forum.topic_url(topic["id"])), new["id"])
    assert datetime.fromisoformat(row.select_one(".post-meta time")["datetime"]) == when


@live
def test_wrong_password_shows_alert(flaskbb_forum: SeededForum, anon: httpx.Client):
    form = anon.get("/auth/login")
    resp = anon.post("/auth/login", data={"csrf_token": csrf_token(form.text),
                                          "login": "ivan_petrov", "password": "wrong"})
    assert resp.status_code == 200
    assert BeautifulSoup(resp.text, "lxml").select_one(".alert-danger") is not None


@live
def test_repeated_logins_are_not_throttled(flaskbb_forum: SeededForum):
    # FlaskBB's defaults: 20 auth requests per 15 minutes, captcha after 5 failures.
    with flaskbb_forum.client() as client:
        for _ in range(6):
            with pytest.raises(ForumActionError, match="refused"):
                login(client, "olga_v", "wrong")
        for _ in range(12):
            assert login(client, "olga_v", flaskbb_forum.users["olga_v"]).status_code == 302
            client.cookies.clear()
        assert "recaptcha" not in client.get("/auth/login").text.lower()


def test_future_import_goes_after_docstring_once():
    source = '"""Doc."""\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from x import Y\n'
    patched = add_future_annotations(source)

    assert patched is not None
    assert patched.splitlines()[1] == "from __future__ import annotations"
    compile(patched, "m.py", "exec")
    assert add_future_annotations(patched) is None
    assert add_future_annotations("import os\n") is None
    assert add_future_annotations("# c\nimport typing\ntyping.TYPE_CHECKING\n").splitlines()[1] == (
        "from __future__ import annotations")


def test_no_python_312_fails_with_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("REPAPP_FLASKBB_PYTHON", raising=False)

    path, why = find_python()
    assert path is None and "Python >= 3.12" in why
    with pytest.raises(FlaskBBError, match="REPAPP_FLASKBB_PYTHON"):
        FlaskBBServer(tmp_path / "forum").start()
