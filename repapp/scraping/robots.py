"""Decide from each origin's robots.txt whether repapp may read a URL, caching the file per origin."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

log = logging.getLogger(__name__)

ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309 2.5: parse at least the first 500 KiB
RobotsFetch = Callable[[str], tuple[int, bytes]]
"""Fetch a robots.txt URL and return (status, body); raise when no answer came at all."""


@dataclass(frozen=True)
class _Entry:
    parser: RobotFileParser
    expires: float
    failure: str  # why everything is disallowed, when robots.txt failed; else ""


def robots_url(url: str) -> str:
    """Return the robots.txt URL of url's origin (scheme, host and port)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


def parser_for(status: int, body: bytes) -> tuple[RobotFileParser, bool]:
    """Return the rules RFC 9309 implies for a robots.txt answer, and whether the answer was a failure."""
    parser = RobotFileParser()
    if status == 429 or status >= 500:
        # Unreachable: RFC 9309 2.3.1.3 says assume complete disallow (for now; it allows
        # falling back to a cached copy after 30 days, which we do not keep that long).
        parser.disallow_all = True
        return parser, True
    if 200 <= status < 300:
        text = body[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace")
        parser.parse(text.splitlines())
        return parser, False
    # 4xx, or redirects that could not be followed: unavailable, which means no restrictions.
    parser.allow_all = True
    return parser, False


class RobotsCache:
    """Fetch and keep each origin's robots.txt for a while, fetching it once for many callers."""

    def __init__(
        self,
        *,
        ttl: float = 3600.0,
        failure_ttl: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Keep a good answer ttl seconds and a failed one failure_ttl, so a recovered host is read again soon."""
        self._ttl = ttl
        self._failure_ttl = failure_ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}
        self._origin_locks: dict[str, threading.Lock] = {}

    def allowed(self, url: str, user_agent: str, fetch: RobotsFetch) -> bool:
        """Return whether user_agent may fetch url, fetching robots.txt with fetch when not cached."""
        return self.refusal(url, user_agent, fetch) is None

    def refusal(self, url: str, user_agent: str, fetch: RobotsFetch) -> str | None:
        """Return why user_agent may not fetch url, or None when it may.

        Errors raised by fetch (no answer at all) propagate and nothing is cached, so the
        caller reports a connection failure rather than a robots.txt refusal.
        """
        origin_robots = robots_url(url)
        entry = self._fresh(origin_robots)
        if entry is None:
            with self._origin_lock(origin_robots):
                # Another thread may have fetched it while this one waited for the lock.
                entry = self._fresh(origin_robots)
                if entry is None:
                    entry = self._load(origin_robots, fetch)
        if entry.parser.can_fetch(user_agent, url):
            return None
        return entry.failure or "disallowed by robots.txt"

    def clear(self) -> None:
        """Forget every cached robots.txt."""
        with self._lock:
            self._entries.clear()

    def _fresh(self, origin_robots: str) -> _Entry | None:
        """Return the cached entry while it is fresh, else None."""
        with self._lock:
            entry = self._entries.get(origin_robots)
        if entry is not None and entry.expires > self._clock():
            return entry
        return None

    def _origin_lock(self, origin_robots: str) -> threading.Lock:
        """Return the lock that lets one thread fetch this robots.txt."""
        with self._lock:
            return self._origin_locks.setdefault(origin_robots, threading.Lock())

    def _load(self, origin_robots: str, fetch: RobotsFetch) -> _Entry:
        """Fetch robots.txt, cache what it implies, and return the entry."""
        status, body = fetch(origin_robots)
        parser, failed = parser_for(status, body)
        failure = ""
        if failed:
            failure = f"robots.txt answered HTTP {status}: nothing on this host is read until it answers again"
            log.warning("%s answered %s: reading nothing on that host for now", origin_robots, status)
        else:
            log.info("%s: status %s", origin_robots, status)
        entry = _Entry(parser, self._clock() + (self._failure_ttl if failed else self._ttl), failure)
        with self._lock:
            self._entries[origin_robots] = entry
        return entry


SHARED_ROBOTS = RobotsCache()
"""The process-wide robots.txt cache: every Fetcher uses it unless handed its own."""
