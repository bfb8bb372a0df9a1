"""XenForo 2.x: log in at index.php?login/, reply at /threads/<slug>.<id>/reply with `_xfToken`.

Addresses go through index.php?<route>, which every XenForo answers whether or not it has
friendly URLs. Logged in is the page's own flag, `<html data-logged-in="true">`. The reply
editor posts HTML as `message_html`; without it XenForo reads BB code from `message`, so the
HTML field is left out and the reply sent as BB code. Success is a 303 to the new post.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from ...scraping.engines.xenforo import XenForoEngine
from ..errors import NotPosted, OutcomeUnknown
from ..forms import Element, HtmlForm, find_form, first_text, has_field
from ..http import Page
from .base import Poster, SentPost

_ERRORS = ("//div[contains(@class, 'blockMessage--error')]", "//div[contains(@class, 'blockMessage')]",
           "//*[contains(@class, 'formRow-explain') and contains(@class, 'error')]")
_LOGGED_IN = "string(/html/@data-logged-in)"
_PENDING = re.compile(r"pending_approval|[?&]moderated")


def _logged_in(doc: Element) -> bool:
    """Read XenForo's `<html data-logged-in>` flag."""
    return str(doc.xpath(_LOGGED_IN)).strip() == "true"


class XenForoPoster(Poster):
    """Posts to XenForo 2.x with its `_xfToken` forms."""

    key = "xenforo"
    _engine = XenForoEngine()

    # -- logging in --

    def login_url(self, base_url: str) -> str:
        """index.php?login/ works with and without friendly URLs."""
        return urljoin(base_url, "index.php?login/")

    def login_form(self, page: Page, username: str, password: str) -> tuple[HtmlForm, list[tuple[str, str]]]:
        """Fill the form holding `login`, `password` and `_xfToken`; "stay logged in" on."""
        form = find_form(self.document(page), page.url,
                         lambda f: has_field(f, "login") and has_field(f, "password") and has_field(f, "_xfToken"),
                         encoding=self.page_encoding(page))
        if form is None:
            raise NotPosted(page.url, page.status, "no login form (login, password, _xfToken) on the XenForo page")
        return form, form.filled({"login": username, "password": password, "remember": "1"})

    def login_error(self, answer: Page) -> str | None:
        """A redirect means logged in (unless to two-step verification); a 200 carries the reason."""
        if answer.location is not None:
            return "the account needs two-step verification" if "two-step" in answer.location else None
        doc = self.document(answer)
        if _logged_in(doc):
            return None
        return next((t for t in (first_text(doc, x) for x in _ERRORS) if t), None) or f"HTTP {answer.status}, not logged in"

    # -- replying --

    def reply_url(self, thread_url: str) -> str:
        """/threads/<slug>.<id>/reply (the full reply form)."""
        if "threads/" not in thread_url:
            raise NotPosted(thread_url, None, "not a XenForo thread address (/threads/<slug>.<id>/)")
        return f"{self._engine.canonical_thread_url(thread_url)}reply"

    def reply_form(self, page: Page) -> HtmlForm | None:
        """The form posting to add-reply, on a page of a logged-in user."""
        if page.status != 200:
            return None
        doc = self.document(page)
        if not _logged_in(doc):
            return None
        form = find_form(doc, page.url,
                         lambda f: has_field(f, "_xfToken") and "add-reply" in (f.get("action") or ""),
                         encoding=self.page_encoding(page))
        if form is None:
            raise self.no_reply_form(page, doc, _ERRORS)
        return form

    def reply_fields(self, form: HtmlForm, body: str) -> list[tuple[str, str]]:
        """The form's fields, `message_html` left out, the reply as BB code in `message`."""
        fields = [(name, value) for name, value in form.fields if name not in ("message_html", "message")]
        return [*fields, ("message", body)]

    def reply_outcome(self, answer: Page, thread_url: str) -> SentPost:
        """303 to /posts/<id>/ or …/post-<id> is the new post; the form again is a refusal."""
        if answer.location is not None:
            post_id = self.post_id_from_url(answer.location)
            if post_id:
                return SentPost(post_id, self.permalink(thread_url, post_id))
            if "login" in answer.location:
                raise NotPosted(answer.url, answer.status, "the forum asked to log in again")
            reason = ("the reply awaits moderator approval" if _PENDING.search(answer.location)
                      else f"unexpected redirect to {answer.location}")
            raise OutcomeUnknown(answer.url, answer.status, reason, settled=True)
        doc = self.document(answer)
        if not _logged_in(doc):
            raise NotPosted(answer.url, answer.status, "the forum asked to log in again")
        # XenForo answers a refused reply with its error page ("Please enter a valid message",
        # flood control) or with the form again; either names the reason in a blockMessage.
        reason = next((t for t in (first_text(doc, x) for x in _ERRORS) if t), None)
        if reason is not None:
            raise self.refused(answer, reason)
        raise OutcomeUnknown(answer.url, answer.status, "unrecognised answer to the reply", settled=True)

    # -- links --

    def permalink(self, thread_url: str, external_id: str) -> str:
        """/threads/<slug>.<id>/post-<post id>."""
        return f"{self._engine.canonical_thread_url(thread_url)}post-{external_id}"

    def post_id_from_url(self, url: str) -> str | None:
        """/posts/<id>/ or /threads/<slug>.<id>/post-<id>."""
        return self._engine.post_id_from_url(url)
