"""The generic engine, set up for a forum none of the engines knows from its definition file alone."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from engine_pages import SAVED_AT, page_bytes  # noqa: F401 - fixtures
from repapp.forums.definitions import ForumDefinitionInvalid, parse_forum_definition
from repapp.scraping.engines import ENGINES, get_engine
from repapp.scraping.errors import LayoutChanged
from repapp.scraping.items import ParseContext, Quote

KYIV = ZoneInfo("Europe/Kyiv")
PRESETS = Path(__file__).resolve().parents[2] / "forums" / "presets"

# The whole set-up of a new forum: no code, only this file (pages/generic/thread-page2.html is
# a home-made layout: div.msg posts, div.q quotes, a "Далі →" pager).
DEFINITION = """\
name: "Клуб абонентів"
base_url: https://club.example/
engine: generic
timezone: Europe/Kyiv
date_locale: uk
engine_options:
  posts_per_page: 20
  page_url: "{thread}?p={page}"
  id_pattern: "(\\\\d+)"
  selectors:
    post: "section.thread > div.msg"
    id: "::attr(data-msg)"
    author: ".msg-top .nick"
    date: ".msg-top .when"
    body: ".msg-text"
    title: "h1.topic-name"
    permalink: "a.num::attr(href)"
    quote: "div.q"
    quote_author: ".q-who"
    signature: ".msg-sign"
    edited: ".msg-edit"
    deleted: ".removed"
    remove: [".ad-inline"]
    views: ".topic-stat .v"
    post_count: ".topic-stat .n"
    current_page: "nav.pager .cur"
    pages: "nav.pager a"
    next_page: "a.pager-next"
