"""`repapp threads add` and `repapp scrape` (a whole thread, printed as JSON, no database)."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from ..extensions import db
from ..forums.registry import forum_definitions
from ..models import Client
from .operations import ThreadError, watch_thread
from .whole import read_whole_thread


@click.group("threads")
def threads_group() -> None:
    """Manage watched threads."""


@threads_group.command("add")
@click.argument("url")
@click.option("--client", "slug", required=True, help="The client's slug.")
@with_appcontext
def threads_add_command(url: str, slug: str) -> None:
    """Start watching the thread at URL for a client."""
    client = db.session.scalar(select(Client).where(Client.slug == slug))
    if client is None:
        raise click.ClickException(f"unknown client {slug!r}")
    try:
        thread = watch_thread(db.session, client, url, forum_definitions())
    except ThreadError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Watching {thread.url} for {client.slug} (thread #{thread.id}); the worker reads it next.")


@click.command("scrape")
@click.argument("url")
@click.option("--forum", "forum_key", help="A forum key from forums/ (default: the forum the URL belongs to).")
@click.option("--engine", "engine_key", help="Read with this engine even if no definition lists the host.")
@click.option("--timezone", default="UTC", show_default=True, help="Time zone with --engine.")
@click.option("--locale", "date_locale", default="en", show_default=True, help="Date language with --engine.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the default prints a short summary).")
@with_appcontext
def scrape_command(url: str, forum_key: str | None, engine_key: str | None, timezone: str, date_locale: str,
                   as_json: bool) -> None:
    """Read a whole thread politely (all pages) and print its posts."""
    from ..forums.definitions import ForumDefinition
    from .operations import find_definition

    definitions = forum_definitions()
    try:
        if engine_key:
            # The operator's bypass: a one-off definition for a host that forums/ may not list.
            parts = urlsplit(url)
            definition = ForumDefinition(key="cli", name="cli", base_url=f"{parts.scheme}://{parts.netloc}/",
                                         engine=engine_key, timezone=timezone, date_locale=date_locale)
        elif forum_key:
            if forum_key not in definitions:
                raise click.ClickException(f"unknown forum {forum_key!r}; known: {', '.join(sorted(definitions))}")
            definition = definitions[forum_key]
        else:
            definition = find_definition(url, definitions)
        data = read_whole_thread(url, definition, extra_definitions=[definition] if engine_key else [])
    except (ThreadError, KeyError) as exc:
        raise click.ClickException(str(exc).strip("'\"")) from None
    except Exception as exc:  # FetchError, ParseError: one clear line, not a traceback
        current_app.logger.debug("scrape failed", exc_info=True)
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
    else:
        thread = data["thread"]
        click.echo(f"{thread['title']} — {thread['page_count']} pages, {len(data['posts'])} posts, "
                   f"views {thread['views']}")
        for post in data["posts"]:
            click.echo(f"  #{post['id']} {post['posted_at']} {post['author']}: {post['text'][:80]!r}")
