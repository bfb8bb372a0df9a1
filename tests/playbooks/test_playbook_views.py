"""Playbook pages through the test client: who sees what, import with errors, review, section editors, targets."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from support import web

from repapp.bootstrap import sync_forums
from repapp.extensions import db
from repapp.models import Client, KpiKey, KpiTargetChange, PlaybookStatus, PlaybookVersion, utcnow
from repapp.playbooks import views
from repapp.playbooks.targets import local_month, set_target
from repapp.playbooks.versions import parsed, version_in_force, version_text

AVTODOM = Path(__file__).parents[2] / "playbooks" / "avtodom-premium.yaml"


@pytest.fixture
def forums(app):
    """Load forums/ into the database, as `repapp init` does."""
    sync_forums(db.session, app.config["FORUMS_DIR"])
    db.session.commit()


def post(client, url, data=None, **kwargs):
    """POST a form with a CSRF token from the same session."""
    return web.post_form(client, url, data or {}, token_from="/playbooks", **kwargs)


def page(response) -> str:
    """Return a response's text."""
    return response.get_data(as_text=True)


def import_avtodom(pr_client, text: str | None = None) -> PlaybookVersion:
    """Paste the car dealer's playbook as the PR specialist and return the draft."""
    response = post(pr_client, "/playbooks/import", {"text": text or AVTODOM.read_text(encoding="utf-8")})
    assert response.status_code == 302, page(response)[:2000]
    return db.session.scalar(select(PlaybookVersion).order_by(PlaybookVersion.id.desc()).limit(1))


def approve(pr_client, version: PlaybookVersion, **data):
    """Approve a version through its form."""
    return post(pr_client, f"/playbooks/versions/{version.id}/approve", data)


def test_client_viewers_never_reach_a_playbook_page(app, world, login_as):
    """No playbook route admits a client viewer, whatever the method."""
    world.playbook_version_a()
    viewer = login_as("client_a")
    from support.routes import url_for_rule

    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("playbooks.")]
    assert len(rules) >= 10
    for rule in rules:
        url, _owner = url_for_rule(app, world, rule.endpoint)
        if "GET" in rule.methods:
            assert viewer.get(url).status_code == 403, url
        if "POST" in rule.methods:
            assert post(viewer, url).status_code == 403, url
    assert "/playbooks" not in page(viewer.get("/"))


def test_a_representative_reads_the_playbook_in_force_of_their_client_only(app, world, login_as):
    """Reps see the version in force, section by section; not other clients', not drafts, no approval."""
    version = world.playbook_version_a()
    rep = login_as("rep_a")
    current = rep.get("/playbooks/clients/client-a/current")
    assert current.status_code == 200
    assert "Тест Авто" in page(current) and "Обвинение в обмане" in page(current)
    assert login_as("rep_b").get("/playbooks/clients/client-a/current").status_code == 404
    assert rep.get(f"/playbooks/versions/{version.id}").status_code == 403
    assert post(rep, f"/playbooks/versions/{version.id}/approve").status_code == 403
    assert rep.get("/playbooks/clients/client-a/edit/kpis").status_code == 403
    listing = page(rep.get("/playbooks"))
    assert "Client A" in listing and "Client B" not in listing


def test_a_rep_cannot_approve_a_draft(app, world, login_as, forums):
    """The approve endpoint refuses a representative and the draft stays a draft."""
    version = import_avtodom(login_as("pr"))
    response = approve(login_as("rep_a"), version)
    assert response.status_code == 403
    db.session.refresh(version)
    assert version.status == PlaybookStatus.DRAFT


def test_pasting_a_broken_playbook_lists_every_problem_with_its_line(app, world, login_as, forums):
    """The page lists line, field and message, shows the offending line and keeps the text for fixing."""
    pr = login_as("pr")
    text = AVTODOM.read_text(encoding="utf-8").replace("per_day: 5", "per_day: 50").replace(
        "escalate_to: lawyer", "escalate_to: lawyr")
    response = post(pr, "/playbooks/import", {"text": text})
    assert response.status_code == 400
    html = page(response)
    line = text.split("\n").index("      per_day: 50") + 1
    assert re.search(rf'<td class="num">{line}</td>\s*<td><code>forums.autoclub.posting_limits.per_day</code>', html)
    assert "did you mean &#39;lawyer&#39;?" in html
    assert "per_day: 50" in html  # the text stays in the box
    assert db.session.scalar(select(PlaybookVersion)) is None


