"""The playbook models: one client's technical assignment, strictly typed.

Field order here is the order of the canonical file (see `export.dump_playbook`), so it reads
top-down the way the seed's technical assignment does: who the client is, where the
representative works, what may be said, who answers for what, how fast and with which
standard answers, what needs approval, and which targets the month is measured against.

Cross-field rules (references between sections, contradicting limits, undefined template
variables…) live in `checks`, so that each problem can point at the exact field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator
from pydantic_core import PydanticCustomError

from .fields import (
    BusinessHours,
    Domain,
    Duration,
    Email,
    HttpUrl,
    Identifier,
    NonBlank,
    Regex,
    Slug,
    TemplateText,
    TimeZoneName,
    VariableName,
    text_matches,
)

FORMAT_VERSION = 1


class KpiKey(StrEnum):
    """The monthly KPIs repapp measures, shared by playbooks, reports and the dashboard."""

    VIEWS = "views"
    CLICKS_TO_SITE = "clicks_to_site"
    NEWS_POSTED = "news_posted"
    QUESTIONS = "questions"
    PROBLEMS_TOTAL = "problems_total"
    PROBLEMS_SOLVED = "problems_solved"
    POSITIVE_REVIEWS = "positive_reviews"
    RECOMMENDATIONS = "recommendations"
    MESSAGES_IN_THREAD = "messages_in_thread"
    DISCOUNT_USES = "discount_uses"
    RESPONSE_TIME_HOURS_MEDIAN = "response_time_hours_median"


@dataclass(frozen=True)
class KpiInfo:
    """How a KPI is labelled and which way is better."""

    label: str
    unit: str
    whole_number: bool = True
    higher_is_better: bool = True


# Russian labels: reports go to Russian-speaking clients, in the seed's own wording.
KPI_INFO: dict[KpiKey, KpiInfo] = {
    KpiKey.VIEWS: KpiInfo("Просмотры", "просмотров"),
    KpiKey.CLICKS_TO_SITE: KpiInfo("Переходы на сайт", "переходов"),
    KpiKey.NEWS_POSTED: KpiInfo("Размещённые новости", "новостей"),
    KpiKey.QUESTIONS: KpiInfo("Вопросы", "вопросов"),
    KpiKey.PROBLEMS_TOTAL: KpiInfo("Проблемы, всего", "проблем"),
    KpiKey.PROBLEMS_SOLVED: KpiInfo("Решённые проблемы", "проблем"),
    KpiKey.POSITIVE_REVIEWS: KpiInfo("Положительные отзывы", "отзывов"),
    KpiKey.RECOMMENDATIONS: KpiInfo("Рекомендации", "рекомендаций"),
    KpiKey.MESSAGES_IN_THREAD: KpiInfo("Сообщения в ветке", "сообщений"),
    KpiKey.DISCOUNT_USES: KpiInfo("Использования спецскидки", "использований"),
    KpiKey.RESPONSE_TIME_HOURS_MEDIAN: KpiInfo(
        "Время ответа (медиана)", "ч", whole_number=False, higher_is_better=False
    ),
}


def _number(value: Any) -> int | float:
    """Accept a non-negative int or float as written (a bool is not a number here)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PydanticCustomError("playbook", "must be a number")
    if value < 0:
        raise PydanticCustomError("playbook", "must not be negative")
    return value


# A plain validator rather than `int | float` keeps error locations free of union tags and
# keeps 100 an int, so the exported file says 100 and not 100.0.
Number = Annotated[int | float, PlainValidator(_number)]
PositiveInt = Annotated[int, Field(gt=0)]


class _Model(BaseModel):
    """Base of every playbook section: unknown keys and loose types are errors."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class Client(_Model):
    """Who the representative speaks for."""

    name: NonBlank
    slug: Slug
    display_name: NonBlank
    site_url: HttpUrl
    timezone: TimeZoneName


class Topic(_Model):
    """A subject the playbook refers to by id, recognised in posts by keywords or patterns."""

    id: Identifier
    title: NonBlank
    keywords: list[NonBlank] = []
    patterns: list[Regex] = []

    def matches(self, text: str) -> bool:
        """Tell whether a post's text is about this topic."""
        return text_matches(self.keywords, self.patterns, text)


class Thread(_Model):
    """A forum thread the representative watches."""

    url: HttpUrl
    title: NonBlank | None = None


class PostingLimits(_Model):
    """How often the account may post on one forum; an absent limit means no limit."""

    per_day: PositiveInt | None = None
    per_week: PositiveInt | None = None
    min_gap_minutes: PositiveInt | None = None


class AllowedTopics(_Model):
    """Topic ids posts may cover (empty: any topic not avoided) and news may cover (empty: no news)."""

    posts: list[Identifier] = []
    news: list[Identifier] = []


class ContentSource(_Model):
    """Where the representative takes material for posts and news."""

    title: NonBlank
    url: HttpUrl | None = None
    notes: NonBlank | None = None


