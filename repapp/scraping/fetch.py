"""Fetch forum pages politely and safely: guarded URLs, per-host limits, robots.txt, retries.

The only module (with the posting code) that talks HTTP; parsers get a FetchResult's bytes.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import Message
from email.utils import parsedate_to_datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import httpx

from ..forums.definitions import Politeness
from .fetch_errors import FetchError, FetchRefused, FetchTimeout, HttpStatusError, RobotsDisallowed
from .ratelimit import SHARED_LIMITER, RateLimiter
from .robots import ROBOTS_MAX_BYTES, SHARED_ROBOTS, RobotsCache
from .urlguard import UrlGuard, host_key

__all__ = [
    "FetchError",
    "FetchRefused",
    "FetchResult",
    "FetchTimeout",
    "Fetcher",
    "HttpStatusError",
    "RobotsDisallowed",
    "USER_AGENT",
    "parse_retry_after",
    "politeness_by_host",
]

log = logging.getLogger(__name__)


def _repapp_version() -> str:
    """Return the installed repapp version, or "0" in a bare checkout."""
    try:
        return version("repapp")
    except PackageNotFoundError:
        return "0"


# "repapp" is the product token robots.txt groups can name.
USER_AGENT = f"repapp/{_repapp_version()} (forum workbench of an official brand representative)"
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# Statuses that mean the host as a whole is overloaded: every caller backs off, not just this one.
HOST_BACKOFF_STATUSES = frozenset({429, 503})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_BODY_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class FetchResult:
    """One fetched page: raw bytes, the headers, and the validators for the next conditional request."""

    url: str
    final_url: str
    status: int
    body: bytes
    headers: Mapping[str, str]
    etag: str | None
    last_modified: str | None
    not_modified: bool
    elapsed: float  # seconds for the whole get(), waits and retries included

    @property
    def charset(self) -> str | None:
        """Return the charset the Content-Type header declares, if any."""
        content_type = self.headers.get("content-type")
        if not content_type:
            return None
        message = Message()
        message["content-type"] = content_type
        return message.get_param("charset")


@dataclass(frozen=True)
class _Answer:
    url: httpx.URL
    status: int
    reason: str
    headers: httpx.Headers
    body: bytes


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Return the seconds a Retry-After header asks for (delta-seconds or HTTP-date), or None."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


def _strictest(a: Politeness, b: Politeness) -> Politeness:
    """Return the stricter of two politeness settings, field by field."""
    return Politeness(
        requests_per_minute=min(a.requests_per_minute, b.requests_per_minute),
        concurrency=min(a.concurrency, b.concurrency),
        respect_robots=a.respect_robots or b.respect_robots,
        timeout_seconds=max(a.timeout_seconds, b.timeout_seconds),
        max_retries=min(a.max_retries, b.max_retries),
    )


def politeness_by_host(definitions: Mapping[str, Any] | Iterable[Any]) -> dict[str, Politeness]:
    """Return each host's politeness; where forums share a host, the strictest of theirs."""
    defs = definitions.values() if isinstance(definitions, Mapping) else definitions
    by_host: dict[str, Politeness] = {}
    for definition in defs:
        hosts = [definition.base_url, *(f"http://{alias}" for alias in definition.aliases)]
        for key in {host_key(host) for host in hosts}:
            known = by_host.get(key)
            by_host[key] = definition.politeness if known is None else _strictest(known, definition.politeness)
    return by_host


