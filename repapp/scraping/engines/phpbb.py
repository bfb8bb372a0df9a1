"""phpBB 3.3 (prosilver) pages: `div.post#pN` posts, ISO in `time[datetime]`, `start=` paging."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from ..errors import LayoutChanged, ParseError
from ..items import ListingItem, ListingPage, ParseContext, PostItem, ThreadItem
from .base import (
    CAPABILITIES, BodyCut, Element, Engine, Find, Links, Page, PostParts, XPath, classes, drop,
    first, first_int, load_document, node_text, page_body, strip_query, with_query, wrote_author,
)

# Session and view-state parameters phpBB adds to links; none of them names a thread.
_VOLATILE_PARAMS = ("sid", "start", "hilit", "view", "sk", "sd", "st", "e")
_SESSION_PARAMS = frozenset({"sid"})


def _sort_post_parts(nodes: list[Element]) -> dict[str, Any]:
    """Name the blocks of a post: author, author line, content, signature, edit notice."""
    parts: dict[str, Any] = {"content": None, "author": None, "line": None,
                             "signature": None, "edited": False}
    for node in nodes:
        names = classes(node)
        if node.tag == "strong":
            parts["author"] = node
        elif " content " in names:
            parts["content"] = node if parts["content"] is None else parts["content"]
        elif " author " in names:
            parts["line"] = node
        elif " signature " in names:
            parts["signature"] = node_text(node) or None
        elif " notice " in names and " post_deleted_msg " not in names:
            parts["edited"] = True
    return parts


# prosilver's frame; anchoring on it avoids `//` scans of the whole page.
_BODY = "/html/body/div[@id='wrap']/div[@id='page-body']"


class PhpBBEngine(Engine):
    """Reads phpBB 3.3 topic and forum pages in the prosilver style."""

    key = "phpbb"
    capabilities = CAPABILITIES

    post_nodes = Find(
        f"{_BODY}/div[starts-with(@id, 'p')][has-class('post')]",
        "//div[starts-with(@id, 'p')][has-class('post')]",
    )
    _canonical = XPath("string(/html/head/link[@rel='canonical']/@href)")
    _title_link = Find(f"{_BODY}/h2[has-class('topic-title')]/a",
                       "//h2[has-class('topic-title')]/a")
    _pagination = Find(
        f"{_BODY}/div[has-class('action-bar')]/div[has-class('pagination')]",
        "//div[has-class('action-bar')]/div[has-class('pagination')]",
        anchor=f"{_BODY}/div[has-class('action-bar')]",
    )
    _active_page = XPath("string(.//li[has-class('active')])")
    _forum_crumb = Find(
        "(/html/body/div[@id='wrap']/div[@id='page-header']/div[has-class('navbar')]/div"
        "/ul[@id='nav-breadcrumbs']/li/span[has-class('crumb')][@data-forum-id]/a/@href)[last()]",
        "(//span[has-class('crumb')][@data-forum-id]/a/@href)[last()]",
    )
    _page_links = XPath(".//li/a[has-class('button')]/text() | ./strong/text()")
    _total = XPath("string(./text()[normalize-space()][1])")
    _message = XPath("//div[@id='message']//p | //form[@id='login']//h2")
    # The blocks of div#post_contentN (h3, buttons, author line, content, edit notice,
    # signature) and the author's name inside the author line.
    _post_parts = PostParts(
        "./div/div[@class='postbody']/div/*"
        " | ./div/div[@class='postbody']/div/p[@class='author']/span/strong",
        "./div/div[has-class('postbody')]/div/*"
        " | ./div/div[has-class('postbody')]/div/p[has-class('author')]//strong[1]",
        _sort_post_parts,
    )

    _topic_list = Find(
        f"{_BODY}/div[has-class('forumbg')]/div/ul[has-class('topics')]",
        "//ul[has-class('topiclist')][has-class('topics')]",
    )
    _listing_rows = XPath("./li[has-class('row')]")
    _row_parts = XPath(
        "./dl/dt//a[has-class('topictitle')]"
        " | ./dl/dt//div[has-class('topic-poster')]"
        "/*[has-class('username') or has-class('username-coloured')]"
        " | ./dl/dd[has-class('posts') or has-class('views')]"
        " | ./dl/dd[has-class('lastpost')]//time"
    )

    # -- threads --

    def raise_forum_message(self, doc: Element, ctx: ParseContext) -> None:
        """Raise ParseError for phpBB's message box (missing topic, login wall) instead of posts."""
        message = first(self._message, doc)
        if message is not None:
            raise ParseError(ctx.url, f"{self.key}: forum says {node_text(message)!r}")

    def thread_info(self, doc: Element, ctx: ParseContext) -> ThreadItem:
        """Read title, canonical link and the pagination block ("24 posts", page buttons)."""
        link = self.require(first(self._title_link, doc), "topic title", ctx)
        url = self._canonical(doc) or link.get("href")
        pagination = first(self._pagination, doc)
        page, page_count = self._pages(pagination)
        return ThreadItem(
            title=node_text(link),
            url=self.canonical_thread_url(Links(ctx.url).absolute(url)),
            page=page,
            page_count=page_count,
            views=None,  # phpBB shows views only in forum listings
            post_count=first_int(self._total(pagination)) if pagination is not None else None,
            forum_url=self.forum_url(doc, ctx),
        )

    def parse_post(self, node: Element, page: Page, ctx: ParseContext) -> PostItem:
        """Read one `div.post`; signature and edit notice sit beside the content."""
        post_id = node.get("id", "")[1:]
        parts = self._post_parts(node)
        content = self.require(parts["content"], "post content", ctx)
        cut = None if self._cut_furniture(content) else BodyCut(
            f'id="post_content{post_id}"', until='id="post_content', then='<div class="content">')
        body = page_body(page, content, self._quote_author, cut, drop_params=_SESSION_PARAMS)
        return PostItem(
            external_id=self.require(post_id, "post id", ctx),
            # The subject link is always viewtopic.php?p=N#pN (plus a session id we drop).
            url=page.links.absolute(f"./viewtopic.php?p={post_id}#p{post_id}"),
            author=node_text(parts["author"]),
            posted_at=self._posted_at(parts["line"], ctx),
            text=body.text,
            quotes=body.quotes,
            html=body.html,
            raw_html=body.raw_html,
            edited=parts["edited"],
            signature=parts["signature"],
        )

    @staticmethod
    def _cut_furniture(content: Element) -> bool:
        """Drop code-box captions ("Code: Select all") from a body; tell whether any was."""
        captions = [box.find("p") for box in content.iter("div") if " codebox " in classes(box)]
        for caption in captions:
            if caption is not None:
                drop(caption)
        return bool(captions)

    def _posted_at(self, line: Element | None, ctx: ParseContext) -> datetime | None:
        """Prefer `time[datetime]`; older styles print only "by alice » Fri Oct 23, 2026 1:28"."""
        if line is None:
            return None
        stamp = next(line.iter("time"), None)
        if stamp is not None:
            return self.resolve_date(stamp, stamp.get("datetime"), ctx)
        return self.resolve_date(node_text(line).rpartition("»")[2], None, ctx)

    @staticmethod
    def _quote_author(quote: Element) -> tuple[str | None, list[Any]]:
        """Read alice from `<cite><a>alice</a> wrote: …</cite>` (a guest: bare "alice wrote:")."""
        cite = quote.find("div/cite")
        if cite is None:
            cite = quote.find("cite")
        if cite is None:
            return None, []
        user = cite.find("a")
        if user is not None and "memberlist.php" in user.get("href", ""):
            return node_text(user) or None, [cite]
        return wrote_author(cite.text or ""), [cite]

    def _pages(self, pagination: Element | None) -> tuple[int, int]:
        """Read (current page, page count) from buttons, or "Page 1 of 1" when unpaginated."""
        if pagination is None:
            return 1, 1
        numbers = self.page_numbers(self._page_links(pagination))
        page = first_int(self._active_page(pagination)) or (min(numbers) if numbers else 1)
        return page, max([page, *numbers])

    # -- listings --

    def parse_listing(self, body: bytes, ctx: ParseContext) -> ListingPage:
        """Parse viewforum.php: rows of `ul.topiclist.topics` (announcements included)."""
        doc = load_document(body, ctx)
        lists = self._topic_list(doc)
        if not lists:
            self.raise_forum_message(doc, ctx)
            raise LayoutChanged(ctx.url, f"{self.key}: topic list not found")
        page, page_count = self._pages(first(self._pagination, doc))
        links = Links(ctx.url)
        rows = [row for topics in lists for row in self._listing_rows(topics)]
        return ListingPage(
            url=strip_query(ctx.url, _VOLATILE_PARAMS, keep_fragment=False),
            page=page,
            page_count=page_count,
            threads=tuple(self._listing_row(row, links, ctx) for row in rows),
        )

    def _listing_row(self, row: Element, links: Links, ctx: ParseContext) -> ListingItem:
        """Read one topic row: title link, replies, views, last post time, starter."""
        link = author = replies = views = last = None
        for part in self._row_parts(row):
            names = classes(part)
            if part.tag == "time":
                last = part
            elif " topictitle " in names:
                link = part
            elif " posts " in names:
                replies = first_int(node_text(part))
            elif " views " in names:
                views = first_int(node_text(part))
            else:
                author = part
        link = self.require(link, "topic link in listing", ctx)
        url = self.canonical_thread_url(links.absolute(link.get("href")))
        return ListingItem(
            title=node_text(link),
            url=url,
            external_id=self.require(parse_qs(urlsplit(url).query).get("t", [""])[0],
                                     "topic id in listing", ctx),
            views=views,
            reply_count=replies,
            last_post_at=self.resolve_date(last, last.get("datetime"), ctx)
            if last is not None else None,
            author=node_text(author) or None,
        )

    # -- URLs --

    def listing_page_url(self, listing_url: str, page: int) -> str:
        """Page a listing by topic offset: start=(page-1)*topics_per_page (a board setting, default 25)."""
        per_page = int(self.options.get("topics_per_page", 25))
        return listing_url if page <= 1 else with_query(listing_url, start=(page - 1) * per_page)

    def canonical_thread_url(self, url: str) -> str:
        """Keep only t: viewtopic.php?f=2&t=7&start=20&sid=… -> viewtopic.php?t=7.

        A post link (viewtopic.php?p=N) keeps p.
        """
        parts = urlsplit(url)
        query = parse_qs(parts.query, keep_blank_values=True)
        for key in ("t", "p"):
            if query.get(key):
                kept = urlencode({key: query[key][0]})
                return urlunsplit((parts.scheme, parts.netloc, parts.path, kept, ""))
        return strip_query(url, _VOLATILE_PARAMS, keep_fragment=False)

    def page_url(self, thread_url: str, page: int) -> str:
        """Page by post offset: start=(page-1)*posts_per_page (a board setting, default 10)."""
        canonical = self.canonical_thread_url(thread_url)
        if page <= 1:
            return canonical
        per_page = int(self.options.get("posts_per_page", 10))
        return with_query(canonical, start=(page - 1) * per_page)
