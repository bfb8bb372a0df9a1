"""Forms of the playbook pages: import, review, KPI targets, and one editor per playbook section.

A section editor shows the common fields of its section as form fields and the rest as a small
YAML box. `structured()` turns the fields into the section's plain values; the loader checks the
whole playbook rebuilt with them, and `place_problems` puts each problem back on the field it
concerns, on a line of the YAML box, or in the list of problems found elsewhere in the playbook.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    Field,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from .export import ComposedText, dump_fragment
from .loader import Problem
from .schema import KpiKey, Playbook

KPI_LABELS = {
    KpiKey.VIEWS: _l("Views"),
    KpiKey.CLICKS_TO_SITE: _l("Clicks to site"),
    KpiKey.NEWS_POSTED: _l("News posted"),
    KpiKey.QUESTIONS: _l("Questions"),
    KpiKey.PROBLEMS_TOTAL: _l("Problems, total"),
    KpiKey.PROBLEMS_SOLVED: _l("Problems solved"),
    KpiKey.POSITIVE_REVIEWS: _l("Positive reviews"),
    KpiKey.RECOMMENDATIONS: _l("Recommendations"),
    KpiKey.MESSAGES_IN_THREAD: _l("Messages in thread"),
    KpiKey.DISCOUNT_USES: _l("Special-discount uses"),
    KpiKey.RESPONSE_TIME_HOURS_MEDIAN: _l("Response time, median hours"),
}
KPI_CHOICES = [SelectChoice(k.value, KPI_LABELS[k]) for k in KpiKey]
_NUMBER_RE = re.compile(r"^\d+(?:[.,]\d+)?$")


class ImportForm(FlaskForm):
    text = TextAreaField(_l("Playbook text (YAML)"), validators=[Optional(), Length(max=500_000)])
    file = FileField(_l("…or a playbook file"))


class ApproveForm(FlaskForm):
    effective_date = DateField(_l("In force from"), validators=[Optional()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])
    confirm_priority_change = BooleanField(_l("I confirm switching the priority KPI within three months"))


class RejectForm(FlaskForm):
    comment = TextAreaField(_l("Why it is rejected"), validators=[DataRequired(), Length(max=2000)])


class TargetForm(FlaskForm):
    kpi = SelectField(_l("KPI"), choices=KPI_CHOICES)
    value = StringField(_l("Target"), validators=[DataRequired(), Length(max=20)])
    is_priority = BooleanField(_l("Priority KPI of the month"))
    reason = StringField(_l("Why"), validators=[DataRequired(), Length(max=1000)])
    confirm = HiddenField()


def _split(text: str | None, *, lines_only: bool = False) -> list[str]:
    """Split a list typed one per line (or, unless lines_only, separated by commas)."""
    parts = (text or "").splitlines() if lines_only else re.split(r"[,\n]", text or "")
    return [part.strip() for part in parts if part.strip()]


def _number(text: str | None) -> int | float | None:
    """Read a non-negative number as typed (whole numbers stay whole), None when blank."""
    text = (text or "").strip()
    if not text:
        return None
    if not _NUMBER_RE.match(text):
        raise ValueError(text)
    return int(text) if text.isdigit() else float(text.replace(",", "."))


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    """Drop blank values (None, "", empty lists and mappings) so optional fields stay unset."""
    return {k: v for k, v in values.items() if v not in (None, "", [], {})}


class SectionForm(FlaskForm):
    """One playbook section's editor; subclasses name their section, fields and YAML box."""

    section: ClassVar[str] = ""
    title: ClassVar[Any] = ""
    # Form field -> where it sits inside the section (dotted, as in problem field paths).
    LOCS: ClassVar[dict[str, str]] = {}
    # Model fields of the section that go in the YAML box; None: the whole section (a list).
    FREE: ClassVar[tuple[str, ...] | None] = ()

    free = TextAreaField(_l("More of this section"), validators=[Optional(), Length(max=200_000)])

    def path(self) -> tuple[str, ...]:
        """Return where the section sits in the playbook."""
        return (self.section,)

    def value_in(self, pb: Playbook) -> Any:
        """Return the section's current value in a playbook."""
        return getattr(pb, self.section)

    def load(self, pb: Playbook) -> None:
        """Fill the form from the section as a playbook has it."""
        value = self.value_in(pb)
        if self.FREE is None:
            self.free.data = dump_fragment(value)
        elif self.FREE:
            self.free.data = dump_fragment(value, fields=self.FREE) if value is not None else ""

    def structured(self) -> dict[str, Any] | None:
        """Return the section's values from the fields (None: a list section, only the YAML box)."""
        return None

    def free_yaml(self) -> str:
        """Return the YAML box's text ('' when this section has none)."""
        return (self.free.data or "") if self.FREE is None or self.FREE else ""


