"""`repapp playbook targets set | show`: targets by month with reasons, and the --confirm step."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from repapp.extensions import db
from repapp.models import KpiKey, KpiTarget, KpiTargetChange, utcnow
from repapp.playbooks.targets import local_month, set_target


def run(runner, *args):
    """Invoke `repapp playbook targets ...`."""
    return runner.invoke(args=["playbook", "targets", *map(str, args)])


def test_set_and_show_a_target_with_its_history(runner, world):
    """The change is stored with its reason and author, and `show` prints the month and the history."""
    result = run(runner, "set", "client-a", "2025-03", "questions", "20", "--priority", "--reason", "Первый месяц",
                 "--by", "pr@test.repapp")
    assert result.exit_code == 0, result.output
    assert result.stdout == "client-a 2025-03 questions: — → 20 (priority)\n"
    target = db.session.scalar(select(KpiTarget))
    assert target.target == Decimal("20") and target.is_priority
    shown = run(runner, "show", "client-a", "2025-03").stdout
    assert "2025-03 questions" in shown and "priority" in shown
    assert "pr@test.repapp: 2025-03 questions — → 20 priority on — Первый месяц" in shown


def test_an_early_priority_switch_needs_confirm(runner, world):
    """Without --confirm the switch is refused and nothing changes; with it the change is marked confirmed."""
    month = local_month(utcnow(), world.client_a.timezone)
    for kpi, days_ago in ((KpiKey.QUESTIONS, 50), (KpiKey.VIEWS, 20)):
        set_target(db.session, world.client_a, month, kpi, 10, is_priority=True, reason="r", actor=world.user("pr"),
                   now=utcnow() - timedelta(days=days_ago))
    db.session.commit()
    args = ("set", "client-a", f"{month:%Y-%m}", "problems_solved", "2", "--priority", "--reason", "Срочно",
            "--by", "pr@test.repapp")
    refused = run(runner, *args)
    assert refused.exit_code == 1 and "run again with --confirm" in refused.output
    assert db.session.scalar(select(KpiTarget).where(KpiTarget.kpi == KpiKey.PROBLEMS_SOLVED)) is None
    confirmed = run(runner, *args, "--confirm")
    assert confirmed.exit_code == 0 and "[early priority switch confirmed]" in confirmed.stdout
    assert db.session.scalar(select(KpiTargetChange).order_by(KpiTargetChange.id.desc()).limit(1)) \
        .confirmed_early_priority_change


def test_only_managers_set_targets_and_bad_input_is_named(runner, world):
    """A rep is refused; a bad month or value says what is wrong."""
    rep = run(runner, "set", "client-a", "2025-03", "views", "1", "--reason", "r", "--by", "rep_a@test.repapp")
    assert rep.exit_code == 1 and "only PR specialists" in rep.output
    month = run(runner, "set", "client-a", "March", "views", "1", "--reason", "r", "--by", "pr@test.repapp")
    assert month.exit_code == 2 and "YYYY-MM" in month.output
    value = run(runner, "set", "client-a", "2025-03", "views", "1.5", "--reason", "r", "--by", "pr@test.repapp")
    assert value.exit_code == 1 and "whole number" in value.output
