"""A forum account's session cookies, kept between runs (encrypted by the caller, never logged)."""

from __future__ import annotations

import json
import time
from http.cookiejar import Cookie

import httpx

__all__ = ["dump_cookies", "load_cookies"]

_FIELDS = ("name", "value", "domain", "path", "secure", "expires")


def dump_cookies(cookies: httpx.Cookies) -> str:
    """Return the jar's cookies as JSON (for encryption at rest)."""
    kept = [
        {"name": c.name, "value": c.value or "", "domain": c.domain, "path": c.path,
         "secure": c.secure, "expires": c.expires}
        for c in cookies.jar
    ]
    return json.dumps(sorted(kept, key=lambda c: (c["domain"], c["path"], c["name"])), ensure_ascii=False)


def load_cookies(cookies: httpx.Cookies, data: str, *, now: float | None = None) -> int:
    """Put stored cookies back into a jar, leaving out expired ones; return how many were loaded.

    Anything unreadable loads nothing: the session is then simply renewed by logging in.
    """
    try:
        stored = json.loads(data)
    except (TypeError, ValueError):
        return 0
    now = time.time() if now is None else now
    loaded = 0
    for item in stored if isinstance(stored, list) else []:
        if not isinstance(item, dict) or not all(k in item for k in _FIELDS):
            continue
        if item["expires"] is not None and item["expires"] <= now:
            continue
        domain = str(item["domain"])
        cookies.jar.set_cookie(Cookie(
            version=0, name=str(item["name"]), value=str(item["value"]), port=None, port_specified=False,
            domain=domain, domain_specified=domain.startswith("."), domain_initial_dot=domain.startswith("."),
            path=str(item["path"]), path_specified=True, secure=bool(item["secure"]),
            expires=item["expires"], discard=item["expires"] is None, comment=None, comment_url=None,
            rest={}, rfc2109=False,
        ))
        loaded += 1
    return loaded
