"""The 40-post, ~250 KB thread pages of each engine, in UTF-8 and in windows-1251.

Built from the saved samples by tests/scraping/bigpage.py; the windows-1251 variant is the
same page with Russian body text, declared and encoded as windows-1251 (what older Russian
and Ukrainian boards still serve).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime, timezone

from repapp.scraping.items import ParseContext

from .common import REPO_DIR

sys.path.insert(0, str(REPO_DIR / "tests" / "scraping"))
from bigpage import build_big_thread_page  # noqa: E402  (lives with the tests, found by path)

ENGINES = ("flaskbb", "phpbb", "mybb")
THREAD_URLS = {
    "flaskbb": "http://127.0.0.1:8081/topic/2",
    "phpbb": "http://127.0.0.1:8082/viewtopic.php?t=2",
    "mybb": "http://127.0.0.1:8083/showthread.php?tid=1",
}
# The bodies' padding (see bigpage._PADDING) in Russian, phrase by phrase.
_RUSSIAN = (
    ("Paragraph ", "Абзац "),
    (" of a long post: we tried the ", " длинного сообщения: мы попробовали "),
    ("new firmware", "новую прошивку"),
    (" on three devices and the battery held for ", " на трёх устройствах, и батарея продержалась "),
    ("two days", "двое суток"),
    ("; details on the ", "; подробности на "),
    ("; details at ", "; подробности на "),
    ("previous page", "предыдущей странице"),
    (" and at ", " и на "),
    ("Grüße – naïve café ✓.", "Привет — «ёлка» и café ✓."),
)
_CHARSETS = ('<meta charset="utf-8" />', 'content="text/html; charset=UTF-8"')


@dataclass(frozen=True)
class BigPage:
    """One benchmark page: engine, encoding label, bytes and the context a scraper would use."""

    engine: str
    encoding: str
    body: bytes

    def context(self) -> ParseContext:
        """Return the parse context (no encoding override: the page declares its own)."""
        return ParseContext(url=THREAD_URLS[self.engine], fetched_at=datetime.now(timezone.utc),
                            timezone=timezone.utc)


def cp1251_variant(page: bytes) -> bytes:
    """Return the page with Russian bodies, declared and encoded as windows-1251."""
    text = page.decode("utf-8")
    for english, russian in _RUSSIAN:
        text = text.replace(english, russian)
    declared = False
    for charset in _CHARSETS:
        if charset in text:
            text = text.replace(charset, charset.replace("utf-8", "windows-1251").replace("UTF-8", "windows-1251"))
            declared = True
    if not declared:
        raise ValueError("the sample page declares no charset this variant knows how to change")
    # Characters windows-1251 lacks (ü, ï, ✓) become character references, as forums write them.
    return text.encode("cp1251", "xmlcharrefreplace")


def big_pages(posts: int = 40, target_bytes: int = 250_000) -> list[BigPage]:
    """Return each engine's page in UTF-8 and in windows-1251."""
    pages = []
    for engine in ENGINES:
        utf8 = build_big_thread_page(engine, posts=posts, target_bytes=target_bytes)
        pages.append(BigPage(engine, "utf-8", utf8))
        pages.append(BigPage(engine, "windows-1251", cp1251_variant(utf8)))
    return pages
