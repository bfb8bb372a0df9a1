"""SMF 2.1: log in at index.php?action=login (action=login2), reply at index.php?action=post.

Every SMF form carries the session variable: a hidden field whose *name* is random per session
(`<input type="hidden" name="a1f6c29e" value="<session id>">`), plus login and post tokens;
all are sent back as served. The login form hashes the password in the browser when it can
(`hash_passwrd`); left empty, SMF checks the plain `passwrd`. `goback=1` makes SMF answer a
reply with a redirect to the new message (topic=ID.msgN#msgN) rather than to the board.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from ...scraping.engines.smf import SMFEngine
from ..errors import NotPosted, OutcomeUnknown
from ..forms import HtmlForm, find_form, first_text, has_field, has_link
from ..http import Page
from .base import Poster, SentPost

_ERRORS = ("//div[@id='errors']//*[@id='error_list']", "//div[contains(@class, 'errorbox')]",
           "//div[@id='fatal_error']//div[contains(@class, 'padding')]", "//div[@id='fatal_error']")
_SCRIPT = re.compile(r"^(?P<script>.*?/index\.php)")


class SMFPoster(Poster):
    """Posts to SMF 2.1; logged in is "the page links to action=logout"."""

    key = "smf"
    _engine = SMFEngine()

    def _script(self, url: str) -> str:
        """Return the forum's index.php address from any of its addresses."""
        parts = urlsplit(url)
        match = _SCRIPT.match(parts.path)
        path = match["script"] if match else parts.path.rsplit("/", 1)[0] + "/index.php"
        return urlunsplit((parts.scheme, parts.netloc, path, "", ""))

    def _topic(self, thread_url: str) -> str:
        """Return the topic number of a topic address."""
        topic = self._engine._topic_id(thread_url)
        if topic is None:
            raise NotPosted(thread_url, None, "not an SMF topic address (index.php?topic=<id>.0)")
        return topic

    # -- logging in --

    def login_url(self, base_url: str) -> str:
        """index.php?action=login."""
        return f"{self._script(base_url.rstrip('/') + '/index.php')}?action=login"

    def login_form(self, page: Page, username: str, password: str) -> tuple[HtmlForm, list[tuple[str, str]]]:
        """Fill form#frmLogin (user, passwrd); session variable and login token as served."""
        form = find_form(self.document(page), page.url,
                         lambda f: has_field(f, "user") and has_field(f, "passwrd"),
                         encoding=self.page_encoding(page))
        if form is None:
            raise NotPosted(page.url, page.status, "no login form (user, passwrd) on the SMF login page")
        return form, form.filled({"user": username, "passwrd": password, "hash_passwrd": ""})

    def login_error(self, answer: Page) -> str | None:
        """A redirect (to action=login2;sa=check or the index) means logged in; else SMF's error box."""
        if answer.location is not None:
            return None if "action=login;" not in answer.location + ";" else "sent back to the login page"
        doc = self.document(answer)
        if has_link(doc, "action=logout"):
            return None
        return next((t for t in (first_text(doc, x) for x in _ERRORS) if t), None) or f"HTTP {answer.status}, not logged in"

    # -- replying --

    def reply_url(self, thread_url: str) -> str:
        """index.php?action=post;topic=<id>.0 (SMF separates parameters with semicolons)."""
        return f"{self._script(thread_url)}?action=post;topic={self._topic(thread_url)}.0"

    def reply_form(self, page: Page) -> HtmlForm | None:
        """form#postmodify (message, seqnum, session variable), on a page of a logged-in user."""
        if page.status != 200:
            return None
        doc = self.document(page)
        if not has_link(doc, "action=logout"):
            return None
        form = find_form(doc, page.url, lambda f: f.get("id") == "postmodify" or
                         (has_field(f, "message") and has_field(f, "seqnum")), encoding=self.page_encoding(page))
        if form is None:
            raise self.no_reply_form(page, doc, _ERRORS)
        return form

    def reply_fields(self, form: HtmlForm, body: str) -> list[tuple[str, str]]:
        """The whole form with the message, goback=1 (answer with the new message) and Post."""
        return form.filled({"message": body, "goback": "1"}, submit="post")

    def reply_outcome(self, answer: Page, thread_url: str) -> SentPost:
        """A redirect to topic=ID.msgN is the new message; the form with errors is a refusal."""
        if answer.location is not None:
            post_id = self.post_id_from_url(answer.location)
            if post_id:
                return SentPost(post_id, self.permalink(thread_url, post_id))
            if "action=login" in answer.location:
                raise NotPosted(answer.url, answer.status, "the forum asked to log in again")
            raise OutcomeUnknown(answer.url, answer.status,
                                 f"the forum named no new message (awaiting approval?): {answer.location}",
                                 settled=True)
        doc = self.document(answer)
        if find_form(doc, answer.url, lambda f: f.get("id") == "postmodify") is not None:
            raise self.refused(answer, next((t for t in (first_text(doc, x) for x in _ERRORS) if t),
                                            "form shown again"))
        if not has_link(doc, "action=logout"):
            raise NotPosted(answer.url, answer.status, "the forum asked to log in again")
        raise OutcomeUnknown(answer.url, answer.status, "unrecognised answer to the reply", settled=True)

    # -- links --

    def permalink(self, thread_url: str, external_id: str) -> str:
        """index.php?topic=<id>.msg<n>#msg<n>."""
        return f"{self._script(thread_url)}?topic={self._topic(thread_url)}.msg{external_id}#msg{external_id}"

    def post_id_from_url(self, url: str) -> str | None:
        """msg<n> in topic=ID.msgN, msg=N or #msgN."""
        return self._engine.post_id_from_url(url)
