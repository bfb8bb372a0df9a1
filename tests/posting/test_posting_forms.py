"""Engine forms against the saved pages, and whole login + reply exchanges with a scripted loopback forum.

The scripted forums serve the saved pages (their original address rewritten to the loopback one)
and play the engine's rules: phpBB refuses a form sent back within a second, MyBB answers with
redirect pages; every POST is recorded and checked field by field.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl

import httpx
import pytest
from posting_loopback import DROP, Request, Response, ScriptedForum

from repapp.forums.definitions import Politeness
from repapp.posting.cookies import dump_cookies, load_cookies
from repapp.posting.engines import FlaskBBPoster, MyBBPoster, PhpBBPoster, SentPost
from repapp.posting.errors import LoginRefused, NotPosted, OutcomeUnknown
from repapp.posting.flows import post_reply
from repapp.posting.forms import HtmlForm
from repapp.posting.http import ForumHttp, Page
from repapp.scraping.fetch import Fetcher
from repapp.scraping.ratelimit import RateLimiter
from repapp.scraping.urlguard import UrlGuard

PAGES = Path(__file__).parent / "pages"
PASSWORD = "forum-pass-1"
BODY = "Здравствуйте, Иван! Запишитесь на ТО по телефону из профиля — «АвтоДом» ждёт вас."


def saved(name: str, base_url: str | None = None, original: str = "") -> bytes:
    """Return a saved page, its original address rewritten to base_url."""
    text = (PAGES / name).read_text(encoding="utf-8")
    if base_url and original:
        text = text.replace(original, base_url)
    return text.encode("utf-8")


def page(name: str, url: str = "http://forum.test/x", status: int = 200, **headers: str) -> Page:
    """Wrap a saved page as an answer from url."""
    return Page(url, status, httpx.Headers(headers), saved(name) if name else b"", 0.0)


@pytest.fixture
def fetcher_for() -> Iterator:
    """Return a factory of fetchers allowed to reach one loopback forum; all closed afterwards."""
    made: list[Fetcher] = []

    def make(base_url: str) -> Fetcher:
        fetcher = Fetcher(UrlGuard([base_url]), limiter=RateLimiter(),
                          default_politeness=Politeness(requests_per_minute=6000, concurrency=4, timeout_seconds=3,
                                                        max_retries=0))
        made.append(fetcher)
        return fetcher

    yield make
    for fetcher in made:
        fetcher.close()


def run_post(fetcher: Fetcher, poster, base_url: str, thread_url: str, *, cookies: str | None = None,
             password: str = PASSWORD) -> tuple[SentPost, str]:
    """Post BODY through a fresh session (with kept cookies, if any); return the result and the cookies after."""
    with fetcher.new_session() as session:
        if cookies:
            load_cookies(session.cookies, cookies)
        try:
            sent = post_reply(ForumHttp(fetcher, session), poster, base_url=base_url + "/", thread_url=thread_url,
                              username="AvtoDom_official", password=password, body=BODY)
        finally:
            kept = dump_cookies(session.cookies)
    return sent, kept


# --- FlaskBB, saved pages ----------------------------------------------------------------------

def test_flaskbb_login_form_is_filled_with_its_csrf_token():
    """The saved login page gives csrf_token, login, password and the Login button; remember_me stays off."""
    form, fields = FlaskBBPoster().login_form(page("flaskbb/login-form.html", "http://forum.test/auth/login"),
                                              "AvtoDom_official", PASSWORD)
    assert form.action == "http://forum.test/auth/login" and form.method == "post"
    assert dict(fields) == {"csrf_token": form.value("csrf_token"), "login": "AvtoDom_official",
                            "password": PASSWORD, "submit": "Login"}
    assert form.value("csrf_token").startswith("ImY2YmQ4")


def test_flaskbb_login_refusal_carries_the_forums_message():
    """A 200 with the alert means refused, with FlaskBB's words; a 302 means logged in."""
    poster = FlaskBBPoster()
    assert poster.login_error(page("flaskbb/login-failed.html")) == "Wrong username or password."
    assert poster.login_error(page("", status=302, location="/")) is None


