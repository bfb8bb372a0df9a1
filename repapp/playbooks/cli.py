"""The `repapp playbook` command group.

`validate` is pure: paths in, problem lines out. The others work on the database: `import`,
`versions`, `diff`, `approve`, `reject`, `export`, `apply`, and `targets set|show`.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from .loader import forum_keys_in, playbook_paths, validate_paths
from .schema import KpiKey

# forums/ beside the repapp package, where the forum definitions live in a checkout.
DEFAULT_FORUMS_DIR = Path(__file__).resolve().parents[2] / "forums"

# An AppGroup, so that commands added later (import, export, approve) get an app context;
# `validate` opts out because it needs neither the app nor the database.
playbook_group = AppGroup("playbook", help="Validate and manage client playbooks.")


@playbook_group.command("validate", with_appcontext=False)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--forums-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=DEFAULT_FORUMS_DIR,
    show_default=True,
    help="Folder of forum definitions whose keys playbooks may use; skipped when empty or missing.",
)
def validate_command(paths: tuple[Path, ...], forums_dir: Path) -> None:
    """Check playbook files (or folders of them); print PATH:LINE: field: message per problem."""
    known_forums = forum_keys_in(forums_dir)
    problems = validate_paths(paths, known_forums)
    for problem in problems:
        click.echo(str(problem))
    checked = len(playbook_paths(paths))
    if problems:
        click.echo(f"{len(problems)} problem(s) in {checked} playbook file(s)", err=True)
        click.get_current_context().exit(1)
    note = "" if known_forums is not None else " (forum keys not checked: no definitions found)"
    click.echo(f"{checked} playbook file(s) valid{note}", err=True)


def _db():
    """Return the database session (imported late: `validate` runs without an app)."""
    from ..extensions import db

    return db.session


def _client(slug: str):
    """Load a client by slug or stop with a clear message."""
    from ..models import Client

    client = _db().scalar(select(Client).where(Client.slug == slug))
    if client is None:
        raise click.ClickException(f"unknown client {slug!r}")
    return client


def _user(email: str | None):
    """Load the acting user by e-mail (None when not given) or stop with a clear message."""
    from ..models import User

    if not email:
        return None
    user = _db().scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"unknown user {email!r}")
    return user


def _version(client, number: int | None, *, default: str):
    """Return the client's version `number`, or by default the latest draft ("draft") or the one in force."""
    from ..models import PlaybookStatus, PlaybookVersion
    from .versions import version_in_force

    query = select(PlaybookVersion).where(PlaybookVersion.client_id == client.id)
    if number is not None:
        version = _db().scalar(query.where(PlaybookVersion.number == number))
    elif default == "draft":
        version = _db().scalar(query.where(PlaybookVersion.status == PlaybookStatus.DRAFT)
                               .order_by(PlaybookVersion.number.desc()).limit(1))
    else:
        version = version_in_force(_db(), client.id)
    if version is None:
        what = f"version {number}" if number is not None else ("draft" if default == "draft" else "version in force")
        raise click.ClickException(f"{client.slug} has no {what}")
    return version


def _fail(exc: Exception):
    """Roll back and stop with the error's message."""
    _db().rollback()
    raise click.ClickException(str(exc)) from None


@playbook_group.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--by", "email", help="The e-mail of the PR specialist importing (recorded on the drafts).")
def import_command(paths: tuple[Path, ...], email: str | None) -> None:
    """Import playbook files (or folders): a new draft per file whose content changed."""
    from .versions import PlaybookPermissionError, import_playbook_files

    try:
        results = import_playbook_files(_db(), playbook_paths(paths), _user(email), skip_seen_content=False)
    except PlaybookPermissionError as exc:
        _fail(exc)
    _db().commit()
    problems = 0
    for result in results:
        for problem in result.problems:
            click.echo(str(problem))
        problems += len(result.problems)
        if result.created:
            click.echo(f"{result.source}: {result.client.slug} v{result.version.number} drafted; "
                       f"approve it with `repapp playbook approve {result.client.slug} --by EMAIL`", err=True)
        elif result.ok:
            click.echo(f"{result.source}: unchanged (same as {result.client.slug} v{result.version.number})",
                       err=True)
    if problems:
        click.echo(f"{problems} problem(s); files with problems were not imported", err=True)
        click.get_current_context().exit(1)


