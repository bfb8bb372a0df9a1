"""The Engine contract and what every engine shares: decoding, locating, text, quotes, bodies.

Thread pages are the hot path (the budget is ~1.5x lxml's own parse of the page), so the
helpers favour compiled XPath anchored on the template's frame and child steps, with a
tolerant `//` search only as a fallback; one XPath call per post rather than one per field;
post bodies for the sanitizer cut from the page's bytes rather than re-serialised; and, for
the scraper, sanitizing deferred to the posts it stores (`parse_thread(defer_html=True)`).
"""

from __future__ import annotations

import codecs
import logging
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, NamedTuple
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree

from ..dates import parse_forum_date, parse_iso
from ..errors import LayoutChanged, ParseError
from ..items import ListingPage, ParseContext, PostItem, Quote, ThreadItem, ThreadPage
from ..sanitize import RawHtml, sanitize_encoded, sanitize_html

__all__ = [
    "CAPABILITIES", "BodyCut", "BodyParts", "Element", "Engine", "Find", "Links", "Page",
    "PageSource", "PostParts",
    "XPath", "classes", "detect_encoding", "drop", "first", "first_int", "load_document",
    "node_text", "page_body", "parse_html", "split_body", "strip_query", "with_query",
    "wrote_author",
]

log = logging.getLogger(__name__)

# What the engines here support: reading, counters (views and post counts, from listings),
# and the login and reply flows the session layer implements per engine key.
CAPABILITIES = frozenset({"read", "stats", "login", "post"})

# Plain lxml elements: lxml.html's element classes cost a Python call per node touched.
Element = etree._Element

# --- locating -----------------------------------------------------------------------------

_HAS_CLASS = re.compile(r"has-class\('([\w-]+)'\)")


def XPath(path: str) -> etree.XPath:  # noqa: N802 - reads like the lxml class it builds
    """Compile an expression once, at import; `has-class('x')` matches one class of several."""
    expanded = _HAS_CLASS.sub(
        lambda m: f"contains(concat(' ', normalize-space(@class), ' '), ' {m[1]} ')", path
    )
    return etree.XPath(expanded, smart_strings=False)


class Find:
    """Locate nodes with a cheap anchored XPath first and a tolerant search if it finds nothing.

    `//` over a whole 250 KB page costs ~0.3 ms in libxml2; `/html/body/div/div` ~0.02 ms.
    A theme that moves things around still parses, just more slowly.
    """

    def __init__(self, fast: str, slow: str | None = None, *, anchor: str | None = None) -> None:
        """Compile the expressions; `anchor` proves the fast path applies to this page.

        With an anchor, an empty fast result is trusted when the anchor is present (an
        optional element, such as pagination on a one-page thread, is simply absent).
        """
        self.fast = XPath(fast)
        self.slow = XPath(slow) if slow else None
        self.anchor = XPath(f"boolean({anchor})") if anchor else None

    def __call__(self, node: Any) -> list[Any]:
        """Return the matches of the fast form, else of the slow one."""
        found = self.fast(node)
        if found or self.slow is None:
            return found
        if self.anchor is not None and self.anchor(node):
            return found
        return self.slow(node)


class PostParts:
    """The few nodes a post is read from, fetched with one XPath call per post.

    `fast` follows the default template (child positions, exact classes: several times
    cheaper than has-class); `slow` is the tolerant form, used when `fast` misses the body.
    Each engine's `sort` names the nodes: {"content": …, "author": …, …}.
    """

    def __init__(self, fast: str, slow: str, sort: Callable[[list[Any]], dict[str, Any]]) -> None:
        """Compile both forms and keep the engine's sorting function."""
        self.fast = XPath(fast)
        self.slow = XPath(slow)
        self.sort = sort

    def __call__(self, post: Any) -> dict[str, Any]:
        """Return the named parts of `post`."""
        parts = self.sort(self.fast(post))
        if parts.get("content") is None:
            parts = self.sort(self.slow(post))
        return parts


