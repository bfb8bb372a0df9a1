"""vBulletin 3.8 and 4.x pages: `post_message_<id>` bodies, printed dates, `page=N` paging.

One engine reads both generations; they share the message ids, the showthread/forumdisplay
scripts and the "Page 2 of 3" widget, and differ in the frame around a post: 3.8 puts each
post in `table#post<id>` (postbit_legacy), 4.x in `li#post_<id>.postcontainer`. Large Russian
boards on either are often served in windows-1251, which the page's meta charset announces.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

from ..errors import ParseError
from ..items import ListingItem, ListingPage, ParseContext, PostItem, ThreadItem
from .base import (
    CAPABILITIES, Element, Engine, Links, Page, XPath, first, first_int, load_document, node_text,
    strip_query,
)
from .html_tools import cited_author, drop_all, listing_page, make_post, retag, split_post

# vBulletin 4 "friendly" addresses: showthread.php?123-title/page2 (query), or
# showthread.php/123-title/page2 and /threads/123-title/page2 (path).
_FRIENDLY = re.compile(r"^(?P<id>\d+)(?:-[^/]*)?(?:/page(?P<page>\d+))?/?$")
_PATH_FRIENDLY = re.compile(
    r"(?P<head>.*/(?:showthread\.php|threads)/(?P<id>\d+)(?:-[^/?#]*)?)(?:/page\d+)?/?$")
_FORUM_FRIENDLY = re.compile(r"(?P<head>.*/(?:forumdisplay\.php|forums)/\d+(?:-[^/?#]*)?)(?:/page\d+)?/?$")
_PAGE_OF = re.compile(r"(\d+)\D+(\d+)")
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")
_SESSION_PARAMS = ("s",)
# 4.x friendly queries hold a bare route ("?4512-title&p=9"): edit them as text, because
# parse_qsl would turn the route into "4512-title=".
_SESSION = re.compile(r"(?<=[?&])s=[^&#]*&?")


def _without_session(url: str) -> str:
    """Drop vBulletin's `s=` session id from a link, leaving a friendly route intact."""
    return re.sub(r"[?&](?=#|$)", "", _SESSION.sub("", url))