def test_flaskbb_reply_form_only_for_a_logged_in_user():
    """The reply page of a logged-in user yields csrf_token + content; the login page yields nothing."""
    poster = FlaskBBPoster()
    form = poster.reply_form(page("flaskbb/reply-form.html", "http://forum.test/topic/2/post/new"))
    assert form is not None
    fields = poster.reply_fields(form, BODY)
    assert [name for name, _ in fields] == ["csrf_token", "content", "submit"]
    assert dict(fields)["content"] == BODY and dict(fields)["submit"] == "Reply"
    assert poster.reply_form(page("flaskbb/login-form.html")) is None


def test_logged_in_without_a_reply_form_is_not_posted_and_needs_no_login():
    """A logged-in page with no reply form (a locked topic, no permission) is a refusal, not a lapsed session."""
    with pytest.raises(NotPosted, match="no reply form"):
        PhpBBPoster().reply_form(page("phpbb/thread-page3-loggedin.html"))


def test_flaskbb_answers_are_read_as_sent_refused_or_unknown():
    """302 -> /post/<id> is the new post; the form again is a refusal; a 200 elsewhere is unknown."""
    poster = FlaskBBPoster()
    thread = "http://forum.test/topic/2-scraper-test"
    sent = poster.reply_outcome(page("", "http://forum.test/topic/2/post/new", 302, location="/post/42"), thread)
    assert sent == SentPost("42", "http://forum.test/post/42")
    with pytest.raises(NotPosted):
        poster.reply_outcome(page("flaskbb/reply-form.html"), thread)
    with pytest.raises(OutcomeUnknown):
        poster.reply_outcome(page("flaskbb/login-failed.html", status=200), thread)
    assert poster.reply_url(thread) == "http://forum.test/topic/2/post/new"
    assert poster.post_id_from_url("http://forum.test/post/42") == "42"
    assert poster.post_id_from_url("http://forum.test/topic/2-x?page=3#pid42") == "42"
    assert poster.post_id_from_url("http://forum.test/topic/2-x") is None


# --- phpBB, saved pages ------------------------------------------------------------------------

def test_phpbb_login_form_keeps_every_token_as_served():
    """form#login: creation_time, form_token, sid and both redirect fields go back unchanged."""
    form, fields = PhpBBPoster().login_form(page("phpbb/login-form.html", "http://forum.test/ucp.php?mode=login"),
                                            "AvtoDom_official", PASSWORD)
    assert form.action == "http://forum.test/ucp.php?mode=login&sid=946061e4eda2b4272dc6d4039ac31da7"
    assert fields == [
        ("username", "AvtoDom_official"), ("password", PASSWORD),
        ("redirect", "./ucp.php?mode=login&sid=946061e4eda2b4272dc6d4039ac31da7"),
        ("creation_time", "1795354001"), ("form_token", "a99adc9de0c1c8e505f266c818f6673fd0de8286"),
        ("sid", "946061e4eda2b4272dc6d4039ac31da7"), ("redirect", "index.php"), ("login", "Login"),
    ]


def test_phpbb_reply_form_is_sent_whole_with_the_message():
    """form#postform: subject "Re: …", topic_cur_post_id, tokens, options; Submit, not Preview or Save."""
    poster = PhpBBPoster()
    form = poster.reply_form(page("phpbb/reply-form.html", "http://forum.test/posting.php?mode=reply&t=2"))
    fields = dict(poster.reply_fields(form, BODY))
    assert form.action == "http://forum.test/posting.php?mode=reply&t=2"
    assert fields["message"] == BODY and fields["post"] == "Submit"
    assert fields["subject"].startswith("Re: Scraper test thread")
    assert fields["topic_cur_post_id"] == "24" and fields["creation_time"] == "1795354008"
    assert fields["form_token"] == "4a3e38ed29f6089fe939295cd60c830dd6e939be"
    assert fields["attach_sig"] == "on" and "disable_bbcode" not in fields  # checked boxes only
    assert not {"preview", "save", "add_file", "fileupload", "keywords"} & fields.keys()
    assert poster.reply_form(page("phpbb/login-form.html")) is None  # a guest sees the login form


