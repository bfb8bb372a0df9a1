"""Section 1: each engine's thread-page extraction against a raw lxml.html parse of the same bytes.

The extraction is `parse_thread` exactly as the scraper calls it (bodies handed on as RawHtml,
sanitized by the pipeline only for the posts it stores); there is no cache to warm, so every
round is a first parse. The same parse with every body sanitized (what the first read of a
thread costs, when all its posts are new) is reported beside it, without a target.
"""

from __future__ import annotations

import lxml.html

from repapp.scraping.engines import get_engine

from .common import Figure, at_most, interleaved, median
from .pages import big_pages

SECTION = "1 extraction"
TARGET = 1.5


def run(quick: bool = False) -> list[Figure]:
    """Time raw parse, extraction and extraction with sanitizing, interleaved, per page."""
    rounds = 5 if quick else 60
    pages = big_pages(posts=10, target_bytes=40_000) if quick else big_pages()
    figures = []
    for page in pages:
        engine, ctx, body = get_engine(page.engine), page.context(), page.body
        times = interleaved({
            "raw": lambda: lxml.html.fromstring(body),
            "extract": lambda: engine.parse_thread(body, ctx, defer_html=True),
            "sanitized": lambda: engine.parse_thread(body, ctx),
        }, rounds)
        raw, extract, sanitized = (median(times[k]) for k in ("raw", "extract", "sanitized"))
        posts = len(engine.parse_thread(body, ctx, defer_html=True).posts)
        label = f"{page.engine} {page.encoding}"
        detail = {"bytes": len(body), "posts": posts, "rounds": rounds, "raw_ms": raw * 1e3,
                  "extract_ms": extract * 1e3, "sanitized_ms": sanitized * 1e3}
        figures.append(Figure(SECTION, f"{label}: extraction / raw lxml.html parse", extract / raw, "x",
                              f"<= {TARGET}x", at_most(TARGET)(extract / raw),
                              f"{len(body) // 1000} KB, {posts} posts: {extract * 1e3:.2f} ms vs {raw * 1e3:.2f} ms",
                              detail))
        figures.append(Figure(SECTION, f"{label}: same, every body sanitized (first read)", sanitized / raw,
                              "x", note=f"{sanitized * 1e3:.2f} ms", detail=detail))
    return figures
