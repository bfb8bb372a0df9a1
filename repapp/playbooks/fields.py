"""Constrained scalar types of the playbook format, each with the check that guards it.

Every check raises `PydanticCustomError("playbook", ...)` so the message reaches the person
editing the file verbatim, without pydantic's "Value error, " prefix.
"""

from __future__ import annotations

import functools
import re
import re._parser as sre_parser  # the public sre_parse alias warns on import since 3.11
import unicodedata
import zoneinfo
from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

import email_validator
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

MAX_PATTERN_LENGTH = 300

_SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_IDENTIFIER_RE = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")
_VARIABLE_RE = re.compile(r"[a-z_][a-z0-9_]*")
_DURATION_RE = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?")
_CLOCK_RE = re.compile(r"(\d\d):(\d\d)")
# "{{" and "}}" are literal braces; "{...}" without inner braces is a placeholder; any other
# brace is unmatched. Placeholders may span no line break, so a stray "{" is caught early.
_TEMPLATE_TOKEN_RE = re.compile(r"\{\{|\}\}|\{([^{}\n]*)\}|[{}]")
# Unicode-aware so that Cyrillic domains (автодом.рф) are accepted as written.
_DOMAIN_LABEL_RE = re.compile(r"[^\W_](?:[\w-]{0,61}[^\W_])?")
_REPEATS = {sre_parser.MAX_REPEAT, sre_parser.MIN_REPEAT, sre_parser.POSSESSIVE_REPEAT}


def _fail(message: str) -> PydanticCustomError:
    """Build the error that carries a playbook message unchanged."""
    return PydanticCustomError("playbook", message)


def _printable(value: str) -> str:
    """Reject control characters and Unicode line separators (tab and newline are fine)."""
    for char in value:
        if char not in "\t\n" and unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            raise _fail(f"contains the invisible control character U+{ord(char):04X}; remove it")
    return value


def _non_blank(value: str) -> str:
    """Reject text that is empty or only whitespace, or that holds control characters."""
    if not value.strip():
        raise _fail("must not be empty")
    return _printable(value)


def _slug(value: str) -> str:
    """Accept a client slug: lowercase Latin letters and digits joined by hyphens."""
    if not _SLUG_RE.fullmatch(value):
        raise _fail(f"'{value}' is not a slug: use lowercase Latin letters, digits and hyphens, e.g. avtodom-premium")
    return value


def _identifier(value: str) -> str:
    """Accept an id or forum key: lowercase Latin letters and digits joined by '-' or '_'."""
    if not _IDENTIFIER_RE.fullmatch(value):
        raise _fail(f"'{value}' is not an id: use lowercase Latin letters, digits, '-' and '_', e.g. test-drive")
    return value


def _variable_name(value: str) -> str:
    """Accept a template variable name usable as {name}."""
    if not _VARIABLE_RE.fullmatch(value):
        raise _fail(f"'{value}' is not a variable name: use lowercase Latin letters, digits and '_'")
    return value


def _http_url(value: str) -> str:
    """Accept an absolute http(s) URL, keeping it exactly as written."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in value):
        raise _fail(f"'{value}' is not an http(s) URL")
    return value


def _email(value: str) -> str:
    """Accept a syntactically valid e-mail address (no DNS look-up)."""
    try:
        email_validator.validate_email(value, check_deliverability=False)
    except email_validator.EmailNotValidError as exc:
        raise _fail(f"'{value}' is not a valid e-mail address: {exc}") from None
    return value


def _time_zone(value: str) -> str:
    """Accept an IANA time zone name that zoneinfo knows."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise _fail(f"unknown time zone '{value}': use an IANA name such as Europe/Moscow") from None
    return value


