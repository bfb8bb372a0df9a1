"""Invision Community 4.x pages: `article#elComment_N` posts, ISO `time[datetime]`, `/page/N/` paging.

Reading only: Invision's reply form is an AJAX editor flow with per-upload keys, so replies on
Invision forums are posted by hand and their links pasted (the engine does not declare "post").
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..errors import ParseError
from ..items import ListingItem, ListingPage, ParseContext, PostItem, ThreadItem
from .base import Element, Engine, Links, Page, XPath, first, first_int, load_document, node_text
from .html_tools import (
    drop_all, in_zone, listing_page, make_post, page_count_from, path_root, short_number, split_post,
)

# /topic/123-slug/ (also index.php?/topic/123-slug/ without rewriting); the slug is optional.
_TOPIC = re.compile(r"(?P<head>.*?/topic/(?P<id>\d+)(?:-[^/?#&]*)?)(?=[/?#&]|$)")
_FORUM = re.compile(r"(?P<head>.*?/forum/\d+(?:-[^/?#&]*)?)(?=[/?#&]|$)")
_COMMENT = re.compile(r"[?&]comment=(\d+)")


class InvisionEngine(Engine):
    """Reads Invision Community 4.x topic and forum pages (default theme)."""

    key = "invision"
    capabilities = frozenset({"read", "stats"})

    # Hidden, unapproved and deleted posts (what moderators see as `ipsModerated`) are left
    # out, so the pipeline marks a stored one deleted.
    post_nodes = XPath(
        "//article[starts-with(@id, 'elComment_')][has-class('ipsComment')][not(has-class('ipsModerated'))]")
    _title = XPath("(//h1[has-class('ipsType_pageTitle')])[1]")
    _canonical = XPath("string(/html/head/link[@rel='canonical']/@href)")
    _pagination = XPath("(//ul[has-class('ipsPagination')][@data-pages])[1]")
    _active = XPath("string(./li[has-class('ipsPagination_active')])")
    _forum_crumb = XPath(
        "(//nav[has-class('ipsBreadcrumb')]//li/a[contains(@href, '/forum/')])[last()]/@href")
    _error = XPath("//*[@id='elErrorMessage']")
    _author = XPath("./aside[has-class('ipsComment_author')]//h3[has-class('cAuthorPane_author')]")
    _wrap = XPath(".//div[@data-commentid]")
    _stamp = XPath(".//div[has-class('ipsComment_meta')]//time")
    _content = XPath(".//div[@data-role='commentContent']")
    _edit_notes = XPath("./*[@data-excludequote]")
    _signature = XPath(".//div[@data-role='memberSignature']/div")

    _listing_rows = XPath("//ol[has-class('ipsDataList')]/li[has-class('ipsDataItem')][@data-rowid]")
    _row_link = XPath(".//h4[has-class('ipsDataItem_title')]//a[contains(@href, '/topic/')][1]")
    _row_stats = XPath("./ul[has-class('ipsDataItem_stats')]/li")
    _row_author = XPath(".//div[has-class('ipsDataItem_meta')]//a[contains(@href, '/profile/')][1]")
    _row_last = XPath("./ul[has-class('ipsDataItem_lastPoster')]//time[@datetime]")

    # -- threads --

    def raise_forum_message(self, doc: Element, ctx: ParseContext) -> None:
        """Raise ParseError for Invision's error page (no permission, topic not found)."""
        message = first(self._error, doc)
        if message is not None:
            raise ParseError(ctx.url, f"{self.key}: forum says {node_text(message)!r}")

    def thread_info(self, doc: Element, ctx: ParseContext) -> ThreadItem:
        """Read the page title, canonical link and `ul.ipsPagination[data-pages]`."""
        title = self.require(node_text(first(self._title, doc)), "topic title", ctx)
        page, page_count = self._pages(doc)
        return ThreadItem(
            title=title,
            url=self.canonical_thread_url(Links(ctx.url).absolute(self._canonical(doc) or ctx.url)),
            page=page,
            page_count=page_count,
            views=None,  # Invision shows views only in forum listings
            post_count=None,
            forum_url=self.forum_url(doc, ctx),
        )

    def _pages(self, doc: Element) -> tuple[int, int]:
        """Read (current page, page count); a one-page topic has no pagination."""
        pagination = first(self._pagination, doc)
        if pagination is None:
            return 1, 1
        page = first_int(self._active(pagination)) or 1
        return page, page_count_from(page, [first_int(pagination.get("data-pages")) or 1])

    def parse_post(self, node: Element, page: Page, ctx: ParseContext) -> PostItem:
        """Read one comment: author pane, `time[datetime]`, content, edit line, signature."""
        wrap = first(self._wrap, node)
        post_id = (wrap.get("data-commentid") if wrap is not None else None) or \
            node.get("id", "").removeprefix("elComment_")
        content = self.require(first(self._content, node), "comment content", ctx)
        stamp = first(self._stamp, node)
        link = stamp.getparent() if stamp is not None and stamp.getparent().tag == "a" else None
        # "Edited November 20 by alice" sits inside the content, marked data-excludequote.
        edited = drop_all(self._edit_notes(content))
        signature = first(self._signature, node)
        body = split_post(content, self._quote_author, page)
        return make_post(
            body,
            external_id=self.require(post_id, "comment id", ctx),
            url=page.links.absolute(link.get("href")) if link is not None
            else f"{page.thread.url}?do=findComment&comment={post_id}",
            author=node_text(first(self._author, node)),
            posted_at=in_zone(self.resolve_date(
                stamp, stamp.get("datetime") if stamp is not None else None, ctx), ctx.timezone),
            edited=edited,
            signature=(node_text(signature) or None) if signature is not None else None,
        )

    @staticmethod
    def _quote_author(quote: Element) -> tuple[str | None, list[Any]]:
        """Read `blockquote.ipsQuote[data-ipsquote-username]`; a "bob said:" citation goes from the text."""
        citations = [div for div in quote.iterchildren("div")
                     if " ipsQuote_citation " in f" {div.get('class', '')} "]
        return (quote.get("data-ipsquote-username") or quote.get("data-cite") or None), citations

    # -- listings --

    def parse_listing(self, body: bytes, ctx: ParseContext) -> ListingPage:
        """Parse a forum page: one `li.ipsDataItem` per topic."""
        doc = load_document(body, ctx)
        return listing_page(self, doc, ctx, self._listing_rows(doc), self._listing_row,
                            url=self._listing_root(ctx.url), pages=self._pages(doc))

    def _listing_row(self, row: Element, links: Links, ctx: ParseContext) -> ListingItem:
        """Read title, replies and views (shortened: 1.2k), starter and last post time."""
        link = self.require(first(self._row_link, row), "topic link in listing", ctx)
        stats = [short_number(node_text(item.find("span"))) for item in self._row_stats(row)]
        replies, views = (stats + [None, None])[:2]
        last = first(self._row_last, row)
        return ListingItem(
            title=node_text(link),
            url=self.canonical_thread_url(links.absolute(link.get("href"))),
            external_id=row.get("data-rowid", ""),
            views=views,
            reply_count=replies,
            last_post_at=in_zone(self.resolve_date(last, last.get("datetime"), ctx), ctx.timezone)
            if last is not None else None,
            author=node_text(first(self._row_author, row)) or None,
        )

    def listing_page_url(self, listing_url: str, page: int) -> str:
        """/forum/2-name/page/N/."""
        root = self._listing_root(listing_url)
        return root if page <= 1 else f"{root}page/{page}/"

    @staticmethod
    def _listing_root(url: str) -> str:
        """Return /forum/2-name/ without page, query or fragment."""
        return path_root(_FORUM, url)

    # -- URLs --

    def canonical_thread_url(self, url: str) -> str:
        """Keep /topic/123-slug/: drop /page/N/, ?do=findComment and the fragment.

        The slug stays: Invision answers a URL without it with a redirect to the one with it.
        """
        match = _TOPIC.match(url)
        if match is None:
            parts = urlsplit(url)
            return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
        return match["head"] + "/"

    def page_url(self, thread_url: str, page: int) -> str:
        """/topic/123-slug/page/N/ for later pages."""
        canonical = self.canonical_thread_url(thread_url)
        return canonical if page <= 1 else f"{canonical}page/{page}/"

    @staticmethod
    def post_id_from_url(url: str) -> str | None:
        """Return the comment id of ?do=findComment&comment=N, or None."""
        match = _COMMENT.search(url)
        return match[1] if match else None
