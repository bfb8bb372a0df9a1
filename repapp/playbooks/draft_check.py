"""Check a reply draft against the playbook in force; every finding points at the offending text.

`check_draft(text, playbook, context)` is a pure function: the typing endpoint, the approval
screen and the poster call it with the same arguments and get the same findings. Errors block
submission. Warnings send the draft to approval whatever the policy says (so the playbook's
`approval.drafts_with_warnings` cannot switch that off) — except posting-limit warnings, which say
*when* the reply can go out, not *what* it says: the poster already waits for the next slot.

Messages: a finding carries a stable `code` and `params`, rendered in English (`message`) and
Russian (`message_ru`) from `_MESSAGES` below. The catalogue lives here rather than in the Babel
catalog because this module must not import Flask; the UI picks one with `Finding.text(locale)`.
Playbook texts quoted in messages (forbidden reasons, topic titles) stay as the playbook wrote them.

Russian text: matching ignores case and reads ё as е; inside a word that mixes scripts, Latin
letters that look like Cyrillic ones are read as Cyrillic ("гарантируeм"). Every normalisation
keeps the text's length, so offsets always refer to the draft as typed. Keywords and forbidden
phrases (and topics, triggers, vocabulary) match at the start of a word and allow a short
inflected ending, so "самая низкая цена" also finds "самую низкую цену" and "обман" finds
"обманули", but "суд" does not find "посуда" and "бот" not "работы"; capitalised abbreviations
such as "ТО" match only as written; punctuation between a phrase's words does not matter.
This narrows the README's "substring" wording for topic keywords on purpose.

Quoted text ([quote]…[/quote] and lines starting with ">") is the forum user's, so brand, forbidden
words, topics, vocabulary and tone skip it; personal data and links are checked everywhere, since
quoting publishes them again under the brand's name.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from .fields import render_template
from .schema import Action, Otherwise, Playbook, Topic

Severity = Literal["error", "warning"]
DraftKind = Literal["reply", "news", "new_thread"]
Span = tuple[int, int]

# ---------------------------------------------------------------------------------------------
# Results and inputs
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One broken rule in a draft: what, how bad, where (offsets into the draft) and which rule."""

    code: str
    severity: Severity
    message: str
    start: int | None
    end: int | None
    rule: str = ""  # the playbook field at the origin, e.g. "content.forbidden[2]"; "" for built-in rules
    message_ru: str = ""
    params: tuple[tuple[str, str], ...] = ()

    def text(self, locale: str = "ru") -> str:
        """Return the message in the interface language (Russian unless English is asked for)."""
        return self.message if locale.startswith("en") else self.message_ru

    def to_data(self) -> dict[str, Any]:
        """Return a JSON-compatible dict for the typing endpoint."""
        return {
            "code": self.code, "severity": self.severity, "start": self.start, "end": self.end,
            "rule": self.rule, "message": self.message, "message_ru": self.message_ru, "params": dict(self.params),
        }


@dataclass(frozen=True)
class DraftContext:
    """Where and when the draft would be posted, and how busy the account already is there."""

    forum_key: str
    thread_url: str = ""
    kind: DraftKind = "reply"
    now: datetime | None = None  # naive datetimes are read as UTC; None means the current time
    posts_today: int = 0
    posts_this_week: int = 0
    last_post_at: datetime | None = None
    tracked_link_prefix: str | None = None  # e.g. "http://127.0.0.1:5000/go/": links through it are tracked
    in_reply_to_text: str = ""  # the forum user's post being answered
    # Forum listings the thread was found in: phpBB-like engines keep the section out of thread URLs.
    section_urls: tuple[str, ...] = ()
    # Direct links to the client's own site must go through tracked links (the playbook cannot say so yet).
    require_tracked_links: bool = False


@dataclass(frozen=True)
class StandardAnswerSuggestion:
    """A standard answer offered for a post, filled in as far as the playbook and caller allow."""

    id: str
    title: str
    text: str  # unfilled variables stay visible as {name}; check_draft blocks them
    missing: tuple[str, ...]  # variables the representative still has to fill in
    cues: tuple[str, ...]  # why it is offered: matched trigger text or "situation:<id>"


# Posting-limit findings: about the slot, not the content, so they never force approval.
SCHEDULING_CODES = frozenset({"posting_limit_day", "posting_limit_week", "posting_min_gap"})
# Warnings that `needs_approval` reports under their own reason (or none) rather than "warnings".
_NOT_CONTENT_WARNINGS = SCHEDULING_CODES | {"approval_topic"}

# ---------------------------------------------------------------------------------------------
# Messages (English, Russian)
# ---------------------------------------------------------------------------------------------

_MESSAGES: dict[str, tuple[str, str]] = {
    "empty_draft": ("The reply is empty.", "Ответ пуст."),
    "unfilled_placeholder": (
        "Fill in {placeholder} before sending.",
        "Заполните {placeholder} перед отправкой.",
    ),
    "brand_spelling": (
        "Write the brand as “{canonical}”, not “{found}” ({problem}).",
        "Название пишется «{canonical}», а не «{found}» ({problem}).",
    ),
    "forbidden": ("“{found}” is forbidden: {reason}", "«{found}» — запрещено: {reason}"),
    "avoid_topic": (
        "“{found}” touches the topic “{topic}”, which the playbook says to stay away from.",
        "«{found}» — тема «{topic}», которой по техзаданию избегаем.",
    ),
    "topic_not_allowed": (
        "“{found}” touches the topic “{topic}”, which is not among the topics agreed for {forum}.",
        "«{found}» — тема «{topic}», она не входит в согласованные темы площадки {forum}.",
    ),
    "news_topic_not_allowed": (
        "“{found}” touches the topic “{topic}”, which news on {forum} may not cover.",
        "«{found}» — тема «{topic}», новости на площадке {forum} её не касаются.",
    ),
    "approval_topic": (
        "“{found}” touches the topic “{topic}”: a PR specialist approves such replies.",
        "«{found}» — тема «{topic}»: такие ответы согласует PR-специалист.",
    ),
    "news_not_allowed": ("No news may be posted on {forum}.", "На площадке {forum} новости не публикуем."),
    "new_thread_not_allowed": (
        "The account may not open threads on {forum}.",
        "На площадке {forum} аккаунт не открывает новые темы.",
    ),
    "forum_not_in_playbook": (
        "The playbook has no agreement for the forum “{forum}”.",
        "В техзадании нет договорённостей о площадке «{forum}».",
    ),
    "no_comment_place": (
        "The account does not comment here ({place}): {reason}",
        "Здесь аккаунт не комментирует ({place}): {reason}",
    ),
    "signature_missing": (
        "End the reply with the signature “{signature}”.",
        "Завершите ответ подписью «{signature}».",
    ),
    "signature_not_at_end": (
        "The signature must end the reply.",
        "Подпись должна стоять в конце ответа.",
    ),
    "link_domain": (
        "{host} is not among the allowed link domains ({allowed}).",
        "Ссылки на {host} не разрешены (можно: {allowed}).",
    ),
    "link_untracked": (
        "Link to the client's site through a tracked link ({prefix}…) so the click is counted.",
        "Ссылку на сайт клиента давайте через отслеживаемую ссылку ({prefix}…), чтобы переход засчитался.",
    ),
    "personal_data_phone": (
        "A phone number in a public reply: personal data goes to private messages only.",
        "Номер телефона в публичном ответе: личные данные — только в личных сообщениях.",
    ),
    "personal_data_email": (
        "An e-mail address in a public reply: personal data goes to private messages only.",
        "Адрес e-mail в публичном ответе: личные данные — только в личных сообщениях.",
    ),
    "personal_data_number": (
        "An order, contract or account number in a public reply: keep it to private messages.",
        "Номер заказа, договора или счёта в публичном ответе: только в личных сообщениях.",
    ),
    "personal_data_request": (
        "Asks for personal data in public: ask for it in private messages.",
        "Запрос личных данных публично: просите их только в личных сообщениях.",
    ),
    "vocabulary": ("Write “{use}” instead of “{found}”.", "Пишем «{use}» вместо «{found}»."),
    "tone_exclamations": (
        "Too many exclamation marks in a row.",
        "Слишком много восклицательных знаков подряд.",
    ),
    "tone_caps": ("Capital letters read as shouting: “{found}”.", "Заглавные буквы читаются как крик: «{found}»."),
    "tone_emoji": ("Emoji: {rule_text}", "Эмодзи: {rule_text}"),
    "tone_informal": (
        "Informal “{found}”: {rule_text}",
        "Обращение «{found}»: {rule_text}",
    ),
    "posting_limit_day": (
        "This would be post {count} today on {forum} (limit {limit}); it will wait for tomorrow's slot.",
        "Это будет {count}-й пост за день на {forum} (лимит {limit}); он подождёт слота на следующий день.",
    ),
    "posting_limit_week": (
        "This would be post {count} this week on {forum} (limit {limit}); it will wait for next week.",
        "Это будет {count}-й пост за неделю на {forum} (лимит {limit}); он подождёт следующей недели.",
    ),
    "posting_min_gap": (
        "Less than {minutes} minutes since the last post on {forum}; it can go out at {next_slot}.",
        "С прошлого поста на {forum} прошло меньше {minutes} мин; публикация возможна в {next_slot}.",
    ),
}

