"""Playbook pages: clients' versions, reading, diff and review, import, section editors, KPI targets.

PR specialists and admins manage playbooks; representatives read the version in force of their
clients (they work by it); client viewers never reach any of these pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..access import MANAGERS, STAFF, client_or_404, ensure_client_visible, restrict_to_visible_clients, roles_required
from ..extensions import db
from ..forums.registry import forum_definitions
from ..models import Client, KpiKey, PlaybookStatus, PlaybookVersion, utcnow
from ..pagination import paginate
from .forms import (
    KPI_LABELS,
    SECTION_FORMS,
    ApproveForm,
    ForumSectionForm,
    ImportForm,
    KpisSectionForm,
    RejectForm,
    SectionForm,
    TargetForm,
    place_problems,
)
from .schema import KPI_INFO
from .targets import (
    PLAYBOOK_REASON_RE,
    EarlyPriorityChange,
    TargetError,
    add_months,
    early_switch,
    hand_set,
    history_query,
    local_month,
    month_targets,
    parse_month,
    set_target,
)
from .versions import (
    PlaybookError,
    PlaybookPermissionError,
    approve_version,
    diff_versions,
    edit_base,
    effective_from_day,
    import_playbook_text,
    is_superseded,
    parsed,
    reject_version,
    save_section,
    version_in_force,
    version_text,
)

NEW_FORUM = "new-forum"


def _version_or_404(version_id: int) -> PlaybookVersion:
    """Load a version the current user may see, or answer 404."""
    version = db.session.get(PlaybookVersion, version_id) or abort(404)
    ensure_client_visible(version.client_id)
    return version


@dataclass(frozen=True)
class ClientSummary:
    """Where a client's playbook stands: in force, waiting for approval, scheduled."""

    in_force: PlaybookVersion | None
    waiting: PlaybookVersion | None
    scheduled: list[PlaybookVersion]


def _summary(client: Client) -> ClientSummary:
    """Return the version in force, the draft waiting (the newest, if not superseded) and future ones."""
    now = utcnow()
    in_force = version_in_force(db.session, client.id, now)
    base = edit_base(db.session, client.id)
    waiting = base if base is not None and base.status == PlaybookStatus.DRAFT else None
    scheduled = list(db.session.scalars(select(PlaybookVersion).where(
        PlaybookVersion.client_id == client.id, PlaybookVersion.status == PlaybookStatus.APPROVED,
        PlaybookVersion.effective_from > now).order_by(PlaybookVersion.effective_from)))
    return ClientSummary(in_force, waiting, scheduled)


@roles_required(*STAFF)
def playbook_list():
    """List the clients with their playbook in force and the drafts waiting, a page at a time."""
    page = paginate(restrict_to_visible_clients(select(Client).order_by(Client.name), Client.id, current_user))
    summaries = {client.id: _summary(client) for client in page.items}
    return render_template("playbooks/list.html", page=page, summaries=summaries,
                           manager=current_user.role in MANAGERS)


@roles_required(*MANAGERS)
def client_playbook(client_slug: str):
    """Show a client's playbook: its state, its sections to edit, and every version."""
    client = client_or_404(client_slug)
    summary = _summary(client)
    base = edit_base(db.session, client.id)
    versions = paginate(select(PlaybookVersion).where(PlaybookVersion.client_id == client.id)
                        .order_by(PlaybookVersion.number.desc()))
    return render_template("playbooks/client.html", client=client, summary=summary, base=base,
                           forums=sorted(parsed(base).forums) if base else [], versions=versions,
                           sections=SECTION_FORMS)


@roles_required(*STAFF)
def playbook_current(client_slug: str):
    """Show the playbook in force, section by section (representatives work by it)."""
    client = client_or_404(client_slug)
    version = version_in_force(db.session, client.id)
    return render_template("playbooks/current.html", client=client, version=version,
                           pb=parsed(version) if version else None, text=version_text(version) if version else "",
                           kpi_labels=KPI_LABELS, kpi_info=KPI_INFO)


def _approve_form(version: PlaybookVersion) -> ApproveForm:
    """Return the approval form with today's date (the client's) as the default effective day."""
    form = ApproveForm()
    if request.method == "GET":
        form.effective_date.data = utcnow().astimezone(_zone(version.client)).date()
    return form


def _zone(client: Client) -> ZoneInfo:
    """Return the client's time zone."""
    return ZoneInfo(client.timezone)


