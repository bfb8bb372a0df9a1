"""Russian and English: the user's choice, else the browser's, else the default."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, has_request_context, request
from flask_login import current_user

from .extensions import babel

SUPPORTED_LOCALES = ("ru", "en")
TRANSLATIONS_DIR = str(Path(__file__).resolve().parent / "translations")


def select_locale() -> str:
    """Pick the interface language for this request (the default one outside requests, e.g. CLI)."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in SUPPORTED_LOCALES:
        return current_user.locale
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with our translations."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", TRANSLATIONS_DIR)
    babel.init_app(app, locale_selector=select_locale)
