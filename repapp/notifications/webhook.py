"""Posting alerts as JSON to the chat webhook an administrator configured (REPAPP_WEBHOOK_URL).

The address comes from the configuration only — never from a playbook, a post or a form — and
redirects are not followed, so an alert can only ever reach where the admin pointed it. Chat
webhook addresses usually embed a secret, so only the host is ever logged.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

log = logging.getLogger(__name__)


class WebhookError(Exception):
    """The webhook did not accept the alert; the text names the host and the reason, not the address."""


@dataclass(frozen=True)
class WebhookSettings:
    """Where alerts go (None: nowhere) and how long to wait."""

    url: str | None
    timeout: float = 5.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> WebhookSettings:
        """Read WEBHOOK_URL (set from REPAPP_WEBHOOK_URL) and WEBHOOK_TIMEOUT."""
        return cls(url=(config.get("WEBHOOK_URL") or "").strip() or None,
                   timeout=float(config.get("WEBHOOK_TIMEOUT", 5.0)))

    @property
    def host(self) -> str:
        """Return the host the webhook points at (safe to log)."""
        return urlsplit(self.url or "").netloc.rpartition("@")[2]


def check_webhook_url(url: str) -> str:
    """Accept only an absolute http(s) address; raise ValueError otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("the webhook address must be an absolute http:// or https:// URL")
    return url


def post_webhook(settings: WebhookSettings, payload: Mapping[str, Any]) -> bool:
    """POST the payload as JSON; return False when no webhook is configured, raise WebhookError on failure."""
    if not settings.url:
        return False
    try:
        check_webhook_url(settings.url)
    except ValueError as exc:
        raise WebhookError(str(exc)) from None
    try:
        # trust_env=False: no proxy or .netrc from the environment; the configured address is all there is.
        with httpx.Client(timeout=settings.timeout, follow_redirects=False, trust_env=False) as client:
            response = client.post(settings.url, json=dict(payload))
    except httpx.HTTPError as exc:
        raise WebhookError(f"{settings.host}: {type(exc).__name__}") from None
    if not 200 <= response.status_code < 300:
        raise WebhookError(f"{settings.host}: HTTP {response.status_code}")
    log.info("webhook alert delivered to %s", settings.host)
    return True