def test_an_uploaded_file_becomes_a_draft(app, world, login_as, forums):
    """A file upload works like pasting; the page then shows the draft."""
    from io import BytesIO

    pr = login_as("pr")
    response = post(pr, "/playbooks/import",
                    {"file": (BytesIO(AVTODOM.read_bytes()), "avtodom-premium.yaml")},
                    content_type="multipart/form-data")
    assert response.status_code == 302
    version = db.session.scalar(select(PlaybookVersion))
    assert version.source == "upload:avtodom-premium.yaml" and version.created_by.email == "pr@test.repapp"
    assert response.headers["Location"].endswith(f"/playbooks/versions/{version.id}")


def test_the_pr_flow_from_paste_to_approval_to_a_target_change(app, world, login_as, forums):
    """Import, read the diff, approve (confirmed), see it in force, change a target and read the history."""
    pr = login_as("pr")
    version = import_avtodom(pr)
    diff = page(pr.get(f"/playbooks/versions/{version.id}/diff"))
    assert "No version is in force yet" in diff and "<ins>" in diff
    response = approve(pr, version, comment="Согласовано")
    assert response.status_code == 302
    db.session.refresh(version)
    assert version.status == PlaybookStatus.APPROVED and version.review_comment == "Согласовано"
    assert version_in_force(db.session, version.client_id).id == version.id
    assert "in force" in page(pr.get("/playbooks"))
    targets_url = "/playbooks/clients/avtodom-premium/targets"
    targets = page(pr.get(targets_url))
    assert "from playbook version 1" in targets and "3,227" in targets
    response = post(pr, targets_url, {"kpi": "views", "value": "4000", "reason": "Ветка выросла"})
    assert response.status_code == 302
    history = page(pr.get(targets_url))
    assert "Ветка выросла" in history and "4,000" in history and "pr@test.repapp" in history


def test_a_future_effective_date_schedules_the_version(app, world, login_as, forums):
    """Approved for a later day, the version is listed as scheduled and not in force yet."""
    pr = login_as("pr")
    version = import_avtodom(pr)
    later = (utcnow() + timedelta(days=10)).date()
    assert approve(pr, version, effective_date=later.isoformat()).status_code == 302
    assert version_in_force(db.session, version.client_id) is None
    assert "Scheduled" in page(pr.get("/playbooks/clients/avtodom-premium"))


def test_approving_with_a_past_date_is_refused_on_the_form(app, world, login_as, forums):
    """A day before today is a field error and approves nothing."""
    pr = login_as("pr")
    version = import_avtodom(pr)
    response = approve(pr, version, effective_date="2020-01-01")
    assert response.status_code == 400 and "The date is in the past." in page(response)
    db.session.refresh(version)
    assert version.status == PlaybookStatus.DRAFT


def test_rejecting_needs_a_comment(app, world, login_as, forums):
    """An empty comment is a form error; with one the version is rejected."""
    pr = login_as("pr")
    version = import_avtodom(pr)
    assert post(pr, f"/playbooks/versions/{version.id}/reject", {"comment": ""}).status_code == 400
    assert post(pr, f"/playbooks/versions/{version.id}/reject", {"comment": "Не то"}).status_code == 302
    db.session.refresh(version)
    assert version.status == PlaybookStatus.REJECTED


def test_the_diff_page_shows_both_versions_side_by_side(app, world, login_as, forums):
    """The changed target appears struck out on the left and inserted on the right, with line numbers."""
    pr = login_as("pr")
    approve(pr, import_avtodom(pr))
    v2 = import_avtodom(pr, AVTODOM.read_text(encoding="utf-8").replace("    views: 3227", "    views: 3500"))
    html = page(pr.get(f"/playbooks/versions/{v2.id}/diff"))
    assert re.search(r'<tr class="changed">.*?<code>\xa0+<del>views: 3227</del></code>.*?<code>\xa0+<ins>views: 3500'
                     r'</ins></code>', html, re.DOTALL)
    assert "Lines changed: 1." in html and "unchanged lines" in html


