"""The Poster contract: what an engine must know to log in and reply; no HTTP, no database.

A poster reads pages (login form, reply form, the forum's answer) and builds the fields to
send; repapp.posting.flows does the requests. So each engine is tested against saved pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

from ...scraping.engines.base import detect_encoding
from ..errors import NotPosted
from ..forms import Element, HtmlForm, first_text, parse_page
from ..http import Page

__all__ = ["Poster", "SentPost", "query_value"]


@dataclass(frozen=True)
class SentPost:
    """The forum's word that the reply is stored: its post id and a link straight to it."""

    external_id: str
    permalink: str


def query_value(url: str, name: str) -> str | None:
    """Return a query parameter of url, or None."""
    values = parse_qs(urlsplit(url).query).get(name)
    return values[0] if values else None


class Poster:
    """One engine's forms: subclasses set `key` and implement the URL, form and answer readers."""

    key: ClassVar[str] = ""
    # Seconds a served form must age before it is sent (phpBB refuses forms posted within 1 s).
    form_min_age: ClassVar[float] = 0.0

    def __init__(self, encoding: str | None = None) -> None:
        """Read pages in the forum's declared encoding, if it declares one."""
        self.encoding = encoding

    def __repr__(self) -> str:
        """Show the engine key."""
        return f"<{type(self).__name__} {self.key!r}>"

    def document(self, page: Page) -> Element:
        """Parse an answer's body."""
        return parse_page(page.body, self.encoding)

    def page_encoding(self, page: Page) -> str:
        """Return the encoding the page's forms are to be sent in."""
        return detect_encoding(page.body, self.encoding)

    # -- logging in --

    def login_url(self, base_url: str) -> str:
        """Return the address of the forum's login form."""
        raise NotImplementedError

    def login_form(self, page: Page, username: str, password: str) -> tuple[HtmlForm, list[tuple[str, str]]]:
        """Return the login form and its filled fields; raise NotPosted if the page has none."""
        raise NotImplementedError

    def login_error(self, answer: Page) -> str | None:
        """Return the forum's reason for refusing a login, or None if it did not refuse."""
        raise NotImplementedError

    # -- replying --

    def reply_url(self, thread_url: str) -> str:
        """Return the address of the reply form for a thread."""
        raise NotImplementedError

    def reply_form(self, page: Page) -> HtmlForm | None:
        """Return the reply form, or None when the page shows we are not logged in.

        Logged in but shown no form (a locked topic, a ban, no permission) raises NotPosted.
        """
        raise NotImplementedError

    def reply_fields(self, form: HtmlForm, body: str) -> list[tuple[str, str]]:
        """Return the reply form's fields with the body filled in."""
        raise NotImplementedError

    def reply_outcome(self, answer: Page, thread_url: str) -> SentPost:
        """Read the forum's answer to the reply: SentPost, NotPosted (refused) or OutcomeUnknown."""
        raise NotImplementedError

    # -- links --

    def permalink(self, thread_url: str, external_id: str) -> str:
        """Return the link to one post of a thread."""
        raise NotImplementedError

    def post_id_from_url(self, url: str) -> str | None:
        """Return the post id a permalink points at, or None if it names no post."""
        raise NotImplementedError

    # -- helpers --

    def no_reply_form(self, page: Page, doc: Element, message_xpaths: tuple[str, ...]) -> NotPosted:
        """Return the NotPosted error for a logged-in page that offers no reply form, with the forum's words."""
        message = next((t for t in (first_text(doc, x) for x in message_xpaths) if t), "")
        return NotPosted(page.url, page.status, f"the forum shows this account no reply form: {message or 'no reason given'}")

    def refused(self, answer: Page, reason: str) -> NotPosted:
        """Return the NotPosted error for a form the forum sent back with a message."""
        return NotPosted(answer.url, answer.status, f"the forum refused the reply: {reason}")