# Enum-like parameter values, translated when a message is rendered.
_TERMS: dict[str, tuple[str, str]] = {
    "latin_letters": ("Latin and Cyrillic letters mixed", "смешаны латинские и русские буквы"),
    "letter_case": ("letter case", "регистр букв"),
    "separator": ("spacing between words", "пробел между словами"),
    "listed_variant": ("a known misspelling", "известное неверное написание"),
}

_APPROVAL_REASONS: dict[str, tuple[str, str]] = {
    "no_approved_version": (
        "No playbook version has been approved yet.",
        "Ни одна версия техзадания ещё не согласована.",
    ),
    "everything_until": (
        "Every reply is approved until {date} (the first weeks).",
        "До {date} включительно согласуются все ответы (первые недели).",
    ),
    "news": ("News posts need approval.", "Новости согласуются."),
    "new_thread": ("Opening a thread needs approval.", "Открытие темы согласуется."),
    "warnings": ("The check found warnings.", "Проверка выдала предупреждения."),
    "topic": ("Touches the topic “{name}”.", "Касается темы «{name}»."),
    "situation": ("Situation “{name}”.", "Ситуация «{name}»."),
    "otherwise": ("The playbook asks to approve every reply.", "По техзаданию согласуются все ответы."),
}


def _render(template: str, params: Mapping[str, str], language: int) -> str:
    """Fill a message template, translating enum-like values."""
    values = {key: _TERMS[value][language] if value in _TERMS else value for key, value in params.items()}
    return template.format(**values)


def _finding(code: str, severity: Severity, span: Span | None, rule: str = "", **params: object) -> Finding:
    """Build a finding with both renderings of its message."""
    text_params = {key: str(value) for key, value in params.items()}
    english, russian = _MESSAGES[code]
    start, end = span if span else (None, None)
    return Finding(
        code=code, severity=severity, message=_render(english, text_params, 0), start=start, end=end,
        rule=rule, message_ru=_render(russian, text_params, 1), params=tuple(text_params.items()),
    )


# ---------------------------------------------------------------------------------------------
# Text primitives (shared with triage.tagging)
# ---------------------------------------------------------------------------------------------

_E_FOLD = str.maketrans("ёЁ", "еЕ")
# Latin letters (and the digit 0) that pass for Cyrillic ones; both directions are look-alikes.
_LOOKALIKE_PAIRS = "Aа Bв Cс Eе Hн Kк Mм Oо Pр Tт Xх Yу Iі aа cс eе kк mм oо pр xх yу iі 0о"
_LATIN_TO_CYRILLIC = str.maketrans({pair[0]: pair[1] for pair in _LOOKALIKE_PAIRS.split() if pair[0].isalpha()})
_CONFUSABLE: dict[str, set[str]] = {}
for _pair in _LOOKALIKE_PAIRS.split():
    _group = {_pair[0].lower(), _pair[1].lower()}
    for _char in _group:
        _CONFUSABLE.setdefault(_char, set()).update(_group)
for _char in "её":
    _CONFUSABLE.setdefault(_char, set()).update("её")
_CONFUSABLE["е"].add("e")

_LETTERS_RE = re.compile(r"[^\W\d_]+")
_HAS_LATIN = re.compile(r"[A-Za-z]")
_HAS_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
# Final letters of a word that inflection replaces, so the stem can take another ending.
_INFLECTED_FINALS = set("аяоеёиіїєыуюйь")


def is_cyrillic(char: str) -> bool:
    """Tell whether a character is a Cyrillic letter."""
    return "\u0400" <= char <= "\u04ff"


def fold_text(text: str) -> str:
    """Return text with ё read as е and Latin look-alikes inside Cyrillic words read as Cyrillic.

    The result has the same length as the input, so match offsets apply to the original.
    """
    folded = text.translate(_E_FOLD)
    if not _HAS_LATIN.search(folded) or not _HAS_CYRILLIC.search(folded):
        return folded
    parts, position = [], 0
    for match in _LETTERS_RE.finditer(folded):
        word = match[0]
        if _HAS_LATIN.search(word) and _HAS_CYRILLIC.search(word):
            parts.append(folded[position : match.start()])
            parts.append(word.translate(_LATIN_TO_CYRILLIC))
            position = match.end()
    parts.append(folded[position:])
    return "".join(parts)


def _is_abbreviation(word: str) -> bool:
    """Tell whether a keyword word is a capitalised abbreviation such as ТО, ТВ or VPN."""
    letters = [char for char in word if char.isalpha()]
    return 2 <= len(letters) <= 5 and word.isupper()


def _stem(word: str) -> tuple[str, int]:
    """Split off up to two final vowels (and й, ь) of a Cyrillic word of four letters or more."""
    stem = word
    while (
        len(word) - len(stem) < 2 and len(stem) > 3 and stem[-1].lower() in _INFLECTED_FINALS and is_cyrillic(stem[-1])
    ):
        stem = stem[:-1]
    return stem, len(word) - len(stem)


_PHRASE_WORD_RE = re.compile(r"\w+(?:[-'’]\w+)*")


def keyword_source(keyword: str) -> str:
    """Return a regex (for IGNORECASE, folded text) that finds a keyword at word starts, inflected.

    Each word may take a short ending ("претензия" finds "претензию", "обман" finds "обманули"),
    words of one or two letters match exactly, capitalised abbreviations match only as written,
    and punctuation between the words does not matter ("дешевле, чем у" finds "дешевле чем у").
    """
    parts = []
    for word in _PHRASE_WORD_RE.findall(fold_text(keyword)):
        if _is_abbreviation(word):
            parts.append(f"(?-i:{re.escape(word)})")
        elif len(word) <= 2:
            parts.append(re.escape(word))
        else:
            stem, cut = _stem(word)
            parts.append(re.escape(stem) + rf"\w{{0,{3 + cut}}}")
    return r"\W+".join(parts) if parts else re.escape(keyword)


def fold_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a playbook pattern to run on folded text (ё in the pattern read as е)."""
    return _compile_folded(pattern)


@functools.lru_cache(maxsize=2048)
def _compile_folded(pattern: str) -> re.Pattern[str]:
    """Compile a folded, case-insensitive pattern once."""
    return re.compile(pattern.translate(_E_FOLD), re.IGNORECASE)


@dataclass(frozen=True)
class TextMatch:
    """A match of some rule in a text, with the rule's label (e.g. "keywords[1]")."""

    start: int
    end: int
    text: str
    label: str


def _first_letters(sources: Sequence[str]) -> str:
    """Return a lookahead on the letters keywords can start with, so most positions fail at once."""
    letters: set[str] = set()
    for keyword in sources:
        words = _PHRASE_WORD_RE.findall(fold_text(keyword))
        if not words:
            return ""  # a keyword of punctuation only: no cheap guard possible
        letters.update({words[0][0].lower(), words[0][0].upper()})
    return "(?=[" + "".join(re.escape(letter) for letter in sorted(letters)) + "])"


