"""vBulletin 3.8 / 4.x: log in with the navbar form (login.php?do=login), reply at newreply.php.

Every form carries `securitytoken` (a guest's is "guest"; after logging in each page serves a
fresh one), sent back as served. The navbar form hashes the password in the browser
(md5 of the password with characters above 255 written as &#N; entities) and empties the
plain field; the same is done here, so a board sees exactly what a browser sends. vBulletin
answers a login or a reply with a "redirect" page (meta refresh), or a 302 when the board
uses header redirects; either is read. Boards in windows-1251 get their forms in it.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

from ..errors import NotPosted, OutcomeUnknown
from ..forms import HtmlForm, find_form, first_text, has_field, has_link, meta_refresh_url
from ..http import Page
from .base import Poster, SentPost, query_value

_FRIENDLY = re.compile(r"^(\d+)(?:-[^/&]*)?(?:/page\d+)?/?$")
_PATH_FRIENDLY = re.compile(r"^(?P<root>.*/)(?:showthread\.php|threads)/(?P<id>\d+)")
_POST_FRAGMENT = re.compile(r"^post(\d+)$")
# Where vBulletin puts the reason: its message page (standard_error), and the error list
# above a form it sends back (newpost_errormessage).
_MESSAGE = (
    "//div[contains(@class, 'standard_error')]//div[contains(@class, 'blockrow')]",
    "//td[contains(@class, 'panelsurround')]//div[contains(@class, 'panel')]//div",
)
_FORM_ERRORS = (
    "//div[contains(@class, 'blockrow') and contains(@class, 'error')]//li",
    "//form[@name='vbform']/preceding::ol[1]/li",
)


def _str_to_ent(password: str) -> str:
    """Write characters above 255 as &#N; entities, as vbulletin_md5.js does before hashing."""
    return "".join(c if ord(c) <= 255 else f"&#{ord(c)};" for c in password)


def password_hashes(password: str) -> tuple[str, str]:
    """Return (vb_login_md5password, vb_login_md5password_utf) as the browser computes them."""
    return (hashlib.md5(_str_to_ent(password).encode("latin-1")).hexdigest(),
            hashlib.md5(password.encode("utf-8")).hexdigest())


class VBulletinPoster(Poster):
    """Posts to vBulletin 3.8 and 4.x; logged in is "the page links to login.php?do=logout"."""

    key = "vbulletin"

    # -- addresses --

    def _thread(self, thread_url: str) -> tuple[str, str]:
        """Return the forum's script folder and the thread id of any thread address."""
        parts = urlsplit(thread_url)
        path = _PATH_FRIENDLY.match(parts.path)
        if path:
            return urlunsplit((parts.scheme, parts.netloc, path["root"], "", "")), path["id"]
        folder = urlunsplit((parts.scheme, parts.netloc, parts.path.rsplit("/", 1)[0] + "/", "", ""))
        thread_id = query_value(thread_url, "t")
        friendly = _FRIENDLY.match(parts.query.split("&", 1)[0]) if parts.query else None
        thread_id = thread_id or (friendly[1] if friendly else None)
        if not thread_id or not thread_id.isdigit():
            raise NotPosted(thread_url, None, "not a vBulletin thread address (showthread.php?t=<id>)")
        return folder, thread_id

    # -- logging in --

    def login_url(self, base_url: str) -> str:
        """The forum home: every guest page carries the navbar login form."""
        return urljoin(base_url, "index.php")

    def login_form(self, page: Page, username: str, password: str) -> tuple[HtmlForm, list[tuple[str, str]]]:
        """Fill the navbar form as a browser with JavaScript does: hashes in, plain password out."""
        form = find_form(self.document(page), page.url,
                         lambda f: has_field(f, "vb_login_username") and has_field(f, "vb_login_password"),
                         encoding=self.page_encoding(page))
        if form is None:
            raise NotPosted(page.url, page.status, "no login form (vb_login_username) on the vBulletin page")
        md5, md5_utf = password_hashes(password)
        return form, form.filled({"vb_login_username": username, "vb_login_password": "",
                                  "vb_login_md5password": md5, "vb_login_md5password_utf": md5_utf,
                                  "cookieuser": "1"})

    def login_error(self, answer: Page) -> str | None:
        """A redirect (302 or refresh page) or a logout link means logged in; else vBulletin's reason."""
        if answer.location is not None:
            return None
        doc = self.document(answer)
        if has_link(doc, "do=logout") or meta_refresh_url(doc, answer.url):
            return None
        return next((t for t in (first_text(doc, x) for x in _MESSAGE) if t), None) or f"HTTP {answer.status}, not logged in"

    # -- replying --

    def reply_url(self, thread_url: str) -> str:
        """newreply.php?do=newreply&t=<id> beside showthread.php."""
        folder, thread_id = self._thread(thread_url)
        return urljoin(folder, "newreply.php?" + urlencode({"do": "newreply", "noquote": "1", "t": thread_id}))

    def reply_form(self, page: Page) -> HtmlForm | None:
        """The do=postreply form (securitytoken, posthash, message), on a page of a logged-in user."""
        if page.status != 200:
            return None
        doc = self.document(page)
        if not has_link(doc, "do=logout"):
            return None
        form = find_form(doc, page.url, lambda f: has_field(f, "do", "postreply") and has_field(f, "securitytoken"),
                         encoding=self.page_encoding(page))
        if form is None:
            raise self.no_reply_form(page, doc, _MESSAGE)
        return form

    def reply_fields(self, form: HtmlForm, body: str) -> list[tuple[str, str]]:
        """The whole form with the message in plain BB code (wysiwyg=0) and the Submit Reply button."""
        values = {"message": body, "wysiwyg": "0"}
        if "message_backup" in form.names:  # 4.x keeps a copy of the editor's text
            values["message_backup"] = body
        return form.filled(values, submit="sbutton")

    def reply_outcome(self, answer: Page, thread_url: str) -> SentPost:
        """A redirect to showthread.php?p=<id> is the new post; the form again is a refusal."""
        target = answer.location
        doc = None
        if target is None and answer.status == 200:
            doc = self.document(answer)
            if find_form(doc, answer.url, lambda f: has_field(f, "do", "postreply")) is not None:
                reason = next((t for t in (first_text(doc, x) for x in _FORM_ERRORS) if t), "form shown again")
                raise self.refused(answer, reason)
            target = meta_refresh_url(doc, answer.url)
        post_id = self.post_id_from_url(target) if target else None
        if post_id:
            return SentPost(post_id, self.permalink(thread_url, post_id))
        if doc is not None and not has_link(doc, "do=logout"):
            raise NotPosted(answer.url, answer.status, "the forum asked to log in again")
        # A moderated forum sends the poster back to the thread or the forum, naming no post.
        raise OutcomeUnknown(answer.url, answer.status, "the forum named no new post (awaiting moderation?)",
                             settled=True)

    # -- links --

    def permalink(self, thread_url: str, external_id: str) -> str:
        """showthread.php?p=<id>#post<id>: vBulletin finds the page itself."""
        folder, _ = self._thread(thread_url)
        return urljoin(folder, f"showthread.php?p={external_id}#post{external_id}")

    def post_id_from_url(self, url: str) -> str | None:
        """p=<id> (showthread.php or showpost.php), or #post<id>."""
        post = parse_qs(urlsplit(url).query).get("p")
        if post and post[0].isdigit():
            return post[0]
        match = _POST_FRAGMENT.match(urlsplit(url).fragment)
        return match[1] if match else None
