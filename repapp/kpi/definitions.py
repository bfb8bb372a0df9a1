"""Every figure repapp reports: its key, label, unit and the definition shown beside it.

This is the one place the KPIs are defined in words; the engine computes exactly this, and the
targets view, the reports and the exports show these texts next to the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from flask_babel import lazy_gettext as _l

from ..models import KpiKey


class Unit(StrEnum):
    COUNT = "count"
    HOURS = "hours"
    SHARE = "share"  # a fraction 0..1, shown as a percentage


@dataclass(frozen=True)
class Metric:
    """One reported figure."""

    key: str
    label: object
    unit: Unit
    definition: object
    higher_is_better: bool = True
    cumulative: bool = True  # grows through the month: forecast by pace, daily chart is cumulative
    manual: bool = False  # may be entered by hand or imported from a CSV
    has_ceiling: bool = False  # limited by the forum's audience: a ceiling is estimated per forum
    per_rep: bool = False  # attributable to a representative
    note: object | None = None  # how edge cases are treated, shown under the definition

    @property
    def kpi(self) -> KpiKey | None:
        """Return the KPI key targets are set for, or None for a supporting figure."""
        return KpiKey(self.key) if self.key in KpiKey._value2member_map_ else None


_COUNTER_NOTE = _l(
    "Counters only grow, so a lower reading (a cached page, a deleted post) is ignored and the highest "
    "reading counts; the value at the month's start and end is interpolated between the snapshots on either "
    "side, so a missed snapshot does not move growth between months. A thread with no snapshot in the month "
    "shows no figure rather than zero."
)

METRICS: dict[str, Metric] = {m.key: m for m in (
    Metric(KpiKey.VIEWS.value, _l("Views"), Unit.COUNT, _l(
        "Growth of the view counters of the client's watched threads during the month, from the statistics "
        "snapshots."), has_ceiling=True, note=_COUNTER_NOTE),
    Metric(KpiKey.MESSAGES_IN_THREAD.value, _l("Messages in thread"), Unit.COUNT, _l(
        "Growth of the post counters of the client's watched threads during the month, from the statistics "
        "snapshots."), has_ceiling=True, note=_COUNTER_NOTE),
    Metric(KpiKey.CLICKS_TO_SITE.value, _l("Clicks to site"), Unit.COUNT, _l(
        "Visitors who followed repapp's tracked links (/go/…) in the month, each visitor counted once per link "
        "per day and known bots not at all, plus the figures entered or imported from the client's analytics."),
        manual=True, has_ceiling=True, per_rep=True),
    Metric(KpiKey.NEWS_POSTED.value, _l("News posted"), Unit.COUNT, _l(
        "News posts the representatives published in the month."), per_rep=True),
    Metric(KpiKey.QUESTIONS.value, _l("Questions"), Unit.COUNT, _l(
        "Forum users' posts written in the month and tagged “question”; posts since deleted from the forum are "
        "not counted."), has_ceiling=True),
    Metric(KpiKey.POSITIVE_REVIEWS.value, _l("Positive reviews"), Unit.COUNT, _l(
        "Forum users' posts written in the month and tagged “positive”."), has_ceiling=True),
    Metric(KpiKey.RECOMMENDATIONS.value, _l("Recommendations"), Unit.COUNT, _l(
        "Forum users' posts written in the month and tagged “recommendation”."), has_ceiling=True),
    Metric(KpiKey.PROBLEMS_TOTAL.value, _l("Problems, total"), Unit.COUNT, _l(
        "Cases (problems taken from the forum) opened in the month."), higher_is_better=False, per_rep=True),
    Metric(KpiKey.PROBLEMS_SOLVED.value, _l("Problems solved"), Unit.COUNT, _l(
        "Of the cases opened in the month, those that ended solved by the month's end."), per_rep=True),
    Metric(KpiKey.DISCOUNT_USES.value, _l("Special-discount uses"), Unit.COUNT, _l(
        "Special-discount (promo-code) uses as entered or imported from the client's figures; the latest value "
        "for each forum counts. No figure is shown until one is entered."), manual=True),
    Metric(KpiKey.RESPONSE_TIME_HOURS_MEDIAN.value, _l("Response time, median"), Unit.HOURS, _l(
        "Median time from a forum user's post written in the month to the representative's first published "
        "answer, counted in the playbook's business hours and time zone."),
        higher_is_better=False, cumulative=False, per_rep=True),
    Metric("response_time_p90_hours", _l("Response time, 90th percentile"), Unit.HOURS, _l(
        "Nine answers in ten came at least this fast (business hours, as the median)."),
        higher_is_better=False, cumulative=False, per_rep=True),
    Metric("response_within_norm_share", _l("Answered within the norm"), Unit.SHARE, _l(
        "Share of the posts needing an answer that were answered within the playbook's response time; posts "
        "still unanswered past it count as missed, posts whose time has not run out yet are left out."),
        cumulative=False, per_rep=True),
    Metric("posting_compliance_share", _l("Posting-limit compliance"), Unit.SHARE, _l(
        "Share of the days with posts by the official account on a forum on which it kept to the playbook's "
        "limits: posts per day, posts per week and the minimum gap between posts."), cumulative=False),
)}

# The KPIs targets are set for, in the order reports list them (the seed's order).
KPI_ORDER: tuple[KpiKey, ...] = (
    KpiKey.VIEWS, KpiKey.CLICKS_TO_SITE, KpiKey.NEWS_POSTED, KpiKey.QUESTIONS, KpiKey.PROBLEMS_TOTAL,
    KpiKey.PROBLEMS_SOLVED, KpiKey.POSITIVE_REVIEWS, KpiKey.RECOMMENDATIONS, KpiKey.MESSAGES_IN_THREAD,
    KpiKey.DISCOUNT_USES, KpiKey.RESPONSE_TIME_HOURS_MEDIAN,
)

def metric(key: str | KpiKey) -> Metric:
    """Return the definition of a figure by key."""
    return METRICS[str(key)]


def manual_kpis() -> list[KpiKey]:
    """Return the KPIs that may be entered by hand or imported."""
    return [m.kpi for m in METRICS.values() if m.manual and m.kpi is not None]
