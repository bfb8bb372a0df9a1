"""KPI pages: the targets view, manual figures and imports, tracked links, and the /go/ redirect."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from wtforms import SelectChoice

from ..access import (
    MANAGERS,
    STAFF,
    client_or_404,
    ensure_client_visible,
    public,
    restrict_to_visible_clients,
    roles_required,
)
from ..extensions import db
from ..models import (
    Client,
    Forum,
    KpiKey,
    LinkClick,
    ManualKpiEntry,
    Reply,
    Role,
    TrackedLink,
    WatchedThread,
    utcnow,
)
from ..pagination import paginate
from .charts import bar_chart, progress_chart
from .definitions import METRICS, manual_kpis
from .forms import CsvImportForm, ManualEntryForm, TrackedLinkForm
from .links import LinkError, Visit, create_link, link_by_code, record_click
from .manual import CsvImportError, EntryError, enter_value, import_csv
from .periods import local_month, month_text, parse_month
from .present import POSTING_RULES, format_percent_of_target, format_value, month_label, norm_description
from .targets import TargetsView, build_targets_view

VIEWERS = (Role.PR, Role.ADMIN, Role.CLIENT)
MAX_THREAD_ROWS = 50


def _month_arg():
    """Return the month named by ?month=YYYY-MM (staff only), or None for the current one."""
    text = request.args.get("month", "").strip()
    if not text or current_user.role == Role.CLIENT:
        return None
    try:
        return parse_month(text)
    except ValueError:
        abort(400)


def _charts(view: TargetsView) -> dict[str, object]:
    """Draw the daily progress chart of every KPI with data or a target, and the per-forum bars."""
    days = view.figures.period.days
    charts = {}
    for row in view.rows:
        if row.actual is None and row.target is None:
            continue
        charts[row.metric.key] = progress_chart(
            days, row.daily, title=str(row.metric.label), target=row.target.value if row.target else None,
            forecast=row.forecast if view.is_current else None, cumulative=row.metric.cumulative,
        )
    return charts


@roles_required(*VIEWERS)
def targets_overview():
    """Show every visible client's month against its targets (a client viewer goes to their own)."""
    if current_user.role == Role.CLIENT:
        if current_user.client is None:
            abort(404)
        return redirect(url_for("kpi.client_targets", client_slug=current_user.client.slug))
    month = _month_arg()
    page = paginate(restrict_to_visible_clients(
        select(Client).where(Client.is_active.is_(True)).order_by(Client.name), Client.id, current_user))
    views = [build_targets_view(db.session, client, month) for client in page.items]
    return render_template("kpi/overview.html", page=page, views=views, month=month, fmt=format_value,
                           month_text=month_text)


@roles_required(*VIEWERS)
def client_targets(client_slug: str):
    """Show one client's month: KPI table with definitions, forecast, ceilings, charts and breakdowns."""
    client = client_or_404(client_slug)
    view = build_targets_view(db.session, client, _month_arg())
    figures = view.figures
    forum_bars = {}
    for key in (KpiKey.VIEWS.value, KpiKey.MESSAGES_IN_THREAD.value, KpiKey.QUESTIONS.value):
        items = [(forum.name, figures.by_forum.get(fid, {}).get(key)) for fid, forum in figures.forums.items()]
        if len(items) > 1 and any(v for _n, v in items):
            forum_bars[key] = bar_chart(items, title=str(METRICS[key].label))
    views_of = {tid: figures.by_thread.get(tid, {}).get(KpiKey.VIEWS.value) or 0 for tid in figures.threads}
    threads = sorted(figures.threads.values(), key=lambda t: (-views_of[t.id], t.title))
    return render_template(
        "kpi/client.html", view=view, figures=figures, charts=_charts(view), forum_bars=forum_bars,
        metrics=METRICS, fmt=format_value, pct=format_percent_of_target, month_text=month_text,
        month_label=month_label(view.month), day_number=figures.period.days_elapsed(view.now),
        norm_text=norm_description(figures.response.norm), rules=POSTING_RULES,
        forum_rows=sorted(figures.forums.values(), key=lambda f: f.name),
        thread_rows=threads[:MAX_THREAD_ROWS], more_threads=len(threads) > MAX_THREAD_ROWS,
        rep_rows=sorted(figures.reps.values(), key=lambda r: r.name),
        staff=current_user.role != Role.CLIENT, manager=current_user.role in MANAGERS,
    )


def _entry_form(client: Client) -> ManualEntryForm:
    """Return the manual-entry form with its choices filled in."""
    form = ManualEntryForm()
    form.kpi.choices = [SelectChoice(k.value, str(METRICS[k.value].label)) for k in manual_kpis()]
    forums = db.session.execute(
        select(Forum.key, Forum.name).join(WatchedThread, WatchedThread.forum_id == Forum.id)
        .where(WatchedThread.client_id == client.id).distinct().order_by(Forum.name)
    ).all()
    form.forum.choices = [SelectChoice("", _("All forums"))] + [SelectChoice(k, n) for k, n in forums]
    if request.method == "GET" and not form.month.data:
        form.month.data = month_text(local_month(utcnow(), client.timezone))
    return form