class ClientSectionForm(SectionForm):
    section = "client"
    title = _l("Client")
    LOCS: ClassVar[dict[str, str]] = {"name": "name", "display_name": "display_name", "site_url": "site_url", "timezone": "timezone"}

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    display_name = StringField(_l("Official account name"), validators=[DataRequired(), Length(max=200)])
    site_url = StringField(_l("Site"), validators=[DataRequired(), Length(max=500)])
    timezone = StringField(_l("Time zone"), validators=[DataRequired(), Length(max=64)])

    def load(self, pb: Playbook) -> None:
        """Fill the fields; the slug is the client's identity and stays as it is."""
        client = pb.client
        self.name.data, self.display_name.data = client.name, client.display_name
        self.site_url.data, self.timezone.data = str(client.site_url), client.timezone

    def structured(self) -> dict[str, Any]:
        """Return the client section (the service adds the slug, which does not change)."""
        return {"name": self.name.data, "display_name": self.display_name.data,
                "site_url": self.site_url.data.strip(), "timezone": self.timezone.data.strip()}


class TopicsSectionForm(SectionForm):
    section = "topics"
    title = _l("Topics")
    FREE = None


class ContactsSectionForm(SectionForm):
    section = "contacts"
    title = _l("Responsible people")
    FREE = None


class ForumSectionForm(SectionForm):
    section = "forums"
    title = _l("Forum")
    LOCS: ClassVar[dict[str, str]] = {"account": "account", "may_start_threads": "may_start_threads",
            "per_day": "posting_limits.per_day", "per_week": "posting_limits.per_week",
            "min_gap_minutes": "posting_limits.min_gap_minutes"}
    FREE = ("threads", "allowed_topics", "content_sources")
    NEW_FORUM_TEMPLATE = "threads:\n  - url: https://\n"

    key = StringField(_l("Forum key (from forums/)"),
                      validators=[Optional(), Length(max=64), Regexp(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$",
                                                                     message=_l("Lowercase letters, digits, - and _."))])
    account = StringField(_l("Official account on this forum"), validators=[Optional(), Length(max=200)])
    may_start_threads = BooleanField(_l("May open new threads"))
    per_day = IntegerField(_l("Posts a day at most"), validators=[Optional(), NumberRange(min=1)])
    per_week = IntegerField(_l("Posts a week at most"), validators=[Optional(), NumberRange(min=1)])
    min_gap_minutes = IntegerField(_l("Minutes between posts at least"), validators=[Optional(), NumberRange(min=1)])
    remove = BooleanField(_l("Remove this forum from the playbook"))
    forum_key = ""

    def path(self) -> tuple[str, ...]:
        """Return forums.<key>."""
        return ("forums", self.forum_key)

    def value_in(self, pb: Playbook) -> Any:
        """Return the forum's settings, or None for a new forum."""
        return pb.forums.get(self.forum_key)

    def load(self, pb: Playbook) -> None:
        """Fill the fields and the box from the forum's settings (a template for a new forum)."""
        settings = self.value_in(pb)
        if settings is None:
            self.free.data = self.NEW_FORUM_TEMPLATE
            return
        super().load(pb)
        self.account.data, self.may_start_threads.data = settings.account, settings.may_start_threads
        limits = settings.posting_limits
        self.per_day.data, self.per_week.data = limits.per_day, limits.per_week
        self.min_gap_minutes.data = limits.min_gap_minutes

    def structured(self) -> dict[str, Any] | None:
        """Return the forum's settings from the fields (None when it is being removed)."""
        if self.remove.data:
            return None
        limits = _compact({"per_day": self.per_day.data, "per_week": self.per_week.data,
                           "min_gap_minutes": self.min_gap_minutes.data})
        return _compact({"account": (self.account.data or "").strip() or None,
                         "may_start_threads": bool(self.may_start_threads.data), "posting_limits": limits})

    def free_yaml(self) -> str:
        """Return the box's text, or nothing when the forum is being removed."""
        return "" if self.remove.data else super().free_yaml()


