"""CSRF protection, security headers on every response, and no forum credentials in the HTTP logs."""

from __future__ import annotations

import logging

from flask import Flask, Response

from .extensions import csrf


def _security_headers(response: Response) -> Response:
    """Add the headers every response carries, error pages included."""
    headers = response.headers
    headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' https: http: data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    )
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    return response


def init_app(app: Flask) -> None:
    """Protect every state-changing request with a CSRF token and add security headers."""
    csrf.init_app(app)
    app.after_request(_security_headers)
    # httpcore's DEBUG records carry response headers, forums' session cookies among them: never below INFO.
    http_log = logging.getLogger("httpcore")
    http_log.setLevel(max(http_log.getEffectiveLevel(), logging.INFO))
