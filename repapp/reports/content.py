"""What a frozen report shows, in the reader's language: the same rows for the page, PDF, XLSX and CSV."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from ..kpi.charts import bar_chart, progress_chart
from ..kpi.definitions import KPI_ORDER, METRICS, Metric, Unit
from ..kpi.forecast import percent_of, target_met
from ..kpi.periods import parse_month
from ..kpi.present import POSTING_RULES, format_percent_of_target, format_value, norm_description
from ..kpi.present import month_label as name_month
from ..models import MonthlyReport

CASE_STATES = {
    "open": _l("open"), "in_pm": _l("in private messages"), "escalated": _l("escalated"),
    "solved": _l("solved"), "unsolved": _l("unsolved"),
}
TAGS = {
    "positive": _l("positive"), "recommendation": _l("recommendation"), "negative": _l("negative"),
    "problem": _l("problem"), "question": _l("question"),
}
REPORT_STATES = {"draft": _l("draft"), "accepted": _l("accepted"), "published": _l("published")}
SUPPORTING = ("response_time_p90_hours", "response_within_norm_share", "posting_compliance_share")
# The per-thread columns of the report, in order.
THREAD_COLUMNS = ("views", "messages_in_thread", "questions", "positive_reviews", "recommendations",
                  "news_posted", "clicks_to_site", "problems_total", "response_time_hours_median")


@dataclass(frozen=True)
class KpiLine:
    """One row of the KPI table."""

    metric: Metric
    target: float | None
    actual: float | None
    percent: float | None
    met: bool | None
    priority: bool

    @property
    def key(self) -> str:
        return self.metric.key


@dataclass
class ReportDocument:
    """Everything a report shows, ready to render."""

    report: MonthlyReport
    figures: dict[str, Any]
    month: date
    month_label: str
    kpis: list[KpiLine]
    supporting: list[KpiLine]
    charts: dict[str, Markup] = field(default_factory=dict)
    thread_chart: Markup | None = None

    @property
    def client_name(self) -> str:
        client = self.figures.get("client", {})
        return client.get("display_name") or client.get("name") or ""

    @property
    def days(self) -> list[date]:
        return [date.fromisoformat(d) for d in self.figures.get("period", {}).get("days", [])]

    @property
    def response(self) -> dict[str, Any]:
        return self.figures.get("response", {})

    @property
    def posting(self) -> dict[str, Any]:
        return self.figures.get("posting", {})

    @property
    def threads(self) -> list[dict[str, Any]]:
        return self.figures.get("threads", [])

    @property
    def forums(self) -> list[dict[str, Any]]:
        return self.figures.get("forums", [])

    @property
    def reps(self) -> list[dict[str, Any]]:
        return self.figures.get("reps", [])

    @property
    def cases(self) -> list[dict[str, Any]]:
        return self.figures.get("cases", [])

    @property
    def notable_posts(self) -> list[dict[str, Any]]:
        return self.figures.get("notable_posts", [])


def kpi_line(key: str, entry: dict[str, Any]) -> KpiLine:
    """Build one KPI row from its frozen entry."""
    metric = METRICS[key]
    actual, target = entry.get("actual"), entry.get("target")
    met = target_met(actual, target, metric.higher_is_better)
    return KpiLine(metric, target, actual, percent_of(actual, target), met, bool(entry.get("priority")))


def report_document(report: MonthlyReport, *, charts: bool = True) -> ReportDocument:
    """Turn a report's frozen figures into what the page, the PDF and the spreadsheets show."""
    figures = report.figures or {}
    kpis = figures.get("kpis", {})
    month = parse_month(figures.get("month") or f"{report.month:%Y-%m}")
    doc = ReportDocument(
        report=report, figures=figures, month=month, month_label=name_month(month),
        kpis=[kpi_line(k.value, kpis.get(k.value, {})) for k in KPI_ORDER],
        supporting=[kpi_line(k, kpis.get(k, {})) for k in SUPPORTING],
    )
    if charts:
        daily = figures.get("daily", {})
        for line in doc.kpis:
            series = daily.get(line.key)
            if series and (line.actual is not None or line.target is not None):
                doc.charts[line.key] = progress_chart(doc.days, series, title=str(line.metric.label),
                                                      target=line.target, cumulative=line.metric.cumulative)
        views = [(t["title"], t["values"].get("views")) for t in doc.threads if t["values"].get("views")]
        if views:
            doc.thread_chart = bar_chart(views[:15], title=str(METRICS["views"].label))
    return doc


def body_context(doc: ReportDocument, *, staff: bool) -> dict[str, Any]:
    """Return what the report body template needs (the page and the PDF render the same body)."""
    return {"doc": doc, "report": doc.report, "states": REPORT_STATES, "case_states": CASE_STATES, "tags": TAGS,
            "rules": POSTING_RULES, "metrics": METRICS, "thread_columns": THREAD_COLUMNS, "fmt": format_value,
            "pct": format_percent_of_target, "as_datetime": as_datetime, "staff": staff,
            "norm_text": norm_description(doc.response.get("norm", {}))}


def unit_of(key: str) -> Unit:
    """Return the unit of a figure."""
    return METRICS[key].unit


def as_datetime(text: str | None) -> datetime | None:
    """Parse a frozen ISO timestamp."""
    return datetime.fromisoformat(text) if text else None