class KeywordIndex:
    """Find the keywords and patterns of many owners (topics, triggers), with offsets.

    Each owner has its own regex: one alternation for all owners would report only one owner where
    two share a keyword, or where one's keyword starts another's.
    """

    def __init__(self, owners: Sequence[tuple[Sequence[str], Sequence[str]]]):
        """Compile each owner's keywords into one guarded alternation; patterns stay separate (they may have groups)."""
        self._keywords: list[re.Pattern[str] | None] = []
        for owner_keywords, _patterns in owners:
            alternatives = "|".join(f"({keyword_source(keyword)})" for keyword in owner_keywords)
            self._keywords.append(
                re.compile(rf"(?<!\w){_first_letters(owner_keywords)}(?:{alternatives})(?!\w)", re.IGNORECASE)
                if alternatives
                else None
            )
        self._patterns = [[fold_pattern(pattern) for pattern in patterns] for _keywords, patterns in owners]

    def finditer(self, folded: str, owners: Collection[int] | None = None) -> Iterator[tuple[int, TextMatch]]:
        """Yield (owner, match) for every non-empty keyword or pattern match in folded text, owner by owner."""
        for owner, keyword_re in enumerate(self._keywords):
            if owners is not None and owner not in owners:
                continue
            if keyword_re is not None:
                for match in keyword_re.finditer(folded):
                    yield owner, TextMatch(match.start(), match.end(), match[0], f"keywords[{match.lastindex - 1}]")
            for index, pattern in enumerate(self._patterns[owner]):
                for match in pattern.finditer(folded):
                    if match.end() > match.start():
                        yield owner, TextMatch(match.start(), match.end(), match[0], f"patterns[{index}]")

    def first_by_owner(self, folded: str) -> dict[int, TextMatch]:
        """Return the earliest match of each owner that matches at all."""
        first: dict[int, TextMatch] = {}
        for owner, match in self.finditer(folded):
            if owner not in first or match.start < first[owner].start:
                first[owner] = match
        return first


# Links: with a scheme, starting with www., or a bare domain with a known top-level domain.
_TLDS = (
    "ru|su|рф|рус|москва|moscow|ua|укр|by|бел|kz|қаз|uz|am|ge|az|md|com|net|org|info|biz|io|me|co|tv|cc|"
    "pro|online|site|shop|store|club|xyz|app|dev|tech|top|today|de|eu|uk|us|fr|pl|lv|lt|ee|cz|es|it"
)
_URL_RE = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'«»\[\]{}|\\^`]+"
    rf"|(?<![\w@.\-/])(?:[^\W_][\w-]*\.)+(?:{_TLDS})(?![\w-])(?::\d+)?(?:[/?#][^\s<>\"'«»\[\]{{}}|\\^`]*)?",
    re.IGNORECASE,
)
# What every link above contains; far cheaper to scan for, and most posts have none.
_URL_HINT = re.compile(rf"https?://|www\.|[\w-]\.(?:{_TLDS})(?![\w-])", re.IGNORECASE)
_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@(?:[\w-]+\.)+[\w-]{2,}")
_TRAILING_PUNCTUATION = ".,;:!?…»\"'"


@dataclass(frozen=True)
class Link:
    """A link found in a text: its span, the URL as written and its normalised host."""

    start: int
    end: int
    url: str
    host: str


def host_key(host: str) -> str:
    """Normalise a host for comparison: lowercase, no www., punycode labels decoded."""
    host = host.lower().rstrip(".").removeprefix("www.")
    if "xn--" in host:
        try:
            host = ".".join(
                label.encode("ascii").decode("idna") if label.startswith("xn--") else label for label in host.split(".")
            )
        except UnicodeError:
            pass  # an invalid punycode label is compared as written
    return host


def find_urls(text: str) -> list[Link]:
    """Return the links in text (not e-mail addresses), with sentence punctuation trimmed off."""
    if _URL_HINT.search(text) is None:
        return []
    emails = [match.span() for match in _EMAIL_RE.finditer(text)] if "@" in text else []
    links = []
    for match in _URL_RE.finditer(text):
        if any(start <= match.start() < end for start, end in emails):
            continue
        url = match[0]
        while url and (url[-1] in _TRAILING_PUNCTUATION or (url[-1] == ")" and url.count("(") < url.count(")"))):
            url = url[:-1]
        absolute = url if re.match(r"https?://", url, re.IGNORECASE) else "http://" + url
        try:
            host = urlsplit(absolute).hostname or ""
        except ValueError:
            continue  # e.g. an unclosed IPv6 bracket: not a link anyone can follow
        if host:
            links.append(Link(match.start(), match.start() + len(url), url, host_key(host)))
    return links


def host_in(host: str, domains: Iterable[str]) -> bool:
    """Tell whether a host is one of the domains or a subdomain of one."""
    return any(host == domain or host.endswith("." + domain) for domain in domains)


_QUOTE_BLOCK_RE = re.compile(r"\[quote(?:=[^\]]*)?\].*?\[/quote\]", re.IGNORECASE | re.DOTALL)
_QUOTE_LINE_RE = re.compile(r"^[ \t]*>.*$", re.MULTILINE)


def quoted_spans(text: str) -> list[Span]:
    """Return the spans of quoted text: BBCode [quote] blocks and lines starting with '>'."""
    spans = [match.span() for match in _QUOTE_BLOCK_RE.finditer(text)] if "[" in text else []
    if ">" in text:
        spans.extend(match.span() for match in _QUOTE_LINE_RE.finditer(text))
    return spans


def inside(position: int, spans: Iterable[Span]) -> bool:
    """Tell whether a position falls inside any of the spans."""
    return any(start <= position < end for start, end in spans)


def overlaps(start: int, end: int, spans: Iterable[Span]) -> bool:
    """Tell whether [start, end) overlaps any of the spans."""
    return any(start < span_end and span_start < end for span_start, span_end in spans)


# ---------------------------------------------------------------------------------------------
# Brand spelling
# ---------------------------------------------------------------------------------------------


def _char_class(char: str) -> str:
    """Return a regex class for a letter and its look-alikes (for IGNORECASE matching)."""
    if not char.isalpha() and char != "0":
        return re.escape(char)
    members = _CONFUSABLE.get(char.lower(), set()) | {char.lower(), char.upper()}
    return "[" + "".join(re.escape(member) for member in sorted(members)) + "]"


def _loose_word_source(word: str) -> str:
    """Return a regex for a word with every letter replaced by its look-alike class."""
    return "".join(_char_class(char) for char in word)


@dataclass(frozen=True)
class _BrandWord:
    """One word of the canonical brand: its stem and the ending inflection may replace."""

    stem: str
    ending: str
    max_ending: int  # 0: the word does not inflect (Latin words, short words)


