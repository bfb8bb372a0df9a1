"""Build large thread pages (~250 KB, 40 posts) from the saved samples, for benchmarks.

Each engine's sample thread page is cut into head, post blocks and tail; the posts are
repeated with fresh ids until there are `posts` of them, and every body gets realistic
padding (paragraphs, links, bold, a quote) so the page reaches about `target_bytes`.
Used by tests (the result must still parse field by field) and by benchmark scripts:

    from bigpage import build_big_thread_page   # with tests/scraping on sys.path
    body = build_big_thread_page("phpbb")
"""

from __future__ import annotations

import re
from pathlib import Path

PAGES = Path(__file__).parent / "pages"

SOURCES = {
    "flaskbb": "flaskbb/thread-page1.html",
    "phpbb": "phpbb/thread-page1.html",
    "mybb": "mybb/thread-page1.html",
}

# (start of a post block, end of the last block, body opening tag, id patterns to renumber)
_LAYOUT = {
    "flaskbb": (
        r'<div id="\d+" class="row post-row">',
        r"</div> <!-- end topic-body -->",
        r'<div class="post-content" id="pid\d+">',
        (r'(id=")(\d+)(")', r'(id="pid)(\d+)(")', r"(/post/)(\d+)()"),
    ),
    "phpbb": (
        r'<div id="p\d+" class="post ',
        r'<div class="action-bar bar-bottom">',
        r'<div class="content">',
        (r'(id="p)(\d+)(")', r'(id="post_content)(\d+)(")', r'(id="profile)(\d+)(")',
         r"([?&;]p=)(\d+)()", r"(#p)(\d+)()"),
    ),
    "mybb": (
        r"<!-- start: postbit -->",
        r"</div>\s*</td></tr>",
        r'<div class="post_body scaleimages" id="pid_\d+">',
        (r'(id="post_)(\d+)(")', r'(id="pid_)(\d+)(")', r'(name="pid)(\d+)(")', r'(id="pid)(\d+)(")',
         r"(pid=)(\d+)()", r"(#pid)(\d+)()", r'(id="post_meta_)(\d+)(")', r'(id="edited_by_)(\d+)(")',
         r"(replyto=)(\d+)()"),
    ),
}

_PADDING = {
    "flaskbb": (
        '<p>Paragraph {n} of a long post: we tried the <strong>new firmware</strong> on three '
        'devices and the battery held for <em>two days</em>; details on the '
        '<a href="/topic/2-scraper-test-thread">previous page</a> and at '
        '<a href="https://example.org/review?id={n}">example.org</a>. Grüße – naïve café ✓.</p>\n'
    ),
    "phpbb": (
        'Paragraph {n} of a long post: we tried the <strong class="text-strong">new firmware</strong> '
        'on three devices and the battery held for <em class="text-italics">two days</em>; details '
        'on the <a href="./viewtopic.php?t=2&amp;start=10" class="postlink-local">previous page</a> '
        'and at <a href="https://example.org/review?id={n}" class="postlink">example.org</a>. '
        'Grüße – naïve café ✓.<br>\n'
    ),
    "mybb": (
        'Paragraph {n} of a long post: we tried the <span style="font-weight: bold;" '
        'class="mycode_b">new firmware</span> on three devices and the battery held for '
        '<span style="font-style: italic;" class="mycode_i">two days</span>; details at '
        '<a href="https://example.org/review?id={n}" target="_blank" rel="noopener" '
        'class="mycode_url">example.org</a>. Grüße – naïve café ✓.<br />\n'
    ),
}


def split_sample(engine: str) -> tuple[str, list[str], str]:
    """Cut an engine's sample thread page into (head, post blocks, tail)."""
    text = (PAGES / SOURCES[engine]).read_text(encoding="utf-8")
    start, end, _, _ = _LAYOUT[engine]
    starts = [m.start() for m in re.finditer(start, text)]
    stop = re.search(end, text[starts[-1]:]).start() + starts[-1]
    blocks = [text[a:b] for a, b in zip(starts, [*starts[1:], stop], strict=True)]
    return text[: starts[0]], blocks, text[stop:]


def _renumber(block: str, engine: str, new_id: int) -> str:
    """Give a post block a fresh post id everywhere the id appears."""
    old_ids: set[str] = set()
    for pattern in _LAYOUT[engine][3][:1]:
        old_ids.update(m.group(2) for m in re.finditer(pattern, block))
    for pattern in _LAYOUT[engine][3]:
        block = re.sub(
            pattern,
            lambda m: f"{m.group(1)}{new_id if m.group(2) in old_ids else m.group(2)}{m.group(3)}",
            block,
        )
    return block


def _pad(block: str, engine: str, size: int, seed: int) -> str:
    """Insert about `size` characters of body text right after the body's opening tag."""
    opening = re.search(_LAYOUT[engine][2], block)
    paragraphs, n = [], 0
    while sum(map(len, paragraphs)) < size:
        paragraphs.append(_PADDING[engine].format(n=seed * 100 + n))
        n += 1
    return block[: opening.end()] + "".join(paragraphs) + block[opening.end():]


def build_big_thread_page(engine: str, posts: int = 40, target_bytes: int = 250_000) -> bytes:
    """Return a UTF-8 thread page of `posts` posts and roughly `target_bytes` bytes."""
    head, blocks, tail = split_sample(engine)
    repeated = [_renumber(blocks[i % len(blocks)], engine, 1000 + i) for i in range(posts)]
    bare = len((head + "".join(repeated) + tail).encode("utf-8"))
    per_post = max(0, (target_bytes - bare) // posts)
    padded = [_pad(block, engine, per_post, i) for i, block in enumerate(repeated)]
    return (head + "".join(padded) + tail).encode("utf-8")
