"""One forum account's HTTP: guarded, rate-limited, and never retried, because a POST must not repeat.

Requests go through the Fetcher's URL guard (every redirect hop too) and its per-host limiter and
politeness, like every other request repapp makes. robots.txt is not consulted: it speaks to
crawlers, and here a person's account acts on a forum that agreed to the representative.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from ..scraping.fetch import ACCEPT, MAX_BODY_BYTES, REDIRECT_STATUSES, Fetcher
from ..scraping.fetch_errors import FetchRefused
from ..scraping.urlguard import host_key
from .errors import NotPosted, OutcomeUnknown
from .forms import HtmlForm

__all__ = ["ForumHttp", "Page"]

log = logging.getLogger(__name__)

# Errors raised before a single byte of the request left: the forum cannot have seen it.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


@dataclass(frozen=True)
class Page:
    """One answer: its URL, status, headers and body, and when it arrived (monotonic clock)."""

    url: str
    status: int
    headers: httpx.Headers
    body: bytes
    received_at: float

    @property
    def location(self) -> str | None:
        """Return a redirect's target as an absolute URL, or None."""
        target = self.headers.get("location")
        if self.status not in REDIRECT_STATUSES or not target:
            return None
        return urljoin(self.url, target)


class ForumHttp:
    """GET pages and POST forms for one account's session (an httpx client that keeps the cookies)."""

    def __init__(
        self,
        fetcher: Fetcher,
        session: httpx.Client,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        max_redirects: int = 5,
    ) -> None:
        """Send through fetcher's guard, limiter and politeness, with session's cookies."""
        self.fetcher = fetcher
        self.session = session
        self.clock = clock
        self.sleep = sleep
        self._max_redirects = max_redirects
        # The fetcher's own limiter, so reading and posting share one budget per host.
        self._limiter = fetcher._limiter

    def get(self, url: str) -> Page:
        """GET url and follow its redirects; raise NotPosted if it cannot be had."""
        current = self._check(url)
        for _hop in range(self._max_redirects + 1):
            try:
                page = self._send("GET", current)
            except httpx.HTTPError as exc:
                raise NotPosted(current, None, f"connection failed: {str(exc) or type(exc).__name__}") from exc
            if page.location is None:
                if page.status >= 400 and page.status not in (401, 403):
                    raise NotPosted(page.url, page.status, "the forum answered with an error")
                return page
            current = self._check(page.location, redirected_from=current)
        raise NotPosted(url, None, f"more than {self._max_redirects} redirects")

    def submit(self, form: HtmlForm, fields: Iterable[tuple[str, str]], *, sends_post: bool) -> Page:
        """POST a filled form without following the answer's redirect (the redirect is the answer).

        With sends_post, a failure once the request may have left is OutcomeUnknown, not NotPosted.
        """
        target = self._check(form.action)
        body = form.encode(fields)
        try:
            page = self._send("POST", target, content=body,
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
        except _NOT_SENT as exc:
            raise NotPosted(target, None, f"connection failed: {str(exc) or type(exc).__name__}") from exc
        except httpx.HTTPError as exc:
            reason = f"no answer to the form: {str(exc) or type(exc).__name__}"
            if sends_post:
                raise OutcomeUnknown(target, None, reason) from exc
            raise NotPosted(target, None, reason) from exc
        if page.status >= 500 and sends_post:
            # The forum finished with the request, but it may have stored the post before failing.
            raise OutcomeUnknown(target, page.status, "the forum failed on the reply", settled=True)
        return page

    def wait_for_form_age(self, page: Page, seconds: float) -> None:
        """Wait until a form served in `page` is `seconds` old (forums refuse forms sent too fast)."""
        wait = page.received_at + seconds - self.clock()
        if wait > 0:
            log.debug("waiting %.2f s before sending the form from %s", wait, page.url)
            self.sleep(wait)

    def _check(self, url: str, *, redirected_from: str | None = None) -> str:
        """Return url if the guard allows it, else raise NotPosted naming why."""
        try:
            return str(self.fetcher.guard.check(url, redirected_from=redirected_from))
        except FetchRefused as exc:
            raise NotPosted(exc.url, None, exc.reason) from exc

    def _send(self, method: str, url: str, *, content: bytes | None = None, headers: dict[str, str] | None = None) -> Page:
        """Send one request within the host's slot and read its (capped) body."""
        politeness = self.fetcher.politeness_for(url)
        request_headers = {"User-Agent": self.fetcher.user_agent, "Accept": ACCEPT, **(headers or {})}
        with self._limiter.slot(
            host_key(url), requests_per_minute=politeness.requests_per_minute, concurrency=politeness.concurrency
        ):
            request = self.session.build_request(
                method, url, content=content, headers=request_headers, timeout=politeness.timeout_seconds
            )
            response = self.session.send(request, stream=True, follow_redirects=False)
            try:
                body = self._read(response, url)
            finally:
                response.close()
        log.debug("%s %s -> %s", method, url, response.status_code)
        return Page(url, response.status_code, response.headers, body, self.clock())

    @staticmethod
    def _read(response: httpx.Response, url: str) -> bytes:
        """Return the body, refusing one too large to be a forum page."""
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise httpx.ReadError(f"body of {url} larger than {MAX_BODY_BYTES} bytes")
        return b"".join(chunks)