def test_editing_posting_limits_makes_a_new_draft(app, world, login_as, forums):
    """The forum section's fields change the limits; the rest of the forum comes from the YAML box."""
    pr = login_as("pr")
    v1 = import_avtodom(pr)
    url = "/playbooks/clients/avtodom-premium/edit/forums.autoclub"
    form = page(pr.get(url))
    assert 'name="per_day"' in form and "threads:" in form
    free = "threads:\n  - url: https://www.autoclub.example/forum/viewtopic.php?t=4182\n"
    response = post(pr, url, {"account": "Автодом_Премиум", "per_day": "3", "per_week": "15",
                              "min_gap_minutes": "60", "free": free})
    assert response.status_code == 302
    v2 = db.session.scalar(select(PlaybookVersion).where(PlaybookVersion.number == 2))
    limits = parsed(v2).forums["autoclub"].posting_limits
    assert (limits.per_day, limits.per_week, limits.min_gap_minutes) == (3, 15, 60)
    assert len(parsed(v2).forums["autoclub"].threads) == 1 and v2.source == "ui:forums.autoclub"
    assert parsed(v2).forums["demo-flaskbb"] == parsed(v1).forums["demo-flaskbb"]


def test_section_problems_land_on_the_field_or_the_line_of_the_yaml_box(app, world, login_as, forums):
    """A limit that contradicts another is shown at its field; a typo in the box at its line there."""
    pr = login_as("pr")
    import_avtodom(pr)
    url = "/playbooks/clients/avtodom-premium/edit/forums.autoclub"
    free = "threads:\n  - url: https://www.autoclub.example/forum/viewtopic.php?t=4182\n"
    response = post(pr, url, {"account": "A", "per_day": "30", "per_week": "10", "free": free})
    assert response.status_code == 400
    assert re.search(r'<div class="field has-error">\s*<label for="per_day">.*?<div class="error">per_day \(30\) is '
                     r'more than per_week', page(response), re.DOTALL)
    response = post(pr, url, {"account": "A", "free": free + "content_sorces: []\n"})
    assert response.status_code == 400
    assert re.search(r'<td class="num">3</td>\s*<td><code>forums.autoclub.content_sorces</code>', page(response))
    assert len(list(db.session.scalars(select(PlaybookVersion)))) == 1


def test_editing_kpis_in_the_form_changes_targets_and_priority(app, world, login_as, forums):
    """The KPI section is all fields: one per KPI and the priority."""
    pr = login_as("pr")
    import_avtodom(pr)
    response = post(pr, "/playbooks/clients/avtodom-premium/edit/kpis",
                    {"priority": "questions", "target_questions": "30", "target_views": "4000"})
    assert response.status_code == 302
    kpis = parsed(db.session.scalar(select(PlaybookVersion).where(PlaybookVersion.number == 2))).kpis
    assert kpis.priority == KpiKey.QUESTIONS and kpis.targets == {KpiKey.VIEWS: 4000, KpiKey.QUESTIONS: 30}
    bad = post(pr, "/playbooks/clients/avtodom-premium/edit/kpis", {"priority": "views", "target_questions": "30"})
    assert bad.status_code == 400 and "priority KPI" in page(bad)


def test_adding_a_forum_needs_a_key_not_in_the_playbook(app, world, login_as, forums):
    """The new-forum editor refuses a key the playbook already has."""
    pr = login_as("pr")
    import_avtodom(pr)
    url = "/playbooks/clients/avtodom-premium/edit/new-forum"
    response = post(pr, url, {"key": "autoclub", "account": "X", "free": "threads:\n  - url: https://x.example/\n"})
    assert response.status_code == 400 and "already has this forum" in page(response)
    response = post(pr, url, {"key": "svyaz-online", "account": "Автодом",
                              "free": "threads:\n  - url: https://forum.svyaz-online.example/showthread.php?tid=1\n"})
    assert response.status_code == 302
    assert "svyaz-online" in parsed(db.session.scalar(select(PlaybookVersion).where(PlaybookVersion.number == 2))).forums


def test_a_section_without_changes_makes_no_version(app, world, login_as, forums):
    """Saving the approval policy as it is changes nothing."""
    pr = login_as("pr")
    import_avtodom(pr)
    url = "/playbooks/clients/avtodom-premium/edit/approval"
    html = page(pr.get(url))
    data = {"everything_until": "2024-03-31", "news": "y", "new_threads": "y", "drafts_with_warnings": "y",
            "topics": "legal, prizes", "situations": "accusation, contest", "otherwise": "publish"}
    assert 'value="legal, prizes"' in html
    assert post(pr, url, data).status_code == 302
    assert len(list(db.session.scalars(select(PlaybookVersion)))) == 1


