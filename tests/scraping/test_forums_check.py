"""`repapp forums check KEY URL`: one page read with a forum's definition, shown field by field."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import make_test_config
from repapp import create_app
from test_engine_generic import DEFINITION

PAGES = Path(__file__).parent / "pages"


class _Forum(BaseHTTPRequestHandler):
    """Serve the generic fixture as /t/77?p=2; everything else (robots.txt too) is 404."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        """Answer one GET."""
        if self.path == "/t/77?p=2":
            body, status = (PAGES / "generic/thread-page2.html").read_bytes(), 200
        else:
            body, status = b"not found", 404
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def club():
    """A loopback "forum" serving the home-made layout the generic engine is set up for."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Forum)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def _app(tmp_path, base_url: str, definition: str = DEFINITION):
    """An app whose forums/ holds the club (at base_url) and a XenForo forum."""
    forums = tmp_path / "forums"
    forums.mkdir()
    (forums / "club.yaml").write_text(
        definition.replace("https://club.example/", f"{base_url}/")
        + "politeness:\n  requests_per_minute: 600\n  max_retries: 0\n", encoding="utf-8")
    (forums / "svyaz-xf.yaml").write_text(
        "name: Связь Онлайн\nbase_url: https://forum.svyaz-online.example/\nengine: xenforo\n"
        "timezone: Europe/Moscow\ndate_locale: ru\n", encoding="utf-8")
    return create_app(make_test_config(tmp_path, FORUMS_DIR=str(forums)), instance_path=str(tmp_path / "i"))


def test_fetches_one_page_and_shows_every_selector(tmp_path, club):
    """Each field with its selector, what it matched and how it reads; then the parsed result."""
    result = _app(tmp_path, club).test_cli_runner().invoke(args=["forums", "check", "club", f"{club}/t/77?p=2"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "forum           club — Клуб абонентів (engine generic, Europe/Kyiv, dates in uk)"
    assert lines[1].startswith(f"page            {club}/t/77?p=2 (HTTP 200, ")
    assert lines[2] == "thread"  # the definition loaded cleanly: straight to what the selectors find
    assert "  views         .topic-stat .v                   1 match    '1 204' → 1204" in lines
    assert "  current_page  nav.pager .cur                   2 matches  '2' | '2' → 2" in lines
    assert "  post          section.thread > div.msg         5 matches  → 4 posts, 1 left out as deleted" in lines
    post_1 = lines[lines.index("post 1"):lines.index("post 2")]
    assert ("  date          .msg-top .when                   1 match    '20.11.2026 о 09:15' "
            "→ 2026-11-20T09:15:00+02:00") in post_1
    assert ("  quote         div.q                            1 match    "
            "'bob пише: Після оновлення до 3.2.1 роутер перезавантажується кожні десять хвилин.'") in post_1
    assert "  signature     .msg-sign                        1 match    'З повагою, Аліса'" in post_1
    result_block = lines[lines.index("result"):]
    assert "  page_count    3" in result_block and "  posts         4" in result_block
    assert "    author      alice" in result_block
    assert "    quotes      bob: 'Після оновлення до 3.2.1 роутер перезавантажується кожні дес'" in result_block


def test_a_selector_that_finds_nothing_is_flagged(tmp_path, club):
    """A wrong date selector is marked "found nothing (required)" and the page cannot be read."""
    broken = DEFINITION.replace('date: ".msg-top .when"', 'date: ".msg-top time"')
    result = _app(tmp_path, club, broken).test_cli_runner().invoke(
        args=["forums", "check", "club", f"{club}/t/77?p=2"])
    assert result.exit_code == 0, result.output  # dates are optional per post: the page still reads
    assert "  date          .msg-top time                    0 matches  !! found nothing (required)" in result.output
    assert "    posted_at   —" in result.output


def test_definition_problems_are_listed_and_fail(tmp_path, club):
    """A typo in the selectors is named with its line before anything is read; the exit code says it failed."""
    broken = DEFINITION.replace("signature:", "signatur:")
    result = _app(tmp_path, club, broken).test_cli_runner().invoke(
        args=["forums", "check", "club", f"{club}/t/77?p=2", "--file", str(PAGES / "generic/thread-page2.html")])
    assert result.exit_code == 1
    assert "club.yaml:20: engine_options.selectors.signatur: unknown field (did you mean 'signature'?)" in result.output
    assert "result" not in result.output.splitlines()


def test_other_engines_show_their_parse_result_from_a_saved_page(tmp_path):
    """A XenForo page read from a file: the result section field by field, no selectors."""
    url = "https://forum.svyaz-online.example/threads/ne-rabotaet-router-posle-obnovlenija-proshivki.123/page-2"
    result = _app(tmp_path, "http://127.0.0.1:9").test_cli_runner().invoke(
        args=["forums", "check", "svyaz-xf", url, "--file", str(PAGES / "xenforo/thread-page2.html")])
    assert result.exit_code == 0, result.output
    assert "  title         Не работает роутер после обновления прошивки" in result.output
    assert "  page          2" in result.output and "    posted_at   2026-11-15T10:00:00+03:00" in result.output
    assert "    signature   С уважением, Алиса. Тариф «Домашний 100»." in result.output


def test_unknown_forum_and_foreign_address(tmp_path):
    """An unknown key lists the known ones; an address on another host is refused before fetching."""
    runner = _app(tmp_path, "http://127.0.0.1:9").test_cli_runner()
    unknown = runner.invoke(args=["forums", "check", "nope", "http://127.0.0.1:9/t/1"])
    assert unknown.exit_code == 1 and "unknown forum 'nope'; known: club, svyaz-xf" in unknown.output
    foreign = runner.invoke(args=["forums", "check", "club", "https://elsewhere.example/t/1"])
    assert foreign.exit_code == 1 and "is not on forum 'club'" in foreign.output