def _domain(value: str) -> str:
    """Accept a bare lowercase domain name such as avtodom-premium.ru."""
    if "/" in value or ":" in value:
        raise _fail(f"'{value}' is not a domain: write only the host name, without scheme or path")
    if value != value.lower():
        raise _fail(f"'{value}': write the domain in lowercase")
    labels = value.split(".")
    if len(labels) < 2 or not all(_DOMAIN_LABEL_RE.fullmatch(label) for label in labels):
        raise _fail(f"'{value}' is not a domain name")
    return value


def parse_duration(value: str) -> timedelta:
    """Turn '4h', '40m' or '1h30m' into a timedelta."""
    match = _DURATION_RE.fullmatch(value)
    if not match or not any(match.groups()):
        raise ValueError(value)
    hours, minutes = (int(group or 0) for group in match.groups())
    return timedelta(hours=hours, minutes=minutes)


def _duration(value: str) -> str:
    """Accept a positive duration written as hours and/or minutes."""
    try:
        delta = parse_duration(value)
    except ValueError:
        raise _fail(f"'{value}' is not a duration: write e.g. 4h, 40m or 1h30m") from None
    if delta <= timedelta(0):
        raise _fail("must be longer than zero")
    return value


def business_hours_minutes(value: str) -> tuple[int, int]:
    """Turn 'HH:MM-HH:MM' into (start, end) minutes since midnight; end may be 24:00."""
    start_text, sep, end_text = value.partition("-")
    bounds = []
    for text in (start_text, end_text):
        match = _CLOCK_RE.fullmatch(text)
        if not sep or not match:
            raise ValueError(value)
        hours, minutes = int(match[1]), int(match[2])
        if minutes > 59 or hours > 24 or (hours == 24 and minutes):
            raise ValueError(value)
        bounds.append(hours * 60 + minutes)
    return bounds[0], bounds[1]


def _business_hours(value: str) -> str:
    """Accept a working window such as 09:00-18:00 whose start precedes its end."""
    try:
        start, end = business_hours_minutes(value)
    except ValueError:
        raise _fail(f"'{value}' is not a time window: write HH:MM-HH:MM, e.g. 09:00-18:00") from None
    if start >= end:
        raise _fail(f"'{value}': the start must be before the end (windows over midnight are not supported)")
    return value


@functools.lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a trigger pattern the way every matcher in the app uses it (case-insensitive)."""
    return re.compile(pattern, re.IGNORECASE)


def text_matches(keywords: list[str], patterns: list[str], text: str) -> bool:
    """Tell whether text holds a keyword (case-insensitive substring) or matches a pattern."""
    folded = text.casefold()
    if any(keyword.casefold() in folded for keyword in keywords):
        return True
    return any(compile_pattern(pattern).search(text) for pattern in patterns)


def phrase_in(phrase: str, text: str) -> bool:
    """Tell whether a phrase occurs in text as whole words, ignoring case ('бот' is not in 'работы')."""
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text, re.IGNORECASE) is not None


def _repeat_bounds(op, av) -> tuple[int, int] | None:
    """Return (min, max) of a parsed repeat node, or None when the node is no repeat."""
    if op in _REPEATS:
        return av[0], av[1]
    return None


def _subpatterns(av):
    """Yield the parsed sub-patterns nested anywhere inside a node's argument."""
    if isinstance(av, sre_parser.SubPattern):
        yield av
    elif isinstance(av, (list, tuple)):
        for item in av:
            yield from _subpatterns(item)


def _has_variable_repeat(subpattern, *, outer_unbounded: bool) -> bool:
    """Tell whether a sub-pattern holds a repeat that can backtrack against an enclosing one."""
    for op, av in subpattern:
        bounds = _repeat_bounds(op, av)
        # An optional item (x?) cannot multiply the ways to split the text; x+, x*, x{1,5} can.
        variable = bounds is not None and bounds[1] > 1 and bounds[0] != bounds[1]
        if variable and (outer_unbounded or bounds[1] == sre_parser.MAXREPEAT):
            return True
        if any(_has_variable_repeat(sub, outer_unbounded=outer_unbounded) for sub in _subpatterns(av)):
            return True
    return False