class BrandMatcher:
    """Find spellings of the brand that differ from the canonical one, and listed wrong variants."""

    _SEPARATOR = r"[\s\-‐–—_.]*"

    def __init__(self, canonical: str, wrong_variants: Sequence[str]):
        """Compile a look-alike, case-insensitive pattern for the brand and one for each variant."""
        self.canonical = canonical
        self.words: list[_BrandWord] = []
        parts = []
        for index, word in enumerate(canonical.split()):
            cyrillic = bool(_HAS_CYRILLIC.search(word)) and len(word) >= 4
            stem, cut = _stem(word) if cyrillic else (word, 0)
            max_ending = 3 + cut if cyrillic else 0
            self.words.append(_BrandWord(stem, word[len(stem) :], max_ending))
            if index:
                parts.append(f"(?P<sep{index}>{self._SEPARATOR})")
            ending = rf"(?P<end{index}>[^\W\d_]{{0,{max_ending}}})" if max_ending else f"(?P<end{index}>)"
            parts.append(f"(?P<stem{index}>{_loose_word_source(stem)}){ending}")
        self._canonical_re = re.compile(r"(?<!\w)" + "".join(parts) + r"(?!\w)", re.IGNORECASE)
        self.listed = {" ".join(variant.split()).translate(_E_FOLD): index for index, variant in enumerate(wrong_variants)}
        # Variants the canonical pattern already covers (case, look-alikes, spacing) need no pattern of their own.
        self.variants = [
            (index, variant, self._variant_re(variant))
            for index, variant in enumerate(wrong_variants)
            if not self._canonical_re.fullmatch(variant)
        ]

    @staticmethod
    def _variant_re(variant: str) -> re.Pattern[str]:
        """Compile a look-alike, case-insensitive whole-word pattern for one wrong variant."""
        source = r"\s+".join(_loose_word_source(word) for word in variant.split())
        return re.compile(rf"(?<!\w){source}(?!\w)", re.IGNORECASE)

    def findings(self, text: str, skip: Sequence[Span]) -> list[Finding]:
        """Return a finding for each wrong brand spelling outside the skipped spans."""
        findings, seen = [], []
        for match in self._canonical_re.finditer(text):
            seen.append(match.span())
            if overlaps(*match.span(), skip):
                continue
            verdict = self._judge(match)
            if verdict is not None:
                severity, problem = verdict
                found = " ".join(match[0].split())
                listed = self.listed.get(found.translate(_E_FOLD))
                rule = f"content.brand.wrong_variants[{listed}]" if listed is not None else "content.brand.canonical"
                findings.append(_finding("brand_spelling", severity, match.span(), rule,
                                         canonical=self.canonical, found=found, problem=problem))
        for index, variant, pattern in self.variants:
            folded_variant = " ".join(variant.split()).translate(_E_FOLD)
            for match in pattern.finditer(text):
                if overlaps(*match.span(), seen) or overlaps(*match.span(), skip):
                    continue
                found = " ".join(match[0].split())
                exact = found.translate(_E_FOLD) == folded_variant
                # A lowercase ordinary word ("автодом", a motorhome) is not the brand unless listed so.
                if exact or any(char.isupper() for char in found) or _mixes_scripts(found):
                    problem = "latin_letters" if _mixes_scripts(found) else "listed_variant"
                    findings.append(_finding("brand_spelling", "error", match.span(),
                                             f"content.brand.wrong_variants[{index}]",
                                             canonical=self.canonical, found=found, problem=problem))
        return findings

    def spans(self, text: str) -> list[Span]:
        """Return the spans of every loose brand occurrence (correct or not)."""
        return [match.span() for match in self._canonical_re.finditer(text)]

    def _judge(self, match: re.Match[str]) -> tuple[Severity, str] | None:
        """Return (severity, problem) for a wrong spelling, or None when the spelling is right."""
        script = case = separator = inflected = False
        for index, word in enumerate(self.words):
            written = match[f"stem{index}"]
            ending = match[f"end{index}"]
            inflected |= ending.translate(_E_FOLD).lower() != word.ending.translate(_E_FOLD).lower()
            for typed, expected in zip(written.translate(_E_FOLD), word.stem.translate(_E_FOLD), strict=True):
                if typed == expected:
                    continue
                if typed.lower() == expected.lower():
                    case = True
                else:
                    script = True  # a look-alike from the other script, or 0 for О
            if index and not (match[f"sep{index}"].isspace() and match[f"sep{index}"]):
                separator = True
        if not (script or case or separator):
            return None
        if script:
            return "error", "latin_letters"
        letters = [char for char in match[0] if char.isalpha()]
        if case and not separator and all(char.islower() for char in letters):
            # Lowercase ordinary words ("модные шкафы") are likely not the brand at all.
            return None if inflected else ("warning", "letter_case")
        return "error", "letter_case" if case else "separator"


def _mixes_scripts(text: str) -> bool:
    """Tell whether a word mixes Latin and Cyrillic letters (or a zero inside letters)."""
    letters = _LETTERS_RE.findall(text)
    return any(_HAS_LATIN.search(word) and _HAS_CYRILLIC.search(word) for word in letters) or bool(
        re.search(r"[^\W\d_]0|0[^\W\d_]", text)
    )


# ---------------------------------------------------------------------------------------------
# Personal data
# ---------------------------------------------------------------------------------------------

_SEP = r"[\s\-.]?"
_PHONE_RE = re.compile(
    r"(?<![\w+])(?:"
    rf"(?:\+\s?7|8|7){_SEP}\(?\d{{3}}\)?{_SEP}\d{{3}}{_SEP}\d{{2}}{_SEP}\d{{2}}"  # Russian: +7 (495) 123-45-67
    rf"|(?:\+\s?38{_SEP})?\(?0\d{{2}}\)?{_SEP}\d{{3}}{_SEP}\d{{2}}{_SEP}\d{{2}}"  # Ukrainian: +38 (050) 123-45-67
    rf"|\(?9\d{{2}}\)?{_SEP}\d{{3}}{_SEP}\d{{2}}{_SEP}\d{{2}}"  # a mobile without the 8: 900 123 45 67
    rf"|\+\d{{1,3}}{_SEP}\(?\d{{2,4}}\)?(?:{_SEP}\d{{2,4}}){{2,4}}"  # other international numbers
    r"|\d{3}-\d{2}-\d{2}"  # a city number: 123-45-67
    r")(?![\w-]|[.,]\d)"
)
_DOCUMENT_RE = re.compile(
    r"(?<!\w)(?P<label>заказ\w{0,3}|договор\w{0,3}|договір\w{0,3}|лицев\w{0,3}\s+сч[её]т\w{0,2}|"
    r"особов\w{0,3}\s+рахун\w{0,3}|сч[её]т\w{0,2}|рахун\w{0,3}|замовлен\w{0,3}|накладн\w{0,3}|"
    r"трек\w{0,5}|паспорт\w{0,2}|полис\w{0,2}|order|contract|account|invoice|ticket|tracking|VIN)"
    r"(?:[\s\-–]*(?:number|no\.?|num\.?|номер\w{0,2}|№|#|N)\s*)?[\s:№#]*"
    r"(?P<number>(?:(?-i:[A-ZА-ЯЁІЇЄ]{1,4})\s?[-/]?\s?)?\d(?:[\d\-/]*\d)?(?-i:[A-Z]{0,3}))"
    r"(?!\w|\s*(?:руб|р\.|₽|грн|₴|\$|€|usd|тыс|млн|шт|%|дн|час|мин|км|лет|год|г\.|мес|недел|раз))",
    re.IGNORECASE,
)
_ASK_VERBS = (
    r"напишите|напиши|пришлите|пришли|присылайте|присылай|укажите|укажи|сообщите|сообщи|оставьте|оставь|"
    r"скиньте|скинь|дайте|продиктуйте|отправьте|отправь|назовите|назови|предоставьте|выложите|уточните|"
    r"напишіть|надішліть|надішли|вкажіть|вкажи|повідомте|повідом|залиште|залиш|надайте|відправте|"
    r"send|give|share|post|leave|tell|provide|write|drop|type"
)
_NUMBER_OF = (
    r"номер\w{0,3}(?:\s+(?:заказа|договора|телефона|сч[её]та|карты|паспорта|лицевого\s+сч[её]та|замовлення|"
    r"договору|телефону|рахунку))?"
)
_DATA_NOUNS = _NUMBER_OF + (
    r"|телефон\w{0,3}|тел\.|мобильн\w{0,3}|почт\w{0,3}|пошт\w{0,3}|e-?mail\w{0,2}|имейл\w{0,2}|"
    r"емейл\w{0,2}|мейл\w{0,2}|адрес\w{0,3}|паспорт\w{0,3}|ФИО|фамили\w{0,3}|прізвищ\w{0,3}|данн\w{0,3}|дані|"
    r"контакт\w{0,3}|реквизит\w{0,3}|логин\w{0,3}|парол\w{0,3}|phone|number|address|passport|details|contacts?"
)
_ASK_RE = re.compile(rf"(?<!\w)(?:{_ASK_VERBS})(?!\w)(?P<gap>(?:\W+\w+){{0,4}}?)\W+(?P<noun>{_DATA_NOUNS})(?!\w)",
                     re.IGNORECASE)