class Fetcher:
    """GET pages through the URL guard, the shared per-host limiter and robots.txt, with retries."""

    def __init__(
        self,
        guard: UrlGuard,
        *,
        politeness: Mapping[str, Politeness] | None = None,
        default_politeness: Politeness = Politeness(),
        limiter: RateLimiter | None = None,
        robots: RobotsCache | None = None,
        user_agent: str = USER_AGENT,
        max_redirects: int = 5,
        max_retry_wait: float = 120.0,
        backoff_base: float = 1.0,
        backoff_cap: float = 60.0,
        max_body_bytes: int = MAX_BODY_BYTES,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """Fetch what guard allows; politeness maps host_key() to limits, default_politeness covers the rest."""
        self.guard = guard
        self._politeness = dict(politeness or {})
        self._default_politeness = default_politeness
        self._limiter = limiter if limiter is not None else SHARED_LIMITER
        self._robots = robots if robots is not None else SHARED_ROBOTS
        self.user_agent = user_agent
        self._max_redirects = max_redirects
        self._max_retry_wait = max_retry_wait
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._max_body_bytes = max_body_bytes
        self._sleep = sleep
        self._jitter = jitter
        self._clock = clock
        # trust_env off: proxies from the environment must not silently reroute forum traffic.
        self._client = httpx.Client(follow_redirects=False, trust_env=False, transport=transport)

    @classmethod
    def from_definitions(
        cls,
        definitions: Mapping[str, Any] | Iterable[Any],
        *,
        allow_hosts: Iterable[str] = (),
        **options: Any,
    ) -> Fetcher:
        """Build a fetcher for the defined forums; allow_hosts is the operator's CLI bypass, never for web or worker code."""
        defs = list(definitions.values() if isinstance(definitions, Mapping) else definitions)
        guard = UrlGuard.from_definitions(defs)
        extra = tuple(allow_hosts)
        if extra:
            log.warning("operator bypass: also fetching from %s, which no forum definition names", ", ".join(extra))
            guard = guard.extended(extra)
        return cls(guard, politeness=politeness_by_host(defs), **options)

    def __enter__(self) -> Fetcher:
        """Return the fetcher, to be closed on leaving the block."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Close the fetcher."""
        self.close()

    def close(self) -> None:
        """Close the fetcher's own HTTP client (never a session handed in to get())."""
        self._client.close()

    def new_session(self) -> httpx.Client:
        """Return a client for one forum account (it keeps the cookies); the caller closes it."""
        return httpx.Client(follow_redirects=False, trust_env=False, headers={"User-Agent": self.user_agent})

    def politeness_for(self, url: str | httpx.URL) -> Politeness:
        """Return the politeness that applies to url's host."""
        return self._politeness.get(host_key(url), self._default_politeness)

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        session: httpx.Client | None = None,
    ) -> FetchResult:
        """Fetch url, conditionally when validators are given; raise a FetchError subclass on failure."""
        started = self._clock()
        target = self.guard.check(url)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        client = session if session is not None else self._client
        max_retries = self.politeness_for(target).max_retries
        attempt = 0
        while True:
            cause: Exception | None = None
            host_wide = False
            try:
                answer = self._follow(target, headers, client)
            except httpx.TimeoutException as exc:
                cause, failure = exc, FetchTimeout(str(target), f"timed out ({type(exc).__name__})")
                wait = self._backoff(attempt)
            except httpx.TransportError as exc:
                cause, failure = exc, FetchError(str(target), None, f"connection failed: {str(exc) or type(exc).__name__}")
                wait = self._backoff(attempt)
            except httpx.RequestError as exc:
                # E.g. a body that does not decompress: asking again will not help.
                raise FetchError(str(target), None, f"unreadable response: {str(exc) or type(exc).__name__}") from exc
            else:
                if answer.status not in RETRY_STATUSES:
                    return self._result(url, answer, etag, last_modified, started)
                retry_after = parse_retry_after(answer.headers.get("retry-after"))
                failure = HttpStatusError(str(answer.url), answer.status, answer.reason, retry_after=retry_after)
                if retry_after is not None and retry_after > self._max_retry_wait:
                    # Longer than we wait in-line: let the scheduler try again later.
                    raise failure
                wait = retry_after if retry_after is not None else self._backoff(attempt)
                host_wide = answer.status in HOST_BACKOFF_STATUSES
            if attempt >= max_retries:
                raise failure from cause
            attempt += 1
            log.warning("%s; retry %d of %d in %.1f s", failure, attempt, max_retries, wait)
            if host_wide:
                self._limiter.defer(host_key(answer.url), wait)
            else:
                self._sleep(wait)

    def _backoff(self, attempt: int) -> float:
        """Return the wait before retry number attempt + 1: exponential, capped, jittered."""
        delay = min(self._backoff_cap, self._backoff_base * 2**attempt)
        # Jitter spreads out workers that failed together, so they do not retry together.
        return delay / 2 + self._jitter() * delay / 2

    def _result(
        self, url: str, answer: _Answer, etag: str | None, last_modified: str | None, started: float
    ) -> FetchResult:
        """Turn the last answer into a FetchResult, or raise HttpStatusError."""
        if answer.status == 304:
            not_modified = True
        elif 200 <= answer.status < 300:
            not_modified = False
        else:
            raise HttpStatusError(str(answer.url), answer.status, answer.reason)
        return FetchResult(
            url=url,
            final_url=str(answer.url),
            status=answer.status,
            body=answer.body,
            headers=answer.headers,
            # A 304 need not repeat the validators: keep the ones the caller already holds.
            etag=answer.headers.get("etag") or (etag if not_modified else None),
            last_modified=answer.headers.get("last-modified") or (last_modified if not_modified else None),
            not_modified=not_modified,
            elapsed=self._clock() - started,
        )

    def _follow(
        self, target: httpx.URL, headers: Mapping[str, str], client: httpx.Client, *, for_robots: bool = False
    ) -> _Answer:
        """Send target and follow its redirects, each hop guarded; return the last answer."""
        # Redirects are followed here, not by httpx, so every hop passes the guard, robots.txt and the limiter.
        current = target
        for _hop in range(self._max_redirects + 1):
            if not for_robots:
                self._check_robots(current)
            answer = self._send(client, current, headers, limit=ROBOTS_MAX_BYTES if for_robots else None)
            location = answer.headers.get("location")
            if answer.status not in REDIRECT_STATUSES or not location:
                return answer
            try:
                next_url = current.join(location)
            except httpx.InvalidURL:
                raise FetchRefused(location, f"redirect from {current} to an invalid URL") from None
            if for_robots and not self.guard.allows(next_url):
                return answer  # robots.txt behind a redirect we may not follow: "unavailable"
            current = self.guard.check(next_url, redirected_from=current)
            log.debug("redirected to %s", current)
        if for_robots:
            return answer
        raise FetchError(str(target), answer.status, f"more than {self._max_redirects} redirects")

    def _check_robots(self, url: httpx.URL) -> None:
        """Raise RobotsDisallowed when the host's robots.txt forbids url."""
        if url.path == "/robots.txt" or not self.politeness_for(url).respect_robots:
            return
        refusal = self._robots.refusal(str(url), self.user_agent, self._fetch_robots)
        if refusal is not None:
            raise RobotsDisallowed(str(url), refusal)

    def _fetch_robots(self, url: str) -> tuple[int, bytes]:
        """Fetch a robots.txt through the guard and the limiter; return (status, body)."""
        # Transport errors propagate: get() retries them and reports a connection failure.
        answer = self._follow(self.guard.check(url), {}, self._client, for_robots=True)
        return answer.status, answer.body

    def _send(
        self, client: httpx.Client, url: httpx.URL, headers: Mapping[str, str], *, limit: int | None = None
    ) -> _Answer:
        """Send one GET within the host's slot and read its body."""
        politeness = self.politeness_for(url)
        request_headers = {"User-Agent": self.user_agent, "Accept": ACCEPT, **headers}
        with self._limiter.slot(
            host_key(url), requests_per_minute=politeness.requests_per_minute, concurrency=politeness.concurrency
        ):
            request = client.build_request("GET", url, headers=request_headers, timeout=politeness.timeout_seconds)
            response = client.send(request, stream=True, follow_redirects=False)
            try:
                # A server trickling bytes under the read timeout must still not hold the slot forever.
                deadline = self._clock() + 3 * politeness.timeout_seconds
                body = self._read_body(response, url, deadline, limit)
            finally:
                response.close()
        return _Answer(url, response.status_code, response.reason_phrase, response.headers, body)

    def _read_body(self, response: httpx.Response, url: httpx.URL, deadline: float, limit: int | None) -> bytes:
        """Return the body, refusing one too large or too slow."""
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if limit is not None and size >= limit:
                break  # robots.txt: the rest is not read, per RFC 9309
            if size > self._max_body_bytes:
                raise FetchError(str(url), response.status_code, f"body larger than {self._max_body_bytes} bytes")
            if self._clock() > deadline:
                raise httpx.ReadTimeout(f"body of {url} still arriving after the deadline")
        return b"".join(chunks)

