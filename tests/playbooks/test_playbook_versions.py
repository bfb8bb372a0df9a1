"""Playbook versions: import only on change, approval with effective dates, the version in force, apply."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from repapp.audit import record_event  # noqa: F401  (the module under test records through it)
from repapp.bootstrap import sync_forums, sync_playbooks
from repapp.extensions import db
from repapp.forums.registry import forum_definitions
from repapp.models import (
    AuditEvent,
    Client,
    ForumAccount,
    KpiKey,
    KpiTarget,
    KpiTargetChange,
    PlaybookStatus,
    PlaybookVersion,
    WatchedThread,
)
from repapp.playbooks.export import dump_playbook, write_playbook
from repapp.playbooks.loader import load_playbook_text
from repapp.playbooks.targets import set_target
from repapp.playbooks.versions import (
    PlaybookError,
    PlaybookPermissionError,
    apply_in_force,
    approve_version,
    diff_versions,
    effective_from_day,
    import_playbook_files,
    import_playbook_text,
    parsed,
    playbook_in_force,
    reject_version,
    save_section,
    version_in_force,
    version_text,
)

EXAMPLES = Path(__file__).parents[2] / "playbooks"
AVTODOM = EXAMPLES / "avtodom-premium.yaml"
MARCH = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def forums(app):
    """Load the forum definitions of forums/, as `repapp init` does, and return them."""
    sync_forums(db.session, app.config["FORUMS_DIR"])
    db.session.commit()
    return forum_definitions(app)


def avtodom_text(**replacements: str) -> str:
    """Return the car dealer's example playbook, with some text replaced."""
    text = AVTODOM.read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


def draft(text: str, actor) -> PlaybookVersion:
    """Import text as the actor and return the new draft (failing on problems)."""
    result = import_playbook_text(db.session, text, source="test", actor=actor)
    assert result.ok, result.problems
    assert result.created
    db.session.commit()
    return result.version


def versions_of(slug: str) -> list[PlaybookVersion]:
    """Return a client's versions by number."""
    return list(db.session.scalars(select(PlaybookVersion).join(Client).where(Client.slug == slug)
                                   .order_by(PlaybookVersion.number)))


def test_importing_the_same_content_twice_creates_one_draft(forums, world):
    """The second import of unchanged content (even re-commented) adds nothing; a changed target adds v2."""
    pr = world.user("pr")
    first = import_playbook_text(db.session, avtodom_text(), source="a.yaml", actor=pr)
    assert first.created and first.version.number == 1 and first.version.status == PlaybookStatus.DRAFT
    again = import_playbook_text(db.session, "# re-read\n" + avtodom_text(), source="b.yaml", actor=pr)
    assert not again.created and again.ok and again.version.id == first.version.id
    changed = import_playbook_text(db.session, avtodom_text(**{"    views: 3227": "    views: 3500"}),
                                   source="c.yaml", actor=pr)
    assert changed.created and changed.version.number == 2
    assert [v.number for v in versions_of("avtodom-premium")] == [1, 2]


def test_import_creates_the_client_named_in_the_playbook(forums, world):
    """A playbook for a new slug creates its client with the playbook's details."""
    draft(avtodom_text(), world.user("pr"))
    client = db.session.scalar(select(Client).where(Client.slug == "avtodom-premium"))
    assert client.name == "Автодом Премиум" and client.timezone == "Europe/Moscow"
    assert client.site_url == "https://avtodom-premium.ru/"


def test_invalid_playbook_reports_problems_and_stores_nothing(forums, world):
    """Problems come back as PATH:LINE: field: message; no client, no version."""
    result = import_playbook_text(db.session, avtodom_text(**{"per_day: 5": "per_day: 50"}), source="paste",
                                  actor=world.user("pr"))
    assert not result.ok and not result.created and result.version is None
    assert any(str(p).startswith("paste:") and "posting_limits" in p.field for p in result.problems)
    assert db.session.scalar(select(func.count()).select_from(PlaybookVersion)) == 0
    assert db.session.scalar(select(Client).where(Client.slug == "avtodom-premium")) is None


def test_unknown_forum_is_a_problem_when_forums_are_loaded(forums, world):
    """Forum keys are checked against the forums loaded in the database."""
    result = import_playbook_text(db.session, avtodom_text(**{"  autoclub:": "  autoclubb:"}), source="p",
                                  actor=world.user("pr"))
    assert any(p.field == "forums.autoclubb" and "unknown forum" in p.message for p in result.problems)


