"""Error pages that say what happened and what to do."""

from __future__ import annotations

import logging

from flask import Flask, Response, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .extensions import db

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    403: (_l("Forbidden"), _l("You do not have access to this page.")),
    404: (_l("Not found"), _l("There is nothing here, or you do not have access to it.")),
    405: (_l("Method not allowed"), _l("This address does not accept that kind of request.")),
    429: (_l("Too many requests"), _l("Slow down and try again in a few minutes.")),
    500: (_l("Server error"), _l("Something went wrong on our side. The error has been logged.")),
}


# Shown when the error page itself cannot be rendered (the layout reads the user and the locale from
# the database, which may be what failed); both languages, since the user's cannot be looked up.
BARE_PAGE = (
    "<!doctype html><html><head><meta charset=\"utf-8\"><title>{code}</title></head><body>"
    "<h1>{code}</h1><p>Something went wrong on our side. Try again in a few minutes.</p>"
    "<p lang=\"ru\">Что-то пошло не так на нашей стороне. Попробуйте ещё раз через несколько минут.</p>"
    "</body></html>"
)


def _render(code: int, message: object | None = None):
    """Render the error page for `code`; fall back to a bare page when even that fails."""
    title, default = MESSAGES.get(code, MESSAGES[500])
    try:
        return render_template("errors/error.html", code=code, title=title, message=message or default), code
    except Exception:
        # Answer anyway, through Flask, so the response still gets the security headers.
        log.error("the error page for %s could not be rendered", code, exc_info=True)
        return Response(BARE_PAGE.format(code=code), status=code, mimetype="text/html")


def _http_error(exc: HTTPException):
    """Render an HTTP error."""
    return _render(exc.code or 500)


def _csrf_error(exc: CSRFError):
    """Explain a refused form without losing the user's way back."""
    log.warning("CSRF check failed: %s", exc.description)
    return _render(400, _l("The form has expired or did not come from this site. Reload the page and try again."))


def _server_error(exc: Exception):
    """Log an unexpected error and show a generic page (no details leak to the user)."""
    log.error("unhandled error", exc_info=exc)
    try:
        # A failed flush leaves the session unusable, and the page's layout reads the user through it.
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the database may be gone; the bare page covers that
        log.warning("could not roll back after the error", exc_info=True)
    return _render(500)


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _server_error)
