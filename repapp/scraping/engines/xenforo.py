"""XenForo 2.x pages: `article.message--post` posts, Unix times in `time[data-time]`, `page-N` paging."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..errors import ParseError
from ..items import ListingItem, ListingPage, ParseContext, PostItem, ThreadItem
from .base import (
    CAPABILITIES, Element, Engine, Find, Links, Page, XPath, first, load_document, node_text,
)
from .html_tools import (
    drop_all, epoch, in_zone, listing_page, make_post, page_count_from, path_root, short_number, split_post,
)

# Routes live in the path (/threads/slug.123/) or, without friendly URLs, in the query
# (index.php?threads/slug.123/); the slug is optional (/threads/123/).
_THREAD = re.compile(r"(?P<head>.*?(?:^|/|\?)threads/(?:[^/?#]*\.)?(?P<id>\d+))(?=[/?#]|$)")
_FORUM = re.compile(r"(?P<head>.*?(?:^|/|\?)forums/(?:[^/?#]*\.)?\d+)(?=[/?#]|$)")
_POST = re.compile(r"(?:^|/|\?)(?:posts/|threads/[^/?#]*/post-)(\d+)")


class XenForoEngine(Engine):
    """Reads XenForo 2.x thread and forum pages (default style)."""

    key = "xenforo"
    capabilities = CAPABILITIES

    # Deleted posts are a compact `div.message--deleted` placeholder, not an article: left out,
    # so the pipeline marks the stored post deleted.
    post_nodes = Find(
        "/html/body/div/div[has-class('p-body')]//div[has-class('block-body')]"
        "/article[has-class('message--post')][starts-with(@data-content, 'post-')]",
        "//article[has-class('message')][starts-with(@data-content, 'post-')]",
    )
    _title = XPath("//h1[has-class('p-title-value')]")
    _canonical = XPath("string(/html/head/link[@rel='canonical']/@href)")
    _page_nav = XPath("(//div[has-class('pageNav')])[1]")
    _current = XPath("string(.//li[has-class('pageNav-page--current')])")
    _page_links = XPath(".//ul[has-class('pageNav-main')]/li/a/text()")
    _forum_crumb = XPath(
        "(//ul[has-class('p-breadcrumbs')]/li/a[contains(@href, 'forums/')])[last()]/@href")
    _message = XPath("//div[has-class('blockMessage')][not(ancestor::article)]")
    _stamp = XPath(".//header[has-class('message-attribution')]//time[has-class('u-dt')]")
    _body = XPath(".//article[has-class('message-body')]//div[has-class('bbWrapper')]")
    _last_edit = XPath("boolean(.//div[has-class('message-lastEdit')])")
    _signature = XPath(".//aside[has-class('message-signature')]")
    _quote_furniture = XPath(".//div[has-class('bbCodeBlock-expandLink')]")
    _code_titles = XPath(".//div[has-class('bbCodeBlock--code')]/div[has-class('bbCodeBlock-title')]")

    _listing_rows = XPath("//div[has-class('structItem--thread')]")
    _row_title = XPath("./div[has-class('structItem-cell--main')]/div[has-class('structItem-title')]"
                       "/a[contains(@href, 'threads/')][last()]")
    _row_pairs = XPath("./div[has-class('structItem-cell--meta')]/dl")
    _row_latest = XPath("./div[has-class('structItem-cell--latest')]//time")
    _row_author = XPath("string(@data-author)")

    # -- threads --

    def raise_forum_message(self, doc: Element, ctx: ParseContext) -> None:
        """Raise ParseError for XenForo's message block (no permission, thread not found)."""
        message = first(self._message, doc)
        if message is not None:
            raise ParseError(ctx.url, f"{self.key}: forum says {node_text(message)!r}")

    def thread_info(self, doc: Element, ctx: ParseContext) -> ThreadItem:
        """Read the title, the canonical link and the page navigation."""
        title = self.require(node_text(first(self._title, doc)), "thread title", ctx)
        url = self._canonical(doc) or ctx.url
        page, page_count = self._pages(doc)
        return ThreadItem(
            title=title,
            url=self.canonical_thread_url(Links(ctx.url).absolute(url)),
            page=page,
            page_count=page_count,
            views=None,  # XenForo shows views only in forum listings
            post_count=None,
            forum_url=self.forum_url(doc, ctx),
        )

    def parse_post(self, node: Element, page: Page, ctx: ParseContext) -> PostItem:
        """Read one `article.message`: data-author, data-time, body, last-edit note, signature."""
        post_id = node.get("data-content", "").removeprefix("post-")
        content = self.require(first(self._body, node), "post body", ctx)
        stamp = first(self._stamp, node)
        signature = first(self._signature, node)
        drop_all(self._quote_furniture(content))
        drop_all(self._code_titles(content))
        body = split_post(content, self._quote_author, page)
        link = stamp.getparent() if stamp is not None and stamp.getparent().tag == "a" else None
        return make_post(
            body,
            external_id=self.require(post_id, "post id", ctx),
            url=page.links.absolute(link.get("href")) if link is not None
            else f"{page.thread.url}post-{post_id}",
            author=node.get("data-author", "").strip(),
            posted_at=self._date(stamp, ctx),
            edited=self._last_edit(node),
            signature=(node_text(signature) or None) if signature is not None else None,
        )

    def _date(self, stamp: Element | None, ctx: ParseContext) -> datetime | None:
        """Prefer data-time (Unix seconds), then datetime, then the printed text."""
        if stamp is None:
            return None
        return epoch(stamp.get("data-time"), ctx.timezone) or in_zone(self.resolve_date(
            stamp, stamp.get("datetime"), ctx), ctx.timezone)

    @staticmethod
    def _quote_author(quote: Element) -> tuple[str | None, list[Any]]:
        """Read the author from `blockquote[data-quote]`; its "bob said:" title goes from the text."""
        titles = [div for div in quote.iterchildren("div") if " bbCodeBlock-title " in f" {div.get('class', '')} "]
        return (quote.get("data-quote") or None), titles

    def _pages(self, doc: Element) -> tuple[int, int]:
        """Read (current page, page count) from the first page navigation."""
        nav = first(self._page_nav, doc)
        if nav is None:
            return 1, 1
        page = short_number(self._current(nav)) or 1
        return page, page_count_from(page, self.page_numbers(self._page_links(nav)))

    # -- listings --

    def parse_listing(self, body: bytes, ctx: ParseContext) -> ListingPage:
        """Parse forum_view: one `div.structItem--thread` per thread."""
        doc = load_document(body, ctx)
        # A forum with no threads yet still has its title: empty, not a changed layout.
        return listing_page(self, doc, ctx, self._listing_rows(doc), self._listing_row,
                            url=self._listing_root(ctx.url), pages=self._pages(doc),
                            empty_ok=first(self._title, doc) is not None)

    def _listing_row(self, row: Element, links: Links, ctx: ParseContext) -> ListingItem:
        """Read title, "Replies" and "Views" pairs (shortened: 1.2K), latest post time, starter."""
        link = self.require(first(self._row_title, row), "thread link in listing", ctx)
        url = self.canonical_thread_url(links.absolute(link.get("href")))
        match = _THREAD.match(url)
        counts = [short_number(node_text(pair.find("dd"))) for pair in self._row_pairs(row)]
        replies, views = (counts + [None, None])[:2]
        latest = first(self._row_latest, row)
        return ListingItem(
            title=node_text(link),
            url=url,
            external_id=self.require(match["id"] if match else None, "thread id in listing", ctx),
            views=views,
            reply_count=replies,
            last_post_at=self._date(latest, ctx),
            author=self._row_author(row) or None,
        )

    def listing_page_url(self, listing_url: str, page: int) -> str:
        """/forums/slug.5/page-N."""
        root = self._listing_root(listing_url)
        return root if page <= 1 else f"{root}page-{page}"

    @staticmethod
    def _listing_root(url: str) -> str:
        """Return /forums/slug.5/ without page, query or fragment."""
        return path_root(_FORUM, url)

    # -- URLs --

    def canonical_thread_url(self, url: str) -> str:
        """Keep /threads/slug.123/: drop page-N, post-N, the query and the fragment.

        The slug stays: XenForo answers a URL without it with a redirect to the one with it.
        """
        match = _THREAD.match(url.split("#", 1)[0])
        if match is None:
            parts = urlsplit(url)
            return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
        return match["head"] + "/"

    def page_url(self, thread_url: str, page: int) -> str:
        """/threads/slug.123/page-N for later pages."""
        canonical = self.canonical_thread_url(thread_url)
        return canonical if page <= 1 else f"{canonical}page-{page}"

    @staticmethod
    def post_id_from_url(url: str) -> str | None:
        """Return N of /posts/N/ or /threads/slug.1/post-N, or None."""
        match = _POST.search(url)
        return match[1] if match else None
