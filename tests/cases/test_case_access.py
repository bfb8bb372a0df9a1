"""Cases are the agency's working material: never shown to client viewers, never across clients."""

from __future__ import annotations

import pytest

from repapp.cases.operations import open_case
from repapp.extensions import db
from support import web


@pytest.mark.parametrize("viewer", ["client_a", "client_b"])
def test_client_viewers_never_see_cases(world, login_as, viewer):
    """Even their own client's case answers 403 to a client viewer, list and page alike."""
    case = world.case_a()
    browser = login_as(viewer)
    assert browser.get("/cases").status_code == 403
    assert browser.get(f"/cases/{case.id}").status_code == 403
    assert browser.get(f"/cases/{case.id}/escalate").status_code == 403


def test_rep_of_another_client_gets_404(world, login_as):
    """Rep B cannot open, change or escalate client A's case, nor resend its escalation."""
    case = world.case_a()
    escalation = world.escalation_a()
    rep_b = login_as("rep_b")
    assert rep_b.get(f"/cases/{case.id}").status_code == 404
    assert rep_b.get(f"/cases/{case.id}/escalate").status_code == 404
    assert web.post_form(rep_b, f"/cases/{case.id}/state", {"state": "solved"}, token_from="/").status_code == 404
    assert web.post_form(rep_b, f"/cases/escalations/{escalation.id}/resend", token_from="/").status_code == 404
    assert rep_b.get(f"/cases/new?post={world.post_a().id}").status_code == 404


def test_list_shows_only_visible_clients(world, login_as):
    """Each rep's list holds their own clients' cases; the PR specialist sees all and can filter."""
    world.case_a()
    open_case(db.session, world.client_b, title="Problem of B")
    db.session.commit()
    rep_a = login_as("rep_a").get("/cases").get_data(as_text=True)
    assert "Broken after repair" in rep_a and "Problem of B" not in rep_a
    rep_b = login_as("rep_b").get("/cases").get_data(as_text=True)
    assert "Problem of B" in rep_b and "Broken after repair" not in rep_b
    pr = login_as("pr")
    assert "Problem of B" in pr.get("/cases").get_data(as_text=True)
    only_a = pr.get("/cases?client=client-a&state=open").get_data(as_text=True)
    assert "Broken after repair" in only_a and "Problem of B" not in only_a
    assert "Broken after repair" not in pr.get("/cases?state=solved").get_data(as_text=True)
    assert pr.get("/cases?state=nonsense").status_code == 400