def test_a_broken_file_does_not_stop_the_others(forums, world, tmp_path):
    """Each file is imported on its own; problems name their file."""
    broken = tmp_path / "svyaz-plus.yaml"
    broken.write_text((EXAMPLES / "svyaz-plus.yaml").read_text(encoding="utf-8").replace("format_version: 1",
                                                                                          "format_version: 2"),
                      encoding="utf-8")
    results = import_playbook_files(db.session, [broken, AVTODOM], world.user("pr"))
    assert [r.ok for r in results] == [False, True]
    assert results[0].problems[0].source == str(broken) and results[0].problems[0].field == "format_version"
    assert results[1].created and results[1].client.slug == "avtodom-premium"


def test_start_up_load_does_not_undo_edits_made_in_the_ui(app, forums, world):
    """`repapp init` (actor None) skips a file whose content any version already had; a person gets a draft."""
    assert sync_playbooks(db.session, app.config["PLAYBOOKS_DIR"]) == ["Playbooks: 3 files, 3 new versions."]
    client = db.session.scalar(select(Client).where(Client.slug == "avtodom-premium"))
    structured = {"priority": "views", "targets": {"views": 4000}}
    result, _composed = save_section(db.session, client, ("kpis",), structured, "", actor=world.user("pr"))
    assert result.created and result.version.number == 2
    assert sync_playbooks(db.session, app.config["PLAYBOOKS_DIR"]) == ["Playbooks: 3 files, 0 new versions."]
    again = import_playbook_files(db.session, [AVTODOM], world.user("pr"))
    assert again[0].created and again[0].version.number == 3


def test_version_approved_for_a_future_date_does_not_apply_before_it(forums, world):
    """Until its effective moment the old version stays in force and its targets are not written."""
    pr = world.user("pr")
    v1 = draft(avtodom_text(), pr)
    approve_version(db.session, v1, actor=pr, definitions=forums, now=MARCH)
    v2 = draft(avtodom_text(**{"    views: 3227": "    views: 5000"}), pr)
    takes_effect = MARCH + timedelta(days=10)
    assert approve_version(db.session, v2, actor=pr, definitions=forums, effective_from=takes_effect,
                           now=MARCH) is None
    db.session.commit()
    client = v1.client
    assert version_in_force(db.session, client.id, MARCH + timedelta(days=9)).number == 1
    assert playbook_in_force(db.session, client.id, MARCH + timedelta(days=9)).kpis.targets[KpiKey.VIEWS] == 3227
    assert apply_in_force(db.session, client, MARCH + timedelta(days=9), definitions=forums).changes == []
    views = db.session.scalar(select(KpiTarget).where(KpiTarget.kpi == KpiKey.VIEWS))
    assert views.target == Decimal("3227")
    report = apply_in_force(db.session, client, takes_effect, definitions=forums)
    assert report.version.number == 2 and report.changes == ["kpis.targets.views"]
    assert version_in_force(db.session, client.id, takes_effect).number == 2
    assert views.target == Decimal("5000")


def test_effective_day_is_the_start_of_that_day_in_the_clients_time_zone():
    """A future day starts at local midnight; today means now; a past day is refused."""
    assert effective_from_day(date(2025, 3, 20), "Europe/Moscow", MARCH) == datetime(2025, 3, 19, 21, tzinfo=UTC)
    assert effective_from_day(date(2025, 3, 10), "Europe/Moscow", MARCH) == MARCH
    with pytest.raises(PlaybookError):
        effective_from_day(date(2025, 3, 9), "Europe/Moscow", MARCH)


def test_in_force_is_the_latest_effective_then_the_highest_number(forums, world):
    """Two versions effective at the same moment: the higher number is in force."""
    pr = world.user("pr")
    v1 = draft(avtodom_text(), pr)
    approve_version(db.session, v1, actor=pr, definitions=forums, effective_from=MARCH + timedelta(days=5),
                    now=MARCH)
    v2 = draft(avtodom_text(**{"    views: 3227": "    views: 1"}), pr)
    approve_version(db.session, v2, actor=pr, definitions=forums, effective_from=MARCH + timedelta(days=5),
                    now=MARCH)
    assert version_in_force(db.session, v1.client_id, MARCH) is None
    assert version_in_force(db.session, v1.client_id, MARCH + timedelta(days=5)).id == v2.id