_STRICT_NOUNS = _NUMBER_OF + r"|телефон\w{0,3}|почт\w{0,3}|пошт\w{0,3}|e-?mail|адрес\w{0,3}|phone|number|e-?mail|address"
_YOURS = r"ваш\w{0,3}|у\s+вас|твой|твою|свой|свою|свои|your|ваш|твій|свій"
_ASK_QUESTION_RE = re.compile(
    rf"(?<!\w)(?:(?:{_YOURS})(?:\s+\w+){{0,2}}?\s+(?:{_STRICT_NOUNS})|(?:{_STRICT_NOUNS})(?:\s+\w+)?\s+(?:{_YOURS}))(?!\w)",
    re.IGNORECASE,
)
# A preposition or "our" before the noun means the reply gives its own contact ("напишите нам на почту");
# a conjunction means the noun belongs to another clause ("дайте знать, если номер не подошёл").
_NOT_A_REQUEST_BEFORE_NOUN = re.compile(r"(?<!\w)(?:на|по|в|во|к|через|до|із|з|to|via|on|at|by)$", re.IGNORECASE)
_NOT_A_REQUEST_GAP = re.compile(
    r"(?<!\w)(?:наш\w*|our|на|по|через|to|via|если|когда|что|чтобы|как|где|ли|якщо|коли|що|щоб|if|when|that)(?!\w)",
    re.IGNORECASE,
)
_PRIVATE_CHANNEL_RE = re.compile(
    r"личн\w*\s+(?:сообщ|перепис|кабинет)|в\s+личк|личк[уеи]|(?<!\w)(?:ЛС|ЛП|ЛК|ПМ|ПП)(?!\w)|приват|"
    r"особист\w*\s+повідомл|в\s+особист|private\s+message|(?<!\w)(?:PM|DM|inbox)(?!\w)|direct\s+message",
    re.IGNORECASE,
)
_SENTENCE_RE = re.compile(r"[^.!?\n]+[.!?…]*")


def _digits(text: str) -> str:
    """Keep only the digits of a phone number."""
    return re.sub(r"\D", "", text)


def _phone_key(text: str) -> str:
    """Return the last ten digits of a phone number, the part formats agree on."""
    return _digits(text)[-10:]


# ---------------------------------------------------------------------------------------------
# Tone
# ---------------------------------------------------------------------------------------------

_EXCLAMATION_RUN_RE = re.compile(r"[!?¡]{3,}")
_CAPS_WORD_RE = re.compile(r"(?<!\w)[^\W\d_]{4,}(?!\w)")
_EMOJI = (
    "[\U0001F300-\U0001F5FF\U0001F600-\U0001F64F\U0001F680-\U0001F6FF\U0001F900-\U0001F9FF"
    "\U0001FA70-\U0001FAFF\u2600-\u26FF\u2700-\u27BF\U0001F1E6-\U0001F1FF]"
)
_EMOJI_RE = re.compile(rf"{_EMOJI}(?:[\uFE0F\U0001F3FB-\U0001F3FF]|\u200D{_EMOJI})*")
_INFORMAL_RE = re.compile(
    r"(?<!\w)(?:ты|тебя|тебе|тобой|тобою|твой|твоя|твое|твои|твоего|твоей|твоему|твоим|твоих|твоими|твою|"
    r"ти|тобі|твій|твоє|твої)(?!\w)",
    re.IGNORECASE,
)
_TONE_NO_EMOJI_RE = re.compile(r"без\s+(?:\w+\s+){0,2}(?:эмодзи|емодзі|смайл|emoji)|no\s+emoji", re.IGNORECASE)
_TONE_ONE_EMOJI_RE = re.compile(
    r"(?:один|одного|одно|1|one|single)\s+(?:\w+\s+){0,2}(?:эмодзи|емодзі|смайл\w*|emoji)", re.IGNORECASE
)
_TONE_FORMAL_RE = re.compile(r"на\s*[«\"“„']?\s*(?:вы|ви)\b|formal\s+you", re.IGNORECASE)
# Abbreviations written in capitals that are not shouting (four letters or more: shorter words never count).
_KNOWN_ABBREVIATIONS = frozenset({
    "ГИБДД", "ОСАГО", "КАСКО", "ОГРН", "ОГРНИП", "СНИЛС", "ГОСТ", "МКАД", "ЭПТС", "ЕГРЮЛ", "ЕГРН",
    "НДФЛ", "ОКПО", "ФГОС", "РОСТЕСТ", "СССР", "АКПП", "МКПП", "НСПК", "ФССП", "WIFI", "GPON",
    "ADSL", "VDSL", "IPTV", "PPPOE", "HDMI", "DOCSIS", "VOLTE", "DHCP", "HTTP", "HTTPS", "HTML",
    "JSON", "VLAN", "TFSI", "ISOFIX", "ESIM", "IMEI", "ISBN",
})

# ---------------------------------------------------------------------------------------------
# The compiled playbook
# ---------------------------------------------------------------------------------------------

_PLACEHOLDER_RE = re.compile(r"\{[a-z_][a-z0-9_]*\}")
_CAPS_IN_PLAYBOOK_RE = re.compile(r"(?<!\w)[^\W\d_]{2,}(?!\w)")



@dataclass(frozen=True)
class CompiledPlaybook:
    """Everything the draft check and triage need from one playbook version, compiled once."""

    playbook: Playbook
    key: str
    topic_index: dict[str, int]  # topic id -> position in playbook.topics
    topics: KeywordIndex  # owners: playbook.topics
    answers: KeywordIndex  # owners: regulations.standard_answers
    situations: KeywordIndex  # owners: regulations.situations
    brand: BrandMatcher
    forbidden: tuple[tuple[int, str, re.Pattern[str]], ...]  # (index, rule text, pattern on folded text)
    vocabulary: re.Pattern[str] | None
    vocabulary_slots: tuple[tuple[int, int], ...]  # group number - 1 -> (entry index, word index)
    signature: re.Pattern[str] | None
    site_domains: frozenset[str]
    link_domains: frozenset[str]
    internal_emails: frozenset[str]
    public_phones: frozenset[str]
    known_caps: frozenset[str]
    emoji_rule: tuple[int, int] | None  # (tone index, emoji allowed per reply)
    formal_rule: int | None  # tone index of "на «вы»"
    fixed_values: dict[str, str]  # variables whose value the playbook fixes

    def topic_matches(self, folded: str, topic_ids: Iterable[str] | None = None) -> Iterator[tuple[int, Topic, TextMatch]]:
        """Yield (topic index, topic, match) for every topic occurrence, optionally of some topics only."""
        owners = None if topic_ids is None else {self.topic_index[i] for i in topic_ids if i in self.topic_index}
        for index, match in self.topics.finditer(folded, owners):
            yield index, self.playbook.topics[index], match


def playbook_key(playbook: Playbook) -> str:
    """Return a content hash of a playbook (the cache key of its compiled form)."""
    return hashlib.blake2b(playbook.model_dump_json().encode("utf-8"), digest_size=16).hexdigest()


class _ByContent:
    """A playbook keyed by its content hash, so lru_cache shares compiled forms of equal playbooks."""

    __slots__ = ("key", "playbook")

    def __init__(self, key: str, playbook: Playbook):
        """Keep the key and the playbook it was computed from."""
        self.key, self.playbook = key, playbook

    def __hash__(self) -> int:
        """Hash by content."""
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        """Compare by content."""
        return isinstance(other, _ByContent) and other.key == self.key


def compile_playbook(playbook: Playbook | CompiledPlaybook) -> CompiledPlaybook:
    """Return the compiled form of a playbook, built once per content (about 60 µs to look up)."""
    if isinstance(playbook, CompiledPlaybook):
        return playbook
    return _compile(_ByContent(playbook_key(playbook), playbook))


