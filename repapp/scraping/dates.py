"""Resolve forum dates (ISO, localised absolute, relative) into aware datetimes.

Pure functions: the fetch time and the forum's time zone come in as arguments, so
"Yesterday 1:18 pm" means the same thing in a test as in production.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, timezone, tzinfo

__all__ = ["clock_text", "has_time", "parse_forum_date", "parse_iso"]

# Month stems in English, Russian and Ukrainian (genitive and nominative share their stem).
# Ukrainian stems are long enough not to catch weekdays: "серп" (August) vs "середа" (Wednesday).
_MONTH_STEMS: tuple[tuple[str, int], ...] = (
    ("jan", 1), ("feb", 2), ("mar", 3), ("apr", 4), ("may", 5), ("jun", 6),
    ("jul", 7), ("aug", 8), ("sep", 9), ("oct", 10), ("nov", 11), ("dec", 12),
    ("янв", 1), ("фев", 2), ("мар", 3), ("апр", 4), ("май", 5), ("мая", 5), ("мае", 5),
    ("июн", 6), ("июл", 7), ("авг", 8), ("сен", 9), ("окт", 10), ("ноя", 11), ("дек", 12),
    ("січ", 1), ("лют", 2), ("берез", 3), ("квіт", 4), ("трав", 5), ("черв", 6),
    ("лип", 7), ("серп", 8), ("верес", 9), ("жовт", 10), ("листоп", 11), ("груд", 12),
)

# Ordered: Ukrainian "годин" (hours) must win over Russian "год" (year).
_UNIT_STEMS: tuple[tuple[str, timedelta], ...] = (
    ("sec", timedelta(seconds=1)), ("сек", timedelta(seconds=1)),
    ("min", timedelta(minutes=1)), ("мин", timedelta(minutes=1)), ("хвилин", timedelta(minutes=1)),
    ("hour", timedelta(hours=1)), ("hr", timedelta(hours=1)), ("час", timedelta(hours=1)),
    ("годин", timedelta(hours=1)),
    ("day", timedelta(days=1)), ("ден", timedelta(days=1)), ("дн", timedelta(days=1)),
    ("week", timedelta(weeks=1)), ("недел", timedelta(weeks=1)), ("тиж", timedelta(weeks=1)),
    ("month", timedelta(days=30)), ("месяц", timedelta(days=30)), ("місяц", timedelta(days=30)),
    ("year", timedelta(days=365)), ("год", timedelta(days=365)), ("лет", timedelta(days=365)),
    ("рік", timedelta(days=365)), ("рок", timedelta(days=365)),
)

_DAYS_BACK = {
    "today": 0, "сегодня": 0, "сьогодні": 0,
    "yesterday": 1, "вчера": 1, "вчора": 1,
    "позавчера": 2, "позавчора": 2,
}

# "Wednesday at 9:15 AM", "Среда в 14:05", "у середу о 14:05": XenForo, Discourse and others
# print the weekday for dates of the past week. Only a weekday followed by a time of day counts,
# so "Fri Nov 20, 2026 9:15 am" (phpBB's default format) still reads as an absolute date.
_WEEKDAYS: dict[str, int] = {
    **dict.fromkeys(("monday", "mon"), 0), **dict.fromkeys(("tuesday", "tue", "tues"), 1),
    **dict.fromkeys(("wednesday", "wed"), 2), **dict.fromkeys(("thursday", "thu", "thur", "thurs"), 3),
    **dict.fromkeys(("friday", "fri"), 4), **dict.fromkeys(("saturday", "sat"), 5),
    **dict.fromkeys(("sunday", "sun"), 6),
    **dict.fromkeys(("понедельник", "пн"), 0), **dict.fromkeys(("вторник", "вт"), 1),
    **dict.fromkeys(("среда", "среду", "ср"), 2), **dict.fromkeys(("четверг", "чт"), 3),
    **dict.fromkeys(("пятница", "пятницу", "пт"), 4), **dict.fromkeys(("суббота", "субботу", "сб"), 5),
    **dict.fromkeys(("воскресенье", "вс"), 6),
    **dict.fromkeys(("понеділок",), 0), **dict.fromkeys(("вівторок",), 1),
    **dict.fromkeys(("середа", "середу"), 2), **dict.fromkeys(("четвер",), 3),
    **dict.fromkeys(("п'ятниця", "п'ятницю"), 4), **dict.fromkeys(("субота", "суботу"), 5),
    **dict.fromkeys(("неділя", "неділю", "нд"), 6),
}
_WEEKDAY_AT = re.compile(
    r"^(?:(?:в|во|у|on|last)\s+)?(?P<word>[^\W\d_]+(?:'[^\W\d_]+)?)\.?[\s,]*"
    r"(?:(?:at|в|во|о|об)\s+)?(?P<clock>\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?\s?m\b\.?)?)$"
)

_JUST_NOW = re.compile(
    r"^(?:just now|now|moments? ago|a moment ago|less than an? (?:minute|second) ago"
    r"|less than 1 minute ago|только что|сейчас|меньше минуты назад|менее минуты назад"
    r"|щойно|зараз|менше хвилини тому)$"
)
_AGO = re.compile(
    r"^(?:(?P<n>\d+|an?|one|одну|одна|один)\s+)?(?P<unit>[^\W\d_]+)\s+(?:ago|назад|тому)$"
)
_DAY_WORD = re.compile(r"^(?P<word>[^\W\d_]+)\b[\s,]*(?:(?:at|в|во|о|об)\s+)?(?P<rest>.*)$")
_TIME = re.compile(
    r"(?<![\d:])(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?(?:\.\d+)?"
    r"(?:\s*(?P<ampm>[ap])\.?\s?m\b\.?)?",
    re.IGNORECASE,
)
# A bare "+0300" only counts after a space, so the "-2026" of "11-22-2026" is not an offset.
_ZONE = re.compile(
    r"\b(?:utc|gmt)\s*(?P<off>[+-]\d{1,2}(?::?\d{2})?)?\s*$|(?<=\s)(?P<bare>[+-]\d{2}:?\d{2})\s*$"
)
_YMD = re.compile(r"(?<!\d)(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?!\d)")
_XYZ = re.compile(r"(?<!\d)(\d{1,2})([-./])(\d{1,2})\2(\d{4}|\d{2})(?!\d)")
_ORDINAL = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b")
_YEAR_MARK = re.compile(r"(?<=\d)\s*(?:г|р|рік|года|року)\.?(?=[\s,]|$)")
_WORD = re.compile(r"[^\W\d_]+|\d+")


def parse_iso(value: str | None, tz: tzinfo) -> datetime | None:
    """Parse an ISO 8601 value such as `time[datetime]`; a naive one is read in the forum's zone."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz)