def test_phpbb_answers_and_links():
    """A redirect to viewtopic.php?p=<id> is the new post; the form with an error is a refusal."""
    poster = PhpBBPoster()
    thread = "http://forum.test/forum/viewtopic.php?t=2"
    answer = page("", "http://forum.test/forum/posting.php?mode=reply&t=2", 302, location="./viewtopic.php?p=25#p25")
    assert poster.reply_outcome(answer, thread) == SentPost("25", "http://forum.test/forum/viewtopic.php?p=25#p25")
    with pytest.raises(NotPosted, match="The submitted form was invalid"):
        poster.reply_outcome(page("phpbb/reply-form-invalid-synthetic.html"), thread)
    assert poster.reply_url(thread) == "http://forum.test/forum/posting.php?mode=reply&t=2"
    assert poster.post_id_from_url("http://forum.test/forum/viewtopic.php?p=25#p25") == "25"
    assert poster.post_id_from_url("http://forum.test/forum/viewtopic.php?t=2&start=20#p23") == "23"
    assert "incorrect password" in poster.login_error(page("phpbb/login-error-synthetic.html"))


# --- MyBB, saved and synthetic pages -----------------------------------------------------------

def test_mybb_quick_login_form_from_a_saved_page():
    """The header's quick login (saved thread page) is filled: quick_username/quick_password, my_post_key."""
    form, fields = MyBBPoster().login_form(page("mybb/thread-page1.html", "http://forum.test/member.php?action=login"),
                                           "AvtoDom_official", PASSWORD)
    assert form.action == "http://127.0.0.1:8083/member.php"  # absolute in the page: the guard decides
    assert dict(fields) == {"action": "do_login", "url": "", "quick_login": "1",
                            "my_post_key": "370fd5000f32120f2086e5d98c11e089", "quick_username": "AvtoDom_official",
                            "quick_password": PASSWORD, "quick_remember": "yes", "submit": "Login"}


def test_mybb_reply_form_and_answers():
    """newreply: my_post_key, posthash, subject, options, Post Reply; redirect page or 302 is the new post."""
    poster = MyBBPoster()
    form = poster.reply_form(page("mybb/newreply-synthetic.html", "http://forum.test/newreply.php?tid=1"))
    fields = poster.reply_fields(form, BODY)
    values = dict(fields)
    assert form.action == "http://forum.test/newreply.php?tid=1&processed=1"
    assert values["message"] == BODY and values["action"] == "do_newreply" and values["submit"] == "Post Reply"
    assert values["my_post_key"] == "370fd5000f32120f2086e5d98c11e089"
    assert values["posthash"] == "8a0f4c6f4e1b2d3c9e7a6b5d4c3b2a19" and values["tid"] == "1"
    assert values["postoptions[signature]"] == "1" and values["postoptions[subscriptionmethod]"] == ""
    assert not {"previewpost", "savedraft", "postoptions[disablesmilies]"} & values.keys()
    assert poster.reply_form(page("mybb/thread-page1.html")) is None  # a guest page
    thread = "http://forum.test/showthread.php?tid=1"
    redirect = page("mybb/redirect-newreply-synthetic.html", "http://forum.test/newreply.php?tid=1&processed=1")
    assert poster.reply_outcome(redirect, thread) == SentPost("5", "http://forum.test/showthread.php?tid=1&pid=5#pid5")
    assert poster.reply_outcome(page("", status=302, location="showthread.php?tid=1&pid=6#pid6"), thread).external_id == "6"
    with pytest.raises(NotPosted, match="message is too short"):
        poster.reply_outcome(page("mybb/newreply-error-synthetic.html"), thread)
    assert poster.reply_url("http://forum.test/thread-1-some-title.html") == "http://forum.test/newreply.php?tid=1"
    assert poster.post_id_from_url("http://forum.test/post-7.html") == "7"


def test_mybb_login_answers():
    """The "logged in" redirect page is success; the error box is a refusal with MyBB's words."""
    poster = MyBBPoster()
    assert poster.login_error(page("mybb/redirect-login-synthetic.html")) is None
    assert "invalid username/password" in poster.login_error(page("mybb/login-error-synthetic.html"))


def test_forms_are_encoded_in_the_pages_charset():
    """A windows-1251 forum gets windows-1251 form data; what the charset lacks becomes a reference."""
    form = HtmlForm("http://forum.test/newreply.php", "post", (("message", ""),), (), "cp1251")
    encoded = form.encode(form.filled({"message": "Привет ✓"}))
    assert dict(parse_qsl(encoded.decode("ascii"), encoding="cp1251")) == {"message": "Привет &#10003;"}


# --- whole exchanges with scripted loopback forums --------------------------------------------

PHPBB_COOKIE = "phpbb3_k2x9a_u"  # phpBB's cookie names carry a per-install prefix