@functools.lru_cache(maxsize=64)
def _compile(keyed: _ByContent) -> CompiledPlaybook:
    """Compile every rule of a playbook into matchers."""
    pb, content = keyed.playbook, keyed.playbook.content
    regs = pb.regulations
    forbidden = []
    for index, entry in enumerate(content.forbidden):
        if entry.phrase:
            pattern = re.compile(rf"(?<!\w){keyword_source(entry.phrase)}(?!\w)", re.IGNORECASE)
            forbidden.append((index, entry.reason, pattern))
        if entry.pattern:
            forbidden.append((index, entry.reason, fold_pattern(entry.pattern)))
    slots, alternatives = [], []
    for entry_index, entry in enumerate(content.vocabulary):
        for word_index, word in enumerate(entry.instead_of):
            slots.append((entry_index, word_index))
            alternatives.append(f"({keyword_source(word)})")
    vocabulary = (
        re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)", re.IGNORECASE) if alternatives else None
    )
    signature = None
    if content.signature:
        signature = re.compile(r"\s+".join(re.escape(word) for word in fold_text(content.signature).split()))
    site_host = host_key(urlsplit(pb.client.site_url).hostname or "")
    public_texts = [content.signature or "", *(answer.text for answer in regs.standard_answers)]
    public_texts += [variable.value or "" for variable in regs.variables]
    public_texts += [variable.value or "" for answer in regs.standard_answers for variable in answer.variables]
    emoji_rule = formal_rule = None
    for index, rule in enumerate(content.tone):
        if emoji_rule is None and _TONE_ONE_EMOJI_RE.search(rule):
            emoji_rule = (index, 1)
        elif emoji_rule is None and _TONE_NO_EMOJI_RE.search(rule):
            emoji_rule = (index, 0)
        if formal_rule is None and _TONE_FORMAL_RE.search(rule):
            formal_rule = index
    fixed = {"client": pb.client.name, "site_url": pb.client.site_url}
    fixed.update({variable.name: variable.value for variable in regs.variables if variable.value})
    return CompiledPlaybook(
        playbook=pb,
        key=keyed.key,
        topic_index={topic.id: index for index, topic in enumerate(pb.topics)},
        topics=KeywordIndex([(topic.keywords, topic.patterns) for topic in pb.topics]),
        answers=KeywordIndex([(a.triggers.keywords, a.triggers.patterns) for a in regs.standard_answers]),
        situations=KeywordIndex([(s.triggers.keywords, s.triggers.patterns) for s in regs.situations]),
        brand=BrandMatcher(content.brand.canonical, content.brand.wrong_variants),
        forbidden=tuple(forbidden),
        vocabulary=vocabulary,
        vocabulary_slots=tuple(slots),
        signature=signature,
        site_domains=frozenset({site_host}),
        link_domains=frozenset({site_host, *(host_key(domain) for domain in content.link_domains)}),
        internal_emails=frozenset(contact.email.lower() for contact in pb.contacts),
        public_phones=frozenset(_phone_key(match[0]) for text in public_texts for match in _PHONE_RE.finditer(text)),
        known_caps=_KNOWN_ABBREVIATIONS | _playbook_caps(pb),
        emoji_rule=emoji_rule,
        formal_rule=formal_rule,
        fixed_values=fixed,
    )


def _playbook_caps(pb: Playbook) -> frozenset[str]:
    """Collect the words the playbook itself writes in capitals (its abbreviations: ТО, VPN…)."""
    words: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, str):
            words.update(word for word in _CAPS_IN_PLAYBOOK_RE.findall(node) if word.isupper())
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(pb.to_data())
    return frozenset(word.upper() for word in words)


# ---------------------------------------------------------------------------------------------
# The check
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Draft:
    """A draft prepared once for all checks: folded text, links, quotes and the signature."""

    text: str
    folded: str
    quotes: list[Span]
    links: list[Link]
    emails: list[Span]
    signature: Span | None


def _utc(moment: datetime | None) -> datetime:
    """Return an aware datetime (naive ones are UTC); None is now."""
    if moment is None:
        return datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def check_draft(text: str, playbook: Playbook | CompiledPlaybook, context: DraftContext) -> list[Finding]:
    """Check a draft against a playbook in a context; return findings sorted by position."""
    compiled = compile_playbook(playbook)
    if not text.strip():
        return [_finding("empty_draft", "error", None)]
    folded = fold_text(text)
    signature = _signature_span(compiled, folded)
    draft = _Draft(
        text=text,
        folded=folded,
        quotes=quoted_spans(text),
        links=find_urls(text),
        emails=[match.span() for match in _EMAIL_RE.finditer(text)],
        signature=signature,
    )
    findings: list[Finding] = []
    for check in _CHECKS:
        findings.extend(check(draft, compiled, context))
    return sorted(findings, key=_position)


def _position(finding: Finding) -> tuple[int, int, int, str]:
    """Order whole-draft findings first, then by start, end and code."""
    if finding.start is None:
        return (0, 0, 0, finding.code)
    return (1, finding.start, finding.end or finding.start, finding.code)


def has_blocking(findings: Iterable[Finding]) -> bool:
    """Tell whether any finding blocks submission."""
    return any(finding.severity == "error" for finding in findings)


def _placeholders(draft: _Draft, compiled: CompiledPlaybook, context: DraftContext) -> Iterator[Finding]:
    """A standard answer's {variable} left unfilled would be posted as is."""
    for match in _PLACEHOLDER_RE.finditer(draft.text):
        yield _finding("unfilled_placeholder", "error", match.span(), placeholder=match[0])


def _brand(draft: _Draft, compiled: CompiledPlaybook, context: DraftContext) -> Iterator[Finding]:
    """The brand is written exactly as the playbook says."""
    skip = draft.quotes + [(link.start, link.end) for link in draft.links] + draft.emails
    yield from compiled.brand.findings(draft.text, skip)


def _forbidden(draft: _Draft, compiled: CompiledPlaybook, context: DraftContext) -> Iterator[Finding]:
    """Forbidden phrases and patterns, outside quotes."""
    for index, reason, pattern in compiled.forbidden:
        for match in pattern.finditer(draft.folded):
            if match.end() > match.start() and not overlaps(*match.span(), draft.quotes):
                yield _finding("forbidden", "error", match.span(), f"content.forbidden[{index}]",
                               found=draft.text[match.start() : match.end()], reason=reason)


def _topics(draft: _Draft, compiled: CompiledPlaybook, context: DraftContext) -> Iterator[Finding]:
    """Avoided topics, topics outside what the forum's posts (or news) cover, and topics needing approval."""
    pb = compiled.playbook
    avoided = {topic_id: index for index, topic_id in enumerate(pb.content.avoid_topics)}
    approval = {topic_id: index for index, topic_id in enumerate(pb.approval.topics)}
    forum = pb.forums.get(context.forum_key)
    allowed: list[str] = []
    code, rule = "", ""
    if forum is not None and context.kind == "news" and forum.allowed_topics.news:
        allowed, code = forum.allowed_topics.news, "news_topic_not_allowed"
        rule = f"forums.{context.forum_key}.allowed_topics.news"
    elif forum is not None and context.kind != "news" and forum.allowed_topics.posts:
        allowed, code = forum.allowed_topics.posts, "topic_not_allowed"
        rule = f"forums.{context.forum_key}.allowed_topics.posts"
    for _index, topic, match in compiled.topic_matches(draft.folded):
        if overlaps(match.start, match.end, draft.quotes):
            continue
        span, topic_id, title = (match.start, match.end), topic.id, topic.title
        found = draft.text[match.start : match.end]
        if topic_id in avoided:
            yield _finding("avoid_topic", "warning", span, f"content.avoid_topics[{avoided[topic_id]}]",
                           found=found, topic=title, topic_id=topic_id)
        elif allowed and topic_id not in allowed:
            yield _finding(code, "warning", span, rule, found=found, topic=title, topic_id=topic_id,
                           forum=context.forum_key)
        if topic_id in approval:
            yield _finding("approval_topic", "warning", span, f"approval.topics[{approval[topic_id]}]",
                           found=found, topic=title, topic_id=topic_id)