def test_export_downloads_the_version_in_force(app, world, login_as, forums):
    """The download is the canonical text, named after the client."""
    pr = login_as("pr")
    version = import_avtodom(pr)
    assert pr.get("/playbooks/clients/avtodom-premium/export").status_code == 302  # nothing in force yet
    approve(pr, version)
    response = pr.get("/playbooks/clients/avtodom-premium/export")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="avtodom-premium.yaml"'
    assert page(response) == version_text(version)


def test_an_early_priority_switch_asks_for_confirmation_on_the_targets_page(app, world, login_as):
    """The first save is answered with the warning and a confirm button; confirming records it."""
    pr = login_as("pr")
    client = world.client_a
    month = local_month(utcnow(), client.timezone)
    set_target(db.session, client, month, KpiKey.QUESTIONS, 20, is_priority=True, reason="r",
               actor=world.user("pr"), now=utcnow() - timedelta(days=40))
    set_target(db.session, client, month, KpiKey.VIEWS, 10, is_priority=True, reason="r",
               actor=world.user("pr"), now=utcnow() - timedelta(days=20))
    db.session.commit()
    url = f"/playbooks/clients/client-a/targets?month={month:%Y-%m}"
    data = {"kpi": "problems_solved", "value": "2", "is_priority": "y", "reason": "Клиент просит"}
    first = post(pr, url, data)
    assert first.status_code == 409
    assert "less than three months ago" in page(first) and 'name="confirm" type="hidden" value="1"' in page(first)
    assert post(pr, url, {**data, "confirm": "1"}).status_code == 302
    change = db.session.scalar(select(KpiTargetChange).order_by(KpiTargetChange.id.desc()).limit(1))
    assert change.kpi == KpiKey.PROBLEMS_SOLVED and change.confirmed_early_priority_change
    assert "early switch, confirmed" in page(pr.get(url))


def test_a_bad_target_is_a_field_error(app, world, login_as):
    """A fractional count is refused on the value field."""
    response = post(login_as("pr"), "/playbooks/clients/client-a/targets",
                    {"kpi": "questions", "value": "2.5", "reason": "r"})
    assert response.status_code == 400 and "must be a whole number" in page(response)


def test_the_forecast_is_shown_beside_each_target(app, world, login_as, monkeypatch):
    """With KPI figures, the targets page shows the figure so far and the month-end forecast."""
    month = local_month(utcnow(), world.client_a.timezone)
    set_target(db.session, world.client_a, month, KpiKey.VIEWS, 3000, is_priority=True, reason="r",
               actor=world.user("pr"))
    db.session.commit()
    monkeypatch.setattr(views, "kpi_progress",
                        lambda client, month: {KpiKey.VIEWS: views.Progress(1200.0, 3721.4)})
    html = page(login_as("pr").get("/playbooks/clients/client-a/targets"))
    assert "Forecast to month end" in html
    assert re.search(r'1,200</td>\s*<td class="num"><span class="good">3,721.4</span>', html)


def test_the_forecast_hook_reads_the_kpi_engine_when_it_is_installed(app, world):
    """`kpi_progress` gives a Progress per KPI from repapp.kpi, or None while that module is absent."""
    month = local_month(utcnow(), world.client_a.timezone)
    with app.test_request_context():
        progress = views.kpi_progress(world.client_a, month)
    try:
        import repapp.kpi.targets  # noqa: F401
    except ImportError:
        assert progress is None
    else:
        assert set(progress) <= set(KpiKey) and all(isinstance(p, views.Progress) for p in progress.values())


def test_client_details_follow_the_version_in_force(app, world, login_as, forums):
    """Approving sets the client's official account name from the playbook."""
    pr = login_as("pr")
    text = AVTODOM.read_text(encoding="utf-8").replace("display_name: Автодом Премиум (официальный представитель)",
                                                       "display_name: Автодом — официально")
    approve(pr, import_avtodom(pr, text))
    client = db.session.scalar(select(Client).where(Client.slug == "avtodom-premium"))
    db.session.refresh(client)
    assert client.display_name == "Автодом — официально"
    assert db.session.scalar(select(KpiTargetChange.new_target).where(KpiTargetChange.kpi == KpiKey.VIEWS)) == \
        Decimal("3227")
