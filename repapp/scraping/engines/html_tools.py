"""What the engines added after the first three share: body splitting, counters, dates, quotes.

These engines serialise post bodies from the DOM (after dropping their furniture) rather
than cutting them from the page's bytes: their bodies hold quote boxes, "click to expand"
links and edit notes that must not reach the stored HTML, and they are not on the hot path
the first three engines are tuned for.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone, tzinfo
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..errors import LayoutChanged
from ..items import ListingItem, ListingPage, ParseContext, PostItem, ThreadItem
from .base import (
    BodyParts, Element, Engine, Links, Page, PageSource, QuoteHeader, drop, node_text, split_body, wrote_author,
)

__all__ = [
    "caption_name", "cited_author", "drop_all", "epoch", "in_zone", "listing_page", "make_page", "make_post",
    "page_count_from", "path_root", "retag", "short_number", "split_post", "texts",
]


_BREAKING = ("br", "p", "div", "li", "tr", "pre", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6")


def split_post(content: Element, quote_header: QuoteHeader, page: Page,
               drop_params: Sequence[str] = (), base_url: str | None = None) -> BodyParts:
    """Split a body serialised from the DOM; honour the page's deferred sanitizing when asked.

    Relative links resolve against `base_url` (a page's `<base href>`), else the thread URL.
    """
    # Script and style text is never post text (the sanitizer drops them from the HTML too).
    drop_all([node for node in content.iter("script", "style", "noscript") if node is not content])
    # BBCode engines print line breaks as a bare <br>: keep the words on both sides apart.
    for node in content.iter(*_BREAKING):
        if node is not content:
            node.tail = "\n" + (node.tail or "")
    return split_body(content, quote_header, base_url or page.thread.url, drop_params=drop_params,
                      defer=page.defer_html)


def make_page(thread: ThreadItem, links: Links, defer_html: bool = False) -> Page:
    """Build the per-page helpers for an engine that parses a page its own way (JSON)."""
    return Page(thread, links, PageSource(b"", "utf-8"), defer_html)


def listing_page(
    engine: Engine, doc: Element, ctx: ParseContext, rows: Sequence[Element],
    read_row: Callable[[Element, Links, ParseContext], ListingItem], *,
    url: str, pages: tuple[int, int], links: Links | None = None, empty_ok: bool = False,
) -> ListingPage:
    """Assemble a forum listing from its rows; no rows means the forum's own message or a new layout.

    `empty_ok` is for engines that can tell an empty forum from a changed layout.
    """
    if not rows and not empty_ok:
        engine.raise_forum_message(doc, ctx)
        raise LayoutChanged(ctx.url, f"{engine.key}: thread list not found")
    links = links or Links(ctx.url)
    return ListingPage(url=url, page=pages[0], page_count=pages[1],
                       threads=tuple(read_row(row, links, ctx) for row in rows))


def path_root(pattern: re.Pattern[str], url: str) -> str:
    """Return the `head` a route pattern finds in `url`, with a slash; else the URL without query or fragment."""
    match = pattern.match(url)
    if match is None:
        parts = urlsplit(url)
        return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return match["head"] + "/"


def make_post(body: BodyParts, **fields: Any) -> PostItem:
    """Build a PostItem from a split body and the post's other fields."""
    return PostItem(text=body.text, quotes=body.quotes, html=body.html, raw_html=body.raw_html, **fields)


def retag(nodes: Iterable[Element], tag: str = "blockquote") -> None:
    """Rename elements in place, so engine-specific quote boxes read as quotes to split_body."""
    for node in nodes:
        node.tag = tag


# "1,237", "1 237", "12.5K", "1,2 тыс.", "3M", "1.2k": XenForo and Invision shorten counters.
_SHORT = re.compile(
    r"(?P<num>\d+(?:[.,]\d+)?)\s*(?P<unit>[kкmм]\b|тыс\.?|тис\.?|млн\.?)?", re.IGNORECASE)
_GROUPED = re.compile(r"\d{1,3}(?:[,.\u00a0\u202f' ]\d{3})+(?!\d)")
_UNITS = {"k": 1_000, "к": 1_000, "тыс": 1_000, "тис": 1_000, "m": 1_000_000, "м": 1_000_000,
          "млн": 1_000_000}


def short_number(text: str | None) -> int | None:
    """Read a counter as forums print it: grouped thousands or a K/M (тыс./млн) abbreviation."""
    if not text:
        return None
    grouped = _GROUPED.search(text)
    match = _SHORT.search(text)
    if match is None:
        return None
    if grouped is not None and grouped.start() <= match.start() and not match["unit"]:
        return int(re.sub(r"\D", "", grouped.group(0)))
    number = float(match["num"].replace(",", "."))
    unit = (match["unit"] or "").lower().rstrip(".")
    return round(number * _UNITS.get(unit, 1))


def epoch(value: str | None, tz: tzinfo) -> datetime | None:
    """Read a Unix timestamp attribute (XenForo's data-time) as an aware time in the forum's zone."""
    if not value or not value.strip().isdigit():
        return None
    return datetime.fromtimestamp(int(value), timezone.utc).astimezone(tz)


def in_zone(moment: datetime | None, tz: tzinfo) -> datetime | None:
    """Express an aware time in the forum's zone (ISO values may come in UTC)."""
    return moment.astimezone(tz) if moment is not None else None


def page_count_from(page: int, numbers: Sequence[int]) -> int:
    """Return the page count a pagination widget shows: its highest number, at least `page`."""
    return max([page, *numbers])


# "Quote from: alice on November 20, 2026", "Цитата: alice от 20 Ноября", "Originally Posted by
# alice", "Сообщение от alice", "Повідомлення від alice".
_CITED = re.compile(
    r"^\s*(?:quote\s+from|originally\s+posted\s+by|сообщение\s+от|повідомлення\s+від"
    r"|quote|цитата)\s*[:：]?\s*(?P<author>.*?)\s*"
    r"(?:\s(?:on|от|від)\s+.*)?$",
    re.IGNORECASE,
)


def cited_author(header: str) -> str | None:
    """Read the author from a quote header in en/ru/uk, or "alice wrote:" forms."""
    text = " ".join(header.split())
    match = _CITED.match(text)
    if match and match["author"]:
        return match["author"].strip(" \"'«»:") or None
    if match:
        return None  # "Quote:" alone names nobody
    return wrote_author(text)


def caption_name(caption: str) -> str | None:
    """Read a quote caption: "bob wrote:" and "Quote from: bob" give bob, a bare name itself."""
    text = " ".join(caption.split())
    if _CITED.match(text) or wrote_author(text):
        return cited_author(text)
    return text.strip(" \"'«»:") or None


def drop_all(nodes: Iterable[Element]) -> bool:
    """Remove nodes (keeping the text that follows each); tell whether there were any."""
    found = False
    for node in list(nodes):
        drop(node)
        found = True
    return found


def texts(nodes: Iterable[Any]) -> list[str]:
    """Return the collapsed text of each node."""
    return [node_text(node) for node in nodes]

