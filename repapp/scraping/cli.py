"""`repapp parse`: run an engine parser over saved pages and print one JSON object per file."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from .engines import ENGINES, get_engine
from .errors import ParseError
from .items import ParseContext
from .output import listing_page_to_json, thread_page_to_json

__all__ = ["init_app", "parse_command"]

LOCALES = ("en", "ru", "uk")


def _zone(_ctx: click.Context, _param: click.Parameter, value: str) -> ZoneInfo:
    """Turn --timezone into a ZoneInfo, rejecting unknown names."""
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise click.BadParameter(f"unknown time zone {value!r}") from exc


def _fetch_time(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime:
    """Read --fetched-at (ISO 8601, aware); default: now."""
    if value is None:
        return datetime.now(timezone.utc)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"not an ISO 8601 date-time: {value!r}") from exc
    if parsed.tzinfo is None:
        raise click.BadParameter("give the offset too, e.g. 2026-11-22T13:30:00+00:00")
    return parsed


@click.command("parse")
@click.option("--engine", "engine_key", required=True, type=click.Choice(sorted(ENGINES)),
              help="Forum engine that produced the pages.")
@click.option("--url", default=None,
              help="URL the page was fetched from (default: the file's file:// URL).")
@click.option("--timezone", "zone", default="UTC", show_default=True, callback=_zone,
              help="Forum time zone, for dates printed without an offset.")
@click.option("--locale", "locale", default="en", show_default=True, type=click.Choice(LOCALES),
              help="Language of dates on the forum.")
@click.option("--fetched-at", default=None, callback=_fetch_time,
              help="When the page was fetched (ISO 8601 with offset); relative dates "
                   "count from it. Default: now.")
@click.option("--encoding", default=None, help="Override the page's declared encoding.")
@click.option("--listing", is_flag=True, help="The files are forum listings, not thread pages.")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
def parse_command(
    engine_key: str, url: str | None, zone: ZoneInfo, locale: str, fetched_at: datetime,
    encoding: str | None, listing: bool, files: tuple[Path, ...],
) -> None:
    """Parse saved forum pages with an engine and print one JSON object per file."""
    engine = get_engine(engine_key)
    options = {"encoding": encoding} if encoding else {}
    failed = 0
    for path in files:
        try:
            result = _parse_file(engine, path, url, zone, locale, fetched_at, options, listing)
        except (OSError, ParseError) as exc:
            failed += 1
            click.echo(f"error: {path}: {exc}", err=True)
            continue
        click.echo(json.dumps(result, ensure_ascii=False))
    if failed:
        raise click.exceptions.Exit(1)


def _parse_file(
    engine: Any, path: Path, url: str | None, zone: ZoneInfo, locale: str,
    fetched_at: datetime, options: dict[str, Any], listing: bool,
) -> dict[str, Any]:
    """Read one file and return its JSON shape."""
    body = path.read_bytes()
    ctx = ParseContext(url=url or path.resolve().as_uri(), fetched_at=fetched_at,
                       timezone=zone, date_locale=locale, options=options)
    if listing:
        return listing_page_to_json(engine.parse_listing(body, ctx))
    return thread_page_to_json(engine.parse_thread(body, ctx))


def init_app(app: Any) -> None:
    """Register `parse` on the Flask CLI; it needs neither an app context nor a database."""
    app.cli.add_command(parse_command)