def test_export_then_import_is_the_identity(forums, world, tmp_path):
    """The exported text loads back to the same playbook, dumps to the same bytes, and imports as unchanged."""
    pr = world.user("pr")
    v1 = draft(avtodom_text(), pr)
    approve_version(db.session, v1, actor=pr, definitions=forums, now=MARCH)
    exported = version_text(version_in_force(db.session, v1.client_id, MARCH))
    reloaded = load_playbook_text(exported)
    assert reloaded == parsed(v1)
    assert dump_playbook(reloaded) == exported
    result = import_playbook_text(db.session, exported, source="export", actor=pr)
    assert result.ok and not result.created and result.version.id == v1.id
    path = write_playbook(parsed(v1), tmp_path / "avtodom-premium.yaml")
    assert not import_playbook_files(db.session, [path], pr)[0].created


def test_a_representative_cannot_approve_or_write_a_playbook(forums, world):
    """Reps work by the playbook; approving or importing one is refused and changes nothing."""
    v1 = draft(avtodom_text(), world.user("pr"))
    rep = world.user("rep_a")
    with pytest.raises(PlaybookPermissionError):
        approve_version(db.session, v1, actor=rep, definitions=forums, now=MARCH)
    with pytest.raises(PlaybookPermissionError):
        reject_version(db.session, v1, actor=rep, comment="no")
    with pytest.raises(PlaybookPermissionError):
        import_playbook_text(db.session, avtodom_text(**{"    views: 3227": "    views: 1"}), source="p", actor=rep)
    db.session.rollback()
    assert v1.status == PlaybookStatus.DRAFT and v1.approved_by_id is None
    assert version_in_force(db.session, v1.client_id) is None


def test_a_pr_specialist_may_approve_their_own_draft_and_it_is_audited(forums, world):
    """Self-approval is allowed for PR and recorded as such."""
    pr = world.user("pr")
    v1 = draft(avtodom_text(), pr)
    approve_version(db.session, v1, actor=pr, definitions=forums, comment="Согласовано с клиентом", now=MARCH)
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "playbook.approve"))
    assert event.actor_id == pr.id and event.details["self_approved"] is True
    assert v1.approved_by_id == pr.id and v1.review_comment == "Согласовано с клиентом"


def test_rejecting_needs_a_comment_and_a_rejected_version_never_applies(forums, world):
    """A rejection says why; the version stays out of force and cannot be approved afterwards."""
    pr = world.user("pr")
    v1 = draft(avtodom_text(), pr)
    with pytest.raises(PlaybookError):
        reject_version(db.session, v1, actor=pr, comment="  ")
    reject_version(db.session, v1, actor=world.user("admin"), comment="Цели не согласованы")
    assert v1.status == PlaybookStatus.REJECTED
    with pytest.raises(PlaybookError, match="rejected"):
        approve_version(db.session, v1, actor=pr, definitions=forums, now=MARCH)
    assert version_in_force(db.session, v1.client_id) is None


def test_an_older_draft_superseded_by_a_newer_one_cannot_be_approved(forums, world):
    """Approving v1 after v2 exists would silently drop v2's changes."""
    pr = world.user("pr")
    v1 = draft(avtodom_text(), pr)
    v2 = draft(avtodom_text(**{"    views: 3227": "    views: 1"}), pr)
    with pytest.raises(PlaybookError, match="superseded"):
        approve_version(db.session, v1, actor=pr, definitions=forums, now=MARCH)
    approve_version(db.session, v2, actor=pr, definitions=forums, now=MARCH)
    assert version_in_force(db.session, v2.client_id, MARCH).id == v2.id


