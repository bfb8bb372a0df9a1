"""`repapp parse`: saved pages in, one JSON object per file out; no app context needed."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from flask import Flask

from repapp.scraping.cli import init_app, parse_command
from repapp.scraping.items import PostItem, Quote, ThreadItem, ThreadPage
from repapp.scraping.output import thread_page_to_json

PAGES = Path(__file__).parent / "pages"
TOPIC = "http://127.0.0.1:8082/viewtopic.php?t=2"


def run(*args: str):
    """Invoke the command object directly, as a plain click command."""
    return CliRunner().invoke(parse_command, list(args))


def test_prints_the_documented_json_shape():
    """Exactly the keys of the contract, ISO dates with offset, null for unknowns."""
    result = run("--engine", "phpbb", "--url", f"{TOPIC}&sid=246aa3278d2406b59a13b41dcfe1fb53",
                 "--timezone", "Europe/Moscow", str(PAGES / "phpbb/thread-page1.html"))
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.splitlines()
    data = json.loads(line)
    assert set(data) == {"thread", "posts"}
    assert data["thread"] == {"title": "Scraper test thread: pagination & quotes <ok>", "url": TOPIC,
                              "page": 1, "page_count": 3, "views": None, "post_count": 24}
    assert len(data["posts"]) == 10
    quoted = data["posts"][2]
    assert set(quoted) == {"id", "url", "author", "posted_at", "text", "quotes"}
    assert quoted == {
        "id": "4", "url": "http://127.0.0.1:8082/viewtopic.php?p=4#p4", "author": "admin",
        "posted_at": "2026-10-25T13:28:41+00:00", "text": "I am replying with a quote (post 3).",
        "quotes": [{"author": "admin", "text": "First post of the long thread."}],
    }


def test_one_line_per_file_and_relative_dates_from_fetched_at():
    """Several files give several lines; --fetched-at and --locale drive relative dates."""
    result = run("--engine", "phpbb", "--url", f"{TOPIC}&start=20", "--timezone", "Europe/Moscow",
                 "--locale", "ru", "--fetched-at", "2026-11-22T13:29:30+00:00",
                 str(PAGES / "phpbb/thread-page3-ru-cp1251-synthetic.html"),
                 str(PAGES / "phpbb/thread-page3-after-reply.html"))
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert [p["posted_at"] for p in first["posts"]][2:] == [
        "2026-11-22T16:28:30+03:00", "2026-11-22T00:05:00+03:00", "2026-11-22T16:24:30+03:00"]
    assert [p["id"] for p in second["posts"]] == ["22", "23", "24", "51"]


def test_bad_files_exit_1_with_a_message_each_and_good_files_still_print(tmp_path):
    """A missing file and a non-thread page are named on stderr; the good page still prints."""
    broken = tmp_path / "not-a-thread.html"
    broken.write_text("<html><body><p>maintenance</p></body></html>", encoding="utf-8")
    result = run("--engine", "flaskbb", str(tmp_path / "missing.html"), str(broken),
                 str(PAGES / "flaskbb/thread-page1.html"))
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 1
    errors = result.stderr.splitlines()
    assert len(errors) == 2
    assert "missing.html" in errors[0]
    assert "not-a-thread.html" in errors[1] and "no posts found" in errors[1]


def test_listing_flag():
    """--listing parses forum listings instead."""
    result = run("--engine", "mybb", "--listing", "--url",
                 "http://127.0.0.1:8083/forumdisplay.php?fid=2", str(PAGES / "mybb/forum-listing.html"))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["listing"] == {"url": "http://127.0.0.1:8083/forumdisplay.php?fid=2", "page": 1,
                               "page_count": 1}
    assert data["threads"][0]["reply_count"] == 3 and data["threads"][0]["views"] == 1


def test_unknown_engine_and_time_zone_are_usage_errors():
    """click rejects bad options before any file is read."""
    page = str(PAGES / "mybb/thread-page1.html")
    assert run("--engine", "ipboard3", page).exit_code == 2
    result = run("--engine", "mybb", "--timezone", "Mars/Olympus", page)
    assert result.exit_code == 2 and "Mars/Olympus" in result.output


def test_init_app_registers_the_command():
    """The factory's init_app call makes `parse` a Flask CLI command."""
    app = Flask(__name__)
    init_app(app)
    assert app.cli.get_command(None, "parse") is parse_command


def test_output_writes_unknown_values_as_null():
    """Posts without a readable date and threads without counters give nulls, not guesses."""
    page = ThreadPage(
        thread=ThreadItem(title="t", url="http://f.test/t/1", page=2, page_count=5, views=None,
                          post_count=None),
        posts=(PostItem(external_id="9", url="http://f.test/p/9", author="bob", posted_at=None,
                        text="hi", quotes=(Quote(author=None, text="q"),), html="hi"),),
    )
    assert thread_page_to_json(page) == {
        "thread": {"title": "t", "url": "http://f.test/t/1", "page": 2, "page_count": 5,
                   "views": None, "post_count": None},
        "posts": [{"id": "9", "url": "http://f.test/p/9", "author": "bob", "posted_at": None,
                   "text": "hi", "quotes": [{"author": None, "text": "q"}]}],
    }
