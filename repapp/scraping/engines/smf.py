"""SMF 2.1 pages: `div.windowbg#msgN` posts, printed dates, `topic=ID.START` paging.

SMF keeps no trace of a removed post on the page (it goes to the recycle bin board), so a
deletion is simply a post the page no longer shows, which the pipeline detects.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..errors import ParseError
from ..items import ListingItem, ListingPage, ParseContext, PostItem, ThreadItem
from .base import (
    CAPABILITIES, Element, Engine, Links, Page, XPath, first, first_int, load_document, node_text,
)
from .html_tools import cited_author, drop_all, listing_page, make_post, page_count_from, split_post

# index.php?topic=7.20 / ?topic=7.msg40#msg40 / queryless index.php/topic,7.20.html
_TOPIC_QUERY = re.compile(r"(?<=[?&;])topic=(\d+)(?:\.(\w+))?")
_TOPIC_PATH = re.compile(r"^(?P<head>.*/)topic,(?P<id>\d+)(?:\.\w+)?\.html$")
_BOARD_QUERY = re.compile(r"(?<=[?&;])board=(\d+)(?:\.\d+)?")
_BOARD_PATH = re.compile(r"^(?P<head>.*/)board,(?P<id>\d+)(?:\.\d+)?\.html$")
_MSG = re.compile(r"(?:[.?&;]msg=?|#msg)(\d+)")


class SMFEngine(Engine):
    """Reads SMF 2.1 topic and message-index pages (default Curve2 theme)."""

    key = "smf"
    capabilities = CAPABILITIES
    date_formats = ("%B %d, %Y, %I:%M:%S %p", "%B %d, %Y, %I:%M %p")

    post_nodes = XPath(
        "//div[@id='forumposts']//div[starts-with(@id, 'msg')][has-class('windowbg')]"
        " | //div[@id='forumposts']//div[starts-with(@id, 'msg')][has-class('approvebg')]")
    _title = XPath("//h2[has-class('display_title')]/span[@id='top_subject']")
    _html_title = XPath("string(/html/head/title)")
    _pagelinks = XPath("(//div[has-class('pagelinks')])[1]")
    _current = XPath("string(.//span[has-class('current_page')])")
    _page_links = XPath(".//a[has-class('nav_page')]/text()")
    _forum_crumb = XPath(
        "(//div[has-class('navigate_section')]//li/a[contains(@href, 'board=')"
        " or contains(@href, '/board,')])[last()]/@href")
    _error = XPath("//div[@id='fatal_error']//div[has-class('padding')] | //div[@id='fatal_error']")
    _login_wall = XPath("boolean(//form[@id='frmLogin'])")
    _author = XPath("./div[has-class('post_wrapper')]/div[has-class('poster')]/h4")
    _stamp = XPath(".//div[has-class('keyinfo')]//div[has-class('postinfo')]/a[has-class('smalltext')]")
    _modified = XPath("string(.//div[has-class('postinfo')]/*[starts-with(@id, 'modified_')])")
    _body = XPath(".//div[has-class('post')]/div[has-class('inner')]")
    _signature = XPath(".//div[has-class('signature')]")
    _code_headers = XPath(".//div[has-class('codeheader')]")

    _listing_rows = XPath("//div[@id='topic_container']/div[.//div[has-class('message_index_title')]]")
    _row_link = XPath(".//div[has-class('message_index_title')]//span[starts-with(@id, 'msg_')]/a")
    _row_stats = XPath(".//div[has-class('board_stats')]//text()")
    _row_author = XPath(".//div[has-class('info')]/div/p[has-class('floatleft')]/a")
    _row_last = XPath(".//div[has-class('lastpost')]/p/a[1]")

    # -- threads --

    def raise_forum_message(self, doc: Element, ctx: ParseContext) -> None:
        """Raise ParseError for SMF's error box or its login-required page."""
        message = first(self._error, doc)
        if message is not None:
            raise ParseError(ctx.url, f"{self.key}: forum says {node_text(message)!r}")
        if self._login_wall(doc):
            raise ParseError(ctx.url, f"{self.key}: login required to read this page")

    def thread_info(self, doc: Element, ctx: ParseContext) -> ThreadItem:
        """Read the subject and the page index ("Pages 1 [2] 3")."""
        title = node_text(first(self._title, doc)) or node_text(self._html_title(doc))
        page, page_count = self._pages(doc)
        return ThreadItem(
            title=self.require(title, "topic subject", ctx),
            url=self.canonical_thread_url(ctx.url),
            page=page,
            page_count=page_count,
            views=None,  # SMF 2.1 shows views only in the message index
            post_count=None,
            forum_url=self.forum_url(doc, ctx),
        )

    def _pages(self, doc: Element) -> tuple[int, int]:
        """Read (current page, page count) from the first page index."""
        links = first(self._pagelinks, doc)
        if links is None:
            return 1, 1
        page = first_int(self._current(links)) or 1
        return page, page_count_from(page, self.page_numbers(self._page_links(links)))

    def parse_post(self, node: Element, page: Page, ctx: ParseContext) -> PostItem:
        """Read one `div.windowbg#msgN`; the signature sits in the moderator bar below the post."""
        post_id = node.get("id", "").removeprefix("msg")
        content = self.require(first(self._body, node), "post body", ctx)
        stamp = first(self._stamp, node)
        signature = first(self._signature, node)
        drop_all(self._code_headers(content))  # "Code  Select  Expand"
        body = split_post(content, self._quote_author, page)
        return make_post(
            body,
            external_id=self.require(post_id, "message id", ctx),
            url=page.links.absolute(stamp.get("href") if stamp is not None else
                                    f"index.php?topic={self._topic_id(page.thread.url)}.msg{post_id}#msg{post_id}"),
            author=node_text(first(self._author, node)),
            posted_at=self.resolve_date(node_text(stamp), None, ctx) if stamp is not None else None,
            # SMF always prints span#modified_N; it holds "Last Edit: … by alice" once edited.
            edited=bool(self._modified(node).strip()),
            signature=(node_text(signature) or None) if signature is not None else None,
        )

    @staticmethod
    def _quote_author(quote: Element) -> tuple[str | None, list[Any]]:
        """Read "Quote from: alice on November 20, 2026" / "Цитата: alice от …" in the cite."""
        cite = quote.find("cite")
        if cite is None:
            return None, []
        return cited_author(node_text(cite)), [cite]

    # -- listings --

    def parse_listing(self, body: bytes, ctx: ParseContext) -> ListingPage:
        """Parse the message index: one `div.windowbg` per topic in div#topic_container."""
        doc = load_document(body, ctx)
        return listing_page(self, doc, ctx, self._listing_rows(doc), self._listing_row,
                            url=self._board_root(ctx.url), pages=self._pages(doc))

    def _listing_row(self, row: Element, links: Links, ctx: ParseContext) -> ListingItem:
        """Read subject link, "Replies: 24 / Views: 1,237", starter and last post time."""
        link = self.require(first(self._row_link, row), "topic link in listing", ctx)
        url = self.canonical_thread_url(links.absolute(link.get("href")))
        counts = [n for n in (first_int(text) for text in self._row_stats(row)) if n is not None]
        replies, views = (counts + [None, None])[:2]
        last = first(self._row_last, row)
        return ListingItem(
            title=node_text(link),
            url=url,
            external_id=self._topic_id(url) or "",
            views=views,
            reply_count=replies,
            last_post_at=self.resolve_date(node_text(last), None, ctx) if last is not None else None,
            author=node_text(first(self._row_author, row)) or None,
        )

    def listing_page_url(self, listing_url: str, page: int) -> str:
        """index.php?board=1.START, START = (page-1) * topics per page (a board setting, default 20)."""
        per_page = int(self.options.get("topics_per_page", 20))
        return self._with_start(self._board_root(listing_url), "board", (page - 1) * per_page)

    # -- URLs --

    @staticmethod
    def _topic_id(url: str) -> str | None:
        """Return the topic number of a topic URL in either form."""
        query = _TOPIC_QUERY.search(url)
        if query:
            return query[1]
        parts = urlsplit(url)
        path = _TOPIC_PATH.match(urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")))
        return path["id"] if path else None

    def canonical_thread_url(self, url: str) -> str:
        """index.php?topic=7.0 (or index.php/topic,7.0.html): page offset, msg and fragment dropped."""
        parts = urlsplit(url)
        query = _TOPIC_QUERY.search(url)
        if query:
            return urlunsplit((parts.scheme, parts.netloc, parts.path, f"topic={query[1]}.0", ""))
        path = _TOPIC_PATH.match(urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")))
        if path:
            return f"{path['head']}topic,{path['id']}.0.html"
        return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))

    def page_url(self, thread_url: str, page: int) -> str:
        """topic=7.START, START = (page-1) * posts per page (a forum setting, default 15)."""
        per_page = int(self.options.get("posts_per_page", 15))
        return self._with_start(self.canonical_thread_url(thread_url), "topic", (page - 1) * per_page)

    @staticmethod
    def _with_start(url: str, kind: str, start: int) -> str:
        """Replace the ".0" start of topic=7.0 / board=1.0 (or topic,7.0.html) with `start`."""
        return re.sub(rf"({kind}[=,]\d+)\.\d+", rf"\g<1>.{start}", url, count=1)

    def _board_root(self, url: str) -> str:
        """Return index.php?board=1.0 (or board,1.0.html) for any page of a board."""
        parts = urlsplit(url)
        query = _BOARD_QUERY.search(url)
        if query:
            return urlunsplit((parts.scheme, parts.netloc, parts.path, f"board={query[1]}.0", ""))
        path = _BOARD_PATH.match(urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")))
        if path:
            return f"{path['head']}board,{path['id']}.0.html"
        return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))

    def forum_url(self, doc: Element, ctx: ParseContext) -> str | None:
        """Return the board the topic sits in (last board link of the link tree)."""
        found = self._forum_crumb(doc)
        return self._board_root(Links(ctx.url).absolute(str(found[0]))) if found else None

    @staticmethod
    def post_id_from_url(url: str) -> str | None:
        """Return N of topic=7.msgN#msgN, or None."""
        match = _MSG.search(url)
        return match[1] if match else None