class ContentSectionForm(SectionForm):
    section = "content"
    title = _l("Content rules")
    LOCS: ClassVar[dict[str, str]] = {"brand": "brand.canonical", "wrong_variants": "brand.wrong_variants", "signature": "signature",
            "link_domains": "link_domains"}
    FREE = ("vocabulary", "forbidden", "avoid_topics", "no_comment", "tone")

    brand = StringField(_l("Brand, spelt correctly"), validators=[DataRequired(), Length(max=200)])
    wrong_variants = TextAreaField(_l("Wrong spellings to catch, one per line"), validators=[Optional()])
    signature = TextAreaField(_l("Signature at the end of every reply"), validators=[Optional(), Length(max=2000)])
    link_domains = StringField(_l("Domains links may point to, comma-separated"), validators=[Optional()])

    def load(self, pb: Playbook) -> None:
        """Fill the fields and the box from the content rules."""
        super().load(pb)
        content = pb.content
        self.brand.data = content.brand.canonical
        self.wrong_variants.data = "\n".join(content.brand.wrong_variants)
        self.signature.data = content.signature or ""
        self.link_domains.data = ", ".join(content.link_domains)

    def structured(self) -> dict[str, Any]:
        """Return the brand, signature and link domains."""
        signature = (self.signature.data or "").replace("\r\n", "\n").strip("\n")
        return _compact({
            "brand": _compact({"canonical": self.brand.data,
                               "wrong_variants": _split(self.wrong_variants.data, lines_only=True)}),
            "signature": signature or None,
            "link_domains": _split(self.link_domains.data),
        })


class RegulationsSectionForm(SectionForm):
    section = "regulations"
    title = _l("Regulations")
    LOCS: ClassVar[dict[str, str]] = {"first_response_within": "response_time.first_response_within",
            "business_hours": "response_time.business_hours", "days": "response_time.days"}
    FREE = ("variables", "standard_answers", "situations")

    first_response_within = StringField(_l("First response within (e.g. 4h, 40m, 1h30m)"),
                                        validators=[DataRequired(), Length(max=20)])
    business_hours = StringField(_l("Business hours (e.g. 09:00-18:00; empty: around the clock)"),
                                 validators=[Optional(), Length(max=20)])
    days = SelectField(_l("Days"), choices=[SelectChoice("working", _l("Working days (Monday to Friday)")),
                                            SelectChoice("calendar", _l("Every day"))])

    def load(self, pb: Playbook) -> None:
        """Fill the response time and the box from the regulations."""
        super().load(pb)
        response = pb.regulations.response_time
        self.first_response_within.data = response.first_response_within
        self.business_hours.data = response.business_hours or ""
        self.days.data = response.days.value

    def structured(self) -> dict[str, Any]:
        """Return the response time."""
        return {"response_time": _compact({
            "first_response_within": (self.first_response_within.data or "").strip(),
            "business_hours": (self.business_hours.data or "").strip() or None,
            "days": self.days.data,
        })}


class ApprovalSectionForm(SectionForm):
    section = "approval"
    title = _l("Approval policy")
    LOCS: ClassVar[dict[str, str]] = {"everything_until": "everything_until", "news": "news", "new_threads": "new_threads",
            "drafts_with_warnings": "drafts_with_warnings", "topics": "topics", "situations": "situations",
            "otherwise": "otherwise"}

    everything_until = DateField(_l("Every reply needs approval until"), validators=[Optional()])
    news = BooleanField(_l("News posts need approval"))
    new_threads = BooleanField(_l("Opening a thread needs approval"))
    drafts_with_warnings = BooleanField(_l("Drafts with warnings need approval"))
    topics = StringField(_l("Topics that need approval (ids, comma-separated)"), validators=[Optional()])
    situations = StringField(_l("Situations that need approval (ids, comma-separated)"), validators=[Optional()])
    otherwise = SelectField(_l("Everything else"), choices=[SelectChoice("publish", _l("is published")),
                                                            SelectChoice("approve", _l("needs approval"))])

    def load(self, pb: Playbook) -> None:
        """Fill the fields from the approval policy."""
        policy = pb.approval
        self.everything_until.data = policy.everything_until
        self.news.data, self.new_threads.data = policy.news, policy.new_threads
        self.drafts_with_warnings.data = policy.drafts_with_warnings
        self.topics.data, self.situations.data = ", ".join(policy.topics), ", ".join(policy.situations)
        self.otherwise.data = policy.otherwise.value

    def structured(self) -> dict[str, Any]:
        """Return the approval policy."""
        return _compact({
            "everything_until": self.everything_until.data,
            "news": bool(self.news.data), "new_threads": bool(self.new_threads.data),
            "drafts_with_warnings": bool(self.drafts_with_warnings.data),
            "topics": _split(self.topics.data), "situations": _split(self.situations.data),
            "otherwise": self.otherwise.data,
        })


