"""A case moves open → in private messages → escalated → solved / unsolved, and only along the table."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from repapp.cases.operations import (
    TRANSITIONS,
    CaseError,
    link_post,
    open_case,
    open_case_from_post,
    reopen,
    transition,
    unlink_post,
)
from repapp.extensions import db
from repapp.models import AuditEvent, Case, CaseState, Post
from support import web

OPEN, IN_PM, ESCALATED = CaseState.OPEN, CaseState.IN_PRIVATE_MESSAGES, CaseState.ESCALATED
SOLVED, UNSOLVED = CaseState.SOLVED, CaseState.UNSOLVED


def _events(case: Case) -> list[tuple[str, dict]]:
    """Return the case's audit trail as (action, details)."""
    return [(e.action, e.details) for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "case", AuditEvent.object_id == str(case.id))
        .order_by(AuditEvent.id))]


def test_every_state_has_a_way_on_and_closed_cases_only_reopen():
    """The table covers every state; closed cases lead only back to open; escalated never falls back to open."""
    assert set(TRANSITIONS) == set(CaseState)
    assert TRANSITIONS[SOLVED] == TRANSITIONS[UNSOLVED] == {OPEN}
    assert OPEN not in TRANSITIONS[ESCALATED]


def test_case_from_post_through_its_life_is_audited(world):
    """Open from a post, into private messages, solved with a resolution, reopened: each step recorded."""
    rep = world.user("rep_a")
    case = open_case_from_post(db.session, world.post_a(), actor=rep)
    assert case.title == "Question?" and case.posts == [world.post_a()] and case.state == OPEN
    transition(db.session, case, IN_PM, actor=rep)
    transition(db.session, case, SOLVED, actor=rep, resolution="Replaced under warranty.")
    assert case.closed_at is not None and case.resolution == "Replaced under warranty."
    reopen(db.session, case, actor=rep, reason="The customer is back.")
    assert case.state == OPEN and case.closed_at is None
    db.session.commit()
    assert [a for a, _ in _events(case)] == ["case.open", "case.transition", "case.transition", "case.reopen"]
    assert _events(case)[2][1]["after"] == "solved" and _events(case)[3][1]["earlier_resolution"]


@pytest.mark.parametrize("start, target", [(SOLVED, IN_PM), (UNSOLVED, SOLVED), (OPEN, OPEN), (ESCALATED, OPEN)])
def test_invalid_transition_is_refused_with_a_clear_error(world, start, target):
    """A move the table does not allow raises CaseError naming both states, and changes nothing."""
    case = open_case(db.session, world.client_a, title="t", actor=world.user("rep_a"))
    case.state = start
    with pytest.raises(CaseError, match="cannot go from"):
        transition(db.session, case, target)
    assert case.state == start


def test_reopen_needs_a_closed_case(world):
    """Reopening an open case is refused."""
    case = open_case(db.session, world.client_a, title="t")
    with pytest.raises(CaseError, match="Only a solved or unsolved"):
        reopen(db.session, case)


def test_a_post_belongs_to_one_active_case_and_one_client(world):
    """A post already in an active case, or of another client, cannot be linked; once closed it can."""
    post = world.post_a()
    first = open_case_from_post(db.session, post)
    with pytest.raises(CaseError, match=f"already belongs to case #{first.id}"):
        open_case_from_post(db.session, post)
    other = open_case(db.session, world.client_b, title="B's problem")
    with pytest.raises(CaseError, match="another client"):
        link_post(db.session, other, post)
    transition(db.session, first, UNSOLVED)
    second = open_case_from_post(db.session, post)
    assert second.posts == [post]
    unlink_post(db.session, second, post)
    assert second.posts == []


def test_states_change_through_the_case_page(world, login_as):
    """The page's buttons move the case; an invalid move is refused with a message and nothing changes."""
    case = world.case_a()
    rep = login_as("rep_a")
    page = rep.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Close the case as solved?" in page and "Moved to private messages" in page

    web.post_form(rep, f"/cases/{case.id}/state", {"state": "in_pm"}, token_from=f"/cases/{case.id}")
    web.post_form(rep, f"/cases/{case.id}/state", {"state": "solved", "resolution": "Done."},
                  token_from=f"/cases/{case.id}")
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == SOLVED

    response = web.post_form(rep, f"/cases/{case.id}/state", {"state": "in_pm"}, token_from=f"/cases/{case.id}",
                             follow_redirects=True)
    assert "cannot go from “solved” to “in private messages”" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == SOLVED

    web.post_form(rep, f"/cases/{case.id}/reopen", {"reason": "Back again"}, token_from=f"/cases/{case.id}")
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == OPEN
    history = rep.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Case reopened" in history and "Back again" in history


def test_case_opened_from_a_post_in_the_ui(world, login_as):
    """/cases/new?post=ID shows the post and opens a case linked to it."""
    post = world.post_a()
    rep = login_as("rep_a")
    form = rep.get(f"/cases/new?post={post.id}")
    assert form.status_code == 200 and "Question?" in form.get_data(as_text=True)
    response = web.post_form(rep, "/cases/new", {"client": "client-a", "title": "", "post_ids": str(post.id)},
                             token_from=f"/cases/new?post={post.id}")
    assert response.status_code == 302
    case = db.session.scalar(select(Case))
    assert case.title == "Question?" and [p.id for p in case.posts] == [post.id]


def test_linking_posts_on_the_case_page(world, login_as):
    """A post is linked by its number or forum address, and unlinked after confirming."""
    case = world.case_a()
    extra = Post(thread_id=world.thread_a().id, client_id=world.client_a.id, external_id="2", author="u2",
                 url="http://127.0.0.1:9/post/2", text="Me too")
    db.session.add(extra)
    db.session.commit()
    rep = login_as("rep_a")
    web.post_form(rep, f"/cases/{case.id}/posts", {"post": "http://127.0.0.1:9/post/2"}, token_from=f"/cases/{case.id}")
    db.session.expire_all()
    assert {p.id for p in db.session.get(Case, case.id).posts} == {world.post_a().id, extra.id}
    web.post_form(rep, f"/cases/{case.id}/posts/unlink", {"post_id": str(extra.id)}, token_from=f"/cases/{case.id}")
    db.session.expire_all()
    assert [p.id for p in db.session.get(Case, case.id).posts] == [world.post_a().id]
