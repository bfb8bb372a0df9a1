"""MyBB 1.8 pages: `div.post#post_N` posts, dates in US-format `title` attributes, `page=N`."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from ..dates import clock_text, has_time
from ..errors import LayoutChanged, ParseError
from ..items import ListingItem, ListingPage, ParseContext, PostItem, ThreadItem
from .base import (
    CAPABILITIES, BodyCut, Element, Engine, Find, Links, Page, PostParts, XPath, classes, drop,
    first, first_int, load_document, node_text, page_body, strip_query, wrote_author,
)

# Search-engine-friendly URLs: thread-7.html, thread-7-page-2.html, thread-7-post-40.html
_SEO_THREAD = re.compile(r"(?P<head>.*/thread-(?P<tid>\d+))(?:-[a-z]+(?:-\d+)?)?\.html$")
# MyBB's default date and time settings, "m-d-Y" and "h:i A": read without strptime (slow).
_US_STAMP = re.compile(r"^(\d{2})-(\d{2})-(\d{4}),? (\d{1,2}):(\d{2}) ([AP]M)$")


def _us_stamp(value: str, ctx: ParseContext) -> datetime | None:
    """Read MyBB's default "11-22-2026, 01:29 PM" in the forum's time zone, or None."""
    match = _US_STAMP.match(value)
    if not match:
        return None
    month, day, year, hour, minute, ampm = match.groups()
    hour24 = int(hour) % 12 + (12 if ampm == "PM" else 0)
    try:
        return datetime(int(year), int(month), int(day), hour24, int(minute), tzinfo=ctx.timezone)
    except ValueError:
        return None


def _sort_post_parts(nodes: list[Element]) -> dict[str, Any]:
    """Name the nodes of a post: author, permalink, date, body, signature."""
    parts: dict[str, Any] = {"content": None, "author": None, "permalink": None,
                             "stamp": None, "signature": None}
    for node in nodes:
        names = classes(node)
        if node.tag == "a":
            parts["permalink"] = node.get("href")
        elif " post_date " in names:
            parts["stamp"] = node
        elif " post_body " in names:
            parts["content"] = node
        elif " signature " in names:
            parts["signature"] = node_text(node) or None
        else:
            parts["author"] = node
    return parts


# The default theme's frame; anchoring on it avoids `//` scans of the whole page.
_WRAPPER = "/html/body/div[@id='container']/div[@id='content']/div[has-class('wrapper')]"
_POSTS_TABLE = f"{_WRAPPER}/table[tr/td[@id='posts_container']]"


class MyBBEngine(Engine):
    """Reads MyBB 1.8 showthread and forumdisplay pages (default theme)."""

    key = "mybb"
    capabilities = CAPABILITIES
    date_formats = ("%m-%d-%Y, %I:%M %p", "%m-%d-%Y %I:%M %p", "%m-%d-%Y")

    post_nodes = Find(
        f"{_POSTS_TABLE}/tr/td/div[@id='posts']/div[starts-with(@id, 'post_')][has-class('post')]",
        "//div[starts-with(@id, 'post_')][has-class('post')]",
    )
    _title = Find(
        f"{_POSTS_TABLE}/tr/td[has-class('thead')]/div[not(has-class('float_right'))]/strong",
        "//td[has-class('thead')]/div[not(has-class('float_right'))]/strong",
    )
    _html_title = XPath("string(/html/head/title)")
    _forum_crumb = Find(
        f"({_WRAPPER}/div[has-class('navigation')]"
        "/a[contains(@href, 'forumdisplay.php')])[last()]/@href",
        "(//div[has-class('navigation')]/a[contains(@href, 'forumdisplay.php')])[last()]/@href",
    )
    _thread_id = XPath("string((//input[@name='tid']/@value)[1])")
    _pagination = Find(
        f"{_WRAPPER}/div[has-class('float_left')]/div[has-class('pagination')]",
        "//div[has-class('pagination')]",
        anchor=f"{_WRAPPER}/div[has-class('float_left')]",
    )
    _page_count = XPath("string(./span[has-class('pages')])")
    _active_page = XPath("string(./span[has-class('pagination_current')])")
    _page_links = XPath("./a[has-class('pagination_page') or has-class('pagination_last')]/text()")
    # Every guest page has a quick-login modal in the header; a no-permission page puts
    # the login form in the content area.
    _login_wall = XPath("boolean(//div[@id='content']//input[@name='action'][@value='do_login'])")
    # Fast form: the default postbit's child positions, class checked on the last step.
    _post_parts = PostParts(
        "./div[1]/div[@class='author_information']/strong/span[@class='largetext']"
        " | ./div[2]/div[1]/div/strong/a | ./div[2]/div[1]/span[@class='post_date']"
        " | ./div[2]/div[starts-with(@class, 'post_body') or starts-with(@class, 'signature')]",
        "./div[has-class('post_author')]/div[has-class('author_information')]"
        "//span[has-class('largetext')]"
        " | ./div[has-class('post_content')]/div[has-class('post_head')]"
        "//a[contains(@href, 'pid=')]"
        " | ./div[has-class('post_content')]/div[has-class('post_head')]"
        "/span[has-class('post_date')]"
        " | ./div[has-class('post_content')]/div[has-class('post_body') or has-class('signature')]",
        _sort_post_parts,
    )

    _thread_list = XPath("//td[has-class('tcat')]//a[contains(@href, 'sortby=')]")
    _listing_rows = XPath("//tr[has-class('inline_row')]")
    _row_subject = XPath(".//span[starts-with(@id, 'tid_')]")
    _row_counts = XPath(
        "./td[.//span[starts-with(@id, 'tid_')]]/following-sibling::td[position() <= 2]")
    _row_last = XPath(".//span[has-class('lastpost')]")
    _row_author = XPath(".//span[has-class('author')]")

    # -- threads --

    def raise_forum_message(self, doc: Element, ctx: ParseContext) -> None:
        """Raise ParseError for a no-permission page: it carries the login form, not posts."""
        if self._login_wall(doc):
            raise ParseError(ctx.url, f"{self.key}: login required to read this page")

    def thread_info(self, doc: Element, ctx: ParseContext) -> ThreadItem:
        """Read subject, thread id and the "Pages (N):" widget."""
        title = node_text(first(self._title, doc)) or node_text(self._html_title(doc))
        page, page_count = self._pages(doc)
        return ThreadItem(
            title=self.require(title, "thread subject", ctx),
            url=self._thread_url(doc, ctx),
            page=page,
            page_count=page_count,
            views=None,  # MyBB shows views only in forum listings
            post_count=None,
            forum_url=self.forum_url(doc, ctx),
        )

    def _thread_url(self, doc: Element, ctx: ParseContext) -> str:
        """Use the fetched URL when it names the thread, else build one from the page's tid."""
        canonical = self.canonical_thread_url(ctx.url)
        if _SEO_THREAD.match(canonical) or "tid=" in urlsplit(canonical).query:
            return canonical
        tid = self.require(self._thread_id(doc), "thread id", ctx)
        return Links(ctx.url).absolute(f"showthread.php?tid={tid}")

    def parse_post(self, node: Element, page: Page, ctx: ParseContext) -> PostItem:
        """Read one `div.post`; the signature follows the body inside `div.post_content`."""
        post_id = node.get("id", "").removeprefix("post_")
        parts = self._post_parts(node)
        content = self.require(parts["content"], "post body", ctx)
        permalink, stamp = parts["permalink"], parts["stamp"]
        cut = None if self._cut_furniture(content) else BodyCut(f'id="pid_{post_id}"', until='id="pid_')
        body = page_body(page, content, self._quote_author, cut)
        return PostItem(
            external_id=self.require(post_id, "post id", ctx),
            url=page.links.absolute(permalink or f"showthread.php?pid={post_id}#pid{post_id}"),
            author=node_text(parts["author"]),
            posted_at=self._date(stamp, ctx),
            text=body.text,
            quotes=body.quotes,
            html=body.html,
            raw_html=body.raw_html,
            edited=self._edited(stamp),
            signature=parts["signature"],
        )

    @staticmethod
    def _edited(stamp: Element | None) -> bool:
        """Tell whether MyBB filled `span.post_edit` with "(This post was last modified: …)"."""
        if stamp is None:
            return False
        for child in stamp:
            if " post_edit " in classes(child):
                return len(child) > 0 or bool((child.text or "").strip())
        return False

    @staticmethod
    def _cut_furniture(content: Element) -> bool:
        """Drop code-box captions ("Code:", "PHP Code:") from a body; tell whether any was."""
        captions = [caption for box in content.iter("div") if " codeblock " in classes(box)
                    for caption in box.findall("div") if " title " in classes(caption)]
        for caption in captions:
            drop(caption)
        return bool(captions)

    def _date(self, stamp: Element | None, ctx: ParseContext) -> datetime | None:
        """Read a MyBB date: relative text hides the real value in a `title` attribute.

        "5 minutes ago" carries the full date and time in its title; "Today, 01:29 PM"
        puts only the date in the title and leaves the time as text after it.
        """
        if stamp is None:
            return None
        children, title = [], None
        for child in stamp:
            if child.tag == "br" or " post_edit " in classes(child):
                break  # the edit notice, or "Last Post: alice" in listings
            title = title or child.get("title")
            children.append(child)
        default_formats = self.option(ctx, "date_formats") is None
        # Most stamps carry the full default-format date in their title: no need for the text.
        if title and default_formats:
            stamped = _us_stamp(title, ctx)
            if stamped is not None:
                return stamped
        parts = [stamp.text or ""]
        for child in children:
            parts += [*child.itertext(), child.tail or ""]
        shown = " ".join("".join(parts).split())
        if title and not has_time(title):
            clock = clock_text(shown)
            title = f"{title}, {clock}" if clock else title
        value = title or shown
        stamped = _us_stamp(value, ctx) if default_formats else None
        if stamped is not None:
            return stamped
        return self.resolve_date(value, None, ctx) or self.resolve_date(shown, None, ctx)

    @staticmethod
    def _quote_author(quote: Element) -> tuple[str | None, list[Any]]:
        """Read alice from `<cite><span>(date)</span>alice Wrote: <a class="quick_jump"/>`."""
        cite = quote.find("cite")
        if cite is None:
            return None, []
        own_text = " ".join(t for t in [cite.text, *(c.tail for c in cite)] if t and t.strip())
        return wrote_author(own_text), [cite]

    def _pages(self, doc: Element) -> tuple[int, int]:
        """Read (current page, page count); single-page threads have no widget."""
        pagination = first(self._pagination, doc)
        if pagination is None:
            return 1, 1
        page = first_int(self._active_page(pagination)) or 1
        shown = first_int(self._page_count(pagination)) or 1
        return page, max([page, shown, *self.page_numbers(self._page_links(pagination))])

    # -- listings --

    def parse_listing(self, body: bytes, ctx: ParseContext) -> ListingPage:
        """Parse forumdisplay.php: one `tr.inline_row` per thread."""
        doc = load_document(body, ctx)
        if first(self._thread_list, doc) is None:
            self.raise_forum_message(doc, ctx)
            raise LayoutChanged(ctx.url, f"{self.key}: thread list not found")
        page, page_count = self._pages(doc)
        links = Links(ctx.url)
        return ListingPage(
            url=strip_query(ctx.url, ("page",), keep_fragment=False),
            page=page,
            page_count=page_count,
            threads=tuple(self._listing_row(row, links, ctx) for row in self._listing_rows(doc)),
        )

    def _listing_row(self, row: Element, links: Links, ctx: ParseContext) -> ListingItem:
        """Read one thread row: subject, replies and views (the two cells after it), last post."""
        subject = self.require(first(self._row_subject, row), "thread subject in listing", ctx)
        link = self.require(subject.find("a"), "thread link in listing", ctx)
        counts = [first_int(node_text(cell)) for cell in self._row_counts(row)]
        replies, views = (counts + [None, None])[:2]
        author = node_text(first(self._row_author, row)).rstrip(", ")
        return ListingItem(
            title=node_text(link),
            url=self.canonical_thread_url(links.absolute(link.get("href"))),
            external_id=subject.get("id", "").removeprefix("tid_"),
            views=views,
            reply_count=replies,
            last_post_at=self._date(first(self._row_last, row), ctx),
            author=author or None,
        )

    # -- URLs --

    def canonical_thread_url(self, url: str) -> str:
        """Keep only tid: showthread.php?tid=7&page=2&pid=40 -> showthread.php?tid=7.

        Search-engine-friendly URLs: thread-7-page-2.html -> thread-7.html.
        """
        parts = urlsplit(url)
        seo = _SEO_THREAD.match(urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")))
        if seo:
            return f"{seo['head']}.html"
        query = parse_qs(parts.query, keep_blank_values=True)
        if query.get("tid"):
            kept = urlencode({"tid": query["tid"][0]})
            return urlunsplit((parts.scheme, parts.netloc, parts.path, kept, ""))
        return strip_query(url, ("page",), keep_fragment=False)

    def page_url(self, thread_url: str, page: int) -> str:
        """Build showthread.php?tid=7&page=N, or thread-7-page-N.html for SEO URLs."""
        canonical = self.canonical_thread_url(thread_url)
        if page <= 1:
            return canonical
        if canonical.endswith(".html"):
            return f"{canonical[:-len('.html')]}-page-{page}.html"
        return f"{canonical}&page={page}"
