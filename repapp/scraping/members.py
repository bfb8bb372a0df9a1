"""Reading threads that only members can see, with the client's forum account.

The account's session cookies are kept encrypted between reads; when the forum no longer honours
them (a login page, 401/403, a page without posts) the session is renewed once by logging in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..crypto import WrongEncryptionKey, decrypt, encrypt
from ..forums.definitions import ForumDefinition
from ..models import ForumAccount, WatchedThread, utcnow
from .errors import ParseError
from .fetch import Fetcher
from .fetch_errors import FetchError, HttpStatusError

log = logging.getLogger(__name__)

T = TypeVar("T")


class MembersOnlyUnavailable(FetchError):
    """The thread needs a member's session and the client's account cannot provide one."""


def _refused(exc: Exception) -> bool:
    """Tell whether a failure looks like the forum showing a guest's page instead of the thread."""
    return isinstance(exc, ParseError) or (isinstance(exc, HttpStatusError) and exc.status in (401, 403))


def read_as_member(
    dbs: Session, thread: WatchedThread, definition: ForumDefinition, fetcher: Fetcher,
    read: Callable[[object], T],
) -> T:
    """Run `read(session)` with the account's kept session; on a refusal log in once and read again."""
    from ..posting.cookies import dump_cookies, load_cookies
    from ..posting.engines import poster_for
    from ..posting.flows import log_in
    from ..posting.http import ForumHttp

    account = dbs.scalar(select(ForumAccount).where(ForumAccount.client_id == thread.client_id,
                                                    ForumAccount.forum_id == thread.forum_id))
    poster = poster_for(definition)
    if account is None or not account.password_encrypted or poster is None:
        raise MembersOnlyUnavailable(thread.url, None, "members-only thread, but the client has no forum account "
                                     "with a password here (or the engine cannot log in)")
    session = fetcher.new_session()
    try:
        kept = _kept_cookies(account)
        if kept:
            load_cookies(session.cookies, kept)
        try:
            result = read(session)
        except (ParseError, HttpStatusError) as exc:
            if not _refused(exc):
                raise
            dbs.rollback()
            log.info("thread %s: the kept session was refused (%s); logging in as %s", thread.id, exc, account.username)
            session.cookies.clear()
            log_in(ForumHttp(fetcher, session), poster, definition.base_url, account.username,
                   decrypt(account.password_encrypted))
            result = read(session)
        cookies = dump_cookies(session.cookies)
        if cookies != kept:
            account.session_encrypted, account.session_saved_at = encrypt(cookies), utcnow()
        return result
    finally:
        session.close()


def _kept_cookies(account: ForumAccount) -> str | None:
    """Return the account's kept cookies, or None if there are none this key can read."""
    if not account.session_encrypted:
        return None
    try:
        return decrypt(account.session_encrypted)
    except WrongEncryptionKey:
        return None