def has_nested_quantifier(subpattern) -> bool:
    """Find a variable repeat inside another repeat, the shape of catastrophic backtracking."""
    for op, av in subpattern:
        bounds = _repeat_bounds(op, av)
        if bounds and bounds[1] > 1:
            unbounded = bounds[1] == sre_parser.MAXREPEAT
            if _has_variable_repeat(av[2], outer_unbounded=unbounded):
                return True
        if any(has_nested_quantifier(sub) for sub in _subpatterns(av)):
            return True
    return False


def regex_problem(pattern: str) -> str | None:
    """Explain why a trigger pattern is unusable, or return None when it is fine."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        return f"pattern is longer than {MAX_PATTERN_LENGTH} characters"
    try:
        compiled = compile_pattern(pattern)
    except re.error as exc:
        return f"invalid regular expression: {exc.msg} at position {exc.pos}"
    # Scraped posts are untrusted input: a pattern that backtracks exponentially would let
    # one crafted post stall triage for everyone.
    if has_nested_quantifier(sre_parser.parse(pattern)):
        return "pattern nests a repeat inside a repeat (like (a+)+), which can take exponential time; rewrite it"
    if compiled.search("") is not None:
        return "pattern matches empty text, so it would fire on every post"
    return None


def _regex(value: str) -> str:
    """Accept a regular expression that compiles and cannot backtrack catastrophically."""
    _printable(value)
    problem = regex_problem(value)
    if problem:
        raise _fail(problem)
    return value


def _template_tokens(text: str) -> Iterator[tuple[re.Match[str], str | None]]:
    """Yield each brace construct of a template with its variable name (None for {{ and }})."""
    for match in _TEMPLATE_TOKEN_RE.finditer(text):
        token = match[0]
        if token in ("{{", "}}"):
            yield match, None
            continue
        if match[1] is None:
            line = text.count("\n", 0, match.start()) + 1
            raise ValueError(f"unmatched '{token}' on line {line} of the text; write {{{{ or }}}} for a literal brace")
        if not _VARIABLE_RE.fullmatch(match[1]):
            raise ValueError(
                f"placeholder {token} is not a variable: use {{name}} with lowercase Latin letters, digits and '_'"
            )
        yield match, match[1]


def template_variables(text: str) -> list[str]:
    """List the {variable} names a template uses, in order; raise ValueError on bad syntax."""
    return [name for _match, name in _template_tokens(text) if name is not None]


def render_template(text: str, values: Mapping[str, str]) -> str:
    """Fill a template's {variables} and unescape {{ }}; raises KeyError for a missing value."""
    parts, position = [], 0
    for match, name in _template_tokens(text):
        parts.append(text[position : match.start()])
        parts.append(match[0][0] if name is None else values[name])
        position = match.end()
    parts.append(text[position:])
    return "".join(parts)


def _template(value: str) -> str:
    """Accept text whose placeholders are well-formed {variable} names."""
    try:
        template_variables(value)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    return value


NonBlank = Annotated[str, AfterValidator(_non_blank)]
Slug = Annotated[str, AfterValidator(_slug)]
Identifier = Annotated[str, AfterValidator(_identifier)]
VariableName = Annotated[str, AfterValidator(_variable_name)]
HttpUrl = Annotated[str, AfterValidator(_http_url)]
Email = Annotated[str, AfterValidator(_email)]
TimeZoneName = Annotated[str, AfterValidator(_time_zone)]
Domain = Annotated[str, AfterValidator(_domain)]
Duration = Annotated[str, AfterValidator(_duration)]
BusinessHours = Annotated[str, AfterValidator(_business_hours)]
Regex = Annotated[str, AfterValidator(_regex)]
TemplateText = Annotated[str, AfterValidator(_non_blank), AfterValidator(_template)]
