"""Discourse through its public JSON: `/t/<id>.json?page=N`, the topic's post stream in chunks.

A topic's JSON carries the whole post stream (every visible post id, in order) and the posts
of one chunk; `?page=N` serves chunk N (Discourse's TopicsController passes `page` to
TopicView, which offsets the stream by `chunk_size`, 20). So the remaining chunks are simply
pages 2..N of the same address, and the reader pages through them like any other engine.

Posts are numbered within their topic (`post_number`, never reused): that number is the
post's id here, so a link a person copies (/t/slug/7/23) names the post without a request.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from lxml import etree

from ..dates import parse_iso
from ..errors import LayoutChanged, ParseError
from ..items import ParseContext, PostItem, ThreadItem, ThreadPage
from .base import CAPABILITIES, Element, Engine, Links, XPath, node_text
from .html_tools import drop_all, in_zone, make_page, make_post, split_post

# /t/<slug>/<id>[/<post_number>] or /t/<id>[/<post_number>]; a slug is never all digits
# (Discourse replaces such a slug with "topic"), so a numeric first segment is the id.
_TOPIC = re.compile(r"^(?P<root>.*?)/t/(?:(?P<first>[^/?#]+)/)?(?P<id>\d+)(?:\.json)?(?:/(?P<post>\d+))?/?$")
_CHUNK_SIZE = 20
# Small actions are the topic's moderation events ("closed the topic"); Discourse shows them
# between the posts, phrased by the browser. These are its English phrases for the common ones.
_ACTIONS = {
    "closed.enabled": "closed the topic", "closed.disabled": "opened the topic",
    "autoclosed.enabled": "the topic was closed automatically",
    "autoclosed.disabled": "the topic was opened automatically",
    "archived.enabled": "archived the topic", "archived.disabled": "unarchived the topic",
    "pinned.enabled": "pinned the topic", "pinned.disabled": "unpinned the topic",
    "pinned_globally.enabled": "pinned the topic globally", "visible.enabled": "listed the topic",
    "visible.disabled": "unlisted the topic", "split_topic": "split this topic",
    "invited_user": "invited a user", "removed_user": "removed a user",
}
_REGULAR, _MODERATOR_ACTION, _SMALL_ACTION, _WHISPER = 1, 2, 3, 4


class DiscourseEngine(Engine):
    """Reads Discourse topics from `/t/<id>.json`; post bodies are the server's cooked HTML."""

    key = "discourse"
    capabilities = CAPABILITIES

    _cooked = XPath("/html/body/div")
    _oneboxes = XPath(".//aside[has-class('onebox')]")
    _image_meta = XPath(".//div[has-class('lightbox-wrapper')]//div[has-class('meta')]")

    @staticmethod
    def post_nodes(doc: Any) -> list[Any]:
        """Discourse pages are JSON: there are no post nodes to find (see parse_thread)."""
        return []

    # -- threads --

    def parse_thread(self, body: bytes, ctx: ParseContext, *, defer_html: bool = False) -> ThreadPage:
        """Parse one chunk of a topic's JSON (`/t/<id>.json?page=N`)."""
        data = self._load(body, ctx)
        stream = data.get("post_stream")
        posts = stream.get("posts") if isinstance(stream, dict) else None
        if not isinstance(posts, list) or "id" not in data:
            raise LayoutChanged(ctx.url, f"{self.key}: no post_stream.posts in the topic JSON")
        try:
            thread = self._thread(data, stream, ctx)
            page = make_page(thread, Links(ctx.url), defer_html)
            items = tuple(self._post(post, data, page, ctx) for post in posts if self._shown(post))
        except (TypeError, ValueError, AttributeError) as exc:
            # A field of the wrong type (a text where a number goes): the JSON is not Discourse's.
            raise LayoutChanged(ctx.url, f"{self.key}: unexpected topic JSON ({exc})") from exc
        if not items:
            raise LayoutChanged(ctx.url, f"{self.key}: no visible posts in the topic JSON")
        return ThreadPage(thread=thread, posts=items)

    def parse_listing(self, body: bytes, ctx: ParseContext) -> Any:
        """Counters come with each topic's own JSON (views, posts_count): listings are never read."""
        raise ParseError(ctx.url, f"{self.key}: category listings are not read; the topic JSON has the counters")

    def _load(self, body: bytes, ctx: ParseContext) -> dict[str, Any]:
        """Decode the JSON; Discourse's own error objects become a ParseError with its words."""
        if not body or not body.strip():
            raise ParseError(ctx.url, "empty page")
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(ctx.url, f"{self.key}: not JSON ({exc.__class__.__name__}); "
                                      "is the address a /t/<id>.json one?") from exc
        if not isinstance(data, dict):
            raise LayoutChanged(ctx.url, f"{self.key}: the topic JSON is not an object")
        if data.get("errors"):
            raise ParseError(ctx.url, f"{self.key}: forum says {'; '.join(map(str, data['errors']))!r}")
        return data

    def _thread(self, data: dict[str, Any], stream: dict[str, Any], ctx: ParseContext) -> ThreadItem:
        """Read title, counters and the page count the stream implies."""
        chunk = int(data.get("chunk_size") or self.option(ctx, "posts_per_page", _CHUNK_SIZE))
        ids = stream.get("stream")
        # Mega topics (over 10 000 posts) come without the stream: count from posts_count.
        total = len(ids) if isinstance(ids, list) and ids else int(data.get("posts_count") or 1)
        page = _page_number(ctx.url)
        return ThreadItem(
            title=str(data.get("title") or data.get("fancy_title") or ""),
            url=self.canonical_thread_url(ctx.url),
            page=page,
            page_count=max(page, math.ceil(total / chunk)),
            views=_int(data.get("views")),
            post_count=_int(data.get("posts_count")),
            forum_url=None,  # the topic JSON carries its own counters
        )

    @staticmethod
    def _shown(post: Any) -> bool:
        """Leave out withdrawn, deleted and flag-hidden posts and staff whispers."""
        if not isinstance(post, dict):
            return False
        if post.get("post_type") == _WHISPER or post.get("deleted_at") or post.get("user_deleted"):
            return False
        return not (post.get("cooked_hidden") or (post.get("hidden") and not post.get("cooked")))

    def _post(self, post: dict[str, Any], topic: dict[str, Any], page: Any, ctx: ParseContext) -> PostItem:
        """Turn one post object into a PostItem."""
        number = str(post.get("post_number") or "")
        content = self._fragment(post, ctx)
        drop_all(self._image_meta(content))
        for box in self._oneboxes(content):
            _onebox_to_link(box)
        body = split_post(content, self._quote_author, page)
        slug = post.get("topic_slug") or topic.get("slug") or "topic"
        root = page.thread.url.rpartition("/t/")[0]
        return make_post(
            body,
            external_id=self.require(number, "post_number", ctx),
            url=f"{root}/t/{slug}/{topic.get('id')}/{number}",
            author=str(post.get("username") or ""),
            posted_at=in_zone(parse_iso(post.get("created_at"), ctx.timezone), ctx.timezone),
            edited=_int(post.get("version")) not in (None, 0, 1),
            signature=_signature(post.get("user_signature")),
        )

    def _fragment(self, post: dict[str, Any], ctx: ParseContext) -> Element:
        """Parse a post's cooked HTML; a small action's body is its event, in words."""
        cooked = str(post.get("cooked") or "")
        if post.get("post_type") == _SMALL_ACTION and not cooked.strip():
            code = str(post.get("action_code") or "")
            cooked = f"<p>{_ACTIONS.get(code, code.replace('_', ' ').replace('.', ' '))}</p>"
        root = etree.fromstring(f"<html><body><div>{cooked}</div></body></html>",
                                parser=etree.HTMLParser(encoding=None, remove_comments=True))
        found = self._cooked(root)
        if not found:
            raise LayoutChanged(ctx.url, f"{self.key}: cannot read the cooked HTML of a post")
        return found[0]

    @staticmethod
    def _quote_author(quote: Element) -> tuple[str | None, list[Any]]:
        """Read `aside.quote[data-username]` around the blockquote; its "bob:" title goes from the text."""
        parent = quote.getparent()
        if parent is None or parent.tag != "aside":
            return None, []
        titles = [div for div in parent.iterchildren("div") if " title " in f" {div.get('class', '')} "]
        return (parent.get("data-username") or None), titles

    # -- URLs --

    def canonical_thread_url(self, url: str) -> str:
        """Return <root>/t/<id>: slug, post number, .json, page and fragment dropped.

        Discourse redirects a slugless address to the one with the slug, and slugs follow
        titles, so the id alone names the topic.
        """
        parts = urlsplit(url)
        match = _TOPIC.match(urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")))
        if match is None:
            return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
        return f"{match['root']}/t/{_topic_id(match)}"

    def page_url(self, thread_url: str, page: int) -> str:
        """<root>/t/<id>.json, then ?page=N for the stream's later chunks."""
        json_url = f"{self.canonical_thread_url(thread_url)}.json"
        return json_url if page <= 1 else f"{json_url}?page={page}"

    @staticmethod
    def post_id_from_url(url: str) -> str | None:
        """Return the post number of /t/slug/7/23 (or /t/7/23), or None."""
        parts = urlsplit(url)
        match = _TOPIC.match(urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")))
        if match is None:
            return None
        if match["post"]:
            return match["post"]
        # /t/7/23: a numeric first segment is the topic id, so the "id" group is the post.
        return match["id"] if match["first"] and match["first"].isdigit() else None


def _topic_id(match: re.Match[str]) -> str:
    """Return the topic id of a /t/ path match (see _TOPIC)."""
    first = match["first"]
    return first if first and first.isdigit() else match["id"]


def _page_number(url: str) -> int:
    """Return ?page=N of the fetched address (1 without one)."""
    values = parse_qs(urlsplit(url).query).get("page")
    return int(values[0]) if values and values[0].isdigit() and int(values[0]) > 0 else 1


def _int(value: Any) -> int | None:
    """Return a JSON number as int, or None."""
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _signature(value: Any) -> str | None:
    """Return a signature's text (the discourse-signatures plugin sends HTML or an image URL)."""
    if not value or not isinstance(value, str):
        return None
    if "<" not in value:
        return value.strip() or None
    return node_text(etree.fromstring(f"<div>{value}</div>", parser=etree.HTMLParser())) or None


def _onebox_to_link(box: Element) -> None:
    """Replace a link preview with the bare link its author wrote (the preview is not their text)."""
    source = box.get("data-onebox-src") or next(
        (a.get("href") for a in box.iter("a") if a.get("href")), "")
    link = etree.Element("a", href=source)
    link.text = source
    link.tail = box.tail
    parent = box.getparent()
    if parent is None:
        return
    parent.replace(box, link)

