"""Report pages: the list, one report online, downloads, and the draft → accepted → published steps."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from ..access import MANAGERS, client_or_404, ensure_client_visible, restrict_to_visible_clients, roles_required
from ..admin.forms import ConfirmForm
from ..extensions import db
from ..kpi.periods import month_text, parse_month
from ..models import Client, MonthlyReport, ReportState, Role, utcnow
from ..pagination import paginate
from .content import REPORT_STATES, body_context, report_document
from .exports import MEDIA_TYPES, export, filename
from .forms import AcceptReportForm, GenerateReportForm
from .generate import ReportError, generate_report
from .workflow import MailError, MailSettings, accept_report, notify_published, publish_report, return_to_draft

READERS = (Role.PR, Role.ADMIN, Role.CLIENT)


def _report_or_404(report_id: int) -> MonthlyReport:
    """Load a report the current user may read; a client viewer sees only their client's published ones."""
    report = db.session.get(MonthlyReport, report_id) or abort(404)
    ensure_client_visible(report.client_id)
    if current_user.role == Role.CLIENT and report.state != ReportState.PUBLISHED:
        abort(404)
    return report


def _generate_form() -> GenerateReportForm:
    """Return the on-demand generation form with the visible clients."""
    form = GenerateReportForm()
    form.client.choices = [SelectChoice(c.slug, c.name) for c in db.session.scalars(
        restrict_to_visible_clients(select(Client).order_by(Client.name), Client.id, current_user))]
    return form


@roles_required(*READERS)
def report_list():
    """List reports, newest month first (a client viewer sees their published ones only)."""
    query = restrict_to_visible_clients(select(MonthlyReport), MonthlyReport.client_id, current_user)
    if current_user.role == Role.CLIENT:
        query = query.where(MonthlyReport.state == ReportState.PUBLISHED)
    slug = request.args.get("client")
    client = client_or_404(slug) if slug else None
    if client:
        query = query.where(MonthlyReport.client_id == client.id)
    state = request.args.get("state")
    if state in REPORT_STATES and current_user.role != Role.CLIENT:
        query = query.where(MonthlyReport.state == ReportState(state))
    page = paginate(query.order_by(MonthlyReport.month.desc(), MonthlyReport.id.desc()))
    form = _generate_form() if current_user.role in MANAGERS else None
    return render_template("reports/list.html", page=page, form=form, client=client, state=state,
                           states=REPORT_STATES, month_text=month_text)


@roles_required(*MANAGERS)
def report_generate():
    """Generate (or regenerate) a client's month as a draft now."""
    form = _generate_form()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors) or _("Check the form."), "error")
        return redirect(url_for("reports.report_list"))
    client = client_or_404(form.client.data)
    month = parse_month(form.month.data)
    if month > utcnow().date():
        flash(_("That month has not begun."), "error")
        return redirect(url_for("reports.report_list"))
    try:
        report = generate_report(db.session, client, month, actor=current_user)
    except ReportError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("reports.report_list"))
    db.session.commit()
    flash(_("The report for %(month)s is generated as a draft.", month=month_text(month)), "success")
    return redirect(url_for("reports.report_detail", report_id=report.id))


@roles_required(*READERS)
def report_detail(report_id: int):
    """Show a report online: KPI table with targets, charts, response times, threads, problems, notable posts."""
    report = _report_or_404(report_id)
    staff = current_user.role != Role.CLIENT
    return render_template("reports/detail.html", accept_form=AcceptReportForm(), confirm=ConfirmForm(),
                           **body_context(report_document(report), staff=staff))


@roles_required(*READERS)
def report_download(report_id: int, fmt: str):
    """Download a report as PDF, XLSX, CSV or JSON."""
    report = _report_or_404(report_id)
    response = Response(export(report, fmt), mimetype=MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename(report, fmt)}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _step(report_id: int, action, success: str, **kwargs):
    """Run one workflow step on a report, commit, flash, and return to the report."""
    report = _report_or_404(report_id)
    try:
        action(db.session, report, actor=current_user, **kwargs)
    except ReportError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return None, redirect(url_for("reports.report_detail", report_id=report.id))
    db.session.commit()
    flash(success, "success")
    return report, redirect(url_for("reports.report_detail", report_id=report.id))


def _regenerate(dbs, report: MonthlyReport, *, actor) -> None:
    """Regenerate a draft from today's data."""
    if report.state != ReportState.DRAFT:
        raise ReportError(_("The report is accepted or published; it stays as it is."))
    generate_report(dbs, report.client, report.month, actor=actor)


@roles_required(*MANAGERS)
def report_regenerate(report_id: int):
    """Recompute a draft's figures from the current data (confirmed on the page)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    _report, response = _step(report_id, _regenerate, _("The draft is recomputed."))
    return response


@roles_required(*MANAGERS)
def report_accept(report_id: int):
    """Accept a draft with a comment for the client."""
    form = AcceptReportForm()
    if not form.validate_on_submit():
        _report_or_404(report_id)
        flash(_("Write a comment for the client."), "error")
        return redirect(url_for("reports.report_detail", report_id=report_id))
    _report, response = _step(report_id, accept_report, _("Accepted. Publish it when the client may see it."),
                              comment=form.comment.data)
    return response


@roles_required(*MANAGERS)
def report_reopen(report_id: int):
    """Send an accepted report back to draft (confirmed on the page)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    _report, response = _step(report_id, return_to_draft, _("Back to draft."))
    return response


@roles_required(*MANAGERS)
def report_publish(report_id: int):
    """Publish an accepted report to the client and e-mail their viewers (confirmed on the page)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    report, response = _step(report_id, publish_report, _("Published: the client can read it now."))
    if report is not None:
        try:
            sent = notify_published(db.session, report, MailSettings.from_config(current_app.config))
            db.session.commit()
        except MailError:
            db.session.rollback()
            flash(_("The report is published, but the e-mail to the client could not be sent; tell them directly."),
                  "error")
        else:
            if sent:
                flash(_("E-mail sent to %(emails)s.", emails=", ".join(sent)), "info")
            else:
                flash(_("The client has no viewer account to e-mail; tell them directly."), "info")
    return response
