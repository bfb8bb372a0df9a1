"""Refuse every URL that is not http(s) on a defined forum's host, before any connection is made."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

import httpx

from .fetch_errors import FetchRefused

log = logging.getLogger(__name__)

ALLOWED_SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}


def parse_url(url: str | httpx.URL) -> httpx.URL:
    """Parse url the way httpx will send it, or raise FetchRefused."""
    if isinstance(url, httpx.URL):
        return url
    try:
        return httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise FetchRefused(str(url), f"not a valid URL ({exc})") from None


def host_of(url: httpx.URL) -> str:
    """Return the URL's host as ASCII (IDNA) lowercase, without a trailing dot."""
    return url.raw_host.decode("ascii").lower().rstrip(".")


def host_key(url: str | httpx.URL) -> str:
    """Return the key one host's rate limit is kept under: the host, plus its port unless 80 or 443."""
    url = parse_url(url)
    host = host_of(url)
    if ":" in host:
        host = f"[{host}]"
    # http and https on their default ports are the same machine: one budget for both.
    if url.port is None or url.port in DEFAULT_PORTS.values():
        return host
    return f"{host}:{url.port}"


def _parse_entry(entry: str) -> tuple[str, frozenset[int]]:
    """Return the host and the ports one allowed-hosts entry permits."""
    # An entry is a base URL, 'host' or 'host:port'. A host on a default port may be read over
    # http and https alike (forums redirect one to the other); an explicit port allows only itself.
    url = parse_url(entry if "://" in entry else f"http://{entry}")
    host = host_of(url)
    if not host or url.scheme not in ALLOWED_SCHEMES:
        raise ValueError(f"{entry!r} is not a host, host:port or http(s) URL")
    if url.port is None:
        return host, frozenset(DEFAULT_PORTS.values())
    return host, frozenset({url.port})


class UrlGuard:
    """Say which URLs repapp may fetch: http(s) only, and only on the listed hosts and ports."""

    def __init__(self, allowed_hosts: Iterable[str]) -> None:
        """Allow the given entries: base URLs, 'host' or 'host:port'."""
        self._entries = tuple(sorted(set(allowed_hosts)))
        ports: dict[str, frozenset[int]] = {}
        for entry in self._entries:
            host, entry_ports = _parse_entry(entry)
            ports[host] = ports.get(host, frozenset()) | entry_ports
        self._ports = ports

    @classmethod
    def from_definitions(cls, definitions: Mapping[str, Any] | Iterable[Any]) -> UrlGuard:
        """Allow the base URL host and the aliases of every forum definition."""
        defs = definitions.values() if isinstance(definitions, Mapping) else definitions
        entries: list[str] = []
        for definition in defs:
            entries.append(definition.base_url)
            entries.extend(definition.aliases)
        return cls(entries)

    @property
    def allowed_hosts(self) -> tuple[str, ...]:
        """Return the entries this guard was built from."""
        return self._entries

    def extended(self, extra_hosts: Iterable[str]) -> UrlGuard:
        """Return a guard that also allows extra_hosts (the operator's bypass for one CLI run)."""
        return UrlGuard((*self._entries, *extra_hosts))

    def allows(self, url: str | httpx.URL) -> bool:
        """Return whether url may be fetched."""
        try:
            self.check(url)
        except FetchRefused:
            return False
        return True

    def check(self, url: str | httpx.URL, *, redirected_from: str | httpx.URL | None = None) -> httpx.URL:
        """Return url parsed for sending, or raise FetchRefused naming the reason."""
        parsed = parse_url(url)
        via = f" (redirect from {redirected_from})" if redirected_from is not None else ""
        if parsed.scheme not in ALLOWED_SCHEMES:
            raise FetchRefused(str(url), f"scheme {parsed.scheme or '(none)'!r} is not http or https{via}")
        if not parsed.raw_host:
            raise FetchRefused(str(url), f"URL names no host{via}")
        if parsed.userinfo:
            raise FetchRefused(str(url), f"URL carries a user name or password{via}")
        host = host_of(parsed)
        ports = self._ports.get(host)
        if ports is None:
            raise FetchRefused(str(url), f"host {host!r} belongs to no defined forum{via}")
        port = parsed.port if parsed.port is not None else DEFAULT_PORTS[parsed.scheme]
        if port not in ports:
            raise FetchRefused(str(url), f"port {port} of {host!r} belongs to no defined forum{via}")
        return parsed
