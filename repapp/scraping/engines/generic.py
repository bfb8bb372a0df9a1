"""A forum engine configured entirely by CSS selectors in the forum's definition file.

    engine: generic
    engine_options:
      page_url: "{thread}?page={page}"     # page N of a thread ({offset}: (N-1) * posts_per_page)
      date_formats: ["%d.%m.%Y %H:%M"]     # tried before the tolerant en/ru/uk reader
      selectors:
        post: "div.message"                # required, one element per post
        id: "::attr(data-id)"              # required; "::attr(x)" alone reads the post's own attribute
        author: ".message-author"          # required
        date: "time::attr(datetime)"       # required (ISO, a format above, or words: "вчера в 10:15")
        body: ".message-text"              # required
        title: "h1"                        # required
        ...                                # optional: see FIELDS

A selector is CSS, optionally ending in `::attr(name)` to read an attribute instead of the
text. `repapp forums check KEY URL` shows, field by field, what each selector finds.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from lxml import etree
from lxml.cssselect import CSSSelector, SelectorError

from ..errors import LayoutChanged, ParseError
from ..items import ParseContext, PostItem, ThreadItem
from .base import Element, Engine, Page, drop, first_int, load_document, node_text, strip_query
from .html_tools import caption_name, drop_all, in_zone, make_post, retag, short_number, split_post

__all__ = ["FIELDS", "Finding", "GenericEngine", "OptionProblem", "Selector"]

# Selector fields: name -> (required, relative to, what it finds).
FIELDS: dict[str, tuple[bool, str, str]] = {
    "post": (True, "page", "each post's container"),
    "id": (True, "post", "the post's id (an attribute such as ::attr(id), or text)"),
    "author": (True, "post", "the author's name"),
    "date": (True, "post", "when it was posted"),
    "body": (True, "post", "the post's text"),
    "title": (True, "page", "the thread title"),
    "permalink": (False, "post", "a link to the post (default: thread URL#id)"),
    "quote": (False, "body", "quoted fragments inside the body"),
    "quote_author": (False, "quote", "who is quoted ('bob wrote:' is read as bob)"),
    "quote_header": (False, "quote", "the quote's caption, left out of the quoted text"),
    "signature": (False, "post", "the signature"),
    "edited": (False, "post", "an edit notice: present means edited"),
    "deleted": (False, "post", "a deleted-post notice: such posts are left out"),
    "remove": (False, "body", "furniture inside the body to leave out (buttons, ads)"),
    "views": (False, "page", "the thread's view counter"),
    "post_count": (False, "page", "the thread's post counter"),
    "current_page": (False, "page", "the current page number"),
    "pages": (False, "page", "page links: the highest number is the page count"),
    "next_page": (False, "page", "a 'next page' link: there is a page after this one"),
}
OPTIONS = frozenset({"selectors", "page_url", "id_pattern", "date_formats", "posts_per_page",
                     "drop_params"})
_ATTR = re.compile(r"::attr\(\s*([\w:-]+)\s*\)\s*$")
_DEFAULT_DROP = ("sid", "s", "phpsessid")


class Selector:
    """A CSS selector with an optional `::attr(name)`; an empty selector means the node itself."""

    def __init__(self, spec: str) -> None:
        """Compile `spec`; raise ValueError naming what is wrong with it."""
        self.spec = spec
        match = _ATTR.search(spec)
        self.attribute = match[1] if match else None
        css = spec[: match.start()].strip() if match else spec.strip()
        if not css and self.attribute is None:
            raise ValueError("is empty")
        try:
            self._select = CSSSelector(css, translator="html") if css else None
        except (SelectorError, SyntaxError, etree.XPathError) as exc:
            raise ValueError(f"is not a CSS selector ({exc})") from None

    def all(self, node: Element) -> list[Element]:
        """Return the matching elements under `node` (or `node` itself for a bare ::attr)."""
        return [node] if self._select is None else self._select(node)

    def first(self, node: Element) -> Element | None:
        """Return the first match, or None."""
        found = self.all(node)
        return found[0] if found else None

    def read(self, element: Element | None) -> str | None:
        """Return the attribute (or the collapsed text) of a matched element."""
        if element is None:
            return None
        if self.attribute is not None:
            value = element.get(self.attribute)
            return value.strip() if value is not None else None
        return node_text(element)

    def value(self, node: Element) -> str | None:
        """Return the value of the first match."""
        return self.read(self.first(node))


@dataclass(frozen=True)
class Finding:
    """What one selector found, for `repapp forums check`."""

    scope: str
    name: str
    selector: str
    matches: int
    values: tuple[str, ...] = ()
    parsed: str | None = None
    problem: str | None = None


# A problem with the engine options: where it is (below engine_options) and what is wrong.
OptionProblem = tuple[tuple[str, ...], str]


@dataclass
class _Config:
    """The engine options, compiled; `problems` says what is wrong, field by field."""

    selectors: dict[str, Selector] = field(default_factory=dict)
    page_url: str | None = None
    id_pattern: re.Pattern[str] | None = None
    problems: list[OptionProblem] = field(default_factory=list)


def _did_you_mean(name: Any, known: Any) -> str:
    """Suggest the closest known name to a misspelt one."""
    close = difflib.get_close_matches(str(name), known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _compile(options: Mapping[str, Any]) -> _Config:
    """Read the engine options into a config, collecting every problem rather than stopping."""
    config = _Config()
    problem = config.problems.append
    for name in sorted(set(options) - OPTIONS):
        problem(((name,), "unknown option" + _did_you_mean(name, OPTIONS)))
    raw = options.get("selectors") or {}
    if not isinstance(raw, Mapping):
        problem((("selectors",), "must be a mapping of field to CSS selector"))
        raw = {}
    for name, spec in raw.items():
        where = ("selectors", str(name))
        if name not in FIELDS:
            problem((where, "unknown field" + _did_you_mean(name, FIELDS)))
            continue
        specs = spec if name == "remove" and isinstance(spec, list) else [spec]
        if not all(isinstance(s, str) for s in specs):
            problem((where, "must be text (a CSS selector)"))
            continue
        try:
            config.selectors[name] = Selector(", ".join(specs))
        except ValueError as exc:
            problem((where, f"{spec!r} {exc}"))
    for name, (required, _, _) in FIELDS.items():
        if required and name not in raw:
            problem((("selectors", name), "required field is missing"))
    template = options.get("page_url")
    if template is not None:
        if not isinstance(template, str) or "{thread}" not in template or not (
                "{page}" in template or "{offset}" in template):
            problem((("page_url",), "must contain {thread} and {page} or {offset}"))
        else:
            config.page_url = template
    elif {"pages", "next_page"} & set(raw):
        problem((("page_url",), "needed to read pages after the first (pages or next_page is set)"))
    pattern = options.get("id_pattern")
    if pattern is not None:
        try:
            config.id_pattern = re.compile(str(pattern))
        except re.error as exc:
            problem((("id_pattern",), f"not a regular expression ({exc})"))
    return config


class GenericEngine(Engine):
    """Reads any forum whose definition names CSS selectors for its posts and fields."""

    key = "generic"
    capabilities = frozenset({"read", "stats"})

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        """Compile the selectors once; problems are reported when a page is parsed, not here."""
        super().__init__(options)
        self.config = _compile(self.options)

    @classmethod
    def option_problems(cls, options: Mapping[str, Any]) -> list[OptionProblem]:
        """Check a definition's engine options when it is loaded (see Engine.option_problems)."""
        return _compile(options).problems

    @property
    def problems(self) -> list[str]:
        """Return what is wrong with the definition's engine options, one line each."""
        return [f"engine_options.{'.'.join(path)}: {message}" for path, message in self.config.problems]

    def _selector(self, name: str) -> Selector | None:
        """Return a configured selector, or None."""
        return self.config.selectors.get(name)

    def _check(self, ctx: ParseContext) -> None:
        """Refuse to parse with a broken configuration; the message lists every problem.

        LayoutChanged, not a plain ParseError: the forum's page shows it to whoever edits the
        definition, as it does for an engine whose forum changed its templates.
        """
        if self.config.problems:
            raise LayoutChanged(ctx.url, "generic: the forum definition's selectors are not usable: "
                                + "; ".join(self.problems))

    # -- threads --

    def post_nodes(self, doc: Element) -> list[Element]:  # type: ignore[override]
        """Return the post containers, deleted-post placeholders left out."""
        post = self._selector("post")
        if post is None:
            return []
        deleted = self._selector("deleted")
        return [node for node in post.all(doc) if deleted is None or not deleted.all(node)]

    def raise_forum_message(self, doc: Element, ctx: ParseContext) -> None:
        """Explain an empty page by the configuration or the selector that found nothing."""
        self._check(ctx)
        raise LayoutChanged(ctx.url, f"generic: selectors.post {self._selector('post').spec!r} "
                                     "found no posts on the page")

    def thread_info(self, doc: Element, ctx: ParseContext) -> ThreadItem:
        """Read title, counters and pages with the page-level selectors."""
        self._check(ctx)
        title = self.require(self._selector("title").value(doc), "title (selectors.title)", ctx)
        page, page_count = self._pages(doc, ctx)
        return ThreadItem(
            title=title,
            url=self.canonical_thread_url(ctx.url),
            page=page,
            page_count=page_count,
            views=self._counter(doc, "views"),
            post_count=self._counter(doc, "post_count"),
            forum_url=None,  # counters come from the thread page itself (selectors.views)
        )

    def _counter(self, doc: Element, name: str) -> int | None:
        """Read a counter ("1 237", "12K") with its selector, if configured."""
        selector = self._selector(name)
        return short_number(selector.value(doc)) if selector is not None else None

    def _pages(self, doc: Element, ctx: ParseContext) -> tuple[int, int]:
        """Work out (current page, page count) from whatever pagination selectors exist."""
        current = self._selector("current_page")
        page = first_int(current.value(doc)) if current is not None else None
        page = page or self._page_from_url(ctx.url) or 1
        if self.config.page_url is None:
            return page, page
        numbers = []
        pages = self._selector("pages")
        if pages is not None:
            numbers = [n for n in (first_int(pages.read(e)) for e in pages.all(doc)) if n]
        following = self._selector("next_page")
        if following is not None and following.all(doc):
            numbers.append(page + 1)
        return page, max([page, *numbers])

    def parse_post(self, node: Element, page: Page, ctx: ParseContext) -> PostItem:
        """Read one post with the post-level selectors."""
        raw_id = self.require(self._selector("id").value(node), "post id (selectors.id)", ctx)
        post_id = self._post_id(raw_id, ctx)
        body = self.require(self._selector("body").first(node), "post body (selectors.body)", ctx)
        signature_node = self._first("signature", node)
        edited_node = self._first("edited", node)
        signature = (node_text(signature_node) or None) if signature_node is not None else None
        for inside in (signature_node, edited_node):
            if inside is not None and _inside(inside, body):
                drop(inside)
        remove = self._selector("remove")
        if remove is not None:
            drop_all(e for e in remove.all(body) if e is not body)
        quote = self._selector("quote")
        if quote is not None:
            retag(e for e in quote.all(body) if e is not body)
        parts = split_post(body, self._quote_author, page,
                           drop_params=self.options.get("drop_params", _DEFAULT_DROP))
        permalink = self._selector("permalink")
        link = permalink.value(node) if permalink is not None else None
        return make_post(
            parts,
            external_id=post_id,
            url=page.links.absolute(link) if link else f"{page.thread.url}#{raw_id}",
            author=self._selector("author").value(node) or "",
            posted_at=self._date(self._selector("date").value(node), ctx),
            edited=edited_node is not None,
            signature=signature,
        )

    def _first(self, name: str, node: Element) -> Element | None:
        """Return the first match of an optional post-level selector."""
        selector = self._selector(name)
        return selector.first(node) if selector is not None else None

    def _post_id(self, raw: str, ctx: ParseContext) -> str:
        """Apply id_pattern (its first group, or the whole match) to the id value."""
        if self.config.id_pattern is None:
            return raw
        match = self.config.id_pattern.search(raw)
        if match is None:
            raise LayoutChanged(ctx.url, f"generic: id_pattern does not match the post id {raw!r}")
        return match[1] if match.re.groups else match[0]

    def _date(self, value: str | None, ctx: ParseContext) -> datetime | None:
        """Read an ISO value, a configured format, or the tolerant reader's forms."""
        return in_zone(self.resolve_date(value, value, ctx), ctx.timezone) if value else None

    def _quote_author(self, quote: Element) -> tuple[str | None, list[Any]]:
        """Read the quoted author and the caption nodes to leave out of the quoted text."""
        header = self._selector("quote_header")
        headers = [e for e in header.all(quote) if e is not quote] if header is not None else []
        who = self._selector("quote_author")
        if who is None:
            return (caption_name(node_text(headers[0])) if headers else None), headers
        element = who.first(quote)
        author = who.read(element)
        if who.attribute is None and author:
            author = caption_name(author)
            if element is not quote and element not in headers:
                headers.append(element)
        return author or None, headers

    # -- inspection, for `repapp forums check` --

    def inspect(self, body: bytes, ctx: ParseContext) -> list[Finding]:
        """Report, field by field, what the selectors find on one page (the first three posts)."""
        findings: list[Finding] = []
        doc = load_document(body, ctx)
        for name, (_, scope, _) in FIELDS.items():
            if scope == "page" and name != "post" and name in self.config.selectors:
                findings.append(self._finding("thread", name, doc, ctx))
        post = self._selector("post")
        if post is None:
            return findings
        nodes = self.post_nodes(doc)
        everything = post.all(doc)
        findings.append(Finding("page", "post", post.spec, len(everything),
                                parsed=f"{len(nodes)} posts, {len(everything) - len(nodes)} left out as deleted"
                                if len(everything) != len(nodes) else f"{len(nodes)} posts"))
        for number, node in enumerate(nodes[:3], start=1):
            for name, (_, scope, _) in FIELDS.items():
                if scope == "post" and name in self.config.selectors:
                    findings.append(self._finding(f"post {number}", name, node, ctx))
            body_node = self._first("body", node)
            for name in ("quote", "remove"):
                if body_node is not None and name in self.config.selectors:
                    findings.append(self._finding(f"post {number}", name, body_node, ctx))
        return findings

    def _finding(self, scope: str, name: str, node: Element, ctx: ParseContext) -> Finding:
        """Apply one selector and say what it found and how it reads."""
        selector = self.config.selectors[name]
        matches = selector.all(node)
        values = tuple((selector.read(e) or "")[:120] for e in matches[:3])
        parsed, problem = None, None
        if name == "date" and values:
            moment = self._date(values[0], ctx)
            parsed = moment.isoformat() if moment else None
            problem = None if moment else f"cannot read {values[0]!r} as a date (add a date_formats entry)"
        elif name in ("views", "post_count", "current_page") and values:
            number = short_number(values[0])
            parsed = str(number) if number is not None else None
            problem = None if number is not None else "no number in it"
        elif name == "id" and values and self.config.id_pattern is not None:
            match = self.config.id_pattern.search(values[0])
            parsed = (match[1] if match.re.groups else match[0]) if match else None
            problem = None if match else "id_pattern does not match"
        if not matches and FIELDS[name][0]:
            problem = "found nothing (required)"
        return Finding(scope, name, selector.spec, len(matches), values, parsed, problem)

    # -- URLs --

    def _template_pattern(self) -> re.Pattern[str] | None:
        """Turn page_url into a pattern that recovers the thread URL and page from an address."""
        if self.config.page_url is None:
            return None
        pattern = re.escape(self.config.page_url)
        pattern = pattern.replace(re.escape("{thread}"), "(?P<thread>.+?)")
        pattern = pattern.replace(re.escape("{page}"), r"(?P<page>\d+)")
        pattern = pattern.replace(re.escape("{offset}"), r"(?P<offset>\d+)")
        return re.compile(f"^{pattern}$")

    def _page_from_url(self, url: str) -> int | None:
        """Return the page number an address names through page_url, if it does."""
        pattern = self._template_pattern()
        match = pattern.match(self._clean(url)) if pattern is not None else None
        if match is None:
            return None
        if match.groupdict().get("page"):
            return int(match["page"])
        per_page = int(self.options.get("posts_per_page", 20))
        return int(match["offset"]) // max(per_page, 1) + 1

    def _clean(self, url: str) -> str:
        """Drop the fragment and session parameters."""
        parts = urlsplit(url)
        url = urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
        return strip_query(url, self.options.get("drop_params", _DEFAULT_DROP)) if parts.query else url

    def canonical_thread_url(self, url: str) -> str:
        """Return the thread address without fragment, session ids or page part."""
        cleaned = self._clean(url)
        pattern = self._template_pattern()
        match = pattern.match(cleaned) if pattern is not None else None
        return match["thread"] if match else cleaned

    def page_url(self, thread_url: str, page: int) -> str:
        """Fill page_url for page 2 onwards; page 1 is the thread address itself."""
        canonical = self.canonical_thread_url(thread_url)
        if page <= 1 or self.config.page_url is None:
            return canonical
        per_page = int(self.options.get("posts_per_page", 20))
        return self.config.page_url.format(thread=canonical, page=page, offset=(page - 1) * per_page)

    def parse_listing(self, body: bytes, ctx: ParseContext) -> Any:
        """The generic engine reads counters from the thread page (selectors.views), not listings."""
        raise ParseError(ctx.url, "generic: forum listings are not read; use selectors.views")


def _inside(node: Element, ancestor: Element) -> bool:
    """Tell whether `node` sits under `ancestor`."""
    return any(parent is ancestor for parent in node.iterancestors())