def _early_warning(version: PlaybookVersion) -> EarlyPriorityChange | None:
    """Return the objection approving now would meet if the version switches the priority KPI early."""
    if version.status != PlaybookStatus.DRAFT:
        return None
    now = utcnow()
    month = local_month(now, version.client.timezone)
    if hand_set(db.session, version.client_id, month)[1]:
        return None
    return early_switch(db.session, version.client_id, month, parsed(version).kpis.priority, now)


def _version_page(version: PlaybookVersion, approve_form: ApproveForm, reject_form: RejectForm, status: int = 200):
    """Render a version with its review forms."""
    in_force = version_in_force(db.session, version.client_id)
    return render_template(
        "playbooks/version.html", version=version, client=version.client, pb=parsed(version),
        text=version_text(version), in_force=in_force, superseded=is_superseded(db.session, version),
        approve_form=approve_form, reject_form=reject_form, early=_early_warning(version),
        kpi_labels=KPI_LABELS, kpi_info=KPI_INFO,
    ), status


@roles_required(*MANAGERS)
def version_detail(version_id: int):
    """Show one version section by section, its YAML, and the approve and reject forms for a draft."""
    version = _version_or_404(version_id)
    return _version_page(version, _approve_form(version), RejectForm())


@roles_required(*MANAGERS)
def version_diff(version_id: int):
    """Compare a version side by side with the version in force (or ?against=<version id>)."""
    version = _version_or_404(version_id)
    against_id = request.args.get("against", type=int)
    if against_id:
        against = _version_or_404(against_id)
        if against.client_id != version.client_id:
            abort(404)
    else:
        against = version_in_force(db.session, version.client_id)
    rows = diff_versions(against, version)
    return render_template("playbooks/diff.html", version=version, client=version.client, against=against,
                           against_in_force=not against_id, rows=rows,
                           changed=sum(r.kind not in ("same", "skipped") for r in rows),
                           superseded=is_superseded(db.session, version), approve_form=_approve_form(version),
                           early=_early_warning(version))


@roles_required(*MANAGERS)
def version_approve(version_id: int):
    """Approve a draft from a date (confirmed on the page); apply it at once when effective now."""
    version = _version_or_404(version_id)
    form = ApproveForm()
    if not form.validate_on_submit():
        return _version_page(version, form, RejectForm(), 400)
    try:
        effective = (effective_from_day(form.effective_date.data, version.client.timezone)
                     if form.effective_date.data else None)
        report = approve_version(db.session, version, actor=current_user, definitions=forum_definitions(),
                                 effective_from=effective, comment=form.comment.data or "",
                                 confirm_early_priority_change=form.confirm_priority_change.data)
    except PlaybookPermissionError:
        db.session.rollback()
        abort(403)
    except EarlyPriorityChange as exc:
        db.session.rollback()
        form.confirm_priority_change.errors = [_("The priority KPI was last switched on %(day)s; tick the box to "
                                                 "switch it again within three months.",
                                                 day=f"{exc.last_switch_at:%Y-%m-%d}")]
        return _version_page(version, form, RejectForm(), 400)
    except PlaybookError as exc:
        db.session.rollback()
        if str(exc).startswith("effective_from:"):
            form.effective_date.errors = [_("The date is in the past.")]
            return _version_page(version, form, RejectForm(), 400)
        flash(_("Not approved: %(reason)s", reason=str(exc)), "error")
        return redirect(url_for("playbooks.version_detail", version_id=version.id))
    db.session.commit()
    if report is None:
        flash(_("Version %(n)d approved; it comes into force on %(day)s.", n=version.number,
                day=f"{version.effective_from.astimezone(_zone(version.client)):%Y-%m-%d}"), "success")
    else:
        flash(_("Version %(n)d approved and in force.", n=version.number), "success")
        for problem in report.problems:
            flash(_("Not applied: %(problem)s", problem=problem), "error")
    return redirect(url_for("playbooks.version_detail", version_id=version.id))


