"""Playbook versions in the database: import, approval, the version in force, and what it drives.

Importing (a file, an upload, a section edited in the UI) stores a new *draft* only when the
content differs from the client's latest version. A PR specialist approves a draft with an
effective date; the approved version with the latest effective date not in the future is *in
force*, and that is what drafts of replies are checked against.

When a version comes into force its derived records are brought in line (`apply_in_force`):
the client's names, site and time zone; an account per forum (user name only: admins set the
password); a watched thread per listed thread; and the current month's KPI targets, except
those a person set by hand. Approval applies at once when the version is effective now; the
worker's hourly `apply_in_force_job` applies future-dated versions when their day comes, and
each new month's targets. Applying is idempotent: nothing changed, nothing written.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..access import MANAGERS
from ..audit import record_event
from ..extensions import db
from ..models import (
    Client,
    Forum,
    ForumAccount,
    KpiTargetChange,
    PlaybookStatus,
    PlaybookVersion,
    User,
    WatchedThread,
    utcnow,
)
from .export import ComposedText, compose_with_section, dump_playbook, playbook_content_hash
from .loader import PlaybookInvalid, Problem, load_playbook_file, load_playbook_text
from .schema import Playbook
from .targets import (
    PLAYBOOK_REASON_RE,
    Wanted,
    early_switch,
    hand_set,
    local_month,
    month_targets,
    playbook_reason,
    write_targets,
)

log = logging.getLogger(__name__)

_FROM_DATABASE: Any = object()  # known_forums default: the forum keys loaded in the database
_PARSED_CACHE_SIZE = 256
_parsed: dict[tuple[int, str], Playbook] = {}


class PlaybookError(ValueError):
    """An action on a playbook version that breaks a rule; the message says which."""


class PlaybookPermissionError(PlaybookError):
    """The person may not do this to a playbook (only PR specialists and admins manage them)."""


@dataclass
class ImportResult:
    """What importing one playbook did: the draft created, the version it matched, or the problems."""

    source: str
    client: Client | None = None
    version: PlaybookVersion | None = None
    created: bool = False
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Tell whether the playbook was valid."""
        return not self.problems


@dataclass
class ApplyReport:
    """What bringing a client's records in line with its version in force changed, or could not."""

    version: PlaybookVersion
    changes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _require_manager(actor: User | None, action: str) -> None:
    """Refuse people other than PR specialists and admins (None is the system: init, worker)."""
    if actor is not None and actor.role not in MANAGERS:
        raise PlaybookPermissionError(f"only PR specialists and administrators may {action} a playbook")


def known_forum_keys(dbs: Session) -> set[str] | None:
    """Return the keys of the forums loaded in the database, or None when none are (check skipped)."""
    keys = set(dbs.scalars(select(Forum.key)))
    return keys or None


def latest_version(dbs: Session, client_id: int) -> PlaybookVersion | None:
    """Return the client's highest-numbered version, whatever its status."""
    return dbs.scalar(select(PlaybookVersion).where(PlaybookVersion.client_id == client_id)
                      .order_by(PlaybookVersion.number.desc()).limit(1))


def edit_base(dbs: Session, client_id: int) -> PlaybookVersion | None:
    """Return the version a UI edit starts from: the newest one not rejected."""
    return dbs.scalar(select(PlaybookVersion).where(PlaybookVersion.client_id == client_id,
                                                    PlaybookVersion.status != PlaybookStatus.REJECTED)
                      .order_by(PlaybookVersion.number.desc()).limit(1))


def parsed(version: PlaybookVersion) -> Playbook:
    """Return a version's content as a Playbook (versions never change, so parsing is cached)."""
    key = (version.id, version.content_hash)
    playbook = _parsed.get(key)
    if playbook is None:
        if len(_parsed) >= _PARSED_CACHE_SIZE:
            _parsed.clear()
        playbook = _parsed[key] = Playbook.from_data(version.content)
    return playbook


def version_text(version: PlaybookVersion) -> str:
    """Return a version's canonical YAML text."""
    return dump_playbook(parsed(version))


def _create_client(dbs: Session, pb: Playbook, actor: User | None) -> Client:
    """Create the client a playbook names (its details are kept in line once a version is in force)."""
    from ..admin.operations import AccountError, save_client

    try:
        return save_client(dbs, None, slug=pb.client.slug, name=pb.client.name, display_name=pb.client.display_name,
                           site_url=str(pb.client.site_url), timezone=pb.client.timezone, actor=actor)
    except AccountError as exc:
        raise PlaybookError(f"client.slug: {exc.message}") from None