@playbook_group.command("versions")
@click.argument("slug")
def versions_command(slug: str) -> None:
    """List a client's versions, newest first, marking the one in force."""
    from ..models import PlaybookVersion
    from .versions import version_in_force

    client = _client(slug)
    in_force = version_in_force(_db(), client.id)
    versions = _db().scalars(select(PlaybookVersion).where(PlaybookVersion.client_id == client.id)
                             .order_by(PlaybookVersion.number.desc()))
    for version in versions:
        marker = "*" if in_force is not None and version.id == in_force.id else " "
        effective = f" effective {version.effective_from:%Y-%m-%d %H:%M}Z" if version.effective_from else ""
        click.echo(f"{marker} v{version.number:<3} {version.status.value:8} {version.created_at:%Y-%m-%d %H:%M}Z "
                   f"{version.source}{effective}")


@playbook_group.command("diff")
@click.argument("slug")
@click.option("--version", "number", type=int, help="The version to compare (default: the latest draft).")
def diff_command(slug: str, number: int | None) -> None:
    """Print a unified diff of a version against the version in force."""
    import difflib

    from .versions import version_in_force, version_text

    client = _client(slug)
    version = _version(client, number, default="draft")
    in_force = version_in_force(_db(), client.id)
    old = version_text(in_force).splitlines(keepends=True) if in_force else []
    label = f"v{in_force.number} (in force)" if in_force else "nothing in force"
    click.echo("".join(difflib.unified_diff(old, version_text(version).splitlines(keepends=True),
                                            label, f"v{version.number}")), nl=False)


@playbook_group.command("approve")
@click.argument("slug")
@click.option("--version", "number", type=int, help="The version to approve (default: the latest draft).")
@click.option("--effective", type=click.DateTime(["%Y-%m-%d"]), help="Day it takes effect (default: now).")
@click.option("--comment", default="", help="A note kept with the approval.")
@click.option("--confirm-priority-change", is_flag=True,
              help="Confirm a switch of the priority KPI within three months of the last one.")
@click.option("--by", "email", required=True, help="The e-mail of the approving PR specialist or admin.")
def approve_command(slug: str, number: int | None, effective: datetime | None, comment: str,
                    confirm_priority_change: bool, email: str) -> None:
    """Approve a draft; it is in force from the effective day (in the client's time zone)."""
    from ..forums.registry import forum_definitions
    from .targets import TargetError
    from .versions import PlaybookError, approve_version, effective_from_day

    client = _client(slug)
    actor = _user(email)
    version = _version(client, number, default="draft")
    try:
        moment = effective_from_day(effective.date(), client.timezone) if effective else None
        report = approve_version(_db(), version, actor=actor, definitions=forum_definitions(),
                                 effective_from=moment, comment=comment,
                                 confirm_early_priority_change=confirm_priority_change)
    except (PlaybookError, TargetError) as exc:
        _fail(exc)
    _db().commit()
    click.echo(f"{client.slug} v{version.number} approved, in force from {version.effective_from:%Y-%m-%d %H:%M}Z.")
    for line in (report.changes if report else []):
        click.echo(f"  updated {line}")
    for line in (report.problems if report else []):
        click.echo(f"  not applied: {line}", err=True)


@playbook_group.command("reject")
@click.argument("slug")
@click.option("--version", "number", type=int, help="The version to reject (default: the latest draft).")
@click.option("--comment", required=True, help="Why it is rejected.")
@click.option("--by", "email", required=True, help="The e-mail of the PR specialist or admin.")
def reject_command(slug: str, number: int | None, comment: str, email: str) -> None:
    """Reject a draft with a comment."""
    from .versions import PlaybookError, reject_version

    client = _client(slug)
    version = _version(client, number, default="draft")
    try:
        reject_version(_db(), version, actor=_user(email), comment=comment)
    except PlaybookError as exc:
        _fail(exc)
    _db().commit()
    click.echo(f"{client.slug} v{version.number} rejected.")


