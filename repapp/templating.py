"""Template filters and globals, registered in one place."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Flask, request
from flask_babel import format_datetime, format_decimal, format_timedelta, get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from .i18n import SUPPORTED_LOCALES
from .models import Role
from .navigation import nav_items, role_label
from .pagination import page_url
from .scraping.sanitize import sanitize_html


def _datetime(value: datetime | None, fmt: str = "medium") -> str:
    """Format an aware datetime in the user's locale, or a dash."""
    return format_datetime(value, fmt) if value else "—"


def _number(value: Any) -> str:
    """Format a number in the user's locale, or a dash."""
    return format_decimal(value) if value is not None else "—"


def _duration(seconds: float) -> str:
    """Format a span of time as hours and minutes (or days and hours) in the user's locale."""
    return format_timedelta(timedelta(seconds=seconds), threshold=1.5, granularity="minute")


def _post_html(html: str | None) -> Markup:
    """Sanitize stored post HTML again at display time; the only way scraped HTML becomes markup."""
    return Markup(sanitize_html(html or "", ""))


def _context() -> dict[str, Any]:
    """Values every template may use."""
    return {
        "Role": Role,
        "current_locale": str(get_locale()),
        "supported_locales": SUPPORTED_LOCALES,
        "csrf_token_value": generate_csrf,
        "current_path": request.full_path.rstrip("?") if request else "/",
        "nav_role": current_user.role.value if current_user and current_user.is_authenticated else None,
    }


def init_app(app: Flask) -> None:
    """Register filters and the template context."""
    app.jinja_env.filters["datetime"] = _datetime
    app.jinja_env.filters["number"] = _number
    app.jinja_env.filters["post_html"] = _post_html
    app.jinja_env.globals["page_url"] = page_url
    app.jinja_env.globals["duration"] = _duration
    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["role_label"] = role_label
    app.context_processor(_context)