def test_approval_brings_the_clients_records_in_line_once(forums, world):
    """Accounts (no password), watched threads and this month's targets follow; a second apply writes nothing."""
    pr = world.user("pr")
    v1 = draft(avtodom_text(**{"display_name: Автодом Премиум (официальный представитель)":
                               "display_name: Автодом Премиум — официально"}), pr)
    client = v1.client
    client.display_name = "old"
    report = approve_version(db.session, v1, actor=pr, definitions=forums, now=MARCH)
    db.session.commit()
    assert "client.display_name" in report.changes and report.problems == []
    assert client.display_name == "Автодом Премиум — официально"
    accounts = {a.forum.key: a for a in db.session.scalars(select(ForumAccount).where(ForumAccount.client_id == client.id))}
    assert accounts["autoclub"].username == "Автодом_Премиум" and accounts["autoclub"].password_encrypted is None
    urls = set(db.session.scalars(select(WatchedThread.url).where(WatchedThread.client_id == client.id)))
    assert "https://www.autoclub.example/forum/viewtopic.php?t=4182" in urls and len(urls) == 3
    targets = {t.kpi: t for t in db.session.scalars(select(KpiTarget).where(KpiTarget.client_id == client.id))}
    assert targets[KpiKey.VIEWS].target == Decimal("3227") and targets[KpiKey.VIEWS].month == date(2025, 3, 1)
    assert targets[KpiKey.PROBLEMS_SOLVED].is_priority
    assert {c.reason for c in db.session.scalars(select(KpiTargetChange))} == {"playbook v1"}
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    second = apply_in_force(db.session, client, MARCH + timedelta(hours=1), definitions=forums)
    assert second.changes == [] and second.problems == []
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_a_target_set_by_hand_is_not_overwritten_by_a_new_version(forums, world):
    """The playbook writes only the targets nobody set by hand for the month."""
    pr = world.user("pr")
    v1 = draft(avtodom_text(), pr)
    approve_version(db.session, v1, actor=pr, definitions=forums, now=MARCH)
    set_target(db.session, v1.client, date(2025, 3, 1), KpiKey.VIEWS, 4000, is_priority=False,
               reason="Форум вырос", actor=pr, now=MARCH + timedelta(hours=1))
    v2 = draft(avtodom_text(**{"    views: 3227": "    views: 9999", "    questions: 20": "    questions: 25"}), pr)
    approve_version(db.session, v2, actor=pr, definitions=forums, now=MARCH + timedelta(hours=2))
    targets = {t.kpi: t.target for t in db.session.scalars(select(KpiTarget))}
    assert targets[KpiKey.VIEWS] == Decimal("4000") and targets[KpiKey.QUESTIONS] == Decimal("25")


def test_a_new_month_gets_the_targets_of_the_version_in_force(forums, world):
    """The hourly apply writes each new month's targets from the playbook."""
    pr = world.user("pr")
    v1 = draft(avtodom_text(), pr)
    approve_version(db.session, v1, actor=pr, definitions=forums, now=MARCH)
    report = apply_in_force(db.session, v1.client, datetime(2025, 4, 1, 12, tzinfo=UTC), definitions=forums)
    assert "kpis.targets.views" in report.changes
    months = set(db.session.scalars(select(KpiTarget.month).distinct()))
    assert months == {date(2025, 3, 1), date(2025, 4, 1)}


def test_a_thread_on_an_undefined_forum_is_reported_not_fatal(forums, world):
    """A listed thread no forum definition covers is a problem line; the rest still applies."""
    pr = world.user("pr")
    v1 = draft(avtodom_text(**{"https://www.autoclub.example/forum/viewtopic.php?t=3957":
                               "https://elsewhere.example/t/1"}), pr)
    report = approve_version(db.session, v1, actor=pr, definitions=forums, now=MARCH)
    assert any("threads[1].url" in p and "elsewhere.example" in p for p in report.problems)
    assert "kpis.targets.views" in report.changes


def test_diff_against_the_version_in_force_marks_the_changed_line(forums, world):
    """Side-by-side rows: the edited target is one changed line, unchanged stretches are folded."""
    pr = world.user("pr")
    v1 = draft(avtodom_text(), pr)
    approve_version(db.session, v1, actor=pr, definitions=forums, now=MARCH)
    v2 = draft(avtodom_text(**{"    views: 3227": "    views: 3500"}), pr)
    rows = diff_versions(version_in_force(db.session, v1.client_id, MARCH), v2)
    changed = [r for r in rows if r.kind != "same" and r.kind != "skipped"]
    assert [(r.kind, r.left.strip(), r.right.strip()) for r in changed] == [("changed", "views: 3227", "views: 3500")]
    assert rows[0].kind == "skipped" and rows[0].hidden > 100
    assert all(r.kind == "added" for r in diff_versions(None, v1))


