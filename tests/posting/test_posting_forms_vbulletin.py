"""vBulletin 3.8 forms (windows-1251, Russian) against hand-written pages, and a whole exchange on loopback."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from form_flows import BODY, PASSWORD, USERNAME, fetcher_for, page, run_post, saved  # noqa: F401 - fixture
from posting_loopback import Request, Response, ScriptedForum

from repapp.posting.engines import POSTERS, SentPost, manual_reason
from repapp.posting.engines.vbulletin import VBulletinPoster, password_hashes
from repapp.posting.errors import LoginRefused, NotPosted, OutcomeUnknown

ORIGIN = "https://forum.svyaz.example"
THREAD = f"{ORIGIN}/showthread.php?t=4512"
TOKEN = "1795354008-8c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d"
MD5, MD5_UTF = password_hashes(PASSWORD)


def cp1251(name: str, url: str = f"{ORIGIN}/x", status: int = 200, **headers: str):
    """A saved windows-1251 page as an answer."""
    return page(f"vbulletin/{name}", url, status, encoding="cp1251", **headers)


def test_registered_for_posting():
    """The engine declares posting and the poster is registered under its key."""
    assert POSTERS["vbulletin"] is VBulletinPoster


def test_password_hashes_follow_vbulletin_md5_js():
    """Characters above 255 become &#N; before hashing, as the navbar form's script does."""
    assert password_hashes("abc") == ("900150983cd24fb0d6963f7d28e17f72", "900150983cd24fb0d6963f7d28e17f72")
    assert password_hashes("пароль")[0] == __import__("hashlib").md5(
        b"&#1087;&#1072;&#1088;&#1086;&#1083;&#1100;").hexdigest()


def test_navbar_login_form_is_filled_like_a_browser_does():
    """Plain password emptied, both md5 fields set, securitytoken "guest" and do=login as served."""
    poster = VBulletinPoster("windows-1251")
    form, fields = poster.login_form(cp1251("index-guest-cp1251.html", f"{ORIGIN}/index.php"), USERNAME, PASSWORD)
    assert form.action == f"{ORIGIN}/login.php?do=login" and form.encoding == "cp1251"
    assert dict(fields) == {"vb_login_username": USERNAME, "vb_login_password": "", "cookieuser": "1",
                            "s": "", "securitytoken": "guest", "do": "login",
                            "vb_login_md5password": MD5, "vb_login_md5password_utf": MD5_UTF}


def test_login_answers():
    """The "Спасибо, что зашли" refresh page is success; the message page is a refusal in its words."""
    poster = VBulletinPoster()
    assert poster.login_error(cp1251("redirect-login-cp1251.html")) is None
    assert poster.login_error(page("", status=302, location="index.php")) is None
    assert "неправильное имя пользователя или пароль" in poster.login_error(cp1251("login-error-cp1251.html"))


def test_reply_form_fields_in_cp1251():
    """securitytoken, posthash, poststarttime go back as served; message in BB code, Submit Reply."""
    poster = VBulletinPoster()
    form = poster.reply_form(cp1251("newreply-cp1251.html", f"{ORIGIN}/newreply.php?do=newreply&t=4512"))
    values = dict(poster.reply_fields(form, BODY))
    assert form.action == f"{ORIGIN}/newreply.php?do=postreply&t=4512"
    assert values["securitytoken"] == TOKEN and values["posthash"] == "7e2f9c0d1a3b5c7d9e1f2a4b6c8d0e1f"
    assert (values["message"], values["wysiwyg"], values["do"], values["t"]) == (BODY, "0", "postreply", "4512")
    assert values["sbutton"] == "Отправить ответ" and "preview" not in values
    assert values["signature"] == "1" and values["emailupdate"] == "0" and "disablesmilies" not in values
    encoded = form.encode(poster.reply_fields(form, "Привет ✓"))
    assert ("message", "Привет &#10003;") in parse_qsl(encoded.decode("ascii"), encoding="cp1251")
    assert poster.reply_form(cp1251("index-guest-cp1251.html")) is None  # a guest: log in first
    with pytest.raises(NotPosted, match="Эта тема закрыта"):
        poster.reply_form(cp1251("closed-thread-cp1251.html"))