@playbook_group.command("export")
@click.argument("slug")
@click.option("--version", "number", type=int, help="Export this version instead of the one in force.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write here (default: stdout).")
def export_command(slug: str, number: int | None, output: Path | None) -> None:
    """Write the version in force in the playbook file format (canonical: import gives it back unchanged)."""
    from .export import write_playbook
    from .versions import parsed, version_text

    version = _version(_client(slug), number, default="in force")
    if output is None:
        click.echo(version_text(version), nl=False)
    else:
        write_playbook(parsed(version), output)
        click.echo(f"Wrote {slug} v{version.number} to {output}.", err=True)


@playbook_group.command("apply")
def apply_command() -> None:
    """Bring every client's records in line with its version in force (what the worker does hourly)."""
    from ..forums.registry import forum_definitions
    from .versions import apply_all_in_force

    changed = apply_all_in_force(_db(), forum_definitions())
    click.echo(f"{changed} client(s) updated from their playbook in force.")


@playbook_group.group("targets")
def targets_group() -> None:
    """Monthly KPI targets and their history."""


def _month(text: str) -> date:
    """Parse YYYY-MM for click."""
    from .targets import parse_month

    try:
        return parse_month(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@targets_group.command("set")
@click.argument("slug")
@click.argument("month")
@click.argument("kpi", type=click.Choice([k.value for k in KpiKey]))
@click.argument("value")
@click.option("--priority", is_flag=True, help="Make this KPI the month's priority.")
@click.option("--reason", required=True, help="Why the target changes (kept in the history).")
@click.option("--confirm", is_flag=True, help="Confirm a priority switch within three months of the last one.")
@click.option("--by", "email", required=True, help="The e-mail of the PR specialist or admin.")
def targets_set_command(slug: str, month: str, kpi: str, value: str, priority: bool, reason: str, confirm: bool,
                        email: str) -> None:
    """Set a client's target for one KPI in a month (YYYY-MM)."""
    from .targets import EarlyPriorityChange, TargetError, set_target

    client, actor = _client(slug), _user(email)
    try:
        changes = set_target(_db(), client, _month(month), KpiKey(kpi), value, is_priority=priority, reason=reason,
                             actor=actor, confirm_early_priority_change=confirm)
    except EarlyPriorityChange as exc:
        _db().rollback()
        raise click.ClickException(f"{exc.message}; run again with --confirm to go ahead") from None
    except TargetError as exc:
        _fail(exc)
    _db().commit()
    if not changes:
        click.echo("Nothing changed: the target and priority are already so.")
    for change in changes:
        click.echo(f"{slug} {month} {change.kpi.value}: {_text(change.old_target)} → {_text(change.new_target)}"
                   f"{' (priority)' if change.new_priority else ''}"
                   f"{' [early priority switch confirmed]' if change.confirmed_early_priority_change else ''}")


def _text(value) -> str:
    """Format a target value or a dash."""
    return "—" if value is None else format(value.normalize(), "f")


@targets_group.command("show")
@click.argument("slug")
@click.argument("month", required=False)
@click.option("--history", "history_rows", type=int, default=20, show_default=True,
              help="How many changes of the history to print.")
def targets_show_command(slug: str, month: str | None, history_rows: int) -> None:
    """Print a client's targets of a month (default: the current one) and the latest changes."""
    from ..models import utcnow
    from .targets import history_query, local_month, month_targets

    client = _client(slug)
    first = _month(month) if month else local_month(utcnow(), client.timezone)
    for kpi, target in month_targets(_db(), client.id, first).items():
        click.echo(f"{first:%Y-%m} {kpi.value:28} {_text(target.target):>12}{'  priority' if target.is_priority else ''}")
    for change in _db().scalars(history_query(client.id).limit(history_rows)):
        who = change.changed_by.email if change.changed_by else "system"
        click.echo(f"  {change.changed_at:%Y-%m-%d %H:%M}Z {who}: {change.month:%Y-%m} {change.kpi.value} "
                   f"{_text(change.old_target)} → {_text(change.new_target)}"
                   f"{' priority ' + ('on' if change.new_priority else 'off') if change.old_priority != change.new_priority else ''}"
                   f"{' (early switch confirmed)' if change.confirmed_early_priority_change else ''} — {change.reason}")


def init_app(app) -> None:
    """Register the `playbook` command group with the app's CLI."""
    app.cli.add_command(playbook_group)