class ForumSettings(_Model):
    """The formalities agreed for one forum (keyed by its definition in forums/)."""

    account: NonBlank
    threads: list[Thread] = Field(min_length=1)
    may_start_threads: bool = False
    posting_limits: PostingLimits = PostingLimits()
    allowed_topics: AllowedTopics = AllowedTopics()
    content_sources: list[ContentSource] = []


class Brand(_Model):
    """How the company name is written, and the misspellings to catch (case-sensitive)."""

    canonical: NonBlank
    wrong_variants: list[NonBlank] = []


class VocabularyEntry(_Model):
    """A word to use, with the words it replaces."""

    use: NonBlank
    instead_of: list[NonBlank] = []
    note: NonBlank | None = None


class ForbiddenEntry(_Model):
    """A phrase (case-insensitive) or pattern a draft must not contain, and why."""

    phrase: NonBlank | None = None
    pattern: Regex | None = None
    reason: NonBlank


class NoCommentPlace(_Model):
    """A forum section (its listing URL) or thread where the account does not comment at all.

    A thread falls in the place when its URL starts with `url`, or when it was found in the
    listing at `url` (engines like phpBB keep the section out of thread URLs).
    """

    url: HttpUrl
    reason: NonBlank


class ContentRules(_Model):
    """What replies must and must not look like."""

    brand: Brand
    vocabulary: list[VocabularyEntry] = []
    forbidden: list[ForbiddenEntry] = []
    avoid_topics: list[Identifier] = []
    no_comment: list[NoCommentPlace] = []
    signature: NonBlank | None = None
    link_domains: list[Domain] = []
    tone: list[NonBlank] = []


class Contact(_Model):
    """A person on the client's side who answers for some topics."""

    id: Identifier
    role: NonBlank
    name: NonBlank
    email: Email
    phone: NonBlank | None = None
    topics: list[Identifier] = []
    keywords: list[NonBlank] = []


class DayCounting(StrEnum):
    """Which days the response clock runs on."""

    WORKING = "working"
    CALENDAR = "calendar"


class ResponseTime(_Model):
    """How soon a post must get its first answer; no business hours means around the clock."""

    first_response_within: Duration
    business_hours: BusinessHours | None = None
    days: DayCounting


class Variable(_Model):
    """A {name} used in standard answers: a fixed value, or filled in by the representative."""

    name: VariableName
    description: NonBlank
    value: NonBlank | None = None


class Triggers(_Model):
    """What in a post suggests an answer or a situation: keywords (case-insensitive) or patterns."""

    keywords: list[NonBlank] = []
    patterns: list[Regex] = []

    def matches(self, text: str) -> bool:
        """Tell whether a post's text fires these triggers."""
        return text_matches(self.keywords, self.patterns, text)


class StandardAnswer(_Model):
    """A prepared answer to a standard question."""

    id: Identifier
    title: NonBlank
    triggers: Triggers = Triggers()
    variables: list[Variable] = []
    text: TemplateText


class Action(StrEnum):
    """What the representative does in a standard situation."""

    REPLY_PUBLICLY = "reply_publicly"
    INVITE_TO_PRIVATE_MESSAGES = "invite_to_private_messages"
    ESCALATE = "escalate"
    DO_NOT_COMMENT = "do_not_comment"


class Situation(_Model):
    """A standard situation and the prescribed behaviour in it."""

    id: Identifier
    title: NonBlank
    triggers: Triggers = Triggers()
    actions: list[Action] = Field(min_length=1)
    escalate_to: Identifier | None = None
    answer: Identifier | None = None
    instructions: NonBlank | None = None


class Regulations(_Model):
    """How fast to answer, what to answer, and how to behave."""

    response_time: ResponseTime
    variables: list[Variable] = []
    standard_answers: list[StandardAnswer] = []
    situations: list[Situation] = []


class Otherwise(StrEnum):
    """What happens to a reply that no approval rule catches."""

    PUBLISH = "publish"
    APPROVE = "approve"


class ApprovalPolicy(_Model):
    """Which replies wait for a PR specialist and which go straight out."""

    everything_until: date | None = None
    news: bool = True
    new_threads: bool = True
    drafts_with_warnings: bool = True
    topics: list[Identifier] = []
    situations: list[Identifier] = []
    otherwise: Otherwise = Otherwise.PUBLISH


class Kpis(_Model):
    """Monthly targets and the KPI that has priority."""

    priority: KpiKey
    targets: dict[KpiKey, Number] = Field(min_length=1)


class Playbook(_Model):
    """One client's technical assignment: who works, with whom, how, towards what."""

    format_version: Literal[1]
    client: Client
    topics: list[Topic] = []
    forums: dict[Identifier, ForumSettings] = Field(min_length=1)
    content: ContentRules
    contacts: list[Contact] = []
    regulations: Regulations
    approval: ApprovalPolicy
    kpis: Kpis

    def to_data(self) -> dict[str, Any]:
        """Return a JSON-compatible dict for storage (a DB JSON column)."""
        return self.model_dump(mode="json", exclude_none=True)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Playbook:
        """Rebuild a playbook from `to_data()` output, checking types only (raises ValidationError)."""
        # JSON mode, so that strict types still accept the ISO dates JSON has to carry.
        return cls.model_validate_json(json.dumps(data, ensure_ascii=False))
