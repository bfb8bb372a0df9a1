"""Logging in and out: clear errors, real logout, disabled users, throttling, safe redirects."""

from __future__ import annotations

from repapp.admin.operations import set_user_enabled
from repapp.auth.views import is_safe_next
from repapp.extensions import db
from repapp.models import AuditEvent, LoginFailure
from support import web
from support.world import PASSWORD


def test_login_with_wrong_password_says_so(client, world):
    """A wrong password gives a clear error and no session."""
    response = web.login(client, world.user("rep_a").email, "not-the-password")
    assert response.status_code == 401
    assert b"Wrong e-mail or password" in response.data
    assert client.get("/").status_code == 302


def test_login_then_dashboard_and_audit(client, world):
    """A correct login lands on the dashboard and is audited."""
    response = web.login(client, world.user("rep_a").email, PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert db.session.query(AuditEvent).filter_by(action="login", object_id=str(world.user("rep_a").id)).count() == 1


def test_logout_invalidates_a_copied_cookie(app, world, login_as):
    """After logout, a copy of the session cookie taken before no longer logs anybody in."""
    original = login_as("pr")
    cookie = original.get_cookie("session")
    copy = app.test_client()
    copy.set_cookie("session", cookie.value)
    assert copy.get("/").status_code == 200
    web.logout(original)
    response = copy.get("/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_disabled_user_is_logged_out_on_next_request(app, world, login_as):
    """Disabling a user ends their live session at the next request."""
    rep = login_as("rep_a")
    assert rep.get("/").status_code == 200
    set_user_enabled(db.session, world.user("rep_a"), False, actor=world.user("admin"))
    db.session.commit()
    assert rep.get("/").status_code == 302
    assert web.login(rep, world.user("rep_a").email, PASSWORD).status_code == 403


def test_login_is_throttled_per_account(app, client, world):
    """After LOGIN_MAX_FAILURES wrong passwords even the right one is refused for a while."""
    email = world.user("rep_a").email
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert web.login(client, email, "wrong-password").status_code == 401
    response = web.login(client, email, PASSWORD)
    assert response.status_code == 429
    assert b"Too many failed attempts" in response.data
    # Another account from another address is not affected.
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"  # only a WSGI value: nothing is sent anywhere
    assert web.login(other, world.user("pr").email, PASSWORD).status_code == 302


def test_login_is_throttled_per_address(app, world):
    """Guessing across many accounts from one address is throttled too."""
    client = app.test_client()
    for n in range(app.config["LOGIN_MAX_FAILURES"]):
        web.login(client, f"nobody{n}@test.repapp", "wrong-password")
    assert web.login(client, world.user("pr").email, PASSWORD).status_code == 429
    assert db.session.query(LoginFailure).count() >= app.config["LOGIN_MAX_FAILURES"] * 2


def test_next_parameter_only_accepts_local_paths(app, world):
    """Login redirects to a local `next`, never to another site."""
    client = app.test_client()
    token = web.csrf_token(client)
    data = {"email": world.user("admin").email, "password": PASSWORD, "csrf_token": token}
    response = client.post("/auth/login?next=https://evil.example/x", data=data)
    assert response.headers["Location"] == "/"
    client2 = app.test_client()
    data["csrf_token"] = web.csrf_token(client2)
    response = client2.post("/auth/login?next=/admin/users", data=data)
    assert response.headers["Location"] == "/admin/users"
    for bad in ("//evil.example", "/\\evil.example", "https://evil.example", "javascript:alert(1)", ""):
        assert not is_safe_next(bad)


def test_session_cookie_flags(client, world):
    """The session cookie is HttpOnly and SameSite."""
    web.login(client, world.user("admin").email, PASSWORD)
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_language_switch_is_saved_per_user(app, world, login_as):
    """A user's language choice sticks across sessions; an unknown language is refused."""
    rep = login_as("rep_a")
    assert b"Log out" in rep.get("/").data
    web.post_form(rep, "/settings/language", {"locale": "ru", "next": "/"}, token_from="/")
    assert "Выйти".encode() in rep.get("/").data
    assert "Выйти".encode() in login_as("rep_a").get("/").data
    assert web.post_form(rep, "/settings/language", {"locale": "xx"}, token_from="/").status_code == 400


def test_anonymous_pages_follow_the_browser_language(client):
    """Before login the browser's Accept-Language picks Russian or English."""
    assert "Войти".encode() in client.get("/auth/login", headers={"Accept-Language": "ru-RU,ru;q=0.9"}).data
    assert b"Log in" in client.get("/auth/login", headers={"Accept-Language": "en-GB"}).data