class VBulletinEngine(Engine):
    """Reads vBulletin 3.8 (postbit_legacy) and 4.x (postbit_legacy/postbit) thread pages."""

    key = "vbulletin"
    capabilities = CAPABILITIES

    # A deleted post is shown (to those allowed to see the notice) as the same frame without
    # its message: only frames holding a message are posts.
    post_nodes = XPath(
        "//table[starts-with(@id, 'post')][.//div[starts-with(@id, 'post_message_')]]"
        " | //li[starts-with(@id, 'post_')][has-class('postcontainer')]"
        "[.//div[starts-with(@id, 'post_message_')]]"
    )
    _message = XPath(".//div[starts-with(@id, 'post_message_')]")
    _title4 = XPath("//div[@id='pagetitle']//span[has-class('threadtitle')]")
    _title3 = XPath("(//td[has-class('navbar')]/strong)[last()]")
    _html_title = XPath("string(/html/head/title)")
    _base = XPath("string(/html/head/base/@href)")
    _canonical = XPath("string(/html/head/link[@rel='canonical']/@href)")
    _page_of = XPath(
        "(//div[has-class('pagenav')]//td[has-class('vbmenu_control')]"
        " | //form[has-class('pagination')]//a[has-class('popupctrl')])[1]")
    _results = XPath(
        "string((//div[has-class('pagenav')]//span[@title][strong]/@title"
        " | //form[has-class('pagination')]//span[has-class('selected')]/a/@title)[1])")
    _forum_crumb = XPath(
        "(//*[has-class('navbar') or @id='breadcrumb']//a[contains(@href, 'forumdisplay.php')"
        " or contains(@href, '/forums/')])[last()]/@href")
    _forum_message = XPath(
        "//div[has-class('standard_error')]//div[has-class('blockrow')]"
        " | //td[has-class('panelsurround')]//div[has-class('panel')]")
    # Author: 3.8 `a.bigusername` (a guest's name: span.bigusername), 4.x `.username`.
    _author = XPath(
        ".//*[has-class('bigusername')] | .//div[has-class('username_container')]"
        "//*[has-class('username')]")
    _date4 = XPath(".//div[has-class('posthead')]//span[has-class('date')]")
    _date3 = XPath("(./tr/td[has-class('thead')] | ./tbody/tr/td[has-class('thead')])[1]")
    _counter4 = XPath("string(.//a[has-class('postcounter')]/@href)")
    _edit4 = XPath("boolean(.//blockquote[has-class('lastedited')])")
    _edit3 = XPath("boolean(./following-sibling::div[has-class('smallfont')][em])")
    _signature4 = XPath(".//blockquote[has-class('signature')] | .//div[has-class('signaturecontainer')]")
    _signature3 = XPath("./following-sibling::div[not(@class)][starts-with(normalize-space(), '____')]")
    _postcontent4 = XPath("./blockquote[has-class('postcontent')]")
    # Quote boxes: 4.x div.bbcode_container around div.bbcode_quote; 3.8 a div holding the
    # "Quote:" caption and a table. Code boxes share both frames, so the test is on the inside.
    _quotes4 = XPath(".//div[has-class('bbcode_container')][div[has-class('bbcode_quote')]]")
    _quotes3 = XPath(".//div[div[has-class('smallfont')]][table]")
    _code_captions = XPath(
        ".//div[has-class('bbcode_container')]/div[has-class('bbcode_description')]"
        " | .//div[div[has-class('smallfont')]][pre or div[has-class('alt2')]]/div[has-class('smallfont')]")

    _rows3 = XPath("//tbody[starts-with(@id, 'threadbits_forum_')]/tr[td[starts-with(@id, 'td_threadtitle_')]]")
    _row_link3 = XPath(".//a[starts-with(@id, 'thread_title_')]")
    _rows4 = XPath("//ol[@id='threads']/li[starts-with(@id, 'thread_')]")
    _row_link4 = XPath(".//a[has-class('title')]")
    _row_stats4 = XPath(".//ul[has-class('threadstats')]/li")
    _row_author4 = XPath(".//div[has-class('author')]//a[has-class('username')]")
    _row_last4 = XPath(".//dl[has-class('threadlastpost')]/dd[last()]")

    # -- threads --

    def raise_forum_message(self, doc: Element, ctx: ParseContext) -> None:
        """Raise ParseError for vBulletin's message page (no permission, invalid thread)."""
        message = first(self._forum_message, doc)
        if message is not None:
            raise ParseError(ctx.url, f"{self.key}: forum says {node_text(message)!r}")

    def thread_info(self, doc: Element, ctx: ParseContext) -> ThreadItem:
        """Read the title, "Page 2 of 3" and the post total from the page widget's title."""
        heading = first(self._title4, doc)
        if heading is None:
            heading = first(self._title3, doc)
        title = node_text(heading) or node_text(self._html_title(doc)).rpartition(" - ")[0]
        page, page_count = self._pages(doc)
        # "Showing results 11 to 20 of 25" / "Показано с 11 по 20 из 25": the last number.
        totals = _NUMBER.findall(self._results(doc))
        return ThreadItem(
            title=self.require(title, "thread title", ctx),
            url=self.canonical_thread_url(self._links(doc, ctx).absolute(self._canonical(doc) or ctx.url)),
            page=page,
            page_count=page_count,
            views=None,  # vBulletin shows views only in forum listings
            post_count=first_int(totals[-1]) if totals else None,
            forum_url=self.forum_url(doc, ctx),
        )

    def _links(self, doc: Element, ctx: ParseContext) -> Links:
        """Resolve links against the page's <base href> (4.x has one), else the page URL."""
        base = self._base(doc)
        return Links(urljoin(ctx.url, base)) if base else Links(ctx.url)

    def forum_url(self, doc: Element, ctx: ParseContext) -> str | None:
        """Return the last forum breadcrumb, resolved like the page's other links."""
        found = self._forum_crumb(doc)
        if not found:
            return None
        return self._listing_root(self._links(doc, ctx).absolute(str(found[0])))

    def _pages(self, doc: Element) -> tuple[int, int]:
        """Read "Page 2 of 3" / "Страница 2 из 3"; a one-page thread has no widget."""
        widget = first(self._page_of, doc)
        match = _PAGE_OF.search(node_text(widget)) if widget is not None else None
        if match is None:
            return 1, 1
        page, count = int(match[1]), int(match[2])
        return page, max(page, count)

    def parse_post(self, node: Element, page: Page, ctx: ParseContext) -> PostItem:
        """Read one post frame of either generation."""
        message = self.require(first(self._message, node), "post message", ctx)
        post_id = message.get("id", "").removeprefix("post_message_")
        modern = node.tag == "li"
        signature = first(self._signature4 if modern else self._signature3,
                          node if modern else message)
        edited = self._edit4(node) if modern else self._edit3(message)
        date = first(self._date4 if modern else self._date3, node)
        # 4.x wraps every message in blockquote.postcontent: that is the body, and no quote.
        content = first(self._postcontent4, message)
        if content is None:
            content = message
        content.tag = "div"
        retag(self._quotes4(content) if modern else self._quotes3(content))
        drop_all(self._code_captions(content))
        # 4.x pages carry <base href>: their relative links resolve against it, not the page.
        links = self._links(node.getroottree().getroot(), ctx)
        body = split_post(content, self._quote_author, page, drop_params=_SESSION_PARAMS,
                          base_url=links.base)
        permalink = self._counter4(node) if modern else ""
        return make_post(
            body,
            external_id=self.require(post_id, "post id", ctx),
            url=links.absolute(_without_session(permalink) if permalink
                               else f"showthread.php?p={post_id}#post{post_id}"),
            author=node_text(first(self._author, node)),
            posted_at=self.resolve_date(self._date_text(date), None, ctx),
            edited=edited,
            signature=self._signature_text(signature),
        )

    @staticmethod
    def _date_text(cell: Element | None) -> str:
        """Return the printed date of a post head ("Сегодня, 09:15", "20.11.2026, 09:15")."""
        return node_text(cell) if cell is not None else ""

    @staticmethod
    def _signature_text(signature: Element | None) -> str | None:
        """Return the signature without 3.8's "__________________" rule."""
        if signature is None:
            return None
        return node_text(signature).lstrip("_ ").strip() or None

    @staticmethod
    def _quote_author(quote: Element) -> tuple[str | None, list[Any]]:
        """Read "Originally Posted by <strong>bob</strong>" / "Сообщение от bob" and drop the captions."""
        header = next((div for div in quote.iter("div")
                       if " bbcode_postedby " in f" {div.get('class', '')} "), None)
        caption = next((div for div in quote.iterchildren("div")
                        if " smallfont " in f" {div.get('class', '')} "), None)
        if header is None:
            # 3.8: the first div of the quote's cell names the author when there is one.
            cell = next(quote.iter("td"), None)
            first_div = cell.find("div") if cell is not None else None
            if first_div is not None and first_div.find("strong") is not None:
                header = first_div
        nodes = [n for n in (caption, header) if n is not None]
        if header is None:
            return None, nodes
        strong = header.find(".//strong")
        author = node_text(strong) if strong is not None else cited_author(node_text(header))
        return author or None, nodes

    # -- listings --

    def parse_listing(self, body: bytes, ctx: ParseContext) -> ListingPage:
        """Parse forumdisplay.php of either generation."""
        doc = load_document(body, ctx)
        rows4, rows3 = self._rows4(doc), self._rows3(doc)
        return listing_page(self, doc, ctx, rows4 or rows3, self._listing_row4 if rows4 else self._listing_row3,
                            url=self._listing_root(ctx.url), pages=self._pages(doc), links=self._links(doc, ctx))

    def _listing_row3(self, row: Element, links: Links, ctx: ParseContext) -> ListingItem:
        """3.8 threadbit: title cell, last-post cell, then replies and views columns."""
        link = self.require(first(self._row_link3, row), "thread link in listing", ctx)
        cells = row.findall("td")
        title_at = next(i for i, c in enumerate(cells) if c.get("id", "").startswith("td_threadtitle_"))
        numbers = [first_int(node_text(c)) for c in cells[title_at + 2: title_at + 4]]
        replies, views = (numbers + [None, None])[:2]
        starter = cells[title_at].find(".//div[@class='smallfont']")
        last = cells[title_at + 1] if len(cells) > title_at + 1 else None
        return ListingItem(
            title=node_text(link),
            url=self.canonical_thread_url(links.absolute(link.get("href"))),
            external_id=link.get("id", "").removeprefix("thread_title_"),
            views=views,
            reply_count=replies,
            last_post_at=self._last_post_at(last, ctx),
            author=node_text(starter) or None,
        )

    def _listing_row4(self, row: Element, links: Links, ctx: ParseContext) -> ListingItem:
        """4.x threadbit: a.title, ul.threadstats ("Replies: 24", "Views: 1,237"), dl.threadlastpost."""
        link = self.require(first(self._row_link4, row), "thread link in listing", ctx)
        stats = [first_int(node_text(li)) for li in self._row_stats4(row)]
        replies, views = (stats + [None, None])[:2]
        author = first(self._row_author4, row)
        return ListingItem(
            title=node_text(link),
            url=self.canonical_thread_url(links.absolute(link.get("href"))),
            external_id=row.get("id", "").removeprefix("thread_"),
            views=views,
            reply_count=replies,
            last_post_at=self._last_post_at(first(self._row_last4, row), ctx),
            author=node_text(author) or None,
        )

    def _last_post_at(self, cell: Element | None, ctx: ParseContext) -> datetime | None:
        """Read "Сегодня 09:15 от bob" up to its "by"/"от" part."""
        if cell is None:
            return None
        text = re.split(r"\s(?:by|от|від)\s", node_text(cell), maxsplit=1)[0]
        return self.resolve_date(text, None, ctx)

    # -- URLs --

    def canonical_thread_url(self, url: str) -> str:
        """showthread.php?t=123 (3.8) or the 4.x friendly showthread.php?123-title, without page."""
        parts = urlsplit(url)
        query = parse_qs(parts.query, keep_blank_values=True)
        if query.get("t"):
            return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode({"t": query["t"][0]}), ""))
        friendly = _FRIENDLY.match(parts.query.split("&", 1)[0]) if parts.query else None
        if friendly:
            route = parts.query.split("&", 1)[0]
            route = re.sub(r"/page\d+/?$", "", route)
            return urlunsplit((parts.scheme, parts.netloc, parts.path, route, ""))
        path = _PATH_FRIENDLY.match(urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")))
        if path:
            return path["head"]
        if query.get("p"):
            return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode({"p": query["p"][0]}), ""))
        return strip_query(url, ("page", "s", "pp"), keep_fragment=False)

    def page_url(self, thread_url: str, page: int) -> str:
        """showthread.php?t=123&page=N, or .../123-title/pageN in 4.x friendly form."""
        canonical = self.canonical_thread_url(thread_url)
        if page <= 1:
            return canonical
        if "?t=" in canonical or "?p=" in canonical:
            return f"{canonical}&page={page}"
        return f"{canonical}/page{page}"

    def listing_page_url(self, listing_url: str, page: int) -> str:
        """forumdisplay.php?f=2&page=N, or .../2-name/pageN."""
        root = self._listing_root(listing_url)
        if page <= 1:
            return root
        return f"{root}&page={page}" if "?f=" in root else f"{root}/page{page}"

    @staticmethod
    def _listing_root(url: str) -> str:
        """Return the listing address without page, session or sort parameters."""
        parts = urlsplit(url)
        query = parse_qs(parts.query, keep_blank_values=True)
        if query.get("f"):
            return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode({"f": query["f"][0]}), ""))
        if parts.query and _FRIENDLY.match(parts.query.split("&", 1)[0]):
            route = re.sub(r"/page\d+/?$", "", parts.query.split("&", 1)[0])
            return urlunsplit((parts.scheme, parts.netloc, parts.path, route, ""))
        path = _FORUM_FRIENDLY.match(urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")))
        return path["head"] if path else strip_query(url, ("page", "s"), keep_fragment=False)