def _valid_number(form: FlaskForm, field: Field) -> None:
    """Accept a blank or a non-negative number."""
    try:
        _number(field.data)
    except ValueError:
        raise ValidationError(_l("A number, e.g. 20 or 1.5.")) from None


class KpisSectionForm(SectionForm):
    section = "kpis"
    title = _l("KPIs")
    LOCS: ClassVar[dict[str, str]] = {"priority": "priority", **{f"target_{k.value}": f"targets.{k.value}" for k in KpiKey}}

    priority = SelectField(_l("Priority KPI"), choices=KPI_CHOICES)

    def target_fields(self) -> list[Field]:
        """Return the monthly target field of every KPI, in KPI order."""
        return [getattr(self, f"target_{k.value}") for k in KpiKey]

    def load(self, pb: Playbook) -> None:
        """Fill the priority and targets."""
        self.priority.data = pb.kpis.priority.value
        for kpi in KpiKey:
            value = pb.kpis.targets.get(kpi)
            getattr(self, f"target_{kpi.value}").data = "" if value is None else str(value)

    def structured(self) -> dict[str, Any]:
        """Return the priority and the targets given."""
        targets = {k.value: _number(getattr(self, f"target_{k.value}").data) for k in KpiKey}
        return {"priority": self.priority.data, "targets": _compact(targets)}


for _kpi in KpiKey:
    setattr(KpisSectionForm, f"target_{_kpi.value}",
            StringField(KPI_LABELS[_kpi], validators=[Optional(), Length(max=20), _valid_number]))

SECTION_FORMS: dict[str, type[SectionForm]] = {
    form.section: form for form in (ClientSectionForm, TopicsSectionForm, ContentSectionForm, ContactsSectionForm,
                                    RegulationsSectionForm, ApprovalSectionForm, KpisSectionForm)
}


@dataclass(frozen=True)
class PlacedProblem:
    """A problem the editor could not pin on a form field: in the YAML box (line) or elsewhere."""

    line: int | None
    field: str
    message: str


def place_problems(form: SectionForm, problems: list[Problem], composed: ComposedText
                   ) -> tuple[list[PlacedProblem], list[PlacedProblem]]:
    """Put problems on the form fields they concern; return those in the YAML box and those elsewhere."""
    prefix = ".".join(form.path())
    in_box, elsewhere = [], []
    for problem in problems:
        inner = _inside(problem.field, prefix)
        target = _field_for(form, inner) if inner is not None else None
        if target is not None:
            rest = inner[len(form.LOCS[target.name]):].lstrip(".")
            target.errors = [*target.errors, f"{problem.message} ({rest})" if rest else problem.message]
            continue
        box_line = composed.free_line(problem.line)
        if box_line is not None:
            in_box.append(PlacedProblem(box_line, problem.field, problem.message))
        else:
            elsewhere.append(PlacedProblem(None, problem.field, problem.message))
    return in_box, elsewhere


def _inside(field_path: str, prefix: str) -> str | None:
    """Return a field path relative to a section ('' for the section itself), or None if outside it."""
    if field_path == prefix:
        return ""
    if field_path.startswith(prefix) and field_path[len(prefix)] in ".[":
        return field_path[len(prefix):].lstrip(".")
    return None


def _field_for(form: SectionForm, inner: str) -> Field | None:
    """Return the form field whose place in the section holds `inner`, if any."""
    for name, loc in sorted(form.LOCS.items(), key=lambda item: -len(item[1])):
        if inner == loc or (inner.startswith(loc) and inner[len(loc)] in ".["):
            return getattr(form, name)
    return None
