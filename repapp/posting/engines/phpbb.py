"""phpBB 3.3: log in at ucp.php?mode=login, reply at posting.php?mode=reply&t=<id>.

Both forms carry creation_time and form_token, and phpBB refuses a form sent back within the
second it was served ("The submitted form was invalid"), so they are sent only once older than
form_min_age. Session cookies carry a per-install prefix; the whole jar is kept, so the prefix
never needs knowing. Cookieless clients get `sid` in every link and hidden field: sent back as is.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode, urljoin, urlsplit

from ..errors import NotPosted, OutcomeUnknown
from ..forms import (
    HtmlForm,
    find_form,
    first_text,
    has_field,
    has_link,
    meta_refresh_url,
)
from ..http import Page
from .base import Poster, SentPost, query_value

_POST_FRAGMENT = re.compile(r"^p(\d+)$")
_ERROR = "contains(concat(' ', normalize-space(@class), ' '), ' error ')"
_LOGIN_ERRORS = (f"//form[@id='login']//*[{_ERROR}]", f"//*[{_ERROR}]", "//div[@id='message']//p")
_REPLY_ERRORS = (f"//form[@id='postform']//*[{_ERROR}]", f"//*[{_ERROR}]")


class PhpBBPoster(Poster):
    """Posts to phpBB 3.3 the way its prosilver forms expect; logged in is "the page links to mode=logout"."""

    key = "phpbb"
    form_min_age = 1.1

    # -- logging in --

    def login_url(self, base_url: str) -> str:
        """The UCP login page."""
        return urljoin(base_url, "ucp.php?mode=login")

    def login_form(self, page: Page, username: str, password: str) -> tuple[HtmlForm, list[tuple[str, str]]]:
        """Fill form#login: username, password; creation_time, form_token, sid and redirect as served."""
        form = find_form(self.document(page), page.url,
                         lambda f: has_field(f, "username") and has_field(f, "password"),
                         encoding=self.page_encoding(page))
        if form is None:
            raise NotPosted(page.url, page.status, "no login form on the phpBB login page")
        return form, form.filled({"username": username, "password": password}, submit="login")

    def login_error(self, answer: Page) -> str | None:
        """A redirect, or a page that links to logout, means logged in; else phpBB's error text."""
        if answer.location is not None:
            return None
        doc = self.document(answer)
        if has_link(doc, "mode=logout"):
            return None
        return next((t for t in (first_text(doc, x) for x in _LOGIN_ERRORS) if t), None) or f"HTTP {answer.status}, not logged in"

    # -- replying --

    def _topic_id(self, thread_url: str) -> str:
        """Return the t= of a viewtopic URL."""
        topic = query_value(thread_url, "t")
        if not topic or not topic.isdigit():
            raise NotPosted(thread_url, None, "not a phpBB topic address (viewtopic.php?t=<id>)")
        return topic

    def reply_url(self, thread_url: str) -> str:
        """posting.php?mode=reply&t=<id>, beside viewtopic.php."""
        return urljoin(thread_url, "posting.php?" + urlencode({"mode": "reply", "t": self._topic_id(thread_url)}))

    def reply_form(self, page: Page) -> HtmlForm | None:
        """form#postform with its message box, on a page of a logged-in user."""
        if page.status != 200:
            return None
        doc = self.document(page)
        if not has_link(doc, "mode=logout"):
            return None
        form = find_form(doc, page.url, lambda f: f.get("id") == "postform" or has_field(f, "topic_cur_post_id"),
                         encoding=self.page_encoding(page))
        if form is None:
            raise self.no_reply_form(page, doc, ("//div[@id='message']//p", *_REPLY_ERRORS))
        return form

    def reply_fields(self, form: HtmlForm, body: str) -> list[tuple[str, str]]:
        """The whole form (subject "Re: …", topic_cur_post_id, tokens) with the message and Submit."""
        return form.filled({"message": body}, submit="post")

    def reply_outcome(self, answer: Page, thread_url: str) -> SentPost:
        """A redirect (or refresh) to viewtopic.php?p=<id> is success; the form again is a refusal."""
        target = answer.location
        doc = None
        if target is None and answer.status == 200:
            doc = self.document(answer)
            if find_form(doc, answer.url, lambda f: f.get("id") == "postform") is not None:
                reason = next((t for t in (first_text(doc, x) for x in _REPLY_ERRORS) if t), "form shown again")
                raise self.refused(answer, reason)
            target = meta_refresh_url(doc, answer.url)
        post_id = self.post_id_from_url(target) if target else None
        if post_id:
            return SentPost(post_id, self.permalink(thread_url, post_id))
        if doc is not None and not has_link(doc, "mode=logout"):
            raise NotPosted(answer.url, answer.status, "the forum asked to log in again")
        raise OutcomeUnknown(answer.url, answer.status, "unrecognised answer to the reply", settled=True)

    # -- links --

    def permalink(self, thread_url: str, external_id: str) -> str:
        """viewtopic.php?p=<id>#p<id>: phpBB finds the page itself."""
        return urljoin(thread_url, f"viewtopic.php?p={external_id}#p{external_id}")

    def post_id_from_url(self, url: str) -> str | None:
        """p=<id> in the query, or #p<id>."""
        post = query_value(url, "p")
        if post and post.isdigit():
            return post
        match = _POST_FRAGMENT.match(urlsplit(url).fragment)
        return match[1] if match else None
