"""Cross-field rules of a playbook that types alone cannot express.

Each rule yields `Finding(loc, message)` where `loc` is a pydantic-style location tuple, so
the loader can point at the line of the exact field, the same way it does for type errors.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterator
from typing import NamedTuple
from urllib.parse import urlsplit

from .fields import compile_pattern, phrase_in, template_variables
from .schema import KPI_INFO, Action, KpiKey, Playbook

# Filled in by the app when a standard answer is inserted into a draft.
BUILTIN_VARIABLES: dict[str, str] = {
    "user": "the forum user being answered (their name on the forum)",
    "client": "the client's name (client.name)",
    "site_url": "the client's site (client.site_url)",
    "account": "the representative's account name on this forum",
}

_URL_IN_TEXT_RE = re.compile(r"https?://[^\s<>\"')\]]+")
_DAY_MINUTES = 24 * 60

Loc = tuple[str | int, ...]


class Finding(NamedTuple):
    """One broken rule: where it is and what is wrong."""

    loc: Loc
    message: str


def semantic_findings(pb: Playbook, known_forums: Collection[str] | None = None) -> list[Finding]:
    """Run every cross-field rule and return what they find."""
    rules = (
        _duplicate_ids,
        _topic_references,
        _forum_rules,
        _content_rules,
        _standard_answers,
        _situations,
        _approval_references,
        _kpi_rules,
    )
    findings = [finding for rule in rules for finding in rule(pb)]
    if known_forums is not None:
        findings.extend(_unknown_forums(pb, known_forums))
    return findings


def _suggest(name: str, choices: Collection[str]) -> str:
    """Phrase a 'did you mean' hint, or list the choices when none is close."""
    close = difflib.get_close_matches(name, list(choices), n=1)
    if close:
        return f" (did you mean '{close[0]}'?)"
    if choices:
        return f" (known: {', '.join(sorted(choices))})"
    return " (none are defined)"


def _duplicates(items, attribute: str, loc: Loc, what: str) -> Iterator[Finding]:
    """Flag every repeat of the same attribute value within one list."""
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        value = getattr(item, attribute)
        if value in seen:
            yield Finding((*loc, index, attribute), f"duplicate {what} '{value}' (first at item {seen[value]})")
        else:
            seen[value] = index


def _duplicate_ids(pb: Playbook) -> Iterator[Finding]:
    """Ids, names and watched thread URLs must each be unique."""
    regs = pb.regulations
    yield from _duplicates(pb.topics, "id", ("topics",), "topic id")
    yield from _duplicates(pb.contacts, "id", ("contacts",), "contact id")
    yield from _duplicates(regs.standard_answers, "id", ("regulations", "standard_answers"), "standard answer id")
    yield from _duplicates(regs.situations, "id", ("regulations", "situations"), "situation id")
    yield from _duplicates(regs.variables, "name", ("regulations", "variables"), "variable")
    for index, answer in enumerate(regs.standard_answers):
        yield from _duplicates(
            answer.variables, "name", ("regulations", "standard_answers", index, "variables"), "variable"
        )
    first_seen: dict[str, str] = {}
    for key, forum in pb.forums.items():
        for index, thread in enumerate(forum.threads):
            if thread.url in first_seen:
                where = first_seen[thread.url]
                yield Finding(("forums", key, "threads", index, "url"), f"thread already listed in {where}")
            else:
                first_seen[thread.url] = f"forums.{key}.threads[{index}]"


def _topic_references(pb: Playbook) -> Iterator[Finding]:
    """Every topic id used elsewhere must be defined under topics."""
    known = {topic.id for topic in pb.topics}
    references: list[tuple[Loc, list[str]]] = []
    for key, forum in pb.forums.items():
        references.append((("forums", key, "allowed_topics", "posts"), forum.allowed_topics.posts))
        references.append((("forums", key, "allowed_topics", "news"), forum.allowed_topics.news))
    references.append((("content", "avoid_topics"), pb.content.avoid_topics))
    for index, contact in enumerate(pb.contacts):
        references.append((("contacts", index, "topics"), contact.topics))
    references.append((("approval", "topics"), pb.approval.topics))
    for loc, ids in references:
        for index, topic_id in enumerate(ids):
            if topic_id not in known:
                yield Finding((*loc, index), f"unknown topic '{topic_id}'{_suggest(topic_id, known)}")
    avoided = set(pb.content.avoid_topics)
    for key, forum in pb.forums.items():
        for kind in ("posts", "news"):
            for index, topic_id in enumerate(getattr(forum.allowed_topics, kind)):
                if topic_id in avoided:
                    yield Finding(
                        ("forums", key, "allowed_topics", kind, index),
                        f"topic '{topic_id}' is allowed here but listed in content.avoid_topics",
                    )


def _unknown_forums(pb: Playbook, known_forums: Collection[str]) -> Iterator[Finding]:
    """Each forum key must name a forum definition in forums/."""
    for key in pb.forums:
        if key not in known_forums:
            yield Finding(("forums", key), f"unknown forum '{key}'{_suggest(key, known_forums)}")


def _forum_rules(pb: Playbook) -> Iterator[Finding]:
    """Posting limits must not contradict each other, nor watched threads the no-comment list."""
    for key, forum in pb.forums.items():
        limits = forum.posting_limits
        loc = ("forums", key, "posting_limits")
        if limits.per_day and limits.per_week and limits.per_day > limits.per_week:
            yield Finding((*loc, "per_day"), f"per_day ({limits.per_day}) is more than per_week ({limits.per_week})")
        gap = limits.min_gap_minutes
        if gap and limits.per_day and (limits.per_day - 1) * gap >= _DAY_MINUTES:
            yield Finding(
                (*loc, "min_gap_minutes"),
                f"{limits.per_day} posts a day cannot fit in 24 hours with {gap} minutes between them",
            )
        if gap and limits.per_week and (limits.per_week - 1) * gap >= 7 * _DAY_MINUTES:
            yield Finding(
                (*loc, "min_gap_minutes"),
                f"{limits.per_week} posts a week cannot fit in 7 days with {gap} minutes between them",
            )
        for index, thread in enumerate(forum.threads):
            for place in pb.content.no_comment:
                if thread.url.startswith(place.url):
                    yield Finding(
                        ("forums", key, "threads", index, "url"),
                        f"watched thread lies in a no-comment place ({place.url})",
                    )


def _allowed_hosts(pb: Playbook) -> set[str]:
    """Return the domains links may point to: the client's site and content.link_domains."""
    site_host = (urlsplit(pb.client.site_url).hostname or "").removeprefix("www.")
    return {site_host, *pb.content.link_domains}


