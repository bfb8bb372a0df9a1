"""A generated FlaskBB forum on disk: N threads of P pages, and one listing per 25 threads.

Pages are the saved FlaskBB 2.2 samples with their posts repeated, renumbered and padded
(tests/scraping/bigpage.py), their pagination, breadcrumbs and titles rewritten, so the
engine reads them as it reads the real forum. Files are laid out for a static server:

    /topic/<id>/<page>.html   served as /topic/<id>?page=<page> (and /topic/<id> for page 1)
    /forum/<id>.html          served as /forum/<id>-<slug>
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .pages import build_big_thread_page  # noqa: F401  (puts tests/scraping on sys.path)

from bigpage import PAGES, _pad, _renumber, split_sample  # noqa: E402

THREADS_PER_FORUM = 25
_SAMPLE_SLUG = "2-scraper-test-thread:-pagination-quotes-ok"
_SAMPLE_TITLE = "Scraper test thread: pagination &amp; quotes &lt;ok&gt;"
_SAMPLE_FORUM = "/forum/2-scraper-forum"
_PAGINATION = re.compile(r"<ul class='pagination'>.*?</ul>", re.S)
_ROW = re.compile(r'<div class="row forum-row hover ">.*?</div>  <!-- end forum-row -->', re.S)


@dataclass(frozen=True)
class SiteShape:
    """How big the generated forum is."""

    threads: int
    pages: int  # pages per thread
    posts_per_page: int = 10  # FlaskBB's default
    page_bytes: int = 60_000  # about this much per full page
    last_page_posts: int | None = None  # posts on each thread's last page (default: full)

    def posts_on(self, page: int) -> int:
        """Return how many posts page `page` of a thread shows."""
        if page == self.pages and self.last_page_posts is not None:
            return self.last_page_posts
        return self.posts_per_page


def thread_slug(thread_id: int) -> str:
    """Return the thread's URL slug (FlaskBB serves /topic/<id>-<slug>)."""
    return f"{thread_id}-bench-thread-{thread_id}"


def forum_of(thread_id: int) -> int:
    """Return the forum (listing) a thread sits in."""
    return (thread_id - 1) // THREADS_PER_FORUM + 1


def _pagination(slug: str, page: int, pages: int) -> str:
    """Return FlaskBB's pagination widget for page `page` of `pages`."""
    items = ['<li class="page-item disabled"><a class="page-link" href="#">'
             '<span class="pages-label">Pages</span></a></li>']
    for number in range(1, pages + 1):
        if number == page:
            items.append(f'<li class="page-item active"><a class="page-link" href="#">{number}</a></li>')
        else:
            items.append(f'<li class="page-item"><a class="page-link" href="/topic/{slug}?page={number}">'
                         f"{number}</a></li>")
    if page < pages:
        items.append(f'<li class="page-item"><a class="page-link" href="/topic/{slug}?page={page + 1}">'
                     "&raquo;</a></li>")
    return "<ul class='pagination'>\n" + "\n".join(items) + "\n</ul>"


@cache
def _thread_template() -> tuple[str, list[str], str, int, int]:
    """Return the sample's head, post blocks, tail, and the sizes of the frame and of a block."""
    head, blocks, tail = split_sample("flaskbb")
    average_block = sum(len(b.encode()) for b in blocks) // len(blocks)
    return head, blocks, tail, len((head + tail).encode()), average_block


def thread_page(shape: SiteShape, thread_id: int, page: int, *, posts: int | None = None) -> bytes:
    """Return page `page` of thread `thread_id` (with `posts` posts, default the shape's)."""
    head, blocks, tail, frame, block_size = _thread_template()
    count = shape.posts_on(page) if posts is None else posts
    slug, forum = thread_slug(thread_id), forum_of(thread_id)
    per_post = max(0, (shape.page_bytes - frame) // shape.posts_per_page - block_size)
    first = (page - 1) * shape.posts_per_page
    bodies = []
    for index in range(first, first + count):
        post_id = thread_id * 10_000 + index + 1
        block = _renumber(blocks[index % len(blocks)], "flaskbb", post_id)
        bodies.append(_pad(block, "flaskbb", per_post, post_id))

    def frame_of(text: str) -> str:
        text = text.replace(_SAMPLE_SLUG, slug).replace(_SAMPLE_TITLE, f"Bench thread {thread_id}")
        text = text.replace(_SAMPLE_FORUM, f"/forum/{forum}-bench-forum-{forum}")
        return _PAGINATION.sub(lambda _m: _pagination(slug, page, shape.pages), text)

    return (frame_of(head) + "".join(bodies) + frame_of(tail)).encode()


@cache
def _listing_template() -> tuple[str, str, str]:
    """Return the sample listing's head, one row, and tail."""
    text = (PAGES / "flaskbb" / "forum-listing.html").read_text(encoding="utf-8")
    rows = list(_ROW.finditer(text))
    head, tail = text[: rows[0].start()], text[rows[-1].end():]
    head = _PAGINATION.sub(
        "<ul class='pagination'>\n<li class=\"page-item active\"><a class=\"page-link\" href=\"#\">1</a></li>\n</ul>",
        head)
    return head, rows[0].group(0), tail


def listing_page(shape: SiteShape, forum: int, posts_by_thread: dict[int, int]) -> bytes:
    """Return forum `forum`'s listing: one row per thread, with its post count and views."""
    head, row, tail = _listing_template()
    first = (forum - 1) * THREADS_PER_FORUM + 1
    rows = []
    for thread_id in range(first, min(first + THREADS_PER_FORUM, shape.threads + 1)):
        posts = posts_by_thread.get(thread_id, 0)
        text = row.replace(_SAMPLE_SLUG, thread_slug(thread_id))
        text = text.replace(_SAMPLE_TITLE, f"Bench thread {thread_id}").replace("/topic/2?", f"/topic/{thread_id}?")
        text = re.sub(r"(topic-stats\">\s*)24(\s*<)", rf"\g<1>{posts}\2", text)
        text = re.sub(r"(topic-stats\">\s*)1237(\s*<)", rf"\g<1>{1000 + thread_id}\2", text)
        rows.append(text)
    return (head.replace(_SAMPLE_FORUM, f"/forum/{forum}-bench-forum-{forum}") + "\n".join(rows) + tail).encode()


def write_atomically(path: Path, data: bytes) -> None:
    """Replace a file in one step, so a server never sends half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def write_site(root: Path, shape: SiteShape) -> dict[str, int]:
    """Write every thread page and listing under `root`; return the counts of what was written."""
    posts_by_thread = {}
    pages = 0
    for thread_id in range(1, shape.threads + 1):
        for page in range(1, shape.pages + 1):
            write_atomically(root / "topic" / str(thread_id) / f"{page}.html", thread_page(shape, thread_id, page))
            pages += 1
        posts_by_thread[thread_id] = sum(shape.posts_on(p) for p in range(1, shape.pages + 1))
    forums = forum_of(shape.threads)
    for forum in range(1, forums + 1):
        write_atomically(root / "forum" / f"{forum}.html", listing_page(shape, forum, posts_by_thread))
    return {"thread_pages": pages, "listings": forums, "posts": sum(posts_by_thread.values())}


def thread_url(base_url: str, thread_id: int) -> str:
    """Return a thread's canonical URL as repapp stores it."""
    return f"{base_url.rstrip('/')}/topic/{thread_id}"
