"""SMF 2.1 forms against hand-written pages, and a whole login + reply exchange on loopback."""

from __future__ import annotations

import pytest
from form_flows import BODY, PASSWORD, USERNAME, fetcher_for, page, run_post, saved  # noqa: F401 - fixture
from posting_loopback import Request, Response, ScriptedForum

from repapp.posting.engines import POSTERS, SentPost
from repapp.posting.engines.smf import SMFPoster
from repapp.posting.errors import LoginRefused, NotPosted, OutcomeUnknown

ORIGIN = "https://forum.netclub.example"
TOPIC = f"{ORIGIN}/index.php?topic=7.0"
SESSION_VAR, SESSION_ID = "a1f6c29e", "5d8b1a3c9e7f2046b1d3a5c7e9f10234"


def test_registered_for_posting():
    """The poster is registered under the engine's key."""
    assert POSTERS["smf"] is SMFPoster


def test_login_form_keeps_the_session_variable_and_token():
    """user, passwrd; the randomly named session field and the login token go back as served."""
    poster = SMFPoster()
    form, fields = poster.login_form(page("smf/login.html", f"{ORIGIN}/index.php?action=login"), USERNAME, PASSWORD)
    assert form.action == f"{ORIGIN}/index.php?action=login2"
    assert dict(fields) == {"user": USERNAME, "passwrd": PASSWORD, "cookielength": "60", SESSION_VAR: SESSION_ID,
                            "f3c9e1a7b": "8d2f6a0c4e8b2d6f0a4c8e2b6d0f4a8c", "hash_passwrd": ""}
    assert poster.login_error(page("", status=302, location=f"{ORIGIN}/index.php?action=login2;sa=check;member=12")) is None
    assert poster.login_error(page("smf/login-error.html")) == "Password incorrect"


def test_reply_form_goes_back_to_the_topic():
    """seqnum, last_msg, session variable and post token as served; goback=1; the Post button."""
    poster = SMFPoster()
    form = poster.reply_form(page("smf/post.html", f"{ORIGIN}/index.php?action=post;topic=7.0"))
    values = dict(poster.reply_fields(form, BODY))
    assert form.action == f"{ORIGIN}/index.php?action=post2"
    assert (values["message"], values["goback"], values["post"]) == (BODY, "1", "Post")
    assert (values["seqnum"], values["topic"], values["last_msg"], values[SESSION_VAR]) == ("17", "7", "44", SESSION_ID)
    assert values["subject"] == "Re: Router keeps rebooting after the firmware update" and "preview" not in values
    assert poster.reply_form(page("smf/login.html")) is None
    with pytest.raises(NotPosted, match="topic is locked"):
        poster.reply_form(page("smf/locked-topic.html"))


def test_reply_answers_and_links():
    """A redirect to topic=7.msgN is the message; the error list is a refusal; the board alone is unknown."""
    poster = SMFPoster()
    answer = page("", f"{ORIGIN}/index.php?action=post2", 302, location=f"{ORIGIN}/index.php?topic=7.msg45#msg45")
    assert poster.reply_outcome(answer, TOPIC) == SentPost("45", f"{ORIGIN}/index.php?topic=7.msg45#msg45")
    with pytest.raises(NotPosted, match="exceeded the limit of posts"):
        poster.reply_outcome(page("smf/post-error.html"), TOPIC)
    with pytest.raises(OutcomeUnknown, match="awaiting approval"):
        poster.reply_outcome(page("", status=302, location=f"{ORIGIN}/index.php?board=2.0"), TOPIC)
    assert poster.reply_url(f"{ORIGIN}/index.php?topic=7.15") == f"{ORIGIN}/index.php?action=post;topic=7.0"
    assert poster.reply_url(f"{ORIGIN}/forum/index.php/topic,7.0.html") == (
        f"{ORIGIN}/forum/index.php?action=post;topic=7.0")
    assert poster.login_url(f"{ORIGIN}/") == f"{ORIGIN}/index.php?action=login"


def smf_forum() -> ScriptedForum:
    """An SMF that checks its session variable and answers login and reply with 302s."""

    def handle(request: Request) -> Response:
        root = forum.base_url

        def page_of(name: str) -> Response:
            return Response(body=saved(f"smf/{name}", root, ORIGIN))

        logged_in = request.cookies.get("SMFCookie11") == "member12"
        # SMF separates parameters with ";": action=post;topic=7.0 arrives as one value.
        action = request.query.get("action", "").split(";")[0]
        if request.method == "GET" and action == "login":
            return page_of("login.html")
        if request.method == "POST" and action == "login2":
            if request.field(SESSION_VAR) != SESSION_ID or request.field("passwrd") != PASSWORD:
                return page_of("login-error.html")
            return Response(302, headers=[("Location", f"{root}/index.php?action=login2;sa=check;member=12"),
                                          ("Set-Cookie", "SMFCookie11=member12; path=/")])
        if request.method == "GET" and action == "post":
            return page_of("post.html" if logged_in else "login.html")
        if request.method == "POST" and action == "post2" and logged_in:
            if request.field(SESSION_VAR) != SESSION_ID or request.field("goback") != "1":
                return page_of("post-error.html")
            return Response(302, headers=[("Location", f"{root}/index.php?topic=7.msg45#msg45")])
        return Response(404, b"not found")

    forum = ScriptedForum(handle)
    return forum


def test_login_and_reply_over_http(fetcher_for):
    """Log in (session variable as served), then post with goback=1; the redirect names msg45."""
    with smf_forum() as forum:
        sent, cookies = run_post(fetcher_for(forum.base_url), SMFPoster(), forum.base_url,
                                 f"{forum.base_url}/index.php?topic=7.0")
    assert sent == SentPost("45", f"{forum.base_url}/index.php?topic=7.msg45#msg45")
    login, reply = forum.posts
    assert login.field("user") == USERNAME and login.field(SESSION_VAR) == SESSION_ID
    assert reply.field("message") == BODY and reply.field("seqnum") == "17" and reply.field("post") == "Post"
    assert "SMFCookie11" in cookies


def test_wrong_password(fetcher_for):
    """SMF's error box comes back; nothing is posted."""
    with smf_forum() as forum, pytest.raises(LoginRefused, match="Password incorrect"):
        run_post(fetcher_for(forum.base_url), SMFPoster(), forum.base_url, f"{forum.base_url}/index.php?topic=7.0",
                 password="wrong")
    assert len(forum.posts) == 1