def phpbb_forum() -> ScriptedForum:
    """A phpBB that refuses forms younger than a second, and answers a post with a 302 to it."""
    served: dict[str, float] = {}

    def handle(request: Request) -> Response:
        base = forum.base_url

        def page_of(name: str) -> Response:
            return Response(body=saved(name, base, "http://127.0.0.1:8082"))

        logged_in = request.cookies.get(PHPBB_COOKIE) == "2"
        if request.path == "/ucp.php" and request.method == "GET":
            served["login"] = time.monotonic()
            return page_of("phpbb/login-form.html")
        if request.path == "/ucp.php":
            if request.at - served["login"] < 1.0 or request.field("form_token") != "a99adc9de0c1c8e505f266c818f6673fd0de8286":
                return page_of("phpbb/login-form.html")
            if request.field("password") != PASSWORD:
                return page_of("phpbb/login-error-synthetic.html")
            return Response(302, headers=[("Location", f"{base}/index.php"),
                                          ("Set-Cookie", f"{PHPBB_COOKIE}=2; path=/; HttpOnly")])
        if request.path == "/posting.php" and request.method == "GET":
            if not logged_in:
                return page_of("phpbb/login-form.html")
            served["reply"] = time.monotonic()
            return page_of("phpbb/reply-form.html")
        if request.path == "/posting.php" and logged_in:
            if request.at - served["reply"] < 1.0:
                return page_of("phpbb/reply-form-invalid-synthetic.html")
            return Response(302, headers=[("Location", "./viewtopic.php?p=25#p25")])
        return Response(404, b"not found")

    forum = ScriptedForum(handle)
    return forum


def test_phpbb_login_and_reply_over_http_wait_out_the_form_age(fetcher_for):
    """Log in, then reply: every token goes back as served, each form only after a second."""
    with phpbb_forum() as forum:
        thread = f"{forum.base_url}/viewtopic.php?t=2"
        sent, cookies = run_post(fetcher_for(forum.base_url), PhpBBPoster(), forum.base_url, thread)
    assert sent == SentPost("25", f"{forum.base_url}/viewtopic.php?p=25#p25")
    login, reply = forum.posts
    assert login.query == {"mode": "login", "sid": "946061e4eda2b4272dc6d4039ac31da7"}
    assert login.field("username") == "AvtoDom_official" and login.field("password") == PASSWORD
    assert reply.path == "/posting.php" and reply.query == {"mode": "reply", "t": "2"}
    assert reply.field("message") == BODY and reply.field("form_token") == "4a3e38ed29f6089fe939295cd60c830dd6e939be"
    assert reply.field("post") == "Submit" and reply.field("preview") is None
    gets = [r for r in forum.requests if r.method == "GET"]
    assert [g.path for g in gets] == ["/posting.php", "/ucp.php", "/posting.php"]  # guest, login, logged in
    assert login.at - gets[1].at >= 1.0 and reply.at - gets[2].at >= 1.0
    assert PHPBB_COOKIE in cookies and PASSWORD not in cookies


def test_phpbb_form_sent_too_fast_is_refused_not_unknown(fetcher_for):
    """Without the wait phpBB sends the form back as invalid: certainly not posted."""

    class Hasty(PhpBBPoster):
        form_min_age = 0.0

    logged_in = (f'[{{"name": "{PHPBB_COOKIE}", "value": "2", "domain": "127.0.0.1", "path": "/", '
                 '"secure": false, "expires": null}]')
    with phpbb_forum() as forum, pytest.raises(NotPosted, match="The submitted form was invalid"):
        run_post(fetcher_for(forum.base_url), Hasty(), forum.base_url, f"{forum.base_url}/viewtopic.php?t=2",
                 cookies=logged_in)
    assert [p.path for p in forum.posts] == ["/posting.php"]


def test_phpbb_wrong_password_is_a_refused_login(fetcher_for):
    """The forum's own message comes back; nothing is posted."""
    with phpbb_forum() as forum, pytest.raises(LoginRefused, match="incorrect password"):
        run_post(fetcher_for(forum.base_url), PhpBBPoster(), forum.base_url,
                 f"{forum.base_url}/viewtopic.php?t=2", password="wrong")
    assert [p.path for p in forum.posts] == ["/ucp.php"]


MYBB_COOKIE = "mybbuser"


