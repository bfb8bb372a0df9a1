"""`repapp playbook import | versions | diff | approve | reject | export | apply` against the database."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from repapp.bootstrap import sync_forums
from repapp.extensions import db
from repapp.models import PlaybookStatus, PlaybookVersion, utcnow
from repapp.playbooks.loader import load_playbook_file
from repapp.playbooks.versions import version_in_force, version_text

EXAMPLES = Path(__file__).parents[2] / "playbooks"
AVTODOM = EXAMPLES / "avtodom-premium.yaml"


@pytest.fixture
def forums(app):
    """Load forums/ into the database."""
    sync_forums(db.session, app.config["FORUMS_DIR"])
    db.session.commit()


def run(runner, *args):
    """Invoke `repapp playbook ...`."""
    return runner.invoke(args=["playbook", *map(str, args)])


def test_import_drafts_once_and_reports_unchanged_files(runner, world, forums):
    """A folder imports every file; the second run drafts nothing."""
    first = run(runner, "import", EXAMPLES, "--by", "pr@test.repapp")
    assert first.exit_code == 0, first.output
    assert "avtodom-premium v1 drafted" in first.stderr and first.stdout == ""
    second = run(runner, "import", EXAMPLES)
    assert second.exit_code == 0 and second.stderr.count("unchanged (same as") == 3
    assert len(list(db.session.scalars(select(PlaybookVersion)))) == 3
    assert db.session.scalar(select(PlaybookVersion).limit(1)).created_by.email == "pr@test.repapp"


def test_import_prints_problems_and_exits_one(runner, world, forums, tmp_path):
    """Problems are PATH:LINE: field: message lines; the valid file is still imported."""
    broken = tmp_path / "svyaz-plus.yaml"
    broken.write_text((EXAMPLES / "svyaz-plus.yaml").read_text(encoding="utf-8").replace(
        "days: calendar", "days: weekdays"), encoding="utf-8")
    result = run(runner, "import", broken, AVTODOM)
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{broken}:") and "regulations.response_time.days:" in result.stdout
    assert "avtodom-premium v1 drafted" in result.stderr


def test_a_rep_cannot_import(runner, world, forums):
    """Only PR specialists and admins write playbooks, from the CLI too."""
    result = run(runner, "import", AVTODOM, "--by", "rep_a@test.repapp")
    assert result.exit_code == 1 and "only PR specialists and administrators may write" in result.output
    db.session.rollback()
    assert db.session.scalar(select(PlaybookVersion)) is None


def test_approve_then_export_round_trips(runner, world, forums, tmp_path):
    """Approve the latest draft, export it, and import the export: nothing new."""
    run(runner, "import", AVTODOM)
    approved = run(runner, "approve", "avtodom-premium", "--comment", "ok", "--by", "pr@test.repapp")
    assert approved.exit_code == 0, approved.output
    assert "v1 approved" in approved.stdout and "updated kpis.targets.views" in approved.stdout
    exported = run(runner, "export", "avtodom-premium")
    version = db.session.scalar(select(PlaybookVersion))
    assert exported.exit_code == 0 and exported.stdout == version_text(version)
    out = tmp_path / "avtodom-premium.yaml"
    assert run(runner, "export", "avtodom-premium", "-o", out).exit_code == 0
    assert load_playbook_file(out) == load_playbook_file(AVTODOM)
    again = run(runner, "import", out)
    assert again.exit_code == 0 and "unchanged (same as avtodom-premium v1)" in again.stderr


def test_a_rep_cannot_approve_from_the_cli(runner, world, forums):
    """The approval names its approver, who must manage playbooks."""
    run(runner, "import", AVTODOM)
    result = run(runner, "approve", "avtodom-premium", "--by", "rep_a@test.repapp")
    assert result.exit_code == 1 and "only PR specialists and administrators may approve" in result.output
    assert db.session.scalar(select(PlaybookVersion)).status == PlaybookStatus.DRAFT


def test_approve_with_a_future_day_and_list_versions(runner, world, forums, tmp_path):
    """--effective schedules the version; `versions` marks the one in force with a star."""
    run(runner, "import", AVTODOM)
    run(runner, "approve", "avtodom-premium", "--by", "pr@test.repapp")
    edited = AVTODOM.read_text(encoding="utf-8").replace("    views: 3227", "    views: 3500")
    path = tmp_path / "avtodom-premium.yaml"
    path.write_text(edited, encoding="utf-8")
    assert run(runner, "import", path).exit_code == 0
    diff = run(runner, "diff", "avtodom-premium")
    assert "-    views: 3227\n+    views: 3500\n" in diff.stdout
    day = (utcnow() + timedelta(days=3)).date().isoformat()
    result = run(runner, "approve", "avtodom-premium", "--effective", day, "--by", "admin@test.repapp")
    assert result.exit_code == 0, result.output
    client_id = db.session.scalar(select(PlaybookVersion.client_id))
    assert version_in_force(db.session, client_id).number == 1
    listing = run(runner, "versions", "avtodom-premium").stdout.splitlines()
    assert listing[0].startswith("  v2   approved") and listing[1].startswith("* v1   approved")


def test_reject_and_errors_name_what_is_missing(runner, world, forums):
    """Reject needs a draft; export needs a version in force; unknown clients are named."""
    assert run(runner, "export", "avtodom-premium").output.strip().endswith("unknown client 'avtodom-premium'")
    run(runner, "import", AVTODOM)
    assert "avtodom-premium has no version in force" in run(runner, "export", "avtodom-premium").output
    result = run(runner, "reject", "avtodom-premium", "--comment", "Цели завышены", "--by", "pr@test.repapp")
    assert result.exit_code == 0 and "v1 rejected" in result.stdout
    again = run(runner, "reject", "avtodom-premium", "--comment", "x", "--by", "pr@test.repapp")
    assert again.exit_code == 1 and "avtodom-premium has no draft" in again.output
    assert "has no version 7" in run(runner, "export", "avtodom-premium", "--version", "7").output


def test_apply_brings_clients_in_line(runner, world, forums):
    """`apply` is the worker's hourly job, by hand; with nothing new it changes nothing."""
    run(runner, "import", AVTODOM)
    run(runner, "approve", "avtodom-premium", "--by", "pr@test.repapp")
    result = run(runner, "apply")
    assert result.exit_code == 0 and "0 client(s) updated" in result.stdout