def store_playbook(
    dbs: Session, pb: Playbook, *, source: str, actor: User | None, skip_seen_content: bool = False
) -> ImportResult:
    """Store a valid playbook as a new draft of its client unless the content is unchanged.

    Unchanged means equal to the client's latest version; with `skip_seen_content`, equal to any
    of its versions (start-up loads must not re-propose a file that UI edits have moved past).
    """
    _require_manager(actor, "write")
    client = dbs.scalar(select(Client).where(Client.slug == pb.client.slug))
    if client is None:
        client = _create_client(dbs, pb, actor)
    content_hash = playbook_content_hash(pb)
    latest = latest_version(dbs, client.id)
    if skip_seen_content:
        seen = dbs.scalar(select(PlaybookVersion).where(PlaybookVersion.client_id == client.id,
                                                        PlaybookVersion.content_hash == content_hash)
                          .order_by(PlaybookVersion.number.desc()).limit(1))
        if seen is not None:
            return ImportResult(source, client, seen, created=False)
    elif latest is not None and latest.content_hash == content_hash:
        return ImportResult(source, client, latest, created=False)
    version = PlaybookVersion(
        client_id=client.id, number=(latest.number if latest else 0) + 1, status=PlaybookStatus.DRAFT,
        content=pb.to_data(), content_hash=content_hash, source=source[:300],
        created_by_id=actor.id if actor else None, created_at=utcnow(),
    )
    dbs.add(version)
    dbs.flush()
    record_event(dbs, "playbook.draft", "playbook_version", version.id, actor=actor, client_id=client.id,
                 number=version.number, source=version.source, content_hash=content_hash)
    log.info("playbook %s v%s drafted from %s", client.slug, version.number, source)
    return ImportResult(source, client, version, created=True)


def _resolve_known(dbs: Session, known_forums: Any) -> Collection[str] | None:
    """Return the forum keys to check against (the database's unless given)."""
    return known_forum_keys(dbs) if known_forums is _FROM_DATABASE else known_forums


def import_playbook_text(
    dbs: Session, text: str, *, source: str, actor: User | None, known_forums: Any = _FROM_DATABASE
) -> ImportResult:
    """Validate playbook text and store it as a new draft when its content changed."""
    try:
        pb = load_playbook_text(text, source=source, known_forums=_resolve_known(dbs, known_forums))
    except PlaybookInvalid as exc:
        return ImportResult(source, problems=exc.problems)
    return _store_or_problem(dbs, pb, source, actor, skip_seen_content=False)


def _store_or_problem(dbs: Session, pb: Playbook, source: str, actor: User | None, *,
                      skip_seen_content: bool) -> ImportResult:
    """Store the playbook, turning a refused client into a problem line."""
    try:
        return store_playbook(dbs, pb, source=source, actor=actor, skip_seen_content=skip_seen_content)
    except PlaybookPermissionError:
        raise
    except PlaybookError as exc:
        field_name, _sep, message = str(exc).partition(": ")
        return ImportResult(source, problems=[Problem(source, 1, field_name, message)])


def import_playbook_files(
    dbs: Session, paths: Iterable[str | Path], actor: User | None = None, *, known_forums: Any = _FROM_DATABASE,
    skip_seen_content: bool | None = None,
) -> list[ImportResult]:
    """Import playbook files one by one; a file's problems never stop the others.

    `skip_seen_content` defaults to True for the system (actor None: `repapp init`), so that a
    file left as it was does not undo edits made since in the UI; a person importing a file gets
    a draft whenever it differs from the latest version.
    """
    skip = actor is None if skip_seen_content is None else skip_seen_content
    known = _resolve_known(dbs, known_forums)
    results = []
    for path in paths:
        source = str(path)
        try:
            pb = load_playbook_file(path, known_forums=known)
        except PlaybookInvalid as exc:
            results.append(ImportResult(source, problems=exc.problems))
            continue
        results.append(_store_or_problem(dbs, pb, source, actor, skip_seen_content=skip))
    return results


