"""Sanitize scraped post HTML with nh3 before it is ever stored for display."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

import nh3

__all__ = ["RawHtml", "sanitize_encoded", "sanitize_html"]

_TAGS = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "col",
    "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p",
    "pre", "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strike", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "tt", "u",
    "ul", "var", "wbr",
})
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
    "abbr": {"title"},
    "time": {"datetime"},
    # BBCode engines render bold, colour and size as inline styles (MyBB: style="font-weight:
    # bold"); only the properties below survive, see _STYLE_PROPERTIES.
    "span": {"style"},
    "div": {"style"},
    "p": {"style"},
}
_STYLE_PROPERTIES = frozenset({
    "color", "font-weight", "font-style", "text-decoration", "text-align", "font-size",
})
# Dropped together with their content: nothing inside them is post text worth keeping.
_CLEAN_CONTENT = frozenset({
    "script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math",
    "textarea", "select", "button", "frame", "frameset", "applet",
})
_URL_ATTRIBUTES = frozenset({"href", "src"})
_SCHEMES = frozenset({"http", "https"})

# nh3 takes its attribute filter once, at Cleaner construction; the page being cleaned
# (base URL, query parameters to drop) reaches the filter through this variable, which is
# safe across threads and tasks.
_page: ContextVar[tuple[str, re.Pattern[str] | None]] = ContextVar(
    "sanitize_page", default=("", None)
)


_SAFE_CSS_VALUE = re.compile(r"^(?:[#\w\s.,%+-]|(?:rgba?|hsla?)\([\d\s.,%]*\))*$", re.ASCII)


def _safe_style(value: str) -> str | None:
    """Keep declarations with plain values: no url(), expression() or escapes."""
    kept = []
    for declaration in value.split(";"):
        _, colon, css_value = declaration.partition(":")
        if colon and _SAFE_CSS_VALUE.match(css_value.strip()):
            kept.append(declaration.strip())
    return ";".join(kept) or None


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Route URL attributes and styles to their checks; leave other allowed attributes be."""
    if attribute == "style":
        return _safe_style(value)
    if attribute in _URL_ATTRIBUTES:
        return _absolute_http_url(value)
    return value


def _absolute_http_url(value: str) -> str | None:
    """Make a URL absolute against the page, drop session parameters, keep only http(s)."""
    base_url, drop = _page.get()
    value = value.strip()
    # Posts are full of links; the common shapes skip urljoin, which costs ~5 us a call.
    if value[:8].lower().startswith(("http://", "https://")):
        absolute = value
    else:
        absolute = _join(base_url, value)
        if absolute is None:
            return None
    if drop is not None and "?" in absolute:
        address, hash_mark, fragment = absolute.partition("#")
        absolute = drop.sub("", address).rstrip("?&") + hash_mark + fragment
    return absolute


def _join(base_url: str, value: str) -> str | None:
    """Resolve a relative link; None unless the result is http(s)."""
    origin, directory = _base_parts(base_url)
    if origin and value[:1] == "/" and value[:2] != "//":
        return origin + value
    if origin and value[:2] == "./" and value[2:3] != ".":
        return directory + value[2:]
    if origin and value[:1].isalnum() and ":" not in value.partition("?")[0].partition("#")[0]:
        return directory + value
    # Never raise here: nh3 reports callback errors through sys.unraisablehook.
    try:
        absolute = urljoin(base_url, value)
        scheme = urlsplit(absolute).scheme.lower()
    except ValueError:
        return None
    return absolute if scheme in _SCHEMES else None


@lru_cache(maxsize=256)
def _base_parts(base_url: str) -> tuple[str, str]:
    """Return the origin and directory of an http(s) page URL ("" for anything else)."""
    parts = urlsplit(base_url)
    if parts.scheme.lower() not in _SCHEMES or not parts.netloc:
        return "", ""
    origin = f"{parts.scheme}://{parts.netloc}"
    return origin, origin + parts.path[: parts.path.rfind("/") + 1]


@lru_cache(maxsize=64)
def _param_pattern(names: frozenset[str]) -> re.Pattern[str] | None:
    """Compile a pattern removing `name=value` pairs for the given query parameter names."""
    if not names:
        return None
    alternatives = "|".join(re.escape(name) for name in sorted(names))
    return re.compile(rf"(?<=[?&])(?:{alternatives})=[^&#]*&?")


_CLEANER = nh3.Cleaner(
    tags=set(_TAGS),
    clean_content_tags=set(_CLEAN_CONTENT),
    attributes={tag: set(names) for tag, names in _ATTRIBUTES.items()},
    attribute_filter=_filter_attribute,
    url_schemes=set(_SCHEMES),
    link_rel="nofollow noopener",
    strip_comments=True,
    filter_style_properties=set(_STYLE_PROPERTIES),
)


def sanitize_html(fragment: str, base_url: str, *, drop_params: Collection[str] = ()) -> str:
    """Return `fragment` safe to display: formatting, http(s) links and images, tables, code.

    Relative links become absolute against `base_url` and lose the query parameters named
    in `drop_params` (session ids); every link gets rel="nofollow noopener"; scripts,
    styles, frames, event handlers and javascript:/data: URLs are removed.
    """
    return _clean(fragment, base_url, frozenset(drop_params))


def sanitize_encoded(
    fragment: bytes, encoding: str, base_url: str, *, drop_params: Collection[str] = (),
) -> str:
    """Sanitize a fragment still in its page's encoding, as sanitize_html does."""
    return _clean(fragment.decode(encoding, "replace"), base_url, frozenset(drop_params))


# No result cache: the scraper defers sanitizing (RawHtml) to the posts it stores, which are
# new or edited ones, so a remembered result would almost never be asked for again.
@dataclass(frozen=True, slots=True, repr=False)
class RawHtml:
    """A post body as the forum sent it, not safe to show: only `sanitize()` reads it out.

    Engines hand this over instead of sanitized HTML when asked to defer (see
    `Engine.parse_thread`): nh3 costs more than parsing the whole page, and on a re-read
    almost every post is one already stored, whose HTML is never needed again. `fragment`
    may be a function that produces the markup, so that even cutting it out of the page
    waits until it is needed.
    """

    # Bytes in `encoding`, text, or a function returning either.
    fragment: bytes | str | Callable[[], bytes | str]
    encoding: str
    base_url: str
    drop_params: frozenset[str] = frozenset()

    def sanitize(self) -> str:
        """Return the body cleaned exactly as sanitize_html would clean it."""
        markup = self.fragment() if callable(self.fragment) else self.fragment
        text = markup if isinstance(markup, str) else markup.decode(self.encoding, "replace")
        return _clean(text, self.base_url, self.drop_params)

    def __repr__(self) -> str:
        """Say what kind of body this is, never its markup (not safe in logs or pages)."""
        kind = "deferred" if callable(self.fragment) else f"{len(self.fragment)} long"
        return f"<RawHtml {kind}>"


def _clean(fragment: str, base_url: str, drop_params: frozenset[str]) -> str:
    """Run nh3 with the page's base URL visible to the attribute filter."""
    token = _page.set((base_url, _param_pattern(drop_params)))
    try:
        return _CLEANER.clean(fragment).strip()
    finally:
        _page.reset(token)