def has_time(text: str) -> bool:
    """Tell whether a date string carries a time of day."""
    return _TIME.search(text) is not None


def clock_text(text: str) -> str | None:
    """Return the time-of-day part of a date string as printed ("01:29 PM"), if any."""
    match = _TIME.search(text)
    return match.group(0) if match else None


def parse_forum_date(
    text: str | None,
    *,
    tz: tzinfo,
    now: datetime,
    locale: str = "en",
    formats: Sequence[str] = (),
) -> datetime | None:
    """Resolve a date as a forum prints it; None if it cannot be read.

    `now` is the aware fetch time; relative dates ("5 минут назад", "Yesterday 1:18 pm")
    are resolved against it in the forum's zone `tz`. `formats` (strptime) are tried first;
    then relative forms, then a tolerant reader of absolute dates in en/ru/uk.
    """
    if not text:
        return None
    cleaned = " ".join(text.replace("\xa0", " ").split())
    if not cleaned:
        return None
    for fmt in formats:
        try:
            parsed = datetime.strptime(cleaned, fmt)
        except ValueError:
            continue
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz)
    lowered = cleaned.lower()
    local_now = now.astimezone(tz)
    return (
        _relative(lowered, now, tz)
        or _day_word(lowered, local_now, tz)
        or _weekday(lowered, local_now, tz)
        or _absolute(lowered, local_now, tz, locale)
    )


def _relative(text: str, now: datetime, tz: tzinfo) -> datetime | None:
    """Resolve "5 minutes ago" / "2 часа назад" / "годину тому" against the fetch time."""
    if _JUST_NOW.match(text):
        return now.astimezone(tz)
    match = _AGO.match(text)
    if not match:
        return None
    unit = _unit(match["unit"])
    if unit is None:
        return None
    count = int(match["n"]) if match["n"] and match["n"].isdigit() else 1
    # Elapsed time, so subtract in UTC: wall-clock arithmetic would slip across DST changes.
    return (now.astimezone(timezone.utc) - unit * count).astimezone(tz)


def _unit(word: str) -> timedelta | None:
    """Map a time-unit word in any supported language to its length."""
    for stem, length in _UNIT_STEMS:
        if word.startswith(stem):
            return length
    return None


def _day_word(text: str, local_now: datetime, tz: tzinfo) -> datetime | None:
    """Resolve "Today, 10:15" / "Вчера, 23:50" / "Вчора о 10:15" to a local date and time."""
    match = _DAY_WORD.match(text)
    if not match or match["word"] not in _DAYS_BACK:
        return None
    day = local_now.date() - timedelta(days=_DAYS_BACK[match["word"]])
    rest = match["rest"].strip(" ,")
    clock = _clock(rest) if rest else time(0, 0)
    if clock is None:
        return None
    return _localise(datetime.combine(day, clock), tz)


