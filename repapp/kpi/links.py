"""Tracked links: short /go/<code> addresses that redirect to the client's site and count clicks.

A click counts once per visitor, link and local day; a visitor is known only by a keyed hash of
their address and browser (the app's secret key is the key), so the address itself is never
stored. Link previews, prefetches and known bots are not counted.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..audit import record_event
from ..models import Client, LinkClick, Reply, TrackedLink, User, WatchedThread, utcnow
from .periods import local_day

log = logging.getLogger(__name__)

CODE_BYTES = 6  # 8 URL-safe characters
GO_PATH = "/go/"
# Crawlers, link previewers and scripts: they follow links without being people.
BOT_PATTERN = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|mediapartners|facebookexternalhit|embedly|quora link preview|"
    r"whatsapp|telegram|skypeuripreview|vkshare|preview|monitor|pingdom|uptime|headless|phantomjs|"
    r"python-requests|python-urllib|httpx|aiohttp|curl/|wget/|libwww|java/|go-http-client|okhttp|scrapy",
    re.IGNORECASE,
)
_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"')\]]+", re.IGNORECASE)


class LinkError(ValueError):
    """A tracked link cannot be made as asked; `field` names the form field at fault."""

    def __init__(self, field: str, message: object) -> None:
        super().__init__(str(message))
        self.field, self.message = field, message


@dataclass(frozen=True)
class Visit:
    """What the redirect knows about one request, reduced to what counting needs."""

    address: str
    user_agent: str
    method: str = "GET"
    purpose: str = ""  # Sec-Purpose / Purpose header: "prefetch" for speculative loads


def is_bot(user_agent: str) -> bool:
    """Tell whether a User-Agent belongs to a bot, a previewer or a script (an empty one does too)."""
    return not user_agent.strip() or bool(BOT_PATTERN.search(user_agent))


def visitor_hash(secret_key: str, address: str, user_agent: str) -> str:
    """Return a keyed hash of the visitor's address and browser; the address itself is never stored."""
    message = f"{address}\n{user_agent}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def counts(visit: Visit) -> bool:
    """Tell whether a request is a person's click (not a bot, a preview or a prefetch)."""
    return visit.method == "GET" and "prefetch" not in visit.purpose.lower() and not is_bot(visit.user_agent)


def create_link(dbs: Session, thread: WatchedThread, target_url: str, *, reply: Reply | None = None,
                actor: User | None = None) -> TrackedLink:
    """Make a tracked link for a URL, tied to the thread's client and forum (and a reply, if given)."""
    target_url = target_url.strip()
    parts = urlsplit(target_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise LinkError("target_url", _l("Give a full http(s) address."))
    if len(target_url) > 2000:
        raise LinkError("target_url", _l("The address is too long."))
    if reply is not None and (reply.client_id != thread.client_id or reply.thread_id != thread.id):
        raise LinkError("reply_id", _l("That reply belongs to another thread."))
    link = TrackedLink(code=_unique_code(dbs), client_id=thread.client_id, forum_id=thread.forum_id,
                       thread_id=thread.id, reply_id=reply.id if reply else None, target_url=target_url,
                       created_by_id=actor.id if actor else None)
    dbs.add(link)
    dbs.flush()
    record_event(dbs, "link.create", "tracked_link", link.id, actor=actor, client_id=link.client_id,
                 code=link.code, target_url=target_url)
    return link


def _unique_code(dbs: Session) -> str:
    """Return a random code no link has yet."""
    while True:
        code = secrets.token_urlsafe(CODE_BYTES)
        if not dbs.scalar(select(TrackedLink.id).where(TrackedLink.code == code)):
            return code


def link_by_code(dbs: Session, code: str) -> TrackedLink | None:
    """Return the link with this code, or None."""
    return dbs.scalar(select(TrackedLink).where(TrackedLink.code == code)) if len(code) <= 32 else None


def record_click(dbs: Session, link: TrackedLink, visit: Visit, secret_key: str, *,
                 at: datetime | None = None) -> bool:
    """Count a click unless a bot's, a preview or the visitor's second today; return whether it counted."""
    if not counts(visit):
        return False
    at = at or utcnow()
    client = dbs.get(Client, link.client_id)
    day = local_day(at, client.timezone if client else "UTC")
    digest = visitor_hash(secret_key, visit.address, visit.user_agent)
    seen = select(LinkClick.id).where(LinkClick.link_id == link.id, LinkClick.visitor_hash == digest,
                                      LinkClick.day == day)
    if dbs.scalar(seen) is not None:
        return False
    try:
        with dbs.begin_nested():  # two clicks at once: the unique constraint keeps one
            dbs.add(LinkClick(link_id=link.id, visitor_hash=digest, day=day, clicked_at=at))
    except IntegrityError:
        return False
    return True


def links_bypassing_tracking(text: str, site_domains: list[str], base_url: str) -> list[str]:
    """Return the links in a draft that point at the client's site directly instead of through /go/.

    For the playbook check: where the playbook asks for tracked links, a draft linking to the
    client's site (any of `site_domains`, subdomains included) must use a repapp /go/ link.
    """
    base = urlsplit(base_url)
    domains = [d.lower().lstrip(".") for d in site_domains if d]
    found = []
    for url in _URL_IN_TEXT.findall(text):
        url = url.rstrip(".,;:!?")
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if host == (base.hostname or "").lower() and parts.path.startswith(GO_PATH):
            continue
        if any(host == d or host.endswith("." + d) for d in domains):
            found.append(url)
    return found
