"""`repapp forums check KEY URL`: read one page with a forum's definition and show, field by field, what it finds.

For the generic engine each selector is shown with what it matched and how that reads (a
date, a counter), so a person can write the definition of an unknown forum in minutes; for
the other engines the page's parse result is shown the same way. Nothing is stored.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
from flask import Flask
from flask.cli import with_appcontext

from ..scraping.engines import get_engine
from ..scraping.errors import ParseError
from ..scraping.fetch_errors import FetchError
from ..scraping.items import ThreadPage
from .definitions import ForumDefinition, ForumDefinitionInvalid
from .registry import forum_definitions, make_fetcher

__all__ = ["check_command", "forums_group", "init_app"]

_WIDTH = 16
_POSTS_SHOWN = 3


@click.group("forums")
def forums_group() -> None:
    """Forum definitions (forums/*.yaml)."""


@forums_group.command("check")
@click.argument("key")
@click.argument("url")
@click.option("--file", "saved", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Read this saved page instead of fetching URL (URL still names where it came from).")
@with_appcontext
def check_command(key: str, url: str, saved: Path | None) -> None:
    """Fetch one page of forum KEY at URL and show what the definition reads from it."""
    definition = _definition(key)
    _same_forum(definition, url)
    engine = get_engine(definition.engine, definition.engine_options)
    body, final_url, note = (saved.read_bytes(), url, f"saved page {saved}") if saved else _fetch(url)
    ctx = definition.parse_context(final_url, datetime.now(timezone.utc))
    _line("forum", f"{definition.key} — {definition.name} (engine {definition.engine}, "
                   f"{definition.timezone}, dates in {definition.date_locale})")
    _line("page", f"{final_url} ({note}, {len(body) / 1024:.1f} KB)")
    # Mistakes in the definition itself stopped _definition already, with file and line.
    _show_findings(engine.inspect(body, ctx))
    try:
        page = engine.parse_thread(body, ctx)
    except ParseError as exc:
        click.echo("result")
        click.echo(f"  cannot read the page: {exc.reason}")
        raise click.exceptions.Exit(1) from None
    _show_result(page)


def _definition(key: str) -> ForumDefinition:
    """Return forum KEY's definition, or stop with the definitions' problems or the known keys."""
    try:
        definitions = forum_definitions()
    except ForumDefinitionInvalid as exc:
        raise click.ClickException(f"the forum definitions have problems:\n{exc}") from None
    if key not in definitions:
        raise click.ClickException(f"unknown forum {key!r}; known: {', '.join(sorted(definitions))}")
    return definitions[key]


def _same_forum(definition: ForumDefinition, url: str) -> None:
    """Refuse an address outside the forum's hosts: its definition would not apply there."""
    host = urlsplit(url).netloc.lower()
    if urlsplit(url).scheme not in ("http", "https") or host not in definition.hosts:
        raise click.ClickException(f"{url} is not on forum {definition.key!r} "
                                   f"(its hosts: {', '.join(definition.hosts)})")


def _fetch(url: str) -> tuple[bytes, str, str]:
    """GET the page politely, as the scraper would (guard, rate limit, robots.txt)."""
    try:
        with make_fetcher() as fetcher:
            fetched = fetcher.get(url)
    except FetchError as exc:
        raise click.ClickException(f"cannot fetch the page: {exc}") from None
    return fetched.body, fetched.final_url, f"HTTP {fetched.status}"


def _line(label: str, text: str) -> None:
    """Print one labelled line."""
    click.echo(f"{label:<{_WIDTH}}{text}".rstrip())


def _show_findings(findings: list[Any]) -> None:
    """Print what each selector matched, grouped by thread, page and post."""
    scope = None
    for finding in findings:
        if finding.scope != scope:
            scope = finding.scope
            click.echo(scope)
        found = f"{finding.matches} match" + ("" if finding.matches == 1 else "es")
        parts = [f"  {finding.name:<{_WIDTH - 2}}{finding.selector:<32}", f"{found:<10}"]
        if finding.values:
            parts.append(" | ".join(repr(v) for v in finding.values))
        if finding.parsed:
            parts.append(f"→ {finding.parsed}")
        if finding.problem:
            parts.append(f"!! {finding.problem}")
        click.echo(" ".join(parts).rstrip())


def _show_result(page: ThreadPage) -> None:
    """Print the parsed thread and its first posts, field by field."""
    thread = page.thread
    click.echo("result")
    for name in ("title", "url", "page", "page_count", "views", "post_count", "forum_url"):
        _line(f"  {name}", _shown(getattr(thread, name)))
    _line("  posts", str(len(page.posts)))
    for number, post in enumerate(page.posts[:_POSTS_SHOWN], start=1):
        click.echo(f"  post {number}")
        fields = {
            "id": post.external_id, "url": post.url, "author": post.author,
            "posted_at": post.posted_at.isoformat() if post.posted_at else None,
            "edited": post.edited, "signature": post.signature, "text": post.text,
            "quotes": "; ".join(f"{q.author or '(no author)'}: {q.text[:60]!r}" for q in post.quotes) or None,
        }
        for name, value in fields.items():
            _line(f"    {name}", _shown(value))


def _shown(value: Any) -> str:
    """Show a value short enough for one line; None as "—"."""
    if value is None:
        return "—"
    text = str(value)
    return text if len(text) <= 100 else text[:99] + "…"


def init_app(app: Flask) -> None:
    """Register `repapp forums` on the Flask CLI."""
    app.cli.add_command(forums_group)