def _weekday(text: str, local_now: datetime, tz: tzinfo) -> datetime | None:
    """Resolve "Wednesday at 9:15 AM" / "Среда в 14:05" to that weekday of the past week."""
    match = _WEEKDAY_AT.match(text.replace("’", "'").replace("ʼ", "'"))
    if not match or match["word"] not in _WEEKDAYS:
        return None
    clock = _clock(match["clock"])
    if clock is None:
        return None
    # Today's own weekday is printed as "Today", so the same weekday means a week ago.
    back = (local_now.weekday() - _WEEKDAYS[match["word"]]) % 7 or 7
    return _localise(datetime.combine(local_now.date() - timedelta(days=back), clock), tz)


def _clock(text: str) -> time | None:
    """Read the first time of day in `text`, honouring am/pm."""
    match = _TIME.search(text)
    if not match:
        return None
    hour, minute, second = int(match["h"]), int(match["m"]), int(match["s"] or 0)
    ampm = (match["ampm"] or "").lower()
    if ampm == "p" and hour < 12:
        hour += 12
    elif ampm == "a" and hour == 12:
        hour = 0
    try:
        return time(hour, minute, second)
    except ValueError:
        return None


def _absolute(text: str, local_now: datetime, tz: tzinfo, locale: str) -> datetime | None:
    """Read an absolute date in en/ru/uk, with or without time, zone suffix or weekday."""
    text = _ORDINAL.sub("", _YEAR_MARK.sub("", text))
    zone = tz
    zone_match = _ZONE.search(text)
    if zone_match:
        zone = _fixed_zone(zone_match["off"] or zone_match["bare"])
        text = text[: zone_match.start()]
    clock = time(0, 0)
    time_match = _TIME.search(text)
    if time_match:
        clock = _clock(time_match.group(0))
        if clock is None:
            return None
        text = text[: time_match.start()] + " " + text[time_match.end() :]
    day = _numeric_date(text, locale) or _worded_date(text, local_now)
    if day is None:
        return None
    return _localise(datetime.combine(day, clock), zone)


def _numeric_date(text: str, locale: str) -> date | None:
    """Read 2024-03-05, 05.03.2024 (day first) or 03-05-2024 (month first in English)."""
    match = _YMD.search(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return _date(year, month, day)
    match = _XYZ.search(text)
    if not match:
        return None
    first, sep, second, year_text = match.groups()
    a, b = int(first), int(second)
    year = int(year_text) + (2000 if len(year_text) == 2 else 0)
    day_first = sep == "." or locale != "en"
    if a > 12 >= b:
        day_first = True
    elif b > 12 >= a:
        day_first = False
    return _date(year, b, a) if day_first else _date(year, a, b)


def _worded_date(text: str, local_now: datetime) -> date | None:
    """Read dates that name the month: "Oct 30, 2026", "5 марта 2024", "5 березня"."""
    month = None
    numbers: list[int] = []
    for token in _WORD.findall(text):
        if token.isdigit():
            numbers.append(int(token))
        elif month is None:
            month = _month(token)
    if month is None or not numbers:
        return None
    years = [n for n in numbers if n >= 1000]
    days = [n for n in numbers if 1 <= n <= 31]
    if not days:
        return None
    if years:
        return _date(years[0], month, days[0])
    # No year shown (current-year posts on some boards): the latest such date not in the future.
    guess = _date(local_now.year, month, days[0])
    if guess is not None and guess > local_now.date() + timedelta(days=1):
        guess = _date(local_now.year - 1, month, days[0])
    return guess


def _month(word: str) -> int | None:
    """Map a month name or abbreviation in en/ru/uk to its number."""
    for stem, number in _MONTH_STEMS:
        if word.startswith(stem):
            return number
    return None


def _date(year: int, month: int, day: int) -> date | None:
    """Build a date, or None when the numbers cannot be one."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _fixed_zone(offset: str | None) -> tzinfo:
    """Turn "+3", "+03:00", "-0530" or nothing (plain UTC) into a fixed-offset zone."""
    if not offset:
        return timezone.utc
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours, minutes = (int(digits), 0) if len(digits) <= 2 else (int(digits[:-2]), int(digits[-2:]))
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _localise(naive: datetime, tz: tzinfo) -> datetime:
    """Attach the forum's zone to a wall-clock time (zoneinfo resolves DST by `fold`)."""
    return naive.replace(tzinfo=tz)
