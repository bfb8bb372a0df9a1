"""Discourse: CSRF token, /session.json and /posts.json, against a loopback forum playing Discourse's JSON."""

from __future__ import annotations

import json

import pytest
from form_flows import BODY, PASSWORD, USERNAME, fetcher_for, page, run_post  # noqa: F401 - fixture
from posting_loopback import Request, Response, ScriptedForum

from repapp.posting.engines import POSTERS, SentPost
from repapp.posting.engines.discourse import DiscoursePoster
from repapp.posting.errors import LoginRefused, NotPosted, OutcomeUnknown

FORUM = "https://talk.homenet.example"
TOPIC = f"{FORUM}/t/router-reboots-after-firmware-update/7"


def answer(data, status: int = 200, url: str = f"{FORUM}/posts.json"):
    """A JSON answer from the forum."""
    return page("", url, status, body=json.dumps(data).encode())


def test_registered_for_posting():
    """The poster is registered under the engine's key."""
    assert POSTERS["discourse"] is DiscoursePoster


def test_login_posts_the_token_with_the_credentials():
    """The CSRF endpoint's token goes as authenticity_token to /session.json."""
    poster = DiscoursePoster()
    form, fields = poster.login_form(answer({"csrf": "tok-1"}, url=f"{FORUM}/session/csrf.json"), USERNAME, PASSWORD)
    assert (form.action, form.method) == (f"{FORUM}/session.json", "post")
    assert fields == [("authenticity_token", "tok-1"), ("login", USERNAME), ("password", PASSWORD)]
    assert poster.login_error(answer({"error": "Incorrect username, email or password"})) == (
        "Incorrect username, email or password")
    assert poster.login_error(answer(["BAD CSRF"], 403)) == "BAD CSRF"
    assert poster.login_error(answer({"user": {"id": 12, "username": USERNAME}})) is None


def test_a_fresh_poster_logs_in_before_it_replies():
    """The CSRF endpoint cannot tell a logged-in session: no reply form until this poster logged in."""
    poster = DiscoursePoster()
    csrf = answer({"csrf": "tok-2"}, url=f"{FORUM}/session/csrf.json")
    assert poster.reply_url(TOPIC) == f"{FORUM}/session/csrf.json"
    assert poster.reply_form(csrf) is None
    poster.login_error(answer({"user": {"id": 12}}))
    form = poster.reply_form(csrf)
    assert form.action == f"{FORUM}/posts.json"
    assert poster.reply_fields(form, BODY) == [("authenticity_token", "tok-2"), ("topic_id", "7"), ("raw", BODY)]


def test_reply_answers():
    """The post's number is its id; queued for approval is unknown; 422 errors are refusals."""
    poster = DiscoursePoster()
    sent = poster.reply_outcome(answer({"id": 1127, "post_number": 27, "topic_id": 7}), TOPIC)
    assert sent == SentPost("27", f"{FORUM}/t/7/27")
    nested = {"action": "create_post", "post": {"id": 1128, "post_number": 28}, "success": True}
    assert poster.reply_outcome(answer(nested), TOPIC).external_id == "28"
    with pytest.raises(OutcomeUnknown, match="moderator approval"):
        poster.reply_outcome(answer({"action": "enqueued", "pending_post": {"id": 3}, "success": True}), TOPIC)
    with pytest.raises(NotPosted, match="Body is too similar"):
        poster.reply_outcome(answer({"action": "create_post", "errors": [
            "Body is too similar to what you recently posted"], "success": False}, 422), TOPIC)
    with pytest.raises(NotPosted, match="performed this action too many times"):
        poster.reply_outcome(answer({"errors": ["You’ve performed this action too many times."],
                                     "error_type": "rate_limit"}, 429), TOPIC)
    with pytest.raises(NotPosted, match="log in again"):
        poster.reply_outcome(answer(["BAD CSRF"], 403), TOPIC)
    assert poster.permalink(TOPIC, "27") == f"{FORUM}/t/7/27"
    assert poster.post_id_from_url(f"{FORUM}/t/router-reboots-after-firmware-update/7/27?u=bob") == "27"


def discourse_forum() -> ScriptedForum:
    """A Discourse whose CSRF tokens are bound to the session cookie, as Rails binds them."""
    sessions: dict[str, dict] = {}

    def handle(request: Request) -> Response:
        session_id = request.cookies.get("_forum_session")
        state = sessions.get(session_id or "")
        headers = []
        if state is None:
            session_id = f"s{len(sessions) + 1}"
            state = sessions[session_id] = {"token": f"token-{session_id}", "user": None}
            headers.append(("Set-Cookie", f"_forum_session={session_id}; path=/; HttpOnly"))

        def reply(data, status: int = 200) -> Response:
            return Response(status, json.dumps(data).encode(),
                            [*headers, ("Content-Type", "application/json; charset=utf-8")])

        if request.method == "GET" and request.path == "/session/csrf.json":
            return reply({"csrf": state["token"]})
        if request.method == "POST" and request.field("authenticity_token") != state["token"]:
            return reply(["BAD CSRF"], 403)
        if request.path == "/session.json":
            if request.field("password") != PASSWORD:
                return reply({"error": "Incorrect username, email or password"})
            state["user"] = request.field("login")
            state["token"] = f"token-{session_id}-in"  # a logged-in session gets a new token
            return reply({"user": {"id": 12, "username": state["user"]}})
        if request.path == "/posts.json" and state["user"]:
            return reply({"id": 1127, "post_number": 27, "topic_id": int(request.field("topic_id")),
                          "topic_slug": "router-reboots-after-firmware-update", "raw": request.field("raw")})
        return reply({"errors": ["You are not permitted to view the requested resource."],
                      "error_type": "not_logged_in"}, 403)

    return ScriptedForum(handle)


def test_login_and_reply_over_http(fetcher_for):
    """csrf → session.json → csrf again (the logged-in token) → posts.json with topic_id and raw."""
    with discourse_forum() as forum:
        topic = f"{forum.base_url}/t/router-reboots-after-firmware-update/7"
        sent, cookies = run_post(fetcher_for(forum.base_url), DiscoursePoster(), forum.base_url, topic)
    assert sent == SentPost("27", f"{forum.base_url}/t/7/27")
    assert [(r.method, r.path) for r in forum.requests] == [
        ("GET", "/session/csrf.json"), ("GET", "/session/csrf.json"), ("POST", "/session.json"),
        ("GET", "/session/csrf.json"), ("POST", "/posts.json")]
    login, reply = forum.posts
    assert login.field("login") == USERNAME and login.field("authenticity_token") == "token-s1"
    assert reply.field("authenticity_token") == "token-s1-in"
    assert (reply.field("topic_id"), reply.field("raw")) == ("7", BODY)
    assert "_forum_session" in cookies


def test_wrong_password(fetcher_for):
    """Discourse's words come back as the refusal; nothing is posted."""
    with discourse_forum() as forum, pytest.raises(LoginRefused, match="Incorrect username"):
        run_post(fetcher_for(forum.base_url), DiscoursePoster(), forum.base_url, f"{forum.base_url}/t/x/7",
                 password="wrong")
    assert [p.path for p in forum.posts] == ["/session.json"]
