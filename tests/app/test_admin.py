"""Administrators manage users and clients through the UI; mistakes get clear errors."""

from __future__ import annotations

from sqlalchemy import select

from repapp.extensions import db
from repapp.models import AuditEvent, Client, Role, User
from support import web
from support.world import PASSWORD


def test_admin_creates_a_representative_who_can_log_in(app, world, login_as):
    """A user created in the UI gets the role and clients chosen, and can log in."""
    admin = login_as("admin")
    response = web.post_form(admin, "/admin/users/new", {
        "email": "New.Rep@Test.repapp", "name": "Новый", "role": "rep", "clients": ["client-a"],
        "locale": "ru", "password": "long-enough-pass",
    }, token_from="/admin/users/new")
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "new.rep@test.repapp"))
    assert user.role == Role.REP and [c.slug for c in user.assigned_clients] == ["client-a"]
    assert web.login(app.test_client(), "new.rep@test.repapp", "long-enough-pass").status_code == 302


def test_client_viewer_needs_exactly_one_client(world, login_as):
    """A client viewer with two clients is refused with the reason on the field, and nothing is saved."""
    admin = login_as("admin")
    response = web.post_form(admin, "/admin/users/new", {
        "email": "viewer@test.repapp", "role": "client", "clients": ["client-a", "client-b"],
        "locale": "en", "password": "long-enough-pass",
    }, token_from="/admin/users/new")
    assert response.status_code == 400
    assert b"exactly one client" in response.data
    assert db.session.scalar(select(User).where(User.email == "viewer@test.repapp")) is None


def test_duplicate_email_is_refused(world, login_as):
    """Creating a user with an existing e-mail says so."""
    response = web.post_form(login_as("admin"), "/admin/users/new", {
        "email": world.user("pr").email.upper(), "role": "pr", "locale": "en", "password": "long-enough-pass",
    }, token_from="/admin/users/new")
    assert response.status_code == 400 and b"already exists" in response.data


def test_disabling_needs_the_confirmation_form_and_is_audited(world, login_as):
    """The list offers a confirmation step; the POST disables and records who did it."""
    admin = login_as("admin")
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "Disable subject_a@test.repapp?" in page
    target = world.user("subject_a")
    web.post_form(admin, f"/admin/users/{target.id}/enabled", {"enabled": "0"}, token_from="/admin/users")
    db.session.expire_all()
    assert db.session.get(User, target.id).is_enabled is False
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.disable"))
    assert event.actor_id == world.user("admin").id and event.object_id == str(target.id)


def test_admin_cannot_disable_themself(world, login_as):
    """Locking oneself out is refused."""
    admin = login_as("admin")
    me = world.user("admin")
    response = web.post_form(admin, f"/admin/users/{me.id}/enabled", {"enabled": "0"}, token_from="/admin/users")
    assert response.status_code == 302
    assert b"cannot disable yourself" in admin.get("/admin/users").data
    db.session.expire_all()
    assert db.session.get(User, me.id).is_enabled


def test_user_list_is_paginated(app, world, login_as):
    """More users than a page holds spread over pages with links between them."""
    from repapp.admin.operations import create_user

    for n in range(app.config["PAGE_SIZE"] + 5):
        create_user(db.session, email=f"bulk{n:03}@test.repapp", password=PASSWORD, role=Role.PR)
    db.session.commit()
    emails = sorted(db.session.scalars(select(User.email)))
    size = app.config["PAGE_SIZE"]
    admin = login_as("admin")
    first = admin.get("/admin/users").get_data(as_text=True)
    assert "Page 1 of 2" in first and 'rel="next"' in first
    second = admin.get("/admin/users?page=2").get_data(as_text=True)
    assert emails[size - 1] in first and emails[size - 1] not in second
    assert emails[size] in second and emails[size] not in first


def test_client_form_validates_slug_and_time_zone(world, login_as):
    """Bad slugs and unknown time zones are refused on their fields."""
    admin = login_as("admin")
    response = web.post_form(admin, "/admin/clients/new", {"slug": "Bad Slug", "name": "X", "timezone": "Mars/Base"},
                             token_from="/admin/clients/new")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Unknown time zone" in body
    response = web.post_form(admin, "/admin/clients/new", {"slug": "client-b", "name": "X", "timezone": "UTC"},
                             token_from="/admin/clients/new")
    assert b"already uses this slug" in response.data
    response = web.post_form(admin, "/admin/clients/new",
                             {"slug": "new-brand", "name": "Новый бренд", "timezone": "Europe/Moscow", "is_active": "y"},
                             token_from="/admin/clients/new")
    assert response.status_code == 302
    assert db.session.scalar(select(Client).where(Client.slug == "new-brand")).name == "Новый бренд"


def test_dashboards_differ_by_role(world, login_as):
    """Each role lands on its own dashboard, with an empty state that says what to do next."""
    assert b"Administration" in login_as("admin").get("/").data
    assert b"Nothing waits for you" in login_as("pr").get("/").data
    rep_page = login_as("rep_a").get("/").get_data(as_text=True)
    assert "Client A" in rep_page and "Client B" not in rep_page
    client_page = login_as("client_b").get("/").get_data(as_text=True)
    assert "No report has been published yet" in client_page and "Client A" not in client_page
