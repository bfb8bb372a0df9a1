"""FlaskBB 2.2 pages: `div.post-row` posts, ISO dates in `time[datetime]`, `?page=N` paging."""

from __future__ import annotations

import re
from typing import Any

from ..errors import LayoutChanged
from ..items import ListingItem, ListingPage, ParseContext, PostItem, ThreadItem
from .base import (
    CAPABILITIES, BodyCut, Element, Engine, Find, Links, Page, PostParts, XPath, classes, drop,
    first, first_int, load_document, node_text, page_body, strip_query, with_query, wrote_author,
)

_TOPIC_ID = re.compile(r"/topic/(\d+)")
# The default theme nests every page in the same frame; anchoring on it avoids `//` scans.
_FRAME = "/html/body/div[has-class('flaskbb-layout')]/div[has-class('container')]"


def _sort_post_parts(nodes: list[Element]) -> dict[str, Any]:
    """Name the nodes of a post: author name, date, "Last modified" note, content, furniture.

    Furniture is the content's signature and "post is hidden" banner, to be cut from it.
    """
    parts: dict[str, Any] = {"content": None, "author": None, "stamp": None, "edited": False,
                             "furniture": []}
    for node in nodes:
        if node.tag == "time":
            parts["stamp"] = node
        elif node.tag == "small":
            parts["edited"] = True
        else:
            names = node.get("class", "")
            if "post-signature" in names or "alert" in names:
                parts["furniture"].append(node)
            elif " post-content " in f" {names} ":
                parts["content"] = node
            else:
                parts["author"] = node
    return parts


# /topic/<id>-<slug>: the slug is decoration.
_TOPIC_SLUG = re.compile(r"(/topic/\d+)-[^/?#]*")


