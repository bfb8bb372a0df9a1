"""XenForo 2.x forms against hand-written pages, and a whole login + reply exchange on loopback."""

from __future__ import annotations

import pytest
from form_flows import BODY, PASSWORD, USERNAME, fetcher_for, page, run_post, saved  # noqa: F401 - fixture
from posting_loopback import Request, Response, ScriptedForum

from repapp.posting.engines import POSTERS, SentPost
from repapp.posting.engines.xenforo import XenForoPoster
from repapp.posting.errors import LoginRefused, NotPosted, OutcomeUnknown

ORIGIN = "https://forum.svyaz-online.example"
THREAD = f"{ORIGIN}/threads/ne-rabotaet-router-posle-obnovlenija-proshivki.123/"
LOGIN_TOKEN = "1795354001,9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d"
REPLY_TOKEN = "1795354008,0f1e2d3c4b5a69788796a5b4c3d2e1f0"


def test_registered_for_posting():
    """The poster is registered under the engine's key."""
    assert POSTERS["xenforo"] is XenForoPoster


def test_login_form_and_answers():
    """login, password, remember, _xfToken, _xfRedirect; a 303 is success, the error block a refusal."""
    poster = XenForoPoster()
    form, fields = poster.login_form(page("xenforo/login.html", f"{ORIGIN}/index.php?login/"), USERNAME, PASSWORD)
    assert form.action == f"{ORIGIN}/login/login"
    assert dict(fields) == {"_xfToken": LOGIN_TOKEN, "login": USERNAME, "password": PASSWORD, "remember": "1",
                            "_xfRedirect": f"{THREAD}reply"}
    assert poster.login_error(page("", status=303, location=f"{THREAD}reply")) is None
    assert poster.login_error(page("xenforo/login-error.html")) == "Неверный пароль. Пожалуйста, попробуйте ещё раз."
    assert "two-step" in poster.login_error(page("", status=303, location=f"{ORIGIN}/login/two-step?remember=1"))


def test_reply_form_sends_bb_code_not_the_editors_html():
    """message_html is left out (XenForo would read it first); the reply goes as `message`."""
    poster = XenForoPoster()
    form = poster.reply_form(page("xenforo/reply.html", f"{THREAD}reply"))
    fields = poster.reply_fields(form, BODY)
    assert form.action == f"{THREAD}add-reply"
    assert [name for name, _ in fields] == [
        "_xfToken", "watch_thread", "attachment_hash", "attachment_hash_combined", "last_date", "last_known_date",
        "message"]
    assert dict(fields)["_xfToken"] == REPLY_TOKEN and dict(fields)["message"] == BODY
    assert poster.reply_form(page("xenforo/login.html")) is None  # data-logged-in="false"
    with pytest.raises(NotPosted, match="недостаточно прав"):
        poster.reply_form(page("xenforo/thread-closed.html"))


def test_reply_answers_and_links():
    """303 to the post is sent; the error page is a refusal; pending approval is unknown."""
    poster = XenForoPoster()
    answer = page("", f"{THREAD}add-reply", 303, location=f"{ORIGIN}/posts/1027/")
    assert poster.reply_outcome(answer, THREAD) == SentPost("1027", f"{THREAD}post-1027")
    assert poster.reply_outcome(page("", status=303, location=f"{THREAD}post-1028"), THREAD).external_id == "1028"
    with pytest.raises(NotPosted, match="подождать ещё 27 секунд"):
        poster.reply_outcome(page("xenforo/reply-error.html"), THREAD)
    with pytest.raises(OutcomeUnknown, match="moderator approval") as caught:
        poster.reply_outcome(page("", status=303, location=f"{THREAD}?pending_approval=1"), THREAD)
    assert caught.value.settled
    with pytest.raises(NotPosted, match="log in again"):
        poster.reply_outcome(page("xenforo/login.html"), THREAD)
    assert poster.reply_url(f"{THREAD}page-2") == f"{THREAD}reply"
    assert poster.post_id_from_url(f"{THREAD}post-1021") == "1021"


def xenforo_forum() -> ScriptedForum:
    """A XenForo that checks _xfToken and answers login and reply with 303s."""

    def handle(request: Request) -> Response:
        root = forum.base_url

        def page_of(name: str) -> Response:
            return Response(body=saved(f"xenforo/{name}", root, ORIGIN))

        logged_in = request.cookies.get("xf_user") == "2,secret"
        # index.php?login/ has a route, not parameters: the path alone identifies it here.
        if request.method == "GET" and request.path == "/index.php":
            return page_of("login.html")
        if request.method == "POST" and request.path == "/login/login":
            if request.field("_xfToken") != LOGIN_TOKEN or request.field("password") != PASSWORD:
                return page_of("login-error.html")
            return Response(303, headers=[("Location", f"{root}/"), ("Set-Cookie", "xf_user=2,secret; path=/")])
        thread = "/threads/ne-rabotaet-router-posle-obnovlenija-proshivki.123/"
        if request.method == "GET" and request.path == f"{thread}reply":
            return page_of("reply.html" if logged_in else "login.html")
        if request.method == "POST" and request.path == f"{thread}add-reply" and logged_in:
            if request.field("_xfToken") != REPLY_TOKEN or request.field("message_html") is not None:
                return page_of("reply-error.html")
            return Response(303, headers=[("Location", f"{root}/posts/1027/")])
        return Response(404, b"not found")

    forum = ScriptedForum(handle)
    return forum


def test_login_and_reply_over_http(fetcher_for):
    """Log in, then reply with the reply page's token; the BB code arrives without message_html."""
    with xenforo_forum() as forum:
        thread = f"{forum.base_url}/threads/ne-rabotaet-router-posle-obnovlenija-proshivki.123/"
        sent, cookies = run_post(fetcher_for(forum.base_url), XenForoPoster(), forum.base_url, thread)
    assert sent == SentPost("1027", f"{thread}post-1027")
    login, reply = forum.posts
    assert login.field("login") == USERNAME and login.field("_xfToken") == LOGIN_TOKEN
    assert reply.field("message") == BODY and reply.field("_xfToken") == REPLY_TOKEN
    assert reply.field("attachment_hash") == "6b9f3c2e1d0a8b7c6d5e4f3a2b1c0d9e"
    assert "xf_user" in cookies


def test_wrong_password(fetcher_for):
    """XenForo's message comes back as the refusal; nothing is posted."""
    with xenforo_forum() as forum, pytest.raises(LoginRefused, match="Неверный пароль"):
        run_post(fetcher_for(forum.base_url), XenForoPoster(), forum.base_url,
                 f"{forum.base_url}/threads/ne-rabotaet-router-posle-obnovlenija-proshivki.123/", password="wrong")
    assert [p.path for p in forum.posts] == ["/login/login"]
