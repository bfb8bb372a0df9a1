"""Drive one engine's forms over HTTP: open the reply form, log in if the session has lapsed, send.

Everything before the reply's POST raises NotPosted (nothing can be on the forum); the POST
itself raises OutcomeUnknown when its answer is missing or unreadable.
"""

from __future__ import annotations

import logging

from .engines.base import Poster, SentPost
from .errors import LoginRefused
from .http import ForumHttp

__all__ = ["log_in", "post_reply"]

log = logging.getLogger(__name__)


def log_in(http: ForumHttp, poster: Poster, base_url: str, username: str, password: str) -> None:
    """Log the session in; raise LoginRefused with the forum's reason if it will not have us."""
    page = http.get(poster.login_url(base_url))
    form, fields = poster.login_form(page, username, password)
    http.wait_for_form_age(page, poster.form_min_age)
    answer = http.submit(form, fields, sends_post=False)
    reason = poster.login_error(answer)
    if reason is not None:
        raise LoginRefused(answer.url, answer.status, f"login as {username!r} refused: {reason}")
    log.info("logged in to %s as %s", base_url, username)


def post_reply(
    http: ForumHttp, poster: Poster, *, base_url: str, thread_url: str, username: str, password: str, body: str
) -> SentPost:
    """Post body as a reply in the thread; return the new post's id and permalink."""
    form_url = poster.reply_url(thread_url)
    page = http.get(form_url)
    form = poster.reply_form(page)  # NotPosted if logged in but offered no form
    if form is None:
        # No kept session, or it expired: renew it once.
        log_in(http, poster, base_url, username, password)
        page = http.get(form_url)
        form = poster.reply_form(page)
        if form is None:
            raise LoginRefused(page.url, page.status, "logged in, but the forum shows no reply form for this account")
    fields = poster.reply_fields(form, body)
    http.wait_for_form_age(page, poster.form_min_age)
    answer = http.submit(form, fields, sends_post=True)
    sent = poster.reply_outcome(answer, thread_url)
    log.info("posted reply in %s: post %s", thread_url, sent.external_id)
    return sent