def _host_allowed(url: str, allowed: set[str]) -> bool:
    """Tell whether a URL's host is an allowed domain or one of its subdomains."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == domain or host.endswith("." + domain) for domain in allowed)


def _text_findings(pb: Playbook, text: str, loc: Loc) -> Iterator[Finding]:
    """A text the playbook itself prescribes must obey its own content rules."""
    brand = pb.content.brand
    # Strip correct spellings first: "Автодом" is a fair wrong variant of "Автодом Премиум".
    without_canonical = text.replace(brand.canonical, "")
    for variant in brand.wrong_variants:
        if variant in without_canonical:
            yield Finding(loc, f"writes the brand as '{variant}'; use '{brand.canonical}'")
    for entry in pb.content.forbidden:
        if entry.phrase and phrase_in(entry.phrase, text):
            yield Finding(loc, f"contains forbidden phrase '{entry.phrase}' ({entry.reason})")
        if entry.pattern and compile_pattern(entry.pattern).search(text):
            yield Finding(loc, f"matches forbidden pattern '{entry.pattern}' ({entry.reason})")
    allowed = _allowed_hosts(pb)
    for url in _URL_IN_TEXT_RE.findall(text):
        url = url.rstrip(".,;:!?")  # sentence punctuation after a link is not part of it
        if not _host_allowed(url, allowed):
            yield Finding(loc, f"links to {url}, whose domain is not in content.link_domains")


def _content_rules(pb: Playbook) -> Iterator[Finding]:
    """Content rules must be self-consistent: brand variants, forbidden entries, vocabulary."""
    content = pb.content
    for index, variant in enumerate(content.brand.wrong_variants):
        if variant == content.brand.canonical:
            yield Finding(
                ("content", "brand", "wrong_variants", index), "a wrong variant equals the canonical spelling"
            )
    for index, entry in enumerate(content.forbidden):
        if (entry.phrase is None) == (entry.pattern is None):
            yield Finding(("content", "forbidden", index), "give exactly one of 'phrase' or 'pattern'")
    forbidden_phrases = {entry.phrase.casefold() for entry in content.forbidden if entry.phrase}
    for index, entry in enumerate(content.vocabulary):
        if entry.use.casefold() in forbidden_phrases:
            yield Finding(("content", "vocabulary", index, "use"), f"'{entry.use}' is also listed as forbidden")
    seen_domains: set[str] = set()
    for index, domain in enumerate(content.link_domains):
        if domain in seen_domains:
            yield Finding(("content", "link_domains", index), f"duplicate domain '{domain}'")
        seen_domains.add(domain)
    if content.signature:
        yield from _text_findings(pb, content.signature, ("content", "signature"))


def _standard_answers(pb: Playbook) -> Iterator[Finding]:
    """Standard answers may use only defined variables and must obey the content rules."""
    regs = pb.regulations
    global_names = {variable.name for variable in regs.variables}
    for index, variable in enumerate(regs.variables):
        if variable.name in BUILTIN_VARIABLES:
            yield Finding(("regulations", "variables", index, "name"), f"'{variable.name}' is a built-in variable")
    for index, answer in enumerate(regs.standard_answers):
        loc: Loc = ("regulations", "standard_answers", index)
        for var_index, variable in enumerate(answer.variables):
            if variable.name in BUILTIN_VARIABLES or variable.name in global_names:
                where = "as a built-in" if variable.name in BUILTIN_VARIABLES else "in regulations.variables"
                yield Finding((*loc, "variables", var_index, "name"), f"'{variable.name}' is already defined {where}")
        defined = global_names | BUILTIN_VARIABLES.keys() | {variable.name for variable in answer.variables}
        for name in dict.fromkeys(template_variables(answer.text)):
            if name not in defined:
                yield Finding(
                    (*loc, "text"),
                    f"variable {{{name}}} is not defined in this answer's variables, regulations.variables "
                    f"or the built-ins ({', '.join(BUILTIN_VARIABLES)})",
                )
        yield from _text_findings(pb, answer.text, (*loc, "text"))


def _situations(pb: Playbook) -> Iterator[Finding]:
    """A situation's actions must be coherent and reference existing contacts and answers."""
    contacts = {contact.id for contact in pb.contacts}
    answers = {answer.id for answer in pb.regulations.standard_answers}
    for index, situation in enumerate(pb.regulations.situations):
        loc: Loc = ("regulations", "situations", index)
        actions = situation.actions
        for action_index, action in enumerate(actions):
            if action in actions[:action_index]:
                yield Finding((*loc, "actions", action_index), f"duplicate action '{action}'")
        comments = {Action.REPLY_PUBLICLY, Action.INVITE_TO_PRIVATE_MESSAGES} & set(actions)
        if Action.DO_NOT_COMMENT in actions and comments:
            yield Finding((*loc, "actions"), f"'do_not_comment' contradicts '{sorted(comments)[0]}'")
        if Action.ESCALATE in actions and situation.escalate_to is None:
            yield Finding((*loc, "escalate_to"), "action 'escalate' needs escalate_to: a contact id")
        if situation.escalate_to is not None:
            if Action.ESCALATE not in actions:
                yield Finding((*loc, "escalate_to"), "escalate_to is set but 'escalate' is not among the actions")
            if situation.escalate_to not in contacts:
                yield Finding(
                    (*loc, "escalate_to"),
                    f"unknown contact '{situation.escalate_to}'{_suggest(situation.escalate_to, contacts)}",
                )
        if situation.answer is not None:
            if situation.answer not in answers:
                hint = _suggest(situation.answer, answers)
                yield Finding((*loc, "answer"), f"unknown standard answer '{situation.answer}'{hint}")
            if not comments:
                yield Finding((*loc, "answer"), "a standard answer needs a commenting action (reply or invitation)")


