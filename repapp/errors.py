"""Error pages that say what happened and what to do."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    403: (_l("Forbidden"), _l("You do not have access to this page.")),
    404: (_l("Not found"), _l("There is nothing here, or you do not have access to it.")),
    405: (_l("Method not allowed"), _l("This address does not accept that kind of request.")),
    429: (_l("Too many requests"), _l("Slow down and try again in a few minutes.")),
    500: (_l("Server error"), _l("Something went wrong on our side. The error has been logged.")),
}


def _render(code: int, message: object | None = None):
    """Render the error page for `code`."""
    title, default = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title, message=message or default), code


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
    return _render(500)


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _server_error)
