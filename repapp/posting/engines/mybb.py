"""MyBB 1.8: log in through member.php (action=do_login), reply at newreply.php?tid=<id>.

MyBB answers both with a 200 "redirect page" (a meta refresh) rather than a 302, unless the
user turned redirect pages off; either form is read. Every form carries my_post_key, the reply
form also a posthash. Login pages may offer only the header's quick-login form
(quick_username/quick_password with quick_login=1), which member.php accepts just the same.
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

_SEO_THREAD = re.compile(r"/thread-(\d+)(?:-[^/]*)?\.html$")
_SEO_POST = re.compile(r"/post-(\d+)\.html$")
_PID_FRAGMENT = re.compile(r"^pid(\d+)$")
_ERROR_BOX = "//div[contains(concat(' ', normalize-space(@class), ' '), ' error ')]"


class MyBBPoster(Poster):
    """Posts to MyBB 1.8; logged in is "the page links to action=logout"."""

    key = "mybb"

    # -- logging in --

    def login_url(self, base_url: str) -> str:
        """member.php?action=login."""
        return urljoin(base_url, "member.php?action=login")

    def login_form(self, page: Page, username: str, password: str) -> tuple[HtmlForm, list[tuple[str, str]]]:
        """Fill the do_login form: the full one if the page has it, else the header's quick login."""
        doc = self.document(page)
        encoding = self.page_encoding(page)

        def login_form_with(user_field: str):
            return find_form(doc, page.url, lambda f: has_field(f, "action", "do_login") and has_field(f, user_field),
                             encoding=encoding)

        form = login_form_with("username")
        if form is not None:
            return form, form.filled({"username": username, "password": password}, submit="submit")
        form = login_form_with("quick_username")
        if form is not None:
            return form, form.filled({"quick_username": username, "quick_password": password}, submit="submit")
        raise NotPosted(page.url, page.status, "no login form (action=do_login) on the MyBB login page")

    def login_error(self, answer: Page) -> str | None:
        """A redirect (302 or a refresh page) means logged in; else MyBB's error box."""
        if answer.location is not None:
            return None
        doc = self.document(answer)
        if has_link(doc, "action=logout") or meta_refresh_url(doc, answer.url):
            return None
        return first_text(doc, _ERROR_BOX) or f"HTTP {answer.status}, not logged in"

    # -- replying --

    def _thread_id(self, thread_url: str) -> str:
        """Return the tid of showthread.php?tid=<id> or thread-<id>.html."""
        tid = query_value(thread_url, "tid")
        if tid and tid.isdigit():
            return tid
        match = _SEO_THREAD.search(urlsplit(thread_url).path)
        if match is None:
            raise NotPosted(thread_url, None, "not a MyBB thread address (showthread.php?tid=<id>)")
        return match[1]

    def reply_url(self, thread_url: str) -> str:
        """newreply.php?tid=<id>, beside showthread.php."""
        return urljoin(thread_url, "newreply.php?" + urlencode({"tid": self._thread_id(thread_url)}))

    def reply_form(self, page: Page) -> HtmlForm | None:
        """The do_newreply form, on a page of a logged-in user."""
        if page.status != 200:
            return None
        doc = self.document(page)
        if not has_link(doc, "action=logout"):
            return None
        form = find_form(doc, page.url, lambda f: has_field(f, "action", "do_newreply") and has_field(f, "message"),
                         encoding=self.page_encoding(page))
        if form is None:
            raise self.no_reply_form(page, doc, (_ERROR_BOX, "//td[contains(@class, 'trow1')]"))
        return form

    def reply_fields(self, form: HtmlForm, body: str) -> list[tuple[str, str]]:
        """The whole form (my_post_key, posthash, subject, options) with the message and Post Reply."""
        return form.filled({"message": body}, submit="submit")

    def reply_outcome(self, answer: Page, thread_url: str) -> SentPost:
        """A redirect or refresh page to the new pid is success; the form again is a refusal."""
        target = answer.location
        doc = None
        if target is None and answer.status == 200:
            doc = self.document(answer)
            if find_form(doc, answer.url, lambda f: has_field(f, "action", "do_newreply")) is not None:
                raise self.refused(answer, first_text(doc, _ERROR_BOX) or "form shown again")
            target = meta_refresh_url(doc, answer.url)
        post_id = self.post_id_from_url(target) if target else None
        if post_id:
            return SentPost(post_id, self.permalink(thread_url, post_id))
        if doc is not None and not has_link(doc, "action=logout"):
            raise NotPosted(answer.url, answer.status, "the forum asked to log in again")
        raise OutcomeUnknown(answer.url, answer.status, "unrecognised answer to the reply", settled=True)

    # -- links --

    def permalink(self, thread_url: str, external_id: str) -> str:
        """showthread.php?tid=<t>&pid=<id>#pid<id>."""
        query = urlencode({"tid": self._thread_id(thread_url), "pid": external_id})
        return urljoin(thread_url, f"showthread.php?{query}#pid{external_id}")

    def post_id_from_url(self, url: str) -> str | None:
        """pid=<id>, #pid<id> or post-<id>.html."""
        pid = query_value(url, "pid")
        if pid and pid.isdigit():
            return pid
        parts = urlsplit(url)
        match = _PID_FRAGMENT.match(parts.fragment) or _SEO_POST.search(parts.path)
        return match[1] if match else None