def test_reply_answers_and_links():
    """A refresh to showthread.php?p=N is the post; the error list is a refusal; no post named is unknown."""
    poster = VBulletinPoster()
    sent = poster.reply_outcome(cp1251("redirect-postreply-cp1251.html", f"{ORIGIN}/newreply.php?do=postreply&t=4512"),
                                THREAD)
    assert sent == SentPost("88106", f"{ORIGIN}/showthread.php?p=88106#post88106")
    with pytest.raises(NotPosted, match="подождали 30 секунд"):
        poster.reply_outcome(cp1251("newreply-error-cp1251.html"), THREAD)
    with pytest.raises(OutcomeUnknown, match="moderation"):
        poster.reply_outcome(page("", status=302, location=f"{ORIGIN}/forumdisplay.php?f=7"), THREAD)
    assert poster.reply_url(THREAD) == f"{ORIGIN}/newreply.php?do=newreply&noquote=1&t=4512"
    friendly = "https://community.homenet.example/forum/showthread.php?4512-Router-reboots/page2"
    assert poster.reply_url(friendly) == (
        "https://community.homenet.example/forum/newreply.php?do=newreply&noquote=1&t=4512")
    assert poster.post_id_from_url(f"{ORIGIN}/showthread.php?p=88106#post88106") == "88106"
    assert poster.post_id_from_url(f"{ORIGIN}/showthread.php?t=4512&page=2#post88103") == "88103"
    assert poster.post_id_from_url(THREAD) is None


def test_definitions_route_vbulletin_to_the_poster():
    """A vBulletin forum that allows posting needs no manual path."""
    from repapp.forums.definitions import ForumDefinition

    forum = ForumDefinition(key="pc-master", name="ПК-мастер", base_url=f"{ORIGIN}/", engine="vbulletin")
    assert manual_reason(forum) is None


COOKIE = "bbsessionhash"


def vbulletin_forum(base: str = "") -> ScriptedForum:
    """A vBulletin 3.8 in windows-1251: redirect pages for login and reply, tokens checked."""

    def handle(request: Request) -> Response:
        root = forum.base_url

        def page_of(name: str) -> Response:
            return Response(body=saved(f"vbulletin/{name}", root, ORIGIN, encoding="cp1251"),
                            headers=[("Content-Type", "text/html; charset=windows-1251")])

        logged_in = request.cookies.get(COOKIE) == "s3cr3t"
        if request.path == "/index.php":
            return page_of("index-guest-cp1251.html")
        if request.path == "/login.php":
            if (request.field("vb_login_md5password") != MD5 or request.field("securitytoken") != "guest"
                    or request.field("vb_login_password") != ""):
                return page_of("login-error-cp1251.html")
            answer = page_of("redirect-login-cp1251.html")
            answer.headers.append(("Set-Cookie", f"{COOKIE}=s3cr3t; path=/; HttpOnly"))
            return answer
        if request.path == "/newreply.php" and request.method == "GET":
            return page_of("newreply-cp1251.html" if logged_in else "index-guest-cp1251.html")
        if request.path == "/newreply.php" and logged_in and request.field("securitytoken") == TOKEN:
            return page_of("redirect-postreply-cp1251.html")
        return Response(404, b"not found")

    forum = ScriptedForum(handle)
    return forum


def test_login_and_reply_over_http_in_cp1251(fetcher_for):
    """Navbar login, then newreply with the page's securitytoken; the message arrives as windows-1251."""
    with vbulletin_forum() as forum:
        thread = f"{forum.base_url}/showthread.php?t=4512"
        sent, cookies = run_post(fetcher_for(forum.base_url), VBulletinPoster("windows-1251"), forum.base_url, thread)
        again, _ = run_post(fetcher_for(forum.base_url), VBulletinPoster("windows-1251"), forum.base_url, thread,
                            cookies=cookies)
    assert sent == again == SentPost("88106", f"{forum.base_url}/showthread.php?p=88106#post88106")
    login, reply, second = forum.posts
    assert login.path == "/login.php" and login.query == {"do": "login"}
    assert login.field("vb_login_username") == USERNAME and login.field("vb_login_md5password_utf") == MD5_UTF
    assert PASSWORD not in login.body.decode("ascii")
    assert reply.query == {"do": "postreply", "t": "4512"}
    fields = dict(parse_qsl(reply.body.decode("ascii"), encoding="cp1251"))
    assert fields["message"] == BODY and fields["securitytoken"] == TOKEN and fields["sbutton"] == "Отправить ответ"
    assert second.path == "/newreply.php"  # the kept session needed no second login
    assert COOKIE in cookies


def test_wrong_password_is_a_refused_login(fetcher_for):
    """vBulletin's own words come back; nothing is posted."""
    with vbulletin_forum() as forum, pytest.raises(LoginRefused, match="неправильное имя"):
        run_post(fetcher_for(forum.base_url), VBulletinPoster("windows-1251"), forum.base_url,
                 f"{forum.base_url}/showthread.php?t=4512", password="wrong")
    assert [p.path for p in forum.posts] == ["/login.php"]