def first(xpath: Callable[[Any], list[Any]], node: Any) -> Any:
    """Return the first result of a compiled XPath (or Find) on `node`, or None."""
    found = xpath(node)
    return found[0] if found else None


def classes(node: Element) -> str:
    """Pad the class attribute with spaces, for `" x " in classes(node)` tests."""
    return f" {node.get('class', '')} "


# --- decoding -----------------------------------------------------------------------------

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
# WHATWG: browsers read these labels as windows-1252, and forum posts follow browsers.
_LABEL_ALIASES = {"iso8859-1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252"}
_parsers = threading.local()


def detect_encoding(body: bytes, override: str | None = None) -> str:
    """Pick the page's encoding: explicit override, then BOM, then <meta charset>, then UTF-8."""
    for label in (override, _bom_encoding(body), _meta_encoding(body)):
        name = _python_codec(label)
        if name:
            return name
    return "utf-8"


def _bom_encoding(body: bytes) -> str | None:
    """Return the encoding announced by a byte-order mark, if any."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    return None


def _meta_encoding(body: bytes) -> str | None:
    """Return the charset declared in the first few KB of markup, if any."""
    match = _META_CHARSET.search(body, 0, 4096)
    return match.group(1).decode("ascii", "replace") if match else None


def _python_codec(label: str | None) -> str | None:
    """Normalise an encoding label to a codec name, or None if Python does not know it."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip()).name
    except LookupError:
        log.warning("unknown page encoding %r, ignoring it", label)
        return None
    return _LABEL_ALIASES.get(name, name)


def _parser_for(encoding: str) -> etree.HTMLParser:
    """Return this thread's HTML parser for `encoding` (lxml parsers are not thread-safe)."""
    cache = _parsers.__dict__
    parser = cache.get(encoding)
    if parser is None:
        # Comments are template furniture (MyBB wraps every template in two) and an id
        # index is never used (engines anchor on paths): both make parsing slower.
        parser = cache[encoding] = etree.HTMLParser(
            encoding=encoding, remove_comments=True, collect_ids=False)
    return parser


def load_document(body: bytes, ctx: ParseContext) -> Element:
    """Decode and parse a page's bytes; an empty or unparsable page is a ParseError."""
    return parse_html(body, detect_encoding(body, ctx.options.get("encoding")), ctx)


def parse_html(body: bytes, encoding: str, ctx: ParseContext) -> Element:
    """Parse bytes known to be in `encoding` into the root element."""
    if not body or not body.strip():
        raise ParseError(ctx.url, "empty page")
    try:
        # Bytes plus an explicit encoding: libxml2 decodes in C, no Python str round trip.
        root = etree.fromstring(_without_bom(body), parser=_parser_for(encoding))
    except (etree.ParserError, etree.XMLSyntaxError, ValueError, LookupError) as exc:
        raise ParseError(ctx.url, f"cannot parse HTML ({exc})") from exc
    if root is None:
        raise ParseError(ctx.url, "no HTML document in the page")
    return root


def _without_bom(body: bytes) -> bytes:
    """Drop a byte-order mark; the encoding has been read from it already."""
    for bom, _ in _BOMS:
        if body.startswith(bom):
            return body[len(bom):]
    return body


def drop(node: Element) -> None:
    """Remove `node` and its subtree, keeping the text that follows it in place."""
    parent = node.getparent()
    if parent is None:
        return
    if node.tail:
        previous = node.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + node.tail
        else:
            parent.text = (parent.text or "") + node.tail
    parent.remove(node)


# --- text, numbers, URLs ------------------------------------------------------------------

_NORMALIZED = etree.XPath("normalize-space(.)", smart_strings=False)


def node_text(node: Any) -> str:
    """Return an element's text with whitespace runs collapsed to single spaces."""
    if node is None:
        return ""
    # normalize-space runs in C; it leaves no-break spaces alone, so finish those in Python.
    text = _NORMALIZED(node) if not isinstance(node, str) else " ".join(node.split())
    return " ".join(text.split()) if "\xa0" in text else text