def mybb_forum(reply_answer=None) -> ScriptedForum:
    """A MyBB that answers login and reply with its redirect pages (200), not 302s."""

    def handle(request: Request):
        base = forum.base_url

        def page_of(name: str) -> Response:
            return Response(body=saved(name, base, "http://127.0.0.1:8083"))

        logged_in = request.cookies.get(MYBB_COOKIE) == "2_secret"
        if request.path == "/member.php" and request.method == "GET":
            return page_of("mybb/thread-page1.html")  # a guest page with the header's quick login
        if request.path == "/member.php":
            if request.field("my_post_key") != "370fd5000f32120f2086e5d98c11e089":
                return page_of("mybb/login-error-synthetic.html")
            if request.field("quick_password") != PASSWORD:
                return page_of("mybb/login-error-synthetic.html")
            answer = page_of("mybb/redirect-login-synthetic.html")
            answer.headers.append(("Set-Cookie", f"{MYBB_COOKIE}=2_secret; path=/; HttpOnly"))
            return answer
        if request.path == "/newreply.php" and request.method == "GET":
            return page_of("mybb/newreply-synthetic.html" if logged_in else "mybb/thread-page1.html")
        if request.path == "/newreply.php" and logged_in:
            return reply_answer(request) if reply_answer else page_of("mybb/redirect-newreply-synthetic.html")
        return Response(404, b"not found")

    forum = ScriptedForum(handle)
    return forum


def test_mybb_login_and_reply_over_http(fetcher_for):
    """Quick login, then newreply with my_post_key and posthash; the redirect page names the new pid."""
    with mybb_forum() as forum:
        thread = f"{forum.base_url}/showthread.php?tid=1"
        sent, cookies = run_post(fetcher_for(forum.base_url), MyBBPoster(), forum.base_url, thread)
        # The kept session is used next time: no second login.
        again, _ = run_post(fetcher_for(forum.base_url), MyBBPoster(), forum.base_url, thread, cookies=cookies)
    assert sent == again == SentPost("5", f"{forum.base_url}/showthread.php?tid=1&pid=5#pid5")
    login, reply, second = forum.posts
    assert login.path == "/member.php" and login.field("action") == "do_login" and login.field("quick_login") == "1"
    assert reply.query == {"tid": "1", "processed": "1"}
    assert reply.field("my_post_key") == "370fd5000f32120f2086e5d98c11e089"
    assert reply.field("posthash") == "8a0f4c6f4e1b2d3c9e7a6b5d4c3b2a19" and reply.field("message") == BODY
    assert second.path == "/newreply.php"
    assert MYBB_COOKIE in cookies


def test_an_expired_session_is_renewed_by_logging_in_again(fetcher_for):
    """Kept cookies the forum no longer honours: the reply form is missing, so log in once and post."""
    stale = '[{"name": "mybbuser", "value": "2_expired", "domain": "127.0.0.1", "path": "/", "secure": false, "expires": null}]'
    with mybb_forum() as forum:
        sent, cookies = run_post(fetcher_for(forum.base_url), MyBBPoster(), forum.base_url,
                                 f"{forum.base_url}/showthread.php?tid=1", cookies=stale)
    assert sent.external_id == "5"
    assert [p.path for p in forum.posts] == ["/member.php", "/newreply.php"]
    assert "2_secret" in cookies and "2_expired" not in cookies


@pytest.mark.parametrize(("answer", "settled"), [(lambda r: Response(500, b"oops"), True), (lambda r: DROP, False)])
def test_a_reply_without_a_clear_answer_is_unknown(fetcher_for, answer, settled):
    """A 500 or a dropped connection after the reply's POST: not "failed" but unknown (re-read first)."""
    with mybb_forum(reply_answer=answer) as forum, pytest.raises(OutcomeUnknown) as caught:
        run_post(fetcher_for(forum.base_url), MyBBPoster(), forum.base_url, f"{forum.base_url}/showthread.php?tid=1")
    assert caught.value.settled is settled
    assert forum.posts[-1].path == "/newreply.php"


def test_the_url_guard_covers_form_actions(fetcher_for):
    """A form whose action leaves the forum's host:port is refused before any connection is made."""

    def handle(request: Request) -> Response:
        return Response(body=saved("mybb/thread-page1.html"))  # not rewritten: posts to 127.0.0.1:8083

    with ScriptedForum(handle) as forum, pytest.raises(NotPosted, match="port 8083"):
        run_post(fetcher_for(forum.base_url), MyBBPoster(), forum.base_url, f"{forum.base_url}/showthread.php?tid=1")
    assert forum.posts == []