"""


def definition(text: str = DEFINITION):
    """Load the definition as `repapp init` would, over the shipped presets."""
    return parse_forum_definition(text, "forums/club.yaml", known_engines=ENGINES, presets_folder=PRESETS)


def parse(body: bytes, url: str = "https://club.example/t/77?p=2", text: str = DEFINITION):
    """Parse a page the way the reader does: engine and context from the definition."""
    forum = definition(text)
    engine = get_engine(forum.engine, forum.engine_options)
    ctx = ParseContext(url=url, fetched_at=SAVED_AT, timezone=forum.tzinfo,
                       date_locale=forum.date_locale, options=dict(forum.engine_options))
    return engine.parse_thread(body, ctx)


def test_thread_fields_from_the_selectors(page_bytes):
    """Title, views "1 204", post count, page 2 of 3 (pager numbers and the next link)."""
    thread = parse(page_bytes("generic/thread-page2.html")).thread
    assert thread.title == "Роутер перезавантажується після оновлення"
    assert thread.url == "https://club.example/t/77"
    assert (thread.page, thread.page_count, thread.views, thread.post_count) == (2, 3, 1204, 37)


def test_posts_field_by_field(page_bytes):
    """Ids through id_pattern, permalinks, authors, Ukrainian absolute and relative dates."""
    posts = parse(page_bytes("generic/thread-page2.html")).posts
    assert [p.external_id for p in posts] == ["5501", "5503", "5504", "5505"]  # 5502 was deleted
    assert [p.url for p in posts] == [f"https://club.example/t/77/{n}" for n in (5501, 5503, 5504, 5505)]
    assert [p.author for p in posts] == ["alice", "bob", "carol", "Дмитро (гість)"]
    assert [p.posted_at for p in posts] == [
        datetime(2026, 11, 20, 9, 15, tzinfo=KYIV),       # "20.11.2026 о 09:15"
        datetime(2026, 11, 18, 14, 5, tzinfo=KYIV),       # "середа о 14:05"
        datetime(2026, 11, 21, 23, 50, tzinfo=KYIV),      # "вчора о 23:50"
        datetime(2026, 11, 22, 15, 24, 30, tzinfo=KYIV),  # "5 хвилин тому"
    ]
    assert [p.edited for p in posts] == [False, True, False, False]
    assert [p.signature for p in posts] == ["З повагою, Аліса", None, None, None]


def test_quotes_removed_furniture_and_edit_notes_are_not_text(page_bytes):
    """"bob пише:" names bob; the inline ad and the edit note are left out of the text."""
    first, second, third, _ = parse(page_bytes("generic/thread-page2.html")).posts
    assert first.quotes == (Quote("bob", "Після оновлення до 3.2.1 роутер перезавантажується кожні десять хвилин."),)
    assert first.text == "У мене те саме. Відкотилася на 3.1.9 — допомогло. Інструкція: help.club.example/rollback"
    assert "Реклама" not in first.html
    assert second.text == "Дякую, відкат допоміг. Але техпідтримка не відповіла на заявку № 5531."
    assert third.quotes == (Quote(None, "Перед відкатом збережіть налаштування Wi-Fi."),)
    assert 'href="https://club.example/go?u=https%3A%2F%2Fhelp.club.example%2Frollback"' in first.html


def test_page_urls_come_from_the_template():
    """{thread}?p={page} builds later pages and is undone for the canonical address."""
    forum = definition()
    engine = get_engine(forum.engine, forum.engine_options)
    assert engine.canonical_thread_url("https://club.example/t/77?p=3#m5") == "https://club.example/t/77"
    assert engine.page_url("https://club.example/t/77", 1) == "https://club.example/t/77"
    assert engine.page_url("https://club.example/t/77?p=2", 3) == "https://club.example/t/77?p=3"
    offset = get_engine("generic", {**forum.engine_options, "page_url": "{thread}&start={offset}"})
    assert offset.page_url("https://club.example/viewtopic.php?t=5", 3) == "https://club.example/viewtopic.php?t=5&start=40"
    assert offset.canonical_thread_url("https://club.example/viewtopic.php?t=5&start=40") == (
        "https://club.example/viewtopic.php?t=5")


BROKEN = (DEFINITION.replace('    author: ".msg-top .nick"\n', "")
          .replace("signature:", "signatur:").replace('".msg-text"', '"div[["'))


def test_a_definition_with_mistakes_names_every_one_with_its_line():
    """A typo, a missing field and bad CSS are all listed when the file is loaded, line by line."""
    with pytest.raises(ForumDefinitionInvalid) as caught:
        definition(BROKEN)
    shown = [str(problem) for problem in caught.value.problems]
    assert shown[0].startswith(  # cssselect's words follow
        "forums/club.yaml:14: engine_options.selectors.body: 'div[[' is not a CSS selector (")
    assert shown[1:] == [
        "forums/club.yaml:19: engine_options.selectors.signatur: unknown field (did you mean 'signature'?)",
        "forums/club.yaml:10: engine_options.selectors.author: required field is missing",
    ]
    with pytest.raises(ForumDefinitionInvalid, match="engine_options.page_url: must contain"):
        definition(DEFINITION.replace('"{thread}?p={page}"', '"{thread}/next"'))


def test_an_engine_given_broken_options_refuses_every_page_naming_them(page_bytes):
    """Options that never went through the loader still fail as a layout problem, not silently."""
    options = parse_forum_definition(BROKEN, "forums/club.yaml", presets_folder=PRESETS).engine_options
    engine = get_engine("generic", options)
    assert "engine_options.selectors.author: required field is missing" in engine.problems
    with pytest.raises(LayoutChanged, match="selectors.author: required field is missing"):
        engine.parse_thread(page_bytes("generic/thread-page2.html"), ParseContext(
            url="https://club.example/t/77?p=2", fetched_at=SAVED_AT, timezone=KYIV, date_locale="uk",
            options=dict(options)))


def test_selectors_that_find_nothing_say_which(page_bytes):
    """A post selector that matches nothing is named in the error."""
    wrong = DEFINITION.replace('"section.thread > div.msg"', '"div.post"')
    with pytest.raises(LayoutChanged, match="selectors.post 'div.post' found no posts"):
        parse(page_bytes("generic/thread-page2.html"), text=wrong)