def _approval_references(pb: Playbook) -> Iterator[Finding]:
    """The approval policy may only name situations that exist (topics are checked with the rest)."""
    situations = {situation.id for situation in pb.regulations.situations}
    for index, situation_id in enumerate(pb.approval.situations):
        if situation_id not in situations:
            yield Finding(
                ("approval", "situations", index),
                f"unknown situation '{situation_id}'{_suggest(situation_id, situations)}",
            )


def _kpi_rules(pb: Playbook) -> Iterator[Finding]:
    """The priority KPI needs a target; counts are whole; solved problems cannot exceed all problems."""
    kpis = pb.kpis
    if kpis.priority not in kpis.targets:
        yield Finding(("kpis", "priority"), f"priority KPI '{kpis.priority}' has no target in kpis.targets")
    for key, target in kpis.targets.items():
        if KPI_INFO[key].whole_number and not isinstance(target, int):
            yield Finding(("kpis", "targets", key.value), f"'{key}' counts things: the target must be a whole number")
    solved = kpis.targets.get(KpiKey.PROBLEMS_SOLVED)
    total = kpis.targets.get(KpiKey.PROBLEMS_TOTAL)
    if solved is not None and total is not None and solved > total:
        yield Finding(
            ("kpis", "targets", KpiKey.PROBLEMS_SOLVED.value),
            f"problems_solved ({solved}) is more than problems_total ({total})",
        )