def save_section(
    dbs: Session, client: Client, path: tuple[str, ...], structured: dict[str, Any] | None, free_yaml: str, *,
    actor: User | None,
) -> tuple[ImportResult, ComposedText]:
    """Rebuild the client's newest playbook with one section edited, and store it as a draft if valid.

    `path` is ("kpis",) or ("forums", key); `structured` the section's values from form fields and
    `free_yaml` the rest as typed (see export.compose_with_section). Returns the import result
    (problems located in the rebuilt text) and the rebuilt text, to map problems back to the form.
    """
    _require_manager(actor, "edit")
    base = edit_base(dbs, client.id)
    if base is None:
        raise PlaybookError("there is no version to edit yet; import the playbook first")
    if path == ("client",) and structured is not None:
        structured = {**structured, "slug": client.slug}  # the slug is the client's identity
    composed = compose_with_section(parsed(base), path, structured, free_yaml)
    source = "ui:" + ".".join(path)
    try:
        pb = load_playbook_text(composed.text, source=source, known_forums=known_forum_keys(dbs))
    except PlaybookInvalid as exc:
        return ImportResult(source, client, problems=exc.problems), composed
    return _store_or_problem(dbs, pb, source, actor, skip_seen_content=False), composed


def version_in_force(dbs: Session, client_id: int, at: datetime | None = None) -> PlaybookVersion | None:
    """Return the approved version in force at `at` (default now): latest effective date, then number."""
    at = at or utcnow()
    return dbs.scalar(
        select(PlaybookVersion)
        .where(PlaybookVersion.client_id == client_id, PlaybookVersion.status == PlaybookStatus.APPROVED,
               PlaybookVersion.effective_from <= at)
        .order_by(PlaybookVersion.effective_from.desc(), PlaybookVersion.number.desc()).limit(1)
    )


def playbook_in_force(dbs: Session, client_id: int, at: datetime | None = None) -> Playbook | None:
    """Return the playbook in force at `at` (default now), parsed, or None."""
    version = version_in_force(dbs, client_id, at)
    return parsed(version) if version is not None else None


def is_superseded(dbs: Session, version: PlaybookVersion) -> bool:
    """Tell whether a newer draft or approved version exists (an older draft may then not be approved)."""
    return dbs.scalar(select(func.count()).select_from(PlaybookVersion).where(
        PlaybookVersion.client_id == version.client_id, PlaybookVersion.number > version.number,
        PlaybookVersion.status != PlaybookStatus.REJECTED,
    )) > 0


def effective_from_day(day: date, timezone: str, now: datetime | None = None) -> datetime:
    """Return the moment a version approved for `day` takes effect: that day's start, or now if today."""
    now = now or utcnow()
    zone = ZoneInfo(timezone)
    if day < now.astimezone(zone).date():
        raise PlaybookError("effective_from: the effective date is in the past")
    return max(datetime.combine(day, time(0), zone), now)


def _check_reviewable(dbs: Session, version: PlaybookVersion) -> None:
    """Refuse to review a version that is not a draft."""
    if version.status != PlaybookStatus.DRAFT:
        raise PlaybookError(f"version {version.number} is {version.status.value}, not a draft")


def approve_version(
    dbs: Session,
    version: PlaybookVersion,
    *,
    actor: User | None,
    definitions: dict[str, Any],
    effective_from: datetime | None = None,
    comment: str = "",
    confirm_early_priority_change: bool = False,
    now: datetime | None = None,
) -> ApplyReport | None:
    """Approve a draft, effective from a moment (now if None or past); apply it if effective now.

    A PR specialist may approve a draft they wrote themselves (the seed has them write and approve
    the technical assignment); that is recorded in the audit event. Raises PlaybookError,
    PlaybookPermissionError, or targets.EarlyPriorityChange when the version would switch the
    priority KPI within three months of the last switch and that is not confirmed.
    """
    now = now or utcnow()
    _require_manager(actor, "approve")
    _check_reviewable(dbs, version)
    if is_superseded(dbs, version):
        raise PlaybookError(f"version {version.number} is superseded by a newer version; approve that one")
    effective = max(effective_from or now, now)
    client = version.client
    pb = parsed(version)
    month = local_month(effective, pb.client.timezone)
    _by_hand, hand_priority = hand_set(dbs, client.id, month)
    objection = None if hand_priority else early_switch(dbs, client.id, month, pb.kpis.priority, effective)
    if objection is not None and not confirm_early_priority_change:
        raise objection
    version.status = PlaybookStatus.APPROVED
    version.approved_by_id = actor.id if actor else None
    version.approved_at = now
    version.effective_from = effective
    version.review_comment = comment.strip()
    dbs.flush()
    record_event(dbs, "playbook.approve", "playbook_version", version.id, actor=actor, client_id=client.id,
                 number=version.number, effective_from=effective.isoformat(), comment=version.review_comment,
                 self_approved=actor is not None and version.created_by_id == actor.id,
                 early_priority_change_confirmed=objection is not None)
    if effective <= now:
        return apply_in_force(dbs, client, now, definitions=definitions, actor=actor)
    return None