def _forum(draft: _Draft, compiled: CompiledPlaybook, context: DraftContext) -> Iterator[Finding]:
    """The forum must be agreed, and the kind of post allowed there."""
    forum = compiled.playbook.forums.get(context.forum_key)
    if forum is None:
        yield _finding("forum_not_in_playbook", "error", None, "forums", forum=context.forum_key)
        return
    if context.kind == "new_thread" and not forum.may_start_threads:
        yield _finding("new_thread_not_allowed", "error", None, f"forums.{context.forum_key}.may_start_threads",
                       forum=context.forum_key)
    if context.kind == "news" and not forum.allowed_topics.news:
        yield _finding("news_not_allowed", "error", None, f"forums.{context.forum_key}.allowed_topics.news",
                       forum=context.forum_key)


def url_within(url: str, place: str) -> bool:
    """Tell whether a URL lies under a place URL: the place is a prefix ending at a boundary.

    Scheme and "www." are ignored; ".../viewforum.php?f=12" covers "...?f=12&start=25" but not "...?f=123".
    """
    url, place = _comparable_url(url), _comparable_url(place)
    if not place or not url.startswith(place):
        return False
    return len(url) == len(place) or not place[-1].isalnum() or not url[len(place)].isalnum()


def _comparable_url(url: str) -> str:
    """Drop the scheme and a leading www. so http/https variants compare equal."""
    url = re.sub(r"^[a-z]+://", "", url.strip(), flags=re.IGNORECASE)
    return url.removeprefix("www.")


def _no_comment(draft: _Draft, compiled: CompiledPlaybook, context: DraftContext) -> Iterator[Finding]:
    """The account does not comment in listed sections and threads at all."""
    locations = [url for url in (context.thread_url, *context.section_urls) if url]
    for index, place in enumerate(compiled.playbook.content.no_comment):
        if any(url_within(url, place.url) for url in locations):
            yield _finding("no_comment_place", "error", None, f"content.no_comment[{index}]",
                           place=place.url, reason=place.reason)


def _signature_span(compiled: CompiledPlaybook, folded: str) -> Span | None:
    """Return the span of the last occurrence of the signature, or None."""
    if compiled.signature is None:
        return None
    last = None
    for match in compiled.signature.finditer(folded):
        last = match.span()
    return last


def _signature(draft: _Draft, compiled: CompiledPlaybook, context: DraftContext) -> Iterator[Finding]:
    """The required signature ends the reply (spacing and line breaks do not matter)."""
    signature = compiled.playbook.content.signature
    if not signature:
        return
    if draft.signature is None:
        yield _finding("signature_missing", "error", None, "content.signature", signature=" ".join(signature.split()))
    elif draft.text[draft.signature[1] :].strip():
        yield _finding("signature_not_at_end", "error", draft.signature, "content.signature")


def _links(draft: _Draft, compiled: CompiledPlaybook, context: DraftContext) -> Iterator[Finding]:
    """Links point only to allowed domains, and to the client's site through tracked links if required."""
    prefix = context.tracked_link_prefix
    forum = compiled.playbook.forums.get(context.forum_key)
    # The forum's own pages (other threads, posts) are fair to link to.
    forum_urls = [context.thread_url, *context.section_urls, *(thread.url for thread in (forum.threads if forum else []))]
    forum_hosts = {host_key(urlsplit(url).hostname or "") for url in forum_urls if url} - {""}
    allowed = compiled.link_domains | forum_hosts
    shown = sorted(compiled.link_domains)
    for link in draft.links:
        if draft.signature and draft.signature[0] <= link.start < draft.signature[1]:
            continue  # the playbook's own signature
        span = (link.start, link.end)
        if prefix and _comparable_url(link.url).startswith(_comparable_url(prefix)):
            continue
        if not host_in(link.host, allowed):
            yield _finding("link_domain", "error", span, "content.link_domains", host=link.host,
                           allowed=", ".join(shown))
        elif context.require_tracked_links and prefix and host_in(link.host, compiled.site_domains):
            yield _finding("link_untracked", "error", span, "client.site_url", prefix=prefix)


def _personal_data(draft: _Draft, compiled: CompiledPlaybook, context: DraftContext) -> Iterator[Finding]:
    """No phone numbers, personal e-mails or order numbers in public, and no public requests for them."""
    text = draft.text
    link_spans = [(link.start, link.end) for link in draft.links]
    for match in _PHONE_RE.finditer(text):
        key = _phone_key(match[0])
        if key in compiled.public_phones or key.startswith("800") or overlaps(*match.span(), link_spans):
            continue  # the playbook's own public numbers and toll-free lines are the company's, not a person's
        yield _finding("personal_data_phone", "error", match.span())
    for start, end in draft.emails:
        address = text[start:end].lower()
        domain = host_key(address.rpartition("@")[2])
        if host_in(domain, compiled.link_domains) and address not in compiled.internal_emails:
            continue  # a public address of the client (contacts' own addresses stay internal)
        yield _finding("personal_data_email", "error", (start, end))
    for match in _DOCUMENT_RE.finditer(text):
        number = match["number"]
        if len(_digits(number)) >= 3 and not overlaps(*match.span("number"), link_spans):
            yield _finding("personal_data_number", "error", match.span("number"))
    yield from _data_requests(text)


def _data_requests(text: str) -> Iterator[Finding]:
    """Find sentences asking for personal data that do not send the person to private messages."""
    for sentence in _SENTENCE_RE.finditer(text):
        body = sentence[0]
        if _PRIVATE_CHANNEL_RE.search(body):
            continue
        offset = sentence.start()
        for match in _ASK_RE.finditer(body):
            before_noun = body[: match.start("noun")].rstrip(" ,")
            if _NOT_A_REQUEST_BEFORE_NOUN.search(before_noun) or _NOT_A_REQUEST_GAP.search(match["gap"]):
                continue
            yield _finding("personal_data_request", "error", (offset + match.start(), offset + match.end()))
            break
        else:
            if body.rstrip().endswith("?"):
                match = _ASK_QUESTION_RE.search(body)
                if match:
                    yield _finding("personal_data_request", "error", (offset + match.start(), offset + match.end()))


def _vocabulary(draft: _Draft, compiled: CompiledPlaybook, context: DraftContext) -> Iterator[Finding]:
    """Words the playbook replaces with its own vocabulary."""
    if compiled.vocabulary is None:
        return
    entries = compiled.playbook.content.vocabulary
    for match in compiled.vocabulary.finditer(draft.folded):
        if overlaps(*match.span(), draft.quotes):
            continue
        entry_index, word_index = compiled.vocabulary_slots[match.lastindex - 1]
        yield _finding("vocabulary", "warning", match.span(), f"content.vocabulary[{entry_index}].instead_of[{word_index}]",
                       use=entries[entry_index].use, found=draft.text[match.start() : match.end()])


def _tone(draft: _Draft, compiled: CompiledPlaybook, context: DraftContext) -> Iterator[Finding]:
    """Shouting (capitals, runs of '!'), and the playbook's checkable tone rules (emoji, formal address)."""
    text = draft.text
    skip = draft.quotes + [(link.start, link.end) for link in draft.links] + draft.emails
    for match in _EXCLAMATION_RUN_RE.finditer(text):
        if match[0].count("!") >= 3 and not inside(match.start(), skip):
            yield _finding("tone_exclamations", "warning", match.span())
    yield from _caps(draft, compiled, skip + compiled.brand.spans(text) + _placeholder_spans(text))
    tone = compiled.playbook.content.tone
    if compiled.emoji_rule is not None:
        index, limit = compiled.emoji_rule
        emoji = [match for match in _EMOJI_RE.finditer(text) if not inside(match.start(), draft.quotes)]
        for match in emoji[limit:]:
            yield _finding("tone_emoji", "warning", match.span(), f"content.tone[{index}]", rule_text=tone[index])
    if compiled.formal_rule is not None:
        for match in _INFORMAL_RE.finditer(draft.folded):
            if not inside(match.start(), skip):
                yield _finding("tone_informal", "warning", match.span(), f"content.tone[{compiled.formal_rule}]",
                               found=match[0], rule_text=tone[compiled.formal_rule])


