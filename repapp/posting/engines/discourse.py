"""Discourse: log in through its JSON endpoints with a CSRF token, as its own web client does.

    GET  /session/csrf.json            -> {"csrf": token}          (bound to the session cookie)
    POST /session.json                 login, password, authenticity_token -> {"user": …} or {"error": …}
    GET  /session/csrf.json            a token of the logged-in session
    POST /posts.json                   topic_id, raw, authenticity_token -> the new post, 422 with errors

Rails reads the CSRF token from the `authenticity_token` form field as well as from the
X-CSRF-Token header, so these are ordinary form posts. The CSRF endpoint answers every visitor
alike, so it cannot tell whether a kept session is still logged in: each reply logs in first.
An instance serves one reply (poster_for makes one per send): it remembers the topic and login.
Posting with an API key needs the Api-Key header, which the form-based session layer does not
send; accounts post by logging in.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urljoin

from ...scraping.engines.discourse import DiscourseEngine
from ..errors import NotPosted, OutcomeUnknown
from ..forms import HtmlForm
from ..http import Page
from .base import Poster, SentPost

_CSRF = "session/csrf.json"


def _json(page: Page) -> Any:
    """Decode a JSON answer, or None when it is not JSON."""
    try:
        return json.loads(page.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return None


def _errors(data: Any) -> str | None:
    """Return Discourse's own error words from {"error": …}, {"errors": […]} or ["BAD CSRF"]."""
    if isinstance(data, dict):
        if data.get("error"):
            return str(data["error"])
        if data.get("errors"):
            return "; ".join(map(str, data["errors"]))
    if isinstance(data, list) and data and all(isinstance(item, str) for item in data):
        return "; ".join(data)
    return None


class DiscoursePoster(Poster):
    """Posts to Discourse through /session.json and /posts.json with the session's CSRF token."""

    key = "discourse"
    _engine = DiscourseEngine()

    def __init__(self, encoding: str | None = None) -> None:
        """Start with no login and no topic (see the module docstring)."""
        super().__init__(encoding)
        self._logged_in = False
        self._topic_id: str | None = None
        self._root: str | None = None

    def _topic(self, thread_url: str) -> tuple[str, str]:
        """Return (forum root, topic id) of a topic address."""
        canonical = self._engine.canonical_thread_url(thread_url)
        root, marker, topic_id = canonical.rpartition("/t/")
        if not marker or not topic_id.isdigit():
            raise NotPosted(thread_url, None, "not a Discourse topic address (/t/<slug>/<id>)")
        return root + "/", topic_id

    def _form(self, page: Page, action: str, fields: list[tuple[str, str]]) -> HtmlForm:
        """Build the form the web client would send, with the CSRF token the page holds."""
        data = _json(page)
        token = data.get("csrf") if isinstance(data, dict) else None
        if not token:
            raise NotPosted(page.url, page.status, "no CSRF token in the answer of /session/csrf.json")
        return HtmlForm(action=urljoin(page.url, action), method="post",
                        fields=(("authenticity_token", str(token)), *fields), submits=(), encoding="utf-8")

    # -- logging in --

    def login_url(self, base_url: str) -> str:
        """The CSRF endpoint: the login needs a token bound to this session."""
        return urljoin(base_url, _CSRF)

    def login_form(self, page: Page, username: str, password: str) -> tuple[HtmlForm, list[tuple[str, str]]]:
        """POST /session.json with login, password and the token."""
        form = self._form(page, "../session.json", [("login", username), ("password", password)])
        return form, list(form.fields)

    def login_error(self, answer: Page) -> str | None:
        """{"user": …} means logged in; {"error": …} (a 200) or a 403/429 carries the reason."""
        data = _json(answer)
        if answer.status == 200 and isinstance(data, dict) and isinstance(data.get("user"), dict):
            self._logged_in = True
            return None
        return _errors(data) or f"HTTP {answer.status}, not logged in"

    # -- replying --

    def reply_url(self, thread_url: str) -> str:
        """The CSRF endpoint again: the reply needs a token of the logged-in session."""
        self._root, self._topic_id = self._topic(thread_url)
        return urljoin(self._root, _CSRF)

    def reply_form(self, page: Page) -> HtmlForm | None:
        """POST /posts.json for the topic, once this instance has logged in (else None: log in)."""
        if page.status != 200 or not self._logged_in or self._topic_id is None:
            return None
        return self._form(page, "../posts.json", [("topic_id", self._topic_id), ("raw", "")])

    def reply_fields(self, form: HtmlForm, body: str) -> list[tuple[str, str]]:
        """The token, the topic and the reply's Markdown as `raw`."""
        return form.filled({"raw": body})

    def reply_outcome(self, answer: Page, thread_url: str) -> SentPost:
        """The new post (200) is sent; "enqueued" awaits approval; 422/403/429 are refusals."""
        data = _json(answer)
        post = data.get("post") if isinstance(data, dict) and isinstance(data.get("post"), dict) else data
        if answer.status == 200 and isinstance(post, dict) and post.get("post_number"):
            number = str(post["post_number"])
            return SentPost(number, self.permalink(thread_url, number))
        if answer.status == 200 and isinstance(data, dict) and data.get("action") == "enqueued":
            raise OutcomeUnknown(answer.url, answer.status, "the reply awaits moderator approval", settled=True)
        reason = _errors(data)
        if answer.status == 403 and (reason == "BAD CSRF" or (isinstance(data, dict)
                                                             and data.get("error_type") == "not_logged_in")):
            raise NotPosted(answer.url, answer.status, "the forum asked to log in again")
        if answer.status in (403, 422, 429) and reason:
            raise self.refused(answer, reason)
        raise OutcomeUnknown(answer.url, answer.status, "unrecognised answer to the reply", settled=True)

    # -- links --

    def permalink(self, thread_url: str, external_id: str) -> str:
        """/t/<topic id>/<post number>: Discourse redirects it to the post."""
        root, topic_id = self._topic(thread_url)
        return urljoin(root, f"t/{topic_id}/{external_id}")

    def post_id_from_url(self, url: str) -> str | None:
        """The post number of /t/<slug>/<id>/<n>."""
        return self._engine.post_id_from_url(url)