def test_a_section_edit_is_checked_as_a_whole_and_becomes_a_draft(forums, world):
    """A valid section makes a new draft; a broken one returns problems located in the rebuilt text."""
    pr = world.user("pr")
    v1 = draft(avtodom_text(), pr)
    client = v1.client
    free = "threads:\n  - url: https://www.autoclub.example/forum/viewtopic.php?t=4182\n"
    good, _composed = save_section(db.session, client, ("forums", "autoclub"),
                                   {"account": "Новый_аккаунт", "posting_limits": {"per_day": 2}}, free, actor=pr)
    assert good.created and good.version.source == "ui:forums.autoclub"
    assert parsed(good.version).forums["autoclub"].account == "Новый_аккаунт"
    assert [str(t.url) for t in parsed(good.version).forums["autoclub"].threads] == [
        "https://www.autoclub.example/forum/viewtopic.php?t=4182"]
    typo, composed = save_section(db.session, client, ("forums", "autoclub"), {"account": "X"},
                                  free + "threads_typo: []\n", actor=pr)
    problem = next(p for p in typo.problems if p.field == "forums.autoclub.threads_typo")
    assert "did you mean 'threads'" in problem.message and composed.free_line(problem.line) == 3
    limits, _composed = save_section(db.session, client, ("forums", "autoclub"),
                                     {"account": "X", "posting_limits": {"per_day": 9, "per_week": 3}}, free, actor=pr)
    assert {p.field for p in limits.problems} == {"forums.autoclub.posting_limits.per_day"}
    assert not typo.created and not limits.created and len(versions_of("avtodom-premium")) == 2


def test_the_hourly_job_puts_a_future_version_in_force_when_its_day_comes(app, forums, world):
    """Applying every client does nothing before the effective moment, applies at it, then nothing again."""
    from repapp.playbooks.versions import apply_all_in_force, apply_in_force_job

    pr = world.user("pr")
    v1 = draft(avtodom_text(), pr)
    approve_version(db.session, v1, actor=pr, definitions=forums, effective_from=MARCH + timedelta(days=5), now=MARCH)
    db.session.commit()
    assert apply_all_in_force(db.session, forums, now=MARCH + timedelta(days=4)) == 0
    assert db.session.scalar(select(func.count()).select_from(KpiTarget)) == 0
    assert apply_all_in_force(db.session, forums, now=MARCH + timedelta(days=5)) == 1
    assert db.session.scalar(select(func.count()).select_from(KpiTarget)) == 9
    assert apply_all_in_force(db.session, forums, now=MARCH + timedelta(days=6)) == 0
    assert apply_in_force_job(app) == 1  # the present month gets its targets
    assert apply_in_force_job(app) == 0


def test_a_version_switching_priority_early_needs_a_confirmed_approval(forums, world):
    """Approving a version whose priority KPI differs, within three months of a switch, asks for confirmation."""
    from repapp.playbooks.targets import EarlyPriorityChange

    pr = world.user("pr")
    v1 = draft(avtodom_text(), pr)
    approve_version(db.session, v1, actor=pr, definitions=forums, now=MARCH)
    client = v1.client
    set_target(db.session, client, date(2025, 3, 1), KpiKey.VIEWS, 3000, is_priority=True, reason="Фокус на охват",
               actor=pr, now=MARCH + timedelta(days=1))  # a switch from problems_solved, by hand
    v2 = draft(avtodom_text(**{"priority: problems_solved": "priority: questions"}), pr)
    april = datetime(2025, 4, 2, 9, tzinfo=UTC)
    with pytest.raises(EarlyPriorityChange):
        approve_version(db.session, v2, actor=pr, definitions=forums, now=april)
    db.session.rollback()
    assert v2.status == PlaybookStatus.DRAFT
    approve_version(db.session, v2, actor=pr, definitions=forums, now=april, confirm_early_priority_change=True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "playbook.approve")
                              .order_by(AuditEvent.id.desc()).limit(1))
    assert event.details["early_priority_change_confirmed"] is True
    april_priority = db.session.scalar(select(KpiTargetChange).where(KpiTargetChange.month == date(2025, 4, 1),
                                                                     KpiTargetChange.new_priority))
    assert april_priority.kpi == KpiKey.QUESTIONS and april_priority.confirmed_early_priority_change