class FlaskBBEngine(Engine):
    """Reads FlaskBB 2.2 topic and forum pages (default theme)."""

    key = "flaskbb"
    capabilities = CAPABILITIES

    post_nodes = Find(
        f"{_FRAME}/div[@class='topic-view']/div[has-class('topic')]"
        "/div[has-class('topic-body')]/div[has-class('post-row')]",
        "//div[has-class('topic-body')]/div[has-class('post-row')]",
    )
    _title_link = Find(
        f"{_FRAME}/div[@class='topic-view']/div[has-class('topic')]/div[has-class('topic-header')]/a",
        "//div[has-class('topic-header')]/a",
    )
    _pagination = Find(
        f"{_FRAME}/div/div[has-class('controls-row')]/div/ul[has-class('pagination')]",
        "//ul[has-class('pagination')]",
        anchor=f"{_FRAME}/div/div[has-class('controls-row')]",
    )
    _active_page = XPath("string(./li[has-class('active')])")
    _forum_crumb = Find(
        f"({_FRAME}/div[@class='topic-view']/ol[has-class('breadcrumb')]"
        "/li/a[contains(@href, '/forum/')])[last()]/@href",
        "(//ol[has-class('breadcrumb')]/li/a[contains(@href, '/forum/')])[last()]/@href",
    )
    _page_links = XPath("./li/a[has-class('page-link')]/text()")

    # Fast form: the default theme's child positions, class checked on the last step.
    # Both forms also fetch the content's furniture (signature, banner): one call per post.
    _post_parts = PostParts(
        "./div[1]/div[@class='author-name'] | ./div[2]/div[1]/div[1]/a/time"
        " | ./div[2]/div[1]/div[1]/small | ./div[2]/div[@class='post-content']"
        " | ./div[2]/div[@class='post-content']"
        "/div[contains(@class, 'post-signature') or contains(@class, 'alert')]",
        "./div[has-class('author')]/div[has-class('author-name')]"
        " | ./div[has-class('post-box')]/div[has-class('post-meta')]/div/a/time"
        " | ./div[has-class('post-box')]/div[has-class('post-meta')]/div/small"
        " | ./div[has-class('post-box')]/div[has-class('post-content')]"
        " | ./div[has-class('post-box')]/div[has-class('post-content')]"
        "/div[contains(@class, 'post-signature') or contains(@class, 'alert')]",
        _sort_post_parts,
    )

    _listing_body = Find(
        f"{_FRAME}/div[@class='forum-view']/div[has-class('forum')]/div[has-class('forum-body')]",
        "//div[has-class('forum-body')]",
    )
    _listing_rows = XPath("./div[has-class('forum-row')][div/div[has-class('topic-name')]]")
    _row_link = XPath("./div/div[has-class('topic-name')]/a[1]")
    _row_stats = XPath("./div[has-class('topic-stats')]")
    _row_last = XPath("./div[has-class('topic-last-post')]/a[1]")
    _row_author = XPath("./div[has-class('topic-info')]/div[has-class('topic-author')]")

    # -- threads --

    def thread_info(self, doc: Element, ctx: ParseContext) -> ThreadItem:
        """Read the topic header link and the pagination widget."""
        link = self.require(first(self._title_link, doc), "topic header link", ctx)
        page, page_count = self._pages(doc)
        return ThreadItem(
            title=node_text(link),
            url=self.canonical_thread_url(Links(ctx.url).absolute(link.get("href"))),
            page=page,
            page_count=page_count,
            views=None,  # FlaskBB shows views only in forum listings
            post_count=None,
            forum_url=self.forum_url(doc, ctx),
        )

    def parse_post(self, node: Element, page: Page, ctx: ParseContext) -> PostItem:
        """Read one `div.post-row`; the signature sits at the end of the content."""
        parts = self._post_parts(node)
        content = self.require(parts["content"], "post content", ctx)
        stamp = parts["stamp"]
        date_link = stamp.getparent() if stamp is not None else None
        post_id = content.get("id", "").removeprefix("pid") or node.get("id", "")
        signature, banner = self._cut_furniture(parts["furniture"])
        # The template closes every body with this comment; the signature follows it.
        cut = None if banner else BodyCut(
            f'id="pid{post_id}"', until='id="pid', stop="<!-- Signature Begin -->")
        body = page_body(page, content, self._quote_author, cut)
        return PostItem(
            external_id=self.require(post_id, "post id", ctx),
            url=page.links.absolute(date_link.get("href") if date_link is not None
                                    else f"/post/{post_id}"),
            author=node_text(parts["author"]),
            posted_at=self.resolve_date(
                stamp, stamp.get("datetime") if stamp is not None else None, ctx),
            text=body.text,
            quotes=body.quotes,
            html=body.html,
            raw_html=body.raw_html,
            edited=parts["edited"],
            signature=signature,
        )

    @staticmethod
    def _cut_furniture(furniture: list[Element]) -> tuple[str | None, bool]:
        """Drop signature and "post is hidden" banner; return (signature, banner found)."""
        signature, banner = None, False
        for child in furniture:
            if " post-signature " in classes(child):
                signature = node_text(child) or None
            else:
                banner = True
            drop(child)
        return signature, banner

    @staticmethod
    def _quote_author(quote: Element) -> tuple[str | None, list[Any]]:
        """Read the author from "**alice wrote:**", the first line FlaskBB's quote button writes."""
        para = quote.find("p")
        holder = para if para is not None else quote
        strong = holder.find("strong")
        if strong is None or (holder.text or "").strip():
            return None, []
        author = wrote_author(node_text(strong))
        return (author, [strong]) if author else (None, [])

    def _pages(self, doc: Element) -> tuple[int, int]:
        """Read (current page, page count) from the first pagination widget."""
        pagination = first(self._pagination, doc)
        if pagination is None:
            return 1, 1
        page = first_int(self._active_page(pagination)) or 1
        return page, max([page, *self.page_numbers(self._page_links(pagination))])

    # -- listings --

    def parse_listing(self, body: bytes, ctx: ParseContext) -> ListingPage:
        """Parse a forum page: one `div.forum-row` per topic."""
        doc = load_document(body, ctx)
        topics = first(self._listing_body, doc)
        if topics is None:
            raise LayoutChanged(ctx.url, f"{self.key}: topic list not found")
        page, page_count = self._pages(doc)
        links = Links(ctx.url)
        return ListingPage(
            url=strip_query(ctx.url, ("page",), keep_fragment=False),
            page=page,
            page_count=page_count,
            threads=tuple(self._listing_row(row, links, ctx) for row in self._listing_rows(topics)),
        )

    def _listing_row(self, row: Element, links: Links, ctx: ParseContext) -> ListingItem:
        """Read one topic row: title link, posts and views columns, last post time, starter."""
        link = self.require(first(self._row_link, row), "topic link in listing", ctx)
        url = self.canonical_thread_url(links.absolute(link.get("href")))
        topic_id = _TOPIC_ID.search(url)
        stats = [first_int(node_text(cell)) for cell in self._row_stats(row)]
        posts, views = (stats + [None, None])[:2]
        return ListingItem(
            title=node_text(link),
            url=url,
            external_id=self.require(topic_id[1] if topic_id else None, "topic id in listing", ctx),
            views=views,
            post_count=posts,
            last_post_at=self.resolve_date(node_text(first(self._row_last, row)), None, ctx),
            author=self._starter(first(self._row_author, row)),
        )

    @staticmethod
    def _starter(byline: Element | None) -> str | None:
        """Read "by alice": the link is the name; a guest's name is bare text after "by"."""
        if byline is None:
            return None
        link = byline.find("a")
        name = node_text(link) if link is not None else node_text(byline).partition(" ")[2]
        return name or None

    # -- URLs --

    def canonical_thread_url(self, url: str) -> str:
        """Drop the slug, `page` and the fragment: /topic/2-slug?page=3#pid5 -> /topic/2.

        FlaskBB serves a topic with or without its slug, and slugs change with the title, so the
        number alone names the thread (listing rows and thread pages then agree).
        """
        return _TOPIC_SLUG.sub(r"\1", strip_query(url, ("page",), keep_fragment=False))

    def page_url(self, thread_url: str, page: int) -> str:
        """Add ?page=N for later pages; page 1 is the bare topic URL."""
        canonical = self.canonical_thread_url(thread_url)
        return canonical if page <= 1 else with_query(canonical, page=page)