# "1,237", "1 237", "1.237" are one number; "3 10" is two.
_INT = re.compile(r"(?<!\d)\d{1,3}(?:[,.\u00a0\u202f' ]\d{3})+(?!\d)|\d+")


def first_int(text: str | None) -> int | None:
    """Read the first integer in `text`, tolerating thousands separators."""
    match = _INT.search(text) if text else None
    return int(re.sub(r"\D", "", match.group(0))) if match else None


def strip_query(url: str, drop: Sequence[str], *, keep_fragment: bool = True) -> str:
    """Remove the named query parameters (session ids, page offsets) from `url`."""
    parts = urlsplit(url)
    dropped = {name.lower() for name in drop}
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k.lower() not in dropped]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query),
                       parts.fragment if keep_fragment else ""))


def with_query(url: str, **params: Any) -> str:
    """Add (or replace) query parameters on `url`."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += [(k, str(v)) for k, v in params.items()]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


class Links:
    """Resolve the links of one page; the common forum forms skip `urljoin` (~5 us a call)."""

    def __init__(self, base: str) -> None:
        """Split the page URL once."""
        self.base = base
        parts = urlsplit(base)
        self.origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
        self.directory = self.origin + parts.path[: parts.path.rfind("/") + 1]

    def absolute(self, href: str | None) -> str:
        """Return `href` as an absolute URL."""
        if not href:
            return self.base
        if href.startswith(("http://", "https://")):
            return href
        if self.origin and href[0] == "/" and not href.startswith("//"):
            return self.origin + href
        if self.origin and href.startswith("./") and not href.startswith("./."):
            return self.directory + href[2:]
        if self.origin and href[0].isalpha() and ":" not in href.split("?", 1)[0]:
            return self.directory + href
        joined = urljoin(self.base, href)
        # Templates put stored URLs in href: a hostile page's javascript:/data: link falls back to the page.
        return joined if urlsplit(joined).scheme.lower() in ("http", "https") else self.base


class PageSource:
    """The page's markup as bytes, to cut post bodies out of it for the sanitizer.

    nh3 parses whatever it is given, so handing it a body exactly as the forum sent it
    spares an lxml serialisation per post, which costs more than the rest of a post's
    extraction together; and bytes spare decoding the page. A body is found by a marker
    unique to its post and ended by balancing its tag; when that fails (or the encoding is
    not ASCII-compatible), callers serialise the DOM instead.
    """

    def __init__(self, body: bytes, encoding: str) -> None:
        """Keep the bytes (without BOM) and whether markup can be searched as ASCII."""
        self.body = _without_bom(body)
        self.encoding = encoding
        self.searchable = "<a id=\"1\">".encode(encoding, "replace") == b'<a id="1">'
        self._cursor = 0  # posts come in page order: search on from the previous one

    def inner_html(self, marker: str, *, until: str | None = None, then: str | None = None,
                   stop: str | None = None) -> bytes | None:
        """Return the raw inner HTML of the element whose start tag contains `marker`.

        `until` is what starts the next post (its marker's prefix): nothing past it is ever
        taken. With `then`, the element is the first `then` start tag after the marker (the
        marker sits on a wrapper). With `stop`, a template comment that always follows the
        body, the body ends there; otherwise at the end tag balancing its start tag.
        """
        if not self.searchable:
            return None
        body, needle = self.body, marker.encode("ascii")
        at = body.find(needle, self._cursor)
        if at < 0:
            at = body.find(needle)
        if at < 0:
            return None
        limit = body.find(until.encode("ascii"), at + len(needle)) if until else -1
        limit = len(body) if limit < 0 else limit
        tag_start = body.rfind(b"<", 0, at) if then is None else body.find(
            then.encode("ascii"), at, limit)
        name = _TAG_NAME.match(body, tag_start) if tag_start >= 0 else None
        start = body.find(b">", tag_start, limit) + 1
        if name is None or start == 0:
            return None
        end = body.find(stop.encode("ascii"), start, limit) if stop is not None else -1
        if end < 0:
            end = _closing_position(body, name[1].lower(), start, limit)
        if end is None:
            return None
        self._cursor = end
        return body[start:end].strip()

    def encoded(self, fragment: bytes | None) -> tuple[bytes, str] | None:
        """Pair a fragment cut from this page with the page's encoding (for split_body)."""
        return None if fragment is None else (fragment, self.encoding)


_TAG_NAME = re.compile(rb"<([A-Za-z][\w-]*)")


def _closing_position(body: bytes, name: bytes, start: int, limit: int) -> int | None:
    """Return where the end tag balancing an open `name` element starts (before `limit`).

    Counts with bytes.find/count, which run in C: engines write their markup, post bodies
    included, in lower case, so no case-folding regex is needed.
    """
    opening, closing = b"<" + name, b"</" + name
    depth, position = 1, start
    while True:
        close = body.find(closing, position, limit)
        if close < 0:
            return None
        depth += body.count(opening, position, close) - 1
        if depth == 0:
            return close
        position = close + len(closing)


@dataclass(frozen=True, slots=True)
class Page:
    """Per-page helpers handed to `parse_post`; `defer_html` asks for RawHtml (see split_body)."""

    thread: ThreadItem
    links: Links
    source: PageSource
    defer_html: bool = False


_WROTE = re.compile(
    r"^\s*(?P<author>.+?)\s*(?:wrote|said|schrieb|a écrit|(?:на)?писал(?:\(а\)|а)?"
    r"|(?:на)?писав|пише)(?!\w)\s*[:：]?",
    re.IGNORECASE,
)


def wrote_author(header: str) -> str | None:
    """Read "alice wrote:" / "alice написал(а):" / "alice пише:" and return "alice"."""
    match = _WROTE.match(header)
    if not match:
        return None
    return match["author"].strip(" \"'«»") or None


# --- post bodies --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class BodyParts:
    """What a post body splits into; with `defer`, `html` is "" and `raw_html` holds the body."""

    text: str
    quotes: tuple[Quote, ...]
    html: str
    raw_html: RawHtml | None = None


# Given a top-level quote, return (quoted author or None, header nodes to drop from its text).
QuoteHeader = Callable[[Element], tuple[str | None, Sequence[Element]]]


def split_body(
    body: Element,
    quote_header: QuoteHeader,
    base_url: str,
    *,
    source: tuple[bytes, str] | None = None,
    drop_params: Sequence[str] = (),
    defer: bool = False,
) -> BodyParts:
    """Split a post body into the poster's own text, the quotes, and sanitized HTML.

    The caller drops signature and engine furniture first. `source` is the body as the
    page has it, with its encoding (see PageSource); without it the DOM is serialised.
    With `defer` (pass `page.defer_html`) nothing is sanitized: the body comes back as
    RawHtml, for the pipeline to sanitize only if it stores the post, and `html` is "".
    Mutates `body`: quotes are cut out after the HTML (which keeps them) is taken.
    """
    html, raw = "", None
    if source is not None:
        if defer:
            raw = RawHtml(source[0], source[1], base_url, frozenset(drop_params))
        else:
            html = sanitize_encoded(*source, base_url, drop_params=drop_params)
        may_quote = b"<blockquote" in source[0]  # most posts quote nothing: skip the walk
    else:
        markup = _inner_html(body)
        if defer:
            raw = RawHtml(markup, "utf-8", base_url, frozenset(drop_params))
        else:
            html = sanitize_html(markup, base_url, drop_params=drop_params)
        may_quote = True
    quotes = []
    top_level = [q for q in body.iter("blockquote")
                 if next(q.iterancestors("blockquote"), None) is None] if may_quote else []
    for quote in top_level:
        author, header_nodes = quote_header(quote)
        for node in header_nodes:
            drop(node)
        for nested in list(quote.iter("blockquote"))[1:]:
            drop(nested)
        quotes.append(Quote(author=author, text=node_text(quote)))
        drop(quote)
    return BodyParts(node_text(body), tuple(quotes), html, raw)


class BodyCut(NamedTuple):
    """Where a post's body sits in the page's bytes: the arguments of PageSource.inner_html."""

    marker: str
    until: str | None = None
    then: str | None = None
    stop: str | None = None


def page_body(
    page: Page,
    body: Element,
    quote_header: QuoteHeader,
    cut: BodyCut | None,
    *,
    drop_params: Sequence[str] = (),
) -> BodyParts:
    """split_body for a post of `page`, its source cut from the page's bytes by `cut`.

    `cut` None means the body must be serialised from the tree (furniture was dropped).
    When the page defers HTML and the post quotes nothing, even the cutting waits until
    the pipeline asks for the HTML: the tree is not changed below this point, so the
    body it would cut or serialise later is the one it would have now. (A quoting post
    loses its quotes from the tree to leave the poster's own text, so it is cut now.)
    """
    if not page.defer_html or next(body.iter("blockquote"), None) is not None:
        raw = page.source.inner_html(cut.marker, until=cut.until, then=cut.then, stop=cut.stop
                                     ) if cut is not None else None
        return split_body(body, quote_header, page.thread.url, source=page.source.encoded(raw),
                          drop_params=drop_params, defer=page.defer_html)
    later = _BodyLater(page.source, cut, body)
    raw_html = RawHtml(later, page.source.encoding, page.thread.url, frozenset(drop_params))
    return BodyParts(node_text(body), (), "", raw_html)


class _BodyLater:
    """Cut (or serialise) one post's body when first asked; holds the page's tree till then."""

    __slots__ = ("source", "cut", "element")

    def __init__(self, source: PageSource, cut: BodyCut | None, element: Element) -> None:
        """Keep what the body is cut from, and the element to serialise if cutting fails."""
        self.source, self.cut, self.element = source, cut, element

    def __call__(self) -> bytes | str:
        """Return the body's markup: page bytes where they can be cut, else serialised."""
        cut = self.cut
        raw = self.source.inner_html(cut.marker, until=cut.until, then=cut.then, stop=cut.stop
                                     ) if cut is not None else None
        return raw if raw is not None else _inner_html(self.element)


def _inner_html(node: Element) -> str:
    """Serialise the children of `node`: one tostring call, then cut the wrapper tag off."""
    markup = etree.tostring(node, encoding="unicode", method="html", with_tail=False)
    start = markup.find(">") + 1
    end = markup.rfind("</")
    return (markup[start:end] if end >= start else markup[start:]).strip()


# --- the engine contract ------------------------------------------------------------------

class Engine:
    """A forum engine: parses its thread and listing pages and knows its URL scheme.

    Subclasses set `key`, `capabilities`, `post_nodes`, and implement `thread_info`,
    `parse_post`, `parse_listing`, `page_url` and `canonical_thread_url`. Options come
    from the forum definition (`posts_per_page`, `encoding`, `date_formats`, …).
    """

    key: ClassVar[str] = ""
    capabilities: ClassVar[frozenset[str]] = frozenset({"read"})
    post_nodes: ClassVar[Callable[[Any], list[Any]]]
    # strptime formats tried before the tolerant reader; a forum's `date_formats` option wins.
    date_formats: ClassVar[tuple[str, ...]] = ()

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        """Keep the forum's engine options (URL building needs them without a ParseContext)."""
        self.options: Mapping[str, Any] = dict(options or {})

    def __repr__(self) -> str:
        """Show the engine key."""
        return f"<{type(self).__name__} {self.key!r}>"

    @classmethod
    def option_problems(cls, options: Mapping[str, Any]) -> list[tuple[tuple[str, ...], str]]:
        """Return what is wrong with a definition's engine_options, as (path below it, message).

        Called when definitions are loaded, so a mistake is named with its file and line
        before any page is read. Most engines take free-form options and find nothing.
        """
        return []

    def inspect(self, body: bytes, ctx: ParseContext) -> list[Any]:
        """Say what each configured selector finds on a page (`repapp forums check`); none here."""
        return []

    def option(self, ctx: ParseContext | None, name: str, default: Any = None) -> Any:
        """Read an engine option, the parse context's value winning over the engine's."""
        if ctx is not None and name in ctx.options:
            return ctx.options[name]
        return self.options.get(name, default)

    # -- threads --

    def parse_thread(self, body: bytes, ctx: ParseContext, *, defer_html: bool = False) -> ThreadPage:
        """Parse one thread page; a page without posts means the layout changed.

        With `defer_html`, post bodies are not sanitized here: each PostItem carries its
        body as RawHtml and `sanitized_html()` cleans it when (if) it is stored. The
        scraper asks for this; everything else gets `html` filled in.
        """
        encoding = detect_encoding(body, ctx.options.get("encoding"))
        doc = parse_html(body, encoding, ctx)
        nodes = self.post_nodes(doc)
        if not nodes:
            self.raise_forum_message(doc, ctx)
            raise LayoutChanged(ctx.url, f"{self.key}: no posts found on a thread page")
        thread = self.thread_info(doc, ctx)
        page = Page(thread, Links(ctx.url), PageSource(body, encoding), defer_html)
        posts = tuple(self.parse_post(node, page, ctx) for node in nodes)
        return ThreadPage(thread=thread, posts=posts)

    def thread_info(self, doc: Element, ctx: ParseContext) -> ThreadItem:
        """Read title, canonical URL, page numbers and counters of the thread."""
        raise NotImplementedError

    def parse_post(self, node: Element, page: Page, ctx: ParseContext) -> PostItem:
        """Turn one post container into a PostItem."""
        raise NotImplementedError

    def raise_forum_message(self, doc: Element, ctx: ParseContext) -> None:
        """Raise ParseError if the page is the forum's own error or login page (a hook)."""

    # -- listings --

    # An XPath or a Find (an anchored fast form first: a `//` scan of a page costs ~0.3 ms).
    _forum_crumb: Callable[[Any], list[Any]] | None = None

    def listing_page_url(self, listing_url: str, page: int) -> str:
        """Return page N of a forum listing (most engines take ?page=N)."""
        return listing_url if page <= 1 else with_query(listing_url, page=page)

    def forum_url(self, doc: Element, ctx: ParseContext) -> str | None:
        """Return the listing the thread belongs to (last forum breadcrumb), without session ids."""
        if self._forum_crumb is None:
            return None
        found = self._forum_crumb(doc)
        if not found:
            return None
        return strip_query(Links(ctx.url).absolute(str(found[0])), ("sid", "s"))

    def parse_listing(self, body: bytes, ctx: ParseContext) -> ListingPage:
        """Parse one page of a forum's thread list."""
        raise NotImplementedError

    # -- URLs --

    def page_url(self, thread_url: str, page: int) -> str:
        """Return the URL of page `page` (1-based) of a thread."""
        raise NotImplementedError

    def canonical_thread_url(self, url: str) -> str:
        """Return the thread URL without session ids, page parameters or fragments."""
        raise NotImplementedError

    # -- helpers for subclasses --

    def require(self, node: Any, what: str, ctx: ParseContext) -> Any:
        """Return `node`, or raise LayoutChanged naming the missing element."""
        if node is None or (isinstance(node, str) and not node.strip()):
            raise LayoutChanged(ctx.url, f"{self.key}: {what} not found")
        return node

    def resolve_date(
        self, text: str | Element | None, iso: str | None, ctx: ParseContext,
    ) -> datetime | None:
        """Prefer a machine-readable ISO value; fall back to the text as the forum prints it.

        `text` may be the element showing the date: its text is only read when needed.
        """
        parsed = parse_iso(iso, ctx.timezone)
        if parsed is not None:
            return parsed
        shown = node_text(text) if text is not None and not isinstance(text, str) else text
        return parse_forum_date(
            shown, tz=ctx.timezone, now=ctx.fetched_at, locale=ctx.date_locale,
            formats=tuple(self.option(ctx, "date_formats", self.date_formats)),
        )

    @staticmethod
    def page_numbers(texts: Sequence[str]) -> list[int]:
        """Keep the numeric entries of a pagination widget ("1", "2", "»" -> [1, 2])."""
        return [int(t) for t in (s.strip() for s in texts) if t.isdigit()]
