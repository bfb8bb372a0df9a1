"""A report as JSON, CSV, XLSX (one sheet per section, numbers as numbers) and PDF (WeasyPrint).

All four are made from the frozen figures through `content.report_document`, so they say the same
as the page. The representatives' breakdown is internal and stays out of every export.
"""

from __future__ import annotations

import csv
import io
import json
import warnings
from typing import Any

from flask import render_template
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..kpi.definitions import METRICS, Unit
from ..kpi.periods import month_text
from ..models import MonthlyReport
from .content import (
    CASE_STATES,
    TAGS,
    THREAD_COLUMNS,
    ReportDocument,
    as_datetime,
    body_context,
    report_document,
)

FORMATS = ("pdf", "xlsx", "csv", "json")
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
PERCENT = "0.0%"
HOURS = "0.0"
INTEGER = "#,##0"


def filename(report: MonthlyReport, fmt: str) -> str:
    """Return the download name, e.g. client-a-2025-02.pdf."""
    slug = (report.figures or {}).get("client", {}).get("slug") or f"client-{report.client_id}"
    return f"{slug}-{month_text(report.month)}.{fmt}"


def export(report: MonthlyReport, fmt: str) -> bytes:
    """Return the report in a format (pdf, xlsx, csv or json)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return {"pdf": to_pdf, "xlsx": to_xlsx, "csv": to_csv, "json": to_json}[fmt](report)


def public_figures(report: MonthlyReport) -> dict[str, Any]:
    """Return the frozen figures without the internal parts (the representatives' breakdown)."""
    return {k: v for k, v in (report.figures or {}).items() if k != "reps"}


def to_json(report: MonthlyReport) -> bytes:
    """Return the report's figures and state as JSON."""
    document = {
        "client": (report.figures or {}).get("client", {}),
        "month": month_text(report.month),
        "state": report.state.value,
        "pr_comment": report.pr_comment,
        "accepted_at": report.accepted_at.isoformat() if report.accepted_at else None,
        "published_at": report.published_at.isoformat() if report.published_at else None,
        "figures": public_figures(report),
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


def _csv_number(value: Any) -> Any:
    """Write numbers plainly (a point for decimals) and nothing for a missing one."""
    return "" if value is None else value


def to_csv(report: MonthlyReport) -> bytes:
    """Return the KPI figures in long form: one row per figure, in total, per forum and per thread."""
    doc = report_document(report, charts=False)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["section", "forum", "thread", "kpi", "label", "unit", "target", "actual", "percent_of_target"])
    for line in doc.kpis + doc.supporting:
        writer.writerow(["total", "", "", line.key, str(line.metric.label), line.metric.unit.value,
                         _csv_number(line.target), _csv_number(line.actual),
                         _csv_number(round(line.percent, 1) if line.percent is not None else None)])
    for forum in doc.forums:
        for key, value in forum["values"].items():
            writer.writerow(["forum", forum["name"], "", key, str(METRICS[key].label), METRICS[key].unit.value, "",
                             _csv_number(value), ""])
    for thread in doc.threads:
        for key, value in thread["values"].items():
            writer.writerow(["thread", thread["forum"], thread["title"], key, str(METRICS[key].label),
                             METRICS[key].unit.value, "", _csv_number(value), ""])
    return ("\ufeff" + out.getvalue()).encode()  # the BOM makes Excel read UTF-8


def _format(unit: Unit) -> str:
    """Return the cell number format for a unit."""
    return {Unit.SHARE: PERCENT, Unit.HOURS: HOURS}.get(unit, INTEGER)


def _sheet(workbook: Workbook, title: str, header: list[str]):
    """Add a sheet with a bold header row and a frozen first row."""
    sheet = workbook.create_sheet(title[:31].translate(str.maketrans("[]:*?/\\", "()-----")))
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    return sheet


def _widths(sheet, widths: list[int]) -> None:
    """Set column widths."""
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _put(sheet, row: int, column: int, value: Any, number_format: str | None = None) -> None:
    """Write a cell, with a number format for numbers."""
    cell = sheet.cell(row=row, column=column, value=value)
    if number_format and isinstance(value, (int, float)):
        cell.number_format = number_format


def to_xlsx(report: MonthlyReport) -> bytes:
    """Return the report as a workbook, one sheet per section; figures are numeric cells."""
    doc = report_document(report, charts=False)
    workbook = Workbook()
    workbook.remove(workbook.active)
    _kpi_sheet(workbook, doc)
    _daily_sheet(workbook, doc)
    _breakdown_sheet(workbook, _("Forums"), [_("Forum")], [[f["name"]] for f in doc.forums],
                     [f["values"] for f in doc.forums])
    _breakdown_sheet(workbook, _("Threads"), [_("Thread"), _("Forum"), _("Address")],
                     [[t["title"], t["forum"], t["url"]] for t in doc.threads], [t["values"] for t in doc.threads])
    _response_sheet(workbook, doc)
    _cases_sheet(workbook, doc)
    _posts_sheet(workbook, doc)
    comment = _sheet(workbook, _("Comment"), [_("Comment of the PR specialist")])
    comment.append([report.pr_comment])
    comment["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    _widths(comment, [100])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _kpi_sheet(workbook: Workbook, doc: ReportDocument) -> None:
    """Write the KPI table with targets."""
    sheet = _sheet(workbook, _("KPI"), [_("KPI"), _("Target"), _("Actual"), _("Percent of target"), _("Priority"),
                                        _("Definition")])
    for row, line in enumerate(doc.kpis + doc.supporting, start=2):
        number_format = _format(line.metric.unit)
        sheet.cell(row=row, column=1, value=str(line.metric.label))
        _put(sheet, row, 2, line.target, number_format)
        _put(sheet, row, 3, line.actual, number_format)
        _put(sheet, row, 4, line.percent / 100 if line.percent is not None else None, PERCENT)
        sheet.cell(row=row, column=5, value=_("yes") if line.priority else "")
        sheet.cell(row=row, column=6, value=str(line.metric.definition))
    _widths(sheet, [34, 12, 12, 12, 10, 100])


def _daily_sheet(workbook: Workbook, doc: ReportDocument) -> None:
    """Write the cumulative value of each KPI at the end of each day."""
    daily = doc.figures.get("daily", {})
    keys = [line.key for line in doc.kpis if line.key in daily]
    sheet = _sheet(workbook, _("By day"), [_("Day")] + [str(METRICS[k].label) for k in keys])
    for row, day in enumerate(doc.days, start=2):
        cell = sheet.cell(row=row, column=1, value=day)
        cell.number_format = "yyyy-mm-dd"
        for column, key in enumerate(keys, start=2):
            series = daily[key]
            _put(sheet, row, column, series[row - 2] if row - 2 < len(series) else None, _format(METRICS[key].unit))
    _widths(sheet, [12] + [16] * len(keys))


def _breakdown_sheet(workbook: Workbook, title: str, labels: list[str], names: list[list[Any]],
                     values: list[dict[str, Any]]) -> None:
    """Write one row per forum or thread with its figures."""
    keys = [k for k in THREAD_COLUMNS + ("response_within_norm_share",) if any(k in v for v in values)]
    sheet = _sheet(workbook, title, labels + [str(METRICS[k].label) for k in keys])
    for row, (name, figures) in enumerate(zip(names, values, strict=True), start=2):
        for column, text in enumerate(name, start=1):
            sheet.cell(row=row, column=column, value=text)
        for column, key in enumerate(keys, start=len(labels) + 1):
            _put(sheet, row, column, figures.get(key), _format(METRICS[key].unit))
    _widths(sheet, [40] * len(labels) + [14] * len(keys))


def _response_sheet(workbook: Workbook, doc: ReportDocument) -> None:
    """Write the response-time statistics and the norm they were measured against."""
    response, norm = doc.response, doc.response.get("norm", {})
    sheet = _sheet(workbook, _("Response time"), [_("Figure"), _("Value")])
    rows: list[tuple[str, Any, str | None]] = [
        (_("Answered posts"), response.get("answered"), INTEGER),
        (_("Answered within the norm"), response.get("within_norm"), INTEGER),
        (_("Unanswered past the norm"), response.get("missed"), INTEGER),
        (_("Unanswered, time not up yet"), response.get("pending"), INTEGER),
        (str(METRICS["response_time_hours_median"].label), response.get("median_hours"), HOURS),
        (str(METRICS["response_time_p90_hours"].label), response.get("p90_hours"), HOURS),
        (str(METRICS["response_within_norm_share"].label), response.get("within_norm_share"), PERCENT),
        (_("Norm, hours"), norm.get("within_hours"), HOURS),
        (_("Business hours"), norm.get("business_hours") or _("around the clock"), None),
        (_("Days"), _("working days") if norm.get("days") == "working" else _("calendar days"), None),
        (_("Time zone"), norm.get("timezone"), None),
    ]
    for row, (label, value, number_format) in enumerate(rows, start=2):
        sheet.cell(row=row, column=1, value=label)
        _put(sheet, row, 2, value, number_format)
    _widths(sheet, [40, 20])


def _cases_sheet(workbook: Workbook, doc: ReportDocument) -> None:
    """Write the month's problems and how they ended."""
    sheet = _sheet(workbook, _("Problems"), [_("Problem"), _("State"), _("Opened"), _("Closed"), _("Outcome"),
                                             _("Address")])
    for row, case in enumerate(doc.cases, start=2):
        opened, closed = as_datetime(case["opened_at"]), as_datetime(case["closed_at"])
        sheet.cell(row=row, column=1, value=case["title"])
        sheet.cell(row=row, column=2, value=str(CASE_STATES.get(case["state"], case["state"])))
        for column, moment in ((3, opened), (4, closed)):
            if moment is not None:
                cell = sheet.cell(row=row, column=column, value=moment.replace(tzinfo=None))
                cell.number_format = "yyyy-mm-dd hh:mm"
        sheet.cell(row=row, column=5, value=case["resolution"])
        sheet.cell(row=row, column=6, value=case["url"])
    _widths(sheet, [40, 18, 17, 17, 60, 40])


def _posts_sheet(workbook: Workbook, doc: ReportDocument) -> None:
    """Write the notable posts of the month."""
    sheet = _sheet(workbook, _("Notable posts"), [_("Date"), _("Author"), _("Thread"), _("Tags"), _("Text"),
                                                  _("Address")])
    for row, post in enumerate(doc.notable_posts, start=2):
        moment = as_datetime(post["posted_at"])
        if moment is not None:
            cell = sheet.cell(row=row, column=1, value=moment.replace(tzinfo=None))
            cell.number_format = "yyyy-mm-dd hh:mm"
        sheet.cell(row=row, column=2, value=post["author"])
        sheet.cell(row=row, column=3, value=post["thread"])
        sheet.cell(row=row, column=4, value=", ".join(str(TAGS.get(t, t)) for t in post["tags"]))
        sheet.cell(row=row, column=5, value=post["excerpt"])
        sheet.cell(row=row, column=6, value=post["url"])
    _widths(sheet, [17, 20, 30, 20, 80, 40])


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Refuse every resource the PDF would load: it is self-contained (inline SVG, local fonts)."""
    raise ValueError(f"the report PDF loads no external resources ({url})")


def to_pdf(report: MonthlyReport) -> bytes:
    """Render the report page's content into a PDF with WeasyPrint."""
    with warnings.catch_warnings():
        # WeasyPrint warns at import when the optional HarfBuzz subsetter is missing; fonts still embed.
        warnings.filterwarnings("ignore", message=".*HarfBuzz-Subset.*", category=DeprecationWarning)
        from weasyprint import HTML

    html = render_template("reports/pdf.html", **body_context(report_document(report), staff=False))
    return HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()