def _manual_page(client: Client, form: ManualEntryForm, import_form: CsvImportForm, errors: list, status: int):
    """Render the client's manual figures with both forms."""
    page = paginate(select(ManualKpiEntry).where(ManualKpiEntry.client_id == client.id)
                    .order_by(ManualKpiEntry.month.desc(), ManualKpiEntry.entered_at.desc(), ManualKpiEntry.id.desc()))
    forums = {f.id: f for f in db.session.scalars(select(Forum).where(Forum.id.in_(
        {e.forum_id for e in page.items if e.forum_id})))}
    return render_template("kpi/manual.html", client=client, form=form, import_form=import_form, page=page,
                           forums=forums, metrics=METRICS, month_text=month_text, errors=errors), status


@roles_required(*MANAGERS)
def manual_entries(client_slug: str):
    """List a client's entered and imported figures; enter a new one."""
    client = client_or_404(client_slug)
    form = _entry_form(client)
    if form.validate_on_submit():
        forum = db.session.scalar(select(Forum).where(Forum.key == form.forum.data)) if form.forum.data else None
        try:
            enter_value(db.session, client, parse_month(form.month.data), KpiKey(form.kpi.data), form.value.data,
                        forum=forum, note=form.note.data or "", actor=current_user)
        except (EntryError, ValueError) as exc:
            db.session.rollback()
            field = getattr(form, getattr(exc, "field", "value"), form.value)
            field.errors.append(getattr(exc, "message", str(exc)))
        else:
            db.session.commit()
            flash(_("The figure is saved."), "success")
            return redirect(url_for("kpi.manual_entries", client_slug=client.slug))
    return _manual_page(client, form, CsvImportForm(), [], 400 if form.errors else 200)


@roles_required(*MANAGERS)
def manual_import(client_slug: str):
    """Import a CSV of figures for the client, all rows or none."""
    client = client_or_404(client_slug)
    form = CsvImportForm()
    errors: list = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            entries = import_csv(db.session, upload.read(), source_name=upload.filename or "upload.csv", client=client,
                                 actor=current_user)
        except CsvImportError as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            db.session.commit()
            flash(_("Imported %(n)d figures.", n=len(entries)), "success")
            return redirect(url_for("kpi.manual_entries", client_slug=client.slug))
    return _manual_page(client, _entry_form(client), form, errors, 400)


@roles_required(*STAFF)
def link_list():
    """List the tracked links of the visible clients with their counted clicks."""
    clicks = (select(func.count(LinkClick.id)).where(LinkClick.link_id == TrackedLink.id)
              .correlate(TrackedLink).scalar_subquery())
    query = restrict_to_visible_clients(
        select(TrackedLink, clicks.label("clicks")).order_by(TrackedLink.created_at.desc(), TrackedLink.id.desc()),
        TrackedLink.client_id, current_user)
    page = paginate(query)
    return render_template("kpi/links.html", page=page, base_url=current_app.config["BASE_URL"].rstrip("/"))


@roles_required(*STAFF)
def link_new():
    """Turn an address on the client's site into a tracked /go/ link for a thread (and reply)."""
    form = TrackedLinkForm()
    threads = db.session.execute(restrict_to_visible_clients(
        select(WatchedThread.id, WatchedThread.title, WatchedThread.url, Client.name)
        .join(Client, Client.id == WatchedThread.client_id)
        .where(WatchedThread.is_active.is_(True)).order_by(Client.name, WatchedThread.title),
        WatchedThread.client_id, current_user)).all()
    form.thread.choices = [SelectChoice(t.id, f"{t.name} · {t.title or t.url}") for t in threads]
    if request.method == "GET" and request.args.get("thread", "").isdigit():
        form.thread.data = int(request.args["thread"])
    if form.validate_on_submit():
        thread = db.session.get(WatchedThread, form.thread.data) or abort(404)
        ensure_client_visible(thread.client_id)
        reply = db.session.get(Reply, form.reply_id.data) if form.reply_id.data else None
        try:
            if form.reply_id.data and reply is None:
                raise LinkError("reply_id", _("There is no such reply."))
            link = create_link(db.session, thread, form.target_url.data, reply=reply, actor=current_user)
        except LinkError as exc:
            db.session.rollback()
            getattr(form, exc.field, form.target_url).errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("Tracked link ready: %(url)s", url=current_app.config["BASE_URL"].rstrip("/") + "/go/" + link.code),
                  "success")
            return redirect(url_for("kpi.link_list"))
    return render_template("kpi/link_new.html", form=form), 400 if form.errors else 200


@public
def follow_link(code: str):
    """Redirect to the link's address, counting the click (no login; bots and repeats are not counted)."""
    link = link_by_code(db.session, code) or abort(404)
    purpose = request.headers.get("Sec-Purpose") or request.headers.get("Purpose", "")
    visit = Visit(address=request.remote_addr or "", user_agent=request.user_agent.string or "",
                  method=request.method, purpose=purpose)
    if record_click(db.session, link, visit, current_app.config["SECRET_KEY"]):
        db.session.commit()
    response = redirect(link.target_url, code=302)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
