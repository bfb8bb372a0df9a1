"""FlaskBB 2.2: log in at /auth/login, reply at /topic/<id>/post/new; the answer is a 302 to /post/<id>."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

from ..errors import NotPosted, OutcomeUnknown
from ..forms import HtmlForm, find_form, first_text, has_field, has_link
from ..http import Page
from .base import Poster, SentPost

_TOPIC = re.compile(r"^(?P<root>.*?)/topic/(?P<id>\d+)(?:-[^/]*)?/?$")
_POST_PATH = re.compile(r"/post/(\d+)/?$")
_PID_FRAGMENT = re.compile(r"^pid(\d+)$")
# Where FlaskBB's templates put a form's complaints: flashed alerts and per-field feedback.
_ERRORS = ("//*[contains(@class, 'alert-danger')]", "//*[contains(@class, 'invalid-feedback')]",
           "//*[contains(@class, 'help-block')]", "//*[contains(@class, 'text-danger')]")


class FlaskBBPoster(Poster):
    """Posts to FlaskBB with its WTForms csrf_token; logged in is "the page links to /auth/logout"."""

    key = "flaskbb"

    def _topic(self, thread_url: str) -> tuple[str, str]:
        """Return the forum root URL and the topic id of a thread URL."""
        parts = urlsplit(thread_url)
        match = _TOPIC.match(parts.path)
        if match is None:
            raise NotPosted(thread_url, None, "not a FlaskBB topic address (/topic/<id>)")
        root = urlunsplit((parts.scheme, parts.netloc, match["root"] + "/", "", ""))
        return root, match["id"]

    # -- logging in --

    def login_url(self, base_url: str) -> str:
        """FlaskBB's login page."""
        return urljoin(base_url, "auth/login")

    def login_form(self, page: Page, username: str, password: str) -> tuple[HtmlForm, list[tuple[str, str]]]:
        """Fill the form holding `login` and `password`."""
        form = find_form(self.document(page), page.url,
                         lambda f: has_field(f, "login") and has_field(f, "password"),
                         encoding=self.page_encoding(page))
        if form is None:
            raise NotPosted(page.url, page.status, "no login form on the FlaskBB login page")
        return form, form.filled({"login": username, "password": password}, submit="submit")

    def login_error(self, answer: Page) -> str | None:
        """A 302 means logged in; a 200 carries the reason in an alert."""
        if answer.location is not None:
            return None if "/auth/login" not in urlsplit(answer.location).path else "sent back to the login page"
        doc = self.document(answer)
        return next((t for t in (first_text(doc, x) for x in _ERRORS) if t), None) or f"HTTP {answer.status}, no redirect"

    # -- replying --

    def reply_url(self, thread_url: str) -> str:
        """/topic/<id>/post/new under the forum root."""
        root, topic_id = self._topic(thread_url)
        return urljoin(root, f"topic/{topic_id}/post/new")

    def reply_form(self, page: Page) -> HtmlForm | None:
        """The form with the `content` textarea, on a page of a logged-in user."""
        if page.status != 200:
            return None
        doc = self.document(page)
        if not has_link(doc, "/auth/logout"):
            return None
        form = find_form(doc, page.url, lambda f: has_field(f, "content") and has_field(f, "csrf_token"),
                         encoding=self.page_encoding(page))
        if form is None:
            raise self.no_reply_form(page, doc, _ERRORS)
        return form

    def reply_fields(self, form: HtmlForm, body: str) -> list[tuple[str, str]]:
        """csrf_token, content and the Reply button."""
        return form.filled({"content": body}, submit="submit")

    def reply_outcome(self, answer: Page, thread_url: str) -> SentPost:
        """302 to /post/<id> is success; the form again is a refusal; anything else is unknown."""
        if answer.location is not None:
            match = _POST_PATH.search(urlsplit(answer.location).path)
            if match:
                return SentPost(match[1], self.permalink(thread_url, match[1]))
            if "/auth/login" in answer.location:
                raise NotPosted(answer.url, answer.status, "the forum asked to log in again")
            raise OutcomeUnknown(answer.url, answer.status, f"unexpected redirect to {answer.location}", settled=True)
        doc = self.document(answer)
        if answer.status == 200 and find_form(doc, answer.url, lambda f: has_field(f, "content")) is not None:
            reason = next((t for t in (first_text(doc, x) for x in _ERRORS) if t), "form shown again")
            raise self.refused(answer, reason)
        if answer.status in (401, 403):
            raise NotPosted(answer.url, answer.status, "the forum does not let this account reply here")
        raise OutcomeUnknown(answer.url, answer.status, "unrecognised answer to the reply", settled=True)

    # -- links --

    def permalink(self, thread_url: str, external_id: str) -> str:
        """/post/<id>, which FlaskBB redirects to the right page and anchor."""
        root, _ = self._topic(thread_url)
        return urljoin(root, f"post/{external_id}")

    def post_id_from_url(self, url: str) -> str | None:
        """/post/<id>, or a topic link with #pid<id>."""
        parts = urlsplit(url)
        match = _POST_PATH.search(parts.path) or _PID_FRAGMENT.match(parts.fragment)
        return match[1] if match else None