def _placeholder_spans(text: str) -> list[Span]:
    """Return the spans of {placeholders} (reported on their own)."""
    return [match.span() for match in _PLACEHOLDER_RE.finditer(text)]


def _caps(draft: _Draft, compiled: CompiledPlaybook, skip: list[Span]) -> Iterator[Finding]:
    """Words of four letters or more in capitals, merged when adjacent on one line."""
    text = draft.text
    run: list[int] = []
    for match in _CAPS_WORD_RE.finditer(text):
        word = match[0]
        shouting = (
            word.isupper()
            and word.upper() not in compiled.known_caps
            and not overlaps(*match.span(), skip)
        )
        if not shouting:
            continue
        if run and re.fullmatch(r"[^\w\n]*", text[run[1] : match.start()]):
            run[1] = match.end()
            continue
        if run:
            yield _finding("tone_caps", "warning", (run[0], run[1]), found=text[run[0] : run[1]])
        run = [match.start(), match.end()]
    if run:
        yield _finding("tone_caps", "warning", (run[0], run[1]), found=text[run[0] : run[1]])


def _posting_limits(draft: _Draft, compiled: CompiledPlaybook, context: DraftContext) -> Iterator[Finding]:
    """This post would exceed the day's or week's quota, or come too soon after the last one."""
    forum = compiled.playbook.forums.get(context.forum_key)
    if forum is None:
        return
    limits, key = forum.posting_limits, context.forum_key
    rule = f"forums.{key}.posting_limits"
    if limits.per_day is not None and context.posts_today + 1 > limits.per_day:
        yield _finding("posting_limit_day", "warning", None, f"{rule}.per_day", count=context.posts_today + 1,
                       limit=limits.per_day, forum=key)
    if limits.per_week is not None and context.posts_this_week + 1 > limits.per_week:
        yield _finding("posting_limit_week", "warning", None, f"{rule}.per_week", count=context.posts_this_week + 1,
                       limit=limits.per_week, forum=key)
    if limits.min_gap_minutes is not None and context.last_post_at is not None:
        next_slot = _utc(context.last_post_at) + timedelta(minutes=limits.min_gap_minutes)
        if _utc(context.now) < next_slot:
            local = next_slot.astimezone(ZoneInfo(compiled.playbook.client.timezone))
            yield _finding("posting_min_gap", "warning", None, f"{rule}.min_gap_minutes",
                           minutes=limits.min_gap_minutes, forum=key, next_slot=local.strftime("%Y-%m-%d %H:%M"))


_CHECKS = (
    _forum, _no_comment, _placeholders, _brand, _forbidden, _topics, _signature, _links, _personal_data,
    _vocabulary, _tone, _posting_limits,
)

# ---------------------------------------------------------------------------------------------
# Approval
# ---------------------------------------------------------------------------------------------


def matched_situations(compiled: CompiledPlaybook, post_text: str) -> list[tuple[int, TextMatch]]:
    """Return (situation index, first match) for each standard situation a post's text fires."""
    return sorted(compiled.situations.first_by_owner(fold_text(post_text)).items())


def needs_approval(
    findings: Iterable[Finding],
    playbook: Playbook | CompiledPlaybook,
    context: DraftContext,
    *,
    first_approved_at: datetime | None,
) -> tuple[bool, list[str]]:
    """Tell whether a draft waits for a PR specialist, with the reasons as stable keys.

    Reasons: "no_approved_version" (first_approved_at is None: no version of the playbook was ever
    approved), "everything_until", "news", "new_thread", "warnings", "topic:<id>" (the draft or the
    post it answers touches a listed topic), "situation:<id>" (the post it answers fires a listed
    situation), "otherwise". `describe_approval_reason` renders them. Any warning forces approval
    ("warnings"), except posting-limit ones (the poster already holds the reply until a slot is free)
    and "approval_topic" ones, which are reported as their "topic:<id>".
    """
    compiled = compile_playbook(playbook)
    pb, policy = compiled.playbook, compiled.playbook.approval
    reasons: list[str] = []
    if first_approved_at is None:
        reasons.append("no_approved_version")
    today = _utc(context.now).astimezone(ZoneInfo(pb.client.timezone)).date()
    if policy.everything_until is not None and today <= policy.everything_until:
        reasons.append("everything_until")
    if context.kind == "news" and policy.news:
        reasons.append("news")
    if context.kind == "new_thread" and policy.new_threads:
        reasons.append("new_thread")
    findings = list(findings)
    # Any content warning forces approval, even with drafts_with_warnings: false (the product rule).
    if any(finding.severity == "warning" and finding.code not in _NOT_CONTENT_WARNINGS for finding in findings):
        reasons.append("warnings")
    touched = {dict(finding.params).get("topic_id") for finding in findings if finding.code == "approval_topic"}
    replied = {topic.id for _index, topic, _match in compiled.topic_matches(fold_text(context.in_reply_to_text))}
    reasons.extend(f"topic:{topic_id}" for topic_id in policy.topics if topic_id in touched | replied)
    situation_ids = {pb.regulations.situations[index].id for index, _ in matched_situations(compiled, context.in_reply_to_text)}
    reasons.extend(f"situation:{situation_id}" for situation_id in policy.situations if situation_id in situation_ids)
    if not reasons and policy.otherwise == Otherwise.APPROVE:
        reasons.append("otherwise")
    return bool(reasons), reasons


def describe_approval_reason(reason: str, playbook: Playbook | CompiledPlaybook, locale: str = "ru") -> str:
    """Render an approval reason key in the interface language."""
    pb = compile_playbook(playbook).playbook
    kind, _, ident = reason.partition(":")
    language = 0 if locale.startswith("en") else 1
    template = _APPROVAL_REASONS[kind][language]
    if kind == "topic":
        name = next((topic.title for topic in pb.topics if topic.id == ident), ident)
        return template.format(name=name)
    if kind == "situation":
        name = next((item.title for item in pb.regulations.situations if item.id == ident), ident)
        return template.format(name=name)
    if kind == "everything_until":
        return template.format(date=pb.approval.everything_until)
    return template


# ---------------------------------------------------------------------------------------------
# Standard answers
# ---------------------------------------------------------------------------------------------


class _KeepUnfilled(dict):
    """Template values that leave an unknown {name} visible instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def matching_standard_answers(
    post_text: str, playbook: Playbook | CompiledPlaybook, values: Mapping[str, str] | None = None
) -> list[StandardAnswerSuggestion]:
    """Offer the standard answers whose triggers the post fires, or that a fired situation names.

    Variables are filled from the playbook (client, site_url, fixed values) and from `values`
    (e.g. user, account, or an answer's own variables); the rest stay visible as {name}.
    Answers come in playbook order.
    """
    compiled = compile_playbook(playbook)
    regs = compiled.playbook.regulations
    folded = fold_text(post_text)
    cues: dict[int, list[str]] = {}
    for index, match in compiled.answers.finditer(folded):
        cue = post_text[match.start : match.end]
        if cue not in cues.setdefault(index, []):
            cues[index].append(cue)
    answer_index = {answer.id: index for index, answer in enumerate(regs.standard_answers)}
    for situation_index, _match in matched_situations(compiled, post_text):
        situation = regs.situations[situation_index]
        if situation.answer in answer_index and Action.DO_NOT_COMMENT not in situation.actions:
            cues.setdefault(answer_index[situation.answer], []).append(f"situation:{situation.id}")
    suggestions = []
    for index in sorted(cues):
        answer = regs.standard_answers[index]
        filled = _KeepUnfilled(compiled.fixed_values)
        filled.update({variable.name: variable.value for variable in answer.variables if variable.value})
        filled.update(values or {})
        text = render_template(answer.text, filled).strip()
        missing = tuple(dict.fromkeys(match[0][1:-1] for match in _PLACEHOLDER_RE.finditer(text)))
        suggestions.append(StandardAnswerSuggestion(answer.id, answer.title, text, missing, tuple(cues[index])))
    return suggestions
