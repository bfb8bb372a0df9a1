"""The forum definitions of a running app, loaded once from FORUMS_DIR, and a fetcher for them."""

from __future__ import annotations

from flask import Flask, current_app

from ..scraping.engines import ENGINES
from ..scraping.fetch import Fetcher
from .definitions import ForumDefinition, load_forum_definitions

_CACHE_KEY = "repapp.forum_definitions"


def forum_definitions(app: Flask | None = None) -> dict[str, ForumDefinition]:
    """Return the app's forum definitions keyed by forum key (loaded on first use)."""
    app = app or current_app
    cache = app.extensions.setdefault(_CACHE_KEY, {})
    folder = app.config["FORUMS_DIR"]
    if folder not in cache:
        cache[folder] = load_forum_definitions(folder, known_engines=ENGINES)
    return cache[folder]


def forget_definitions(app: Flask | None = None) -> None:
    """Drop the cached definitions so the next use reads the files again."""
    (app or current_app).extensions.pop(_CACHE_KEY, None)


def make_fetcher(app: Flask | None = None) -> Fetcher:
    """Return a fetcher limited to the defined forums' hosts, with their politeness."""
    return Fetcher.from_definitions(forum_definitions(app))


def definition_for_url(url: str, app: Flask | None = None) -> ForumDefinition | None:
    """Return the definition whose base URL (or alias host) the URL lives under."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    for definition in forum_definitions(app).values():
        base = urlsplit(definition.base_url)
        if parts.scheme != base.scheme:
            continue
        if parts.netloc == base.netloc and parts.path.startswith(base.path.rstrip("/") + "/") or (
            parts.netloc == base.netloc and parts.path == base.path.rstrip("/")
        ):
            return definition
        if parts.netloc in definition.aliases:
            return definition
    return None