def reject_version(dbs: Session, version: PlaybookVersion, *, actor: User | None, comment: str,
                   now: datetime | None = None) -> None:
    """Reject a draft with a comment saying why."""
    _require_manager(actor, "reject")
    _check_reviewable(dbs, version)
    if not comment.strip():
        raise PlaybookError("comment: say why the version is rejected")
    version.status = PlaybookStatus.REJECTED
    version.approved_by_id = actor.id if actor else None
    version.approved_at = now or utcnow()
    version.review_comment = comment.strip()
    dbs.flush()
    record_event(dbs, "playbook.reject", "playbook_version", version.id, actor=actor, client_id=version.client_id,
                 number=version.number, comment=version.review_comment)


def _sync_client(client: Client, pb: Playbook, report: ApplyReport) -> None:
    """Copy the playbook's client details onto the client."""
    wanted = {"name": pb.client.name, "display_name": pb.client.display_name,
              "site_url": str(pb.client.site_url), "timezone": pb.client.timezone}
    for name, value in wanted.items():
        if getattr(client, name) != value:
            setattr(client, name, value)
            report.changes.append(f"client.{name}")


def _sync_accounts(dbs: Session, client: Client, pb: Playbook, actor: User | None, report: ApplyReport) -> None:
    """Make sure the client has an account with the playbook's user name on each of its forums."""
    forums = {f.key: f for f in dbs.scalars(select(Forum).where(Forum.key.in_(list(pb.forums))))}
    for key, settings in pb.forums.items():
        forum = forums.get(key)
        if forum is None:
            report.problems.append(f"forums.{key}: the forum is not loaded; run `repapp init`")
            continue
        account = dbs.scalar(select(ForumAccount).where(ForumAccount.client_id == client.id,
                                                        ForumAccount.forum_id == forum.id))
        if account is not None and account.username == settings.account:
            continue
        action = "forum_account.create" if account is None else "forum_account.update"
        if account is None:
            account = ForumAccount(client_id=client.id, forum_id=forum.id, username=settings.account)
            dbs.add(account)
        else:
            account.username = settings.account
        dbs.flush()
        # The password is an admin's to set; only the user name comes from the playbook.
        record_event(dbs, action, "forum_account", account.id, actor=actor, client_id=client.id, forum=key,
                     username=settings.account, source="playbook")
        report.changes.append(f"forums.{key}.account")


def _sync_threads(dbs: Session, client: Client, pb: Playbook, definitions: dict[str, Any], actor: User | None,
                  report: ApplyReport) -> None:
    """Start watching every thread the playbook lists that is not watched yet."""
    from ..scraping.engines import get_engine
    from ..threads.operations import ThreadError, find_definition, watch_thread

    watched = set(dbs.scalars(select(WatchedThread.url).where(WatchedThread.client_id == client.id)))
    for key, settings in pb.forums.items():
        for index, thread in enumerate(settings.threads):
            url = str(thread.url)
            try:
                definition = find_definition(url, definitions)
                canonical = get_engine(definition.engine, definition.engine_options).canonical_thread_url(url)
                if canonical in watched:
                    continue
                created = watch_thread(dbs, client, url, definitions, actor=actor)
            except ThreadError as exc:
                report.problems.append(f"forums.{key}.threads[{index}].url: {exc}")
                continue
            if thread.title and not created.title:
                created.title = thread.title[:500]
            watched.add(created.url)
            report.changes.append(f"forums.{key}.threads[{index}]")


def _sync_targets(dbs: Session, client: Client, version: PlaybookVersion, pb: Playbook, now: datetime,
                  actor: User | None, report: ApplyReport) -> None:
    """Write the playbook's targets for the current month, leaving targets set by hand alone."""
    month = local_month(now, client.timezone)
    by_hand, hand_priority = hand_set(dbs, client.id, month)
    current = month_targets(dbs, client.id, month)
    wanted = []
    for kpi, value in pb.kpis.targets.items():
        if kpi in by_hand:
            continue
        if hand_priority:
            priority = current[kpi].is_priority if kpi in current else False
        else:
            priority = kpi == pb.kpis.priority
        wanted.append(Wanted(kpi, Decimal(str(value)), priority))
    for kpi in current:
        if kpi not in pb.kpis.targets and kpi not in by_hand and _from_playbook(dbs, client.id, month, kpi):
            wanted.append(Wanted(kpi, None, False))
    objection = None
    if not hand_priority and pb.kpis.priority not in by_hand:
        objection = early_switch(dbs, client.id, month, pb.kpis.priority, now)
    # An approved version is the PR specialist's decision: an early switch it makes counts as confirmed.
    changes = write_targets(dbs, client, month, wanted, reason=playbook_reason(version.number), actor=actor,
                            now=now, confirmed_early=objection is not None)
    report.changes.extend(f"kpis.targets.{change.kpi.value}" for change in changes)