@roles_required(*MANAGERS)
def version_reject(version_id: int):
    """Reject a draft with a comment (confirmed on the page)."""
    version = _version_or_404(version_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _version_page(version, _approve_form(version), form, 400)
    try:
        reject_version(db.session, version, actor=current_user, comment=form.comment.data)
    except PlaybookPermissionError:
        db.session.rollback()
        abort(403)
    except PlaybookError as exc:
        db.session.rollback()
        flash(_("Not rejected: %(reason)s", reason=str(exc)), "error")
        return redirect(url_for("playbooks.version_detail", version_id=version.id))
    db.session.commit()
    flash(_("Version %(n)d rejected.", n=version.number), "success")
    return redirect(url_for("playbooks.version_detail", version_id=version.id))


def _uploaded_text(form: ImportForm) -> tuple[str | None, str]:
    """Return the playbook text (the file's, else the box's) and its source label."""
    upload = form.file.data
    if upload and getattr(upload, "filename", ""):
        raw = upload.read(500_001)
        if len(raw) > 500_000:
            form.file.errors = [_("The file is too large.")]
            return None, ""
        try:
            return raw.decode("utf-8-sig"), f"upload:{upload.filename}"[:300]
        except UnicodeDecodeError:
            form.file.errors = [_("The file is not UTF-8 text.")]
            return None, ""
    if form.text.data and form.text.data.strip():
        return form.text.data.replace("\r\n", "\n"), "paste"
    form.text.errors = [_("Paste the playbook or choose a file.")]
    return None, ""


@roles_required(*MANAGERS)
def playbook_import():
    """Import a pasted or uploaded playbook: a new draft, or every problem with its line and field."""
    form = ImportForm()
    problems, lines = [], []
    if form.validate_on_submit():
        text, source = _uploaded_text(form)
        if text is not None:
            result = import_playbook_text(db.session, text, source=source, actor=current_user)
            if result.ok:
                db.session.commit()
                if result.created:
                    flash(_("Version %(n)d of %(client)s drafted; review and approve it.", n=result.version.number,
                            client=result.client.name), "success")
                else:
                    flash(_("Nothing changed: the text is the same as version %(n)d.", n=result.version.number),
                          "info")
                return redirect(url_for("playbooks.version_detail", version_id=result.version.id))
            db.session.rollback()
            problems, lines = result.problems, text.split("\n")
            form.text.data = text
    status = 400 if form.errors or problems else 200
    return render_template("playbooks/import.html", form=form, problems=problems, lines=lines), status


@roles_required(*MANAGERS)
def playbook_export(client_slug: str):
    """Download the version in force (or ?version=N) in the playbook file format."""
    client = client_or_404(client_slug)
    number = request.args.get("version", type=int)
    if number is not None:
        version = db.session.scalar(select(PlaybookVersion).where(PlaybookVersion.client_id == client.id,
                                                                  PlaybookVersion.number == number)) or abort(404)
    else:
        version = version_in_force(db.session, client.id)
    if version is None:
        flash(_("No version is in force yet: nothing to export."), "error")
        return redirect(url_for("playbooks.client_playbook", client_slug=client.slug))
    return Response(version_text(version), mimetype="application/yaml",
                    headers={"Content-Disposition": f'attachment; filename="{client.slug}.yaml"'})


def _section_form(section: str, base_forums: list[str]) -> SectionForm:
    """Return the editor for a section name ("kpis", "forums.<key>", "new-forum"), or answer 404."""
    if section == NEW_FORUM or section.startswith("forums."):
        form = ForumSectionForm()
        key = section.removeprefix("forums.") if section != NEW_FORUM else (form.key.data or "").strip()
        if section != NEW_FORUM and key not in base_forums:
            abort(404)
        form.forum_key = key
        return form
    form_class = SECTION_FORMS.get(section) or abort(404)
    return form_class()


@roles_required(*MANAGERS)
def section_edit(client_slug: str, section: str):
    """Edit one section of the newest playbook; a valid change becomes a new draft version."""
    client = client_or_404(client_slug)
    base = edit_base(db.session, client.id)
    if base is None:
        flash(_("%(client)s has no playbook yet: import one first.", client=client.name), "error")
        return redirect(url_for("playbooks.playbook_import"))
    pb = parsed(base)
    form = _section_form(section, sorted(pb.forums))
    in_box, elsewhere = [], []
    if request.method == "GET":
        form.load(pb)
    elif form.validate_on_submit() and _new_forum_ok(form, section, pb):
        try:
            result, composed = save_section(db.session, client, form.path(), form.structured(), form.free_yaml(),
                                            actor=current_user)
        except PlaybookPermissionError:
            db.session.rollback()
            abort(403)
        if result.ok:
            db.session.commit()
            if result.created:
                flash(_("Saved as version %(n)d (a draft); approve it to put it in force.",
                        n=result.version.number), "success")
                return redirect(url_for("playbooks.version_detail", version_id=result.version.id))
            flash(_("Nothing changed."), "info")
            return redirect(url_for("playbooks.client_playbook", client_slug=client.slug))
        db.session.rollback()
        in_box, elsewhere = place_problems(form, result.problems, composed)
    status = 400 if request.method == "POST" else 200
    return render_template("playbooks/section.html", client=client, base=base, form=form, section=section,
                           new_forum=section == NEW_FORUM, in_box=in_box, elsewhere=elsewhere,
                           kpis_form=isinstance(form, KpisSectionForm)), status


def _new_forum_ok(form: SectionForm, section: str, pb: Any) -> bool:
    """Check the key of a forum being added: given, and not already in the playbook."""
    if section != NEW_FORUM:
        return True
    key = (form.key.data or "").strip()
    if not key:
        form.key.errors = [_("Give the forum's key.")]
    elif key in pb.forums:
        form.key.errors = [_("The playbook already has this forum; edit it instead.")]
    return not form.key.errors


@dataclass(frozen=True)
class Progress:
    """A KPI's figure so far this month and where the current pace would take it by month end."""

    actual: float | None
    forecast: float | None


def kpi_progress(client: Client, month: date) -> dict[KpiKey, Progress] | None:
    """Return each KPI's actual figure and pace forecast, or None while the KPI engine is not installed.

    The hook for the KPI engine (`repapp.kpi.targets.build_targets_view`); a forecast is shown only
    for the running month and only once there is a figure.
    """
    try:
        from ..kpi.targets import build_targets_view
    except ImportError:
        return None
    view = build_targets_view(db.session, client, month)
    progress = {}
    for row in view.rows:
        kpi = row.metric.kpi
        if kpi is not None:
            progress[kpi] = Progress(row.actual, row.forecast if view.is_current and row.actual is not None else None)
    return progress


def _month_arg(client: Client) -> date:
    """Return the month named by ?month=YYYY-MM, or the client's current month."""
    text = request.args.get("month", "").strip()
    if not text:
        return local_month(utcnow(), client.timezone)
    try:
        return parse_month(text)
    except ValueError:
        abort(400)


@roles_required(*MANAGERS)
def playbook_targets(client_slug: str):
    """Show a month's KPI targets with the forecast, change one (with a reason), and the history."""
    client = client_or_404(client_slug)
    month = _month_arg(client)
    form = TargetForm()
    early = None
    status = 200
    if request.method == "GET" and request.args.get("kpi") in {k.value for k in KpiKey}:
        form.kpi.data = request.args["kpi"]
    if form.validate_on_submit():
        try:
            changes = set_target(db.session, client, month, KpiKey(form.kpi.data), form.value.data,
                                 is_priority=form.is_priority.data, reason=form.reason.data, actor=current_user,
                                 confirm_early_priority_change=form.confirm.data == "1")
        except EarlyPriorityChange as exc:
            db.session.rollback()
            early, status = exc, 409
            form.confirm.data = "1"
        except TargetError as exc:
            db.session.rollback()
            getattr(form, exc.field, form.value).errors = [_target_message(exc)]
            status = 400
        else:
            db.session.commit()
            flash(_("Target saved.") if changes else _("Nothing changed."), "success" if changes else "info")
            return redirect(url_for("playbooks.playbook_targets", client_slug=client.slug, month=f"{month:%Y-%m}"))
    elif request.method == "POST":
        status = 400
    history = paginate(history_query(client.id))
    return render_template(
        "playbooks/targets.html", client=client, month=month, form=form, early=early,
        targets=month_targets(db.session, client.id, month), progress=kpi_progress(client, month),
        history=history, kpis=list(KpiKey), kpi_labels=KPI_LABELS, kpi_info=KPI_INFO,
        previous_month=add_months_date(month, -1), next_month=add_months_date(month, 1), reason_text=_reason_text,
    ), status


def _reason_text(reason: str) -> str:
    """Word the reason of a target change; changes made by a playbook name its version."""
    if PLAYBOOK_REASON_RE.match(reason or ""):
        return _("from playbook version %(n)s", n=reason.removeprefix("playbook v"))
    return reason


def add_months_date(month: date, months: int) -> date:
    """Return the first day of the month `months` away."""
    return add_months(datetime(month.year, month.month, 1), months).date()


def _target_message(exc: TargetError) -> str:
    """Word a target rule for the form."""
    if exc.field == "reason":
        return _("Say why the target changes.") if "why" in exc.message else _("Use other words for the reason.")
    if "too large" in exc.message:
        return _("The number is too large.")
    if "whole" in exc.message:
        return _("This KPI counts things: the target must be a whole number.")
    if "decimal" in exc.message:
        return _("At most two decimal places.")
    return _("A number, not negative.")