def _from_playbook(dbs: Session, client_id: int, month: date, kpi: Any) -> bool:
    """Tell whether a month's target was written by a playbook (it has a recorded playbook change)."""
    reasons = dbs.scalars(select(KpiTargetChange.reason).where(
        KpiTargetChange.client_id == client_id, KpiTargetChange.month == month, KpiTargetChange.kpi == kpi))
    return any(PLAYBOOK_REASON_RE.match(reason or "") for reason in reasons)


def apply_in_force(
    dbs: Session, client: Client, now: datetime | None = None, *, definitions: dict[str, Any],
    actor: User | None = None,
) -> ApplyReport | None:
    """Bring the client's records in line with its version in force; None when none is in force."""
    now = now or utcnow()
    version = version_in_force(dbs, client.id, now)
    if version is None:
        return None
    pb = parsed(version)
    report = ApplyReport(version)
    _sync_client(client, pb, report)
    _sync_accounts(dbs, client, pb, actor, report)
    _sync_threads(dbs, client, pb, definitions, actor, report)
    _sync_targets(dbs, client, version, pb, now, actor, report)
    dbs.flush()
    if report.changes or report.problems:
        record_event(dbs, "playbook.apply", "playbook_version", version.id, actor=actor, client_id=client.id,
                     number=version.number, changes=report.changes, problems=report.problems)
    for problem in report.problems:
        log.warning("playbook %s v%s: %s", client.slug, version.number, problem)
    return report


def apply_all_in_force(dbs: Session, definitions: dict[str, Any], now: datetime | None = None) -> int:
    """Apply the version in force of every client that has an approved one; commit per client."""
    client_ids = list(dbs.scalars(select(PlaybookVersion.client_id)
                                  .where(PlaybookVersion.status == PlaybookStatus.APPROVED).distinct()))
    changed = 0
    for client_id in sorted(client_ids):
        client = dbs.get(Client, client_id)
        try:
            report = apply_in_force(dbs, client, now, definitions=definitions)
            dbs.commit()
        except Exception:
            dbs.rollback()
            log.error("applying the playbook of client %s failed", client_id, exc_info=True)
            continue
        changed += bool(report and report.changes)
    return changed


def apply_in_force_job(app: Flask) -> int:
    """Apply every client's version in force (future-dated versions, each new month's targets)."""
    from ..forums.registry import forum_definitions

    return apply_all_in_force(db.session, forum_definitions(app))


@dataclass(frozen=True)
class DiffRow:
    """One row of a side-by-side diff: same, changed, removed, added, or skipped (`hidden` unchanged lines)."""

    kind: str
    left_no: int | None = None
    left: str = ""
    right_no: int | None = None
    right: str = ""
    hidden: int = 0


def diff_lines(old: list[str], new: list[str], context: int = 3) -> list[DiffRow]:
    """Return side-by-side rows for two texts' lines, hiding unchanged stretches beyond `context` lines."""
    rows: list[DiffRow] = []
    opcodes = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    for position, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            head = context if position > 0 else 0
            tail = context if position < len(opcodes) - 1 else 0
            length = i2 - i1
            hidden = length - head - tail if length - head - tail >= 2 else 0
            for offset in range(length):
                if hidden and offset == head:
                    rows.append(DiffRow("skipped", hidden=hidden))
                if hidden and head <= offset < head + hidden:
                    continue
                rows.append(DiffRow("same", i1 + offset + 1, old[i1 + offset], j1 + offset + 1, new[j1 + offset]))
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            li = i1 + k if i1 + k < i2 else None
            rj = j1 + k if j1 + k < j2 else None
            kind = "changed" if li is not None and rj is not None else ("removed" if rj is None else "added")
            rows.append(DiffRow(kind, None if li is None else li + 1, "" if li is None else old[li],
                                None if rj is None else rj + 1, "" if rj is None else new[rj]))
    return rows


def diff_versions(old: PlaybookVersion | None, new: PlaybookVersion, context: int = 3) -> list[DiffRow]:
    """Return the side-by-side diff of two versions' canonical texts (old None: all added)."""
    old_lines = version_text(old).splitlines() if old is not None else []
    return diff_lines(old_lines, version_text(new).splitlines(), context)
