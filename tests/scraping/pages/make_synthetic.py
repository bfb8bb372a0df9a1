"""Rebuild the synthetic pages of this folder from the real saved samples beside them.

Each synthetic page is a real sample with a few template-faithful edits, for cases the
saved samples lack (see README.md). Run from anywhere: python tests/scraping/pages/make_synthetic.py
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent


def _edit(text: str, *replacements: tuple[str, str]) -> str:
    """Apply exact replacements, failing loudly when a sample no longer contains one."""
    for old, new in replacements:
        if old not in text:
            raise ValueError(f"sample text not found: {old[:60]!r}")
        text = text.replace(old, new)
    return text


def phpbb_russian_cp1251() -> None:
    """phpBB page 3 in Russian, windows-1251, dates printed without `time[datetime]`."""
    text = (HERE / "phpbb/thread-page3-relative-dates.html").read_text(encoding="utf-8")
    text = _edit(
        text,
        ('<meta charset="utf-8" />', '<meta charset="windows-1251" />'),
        ('lang="en-gb"', 'lang="ru"'),
        ('<time datetime="2026-11-12T13:28:41+00:00">Thu Nov 12, 2026 1:28 pm</time>',
         "<time>12 ноября 2026, 16:28</time>"),
        ('<time datetime="2026-11-21T13:18:41+00:00">Yesterday 1:18 pm</time>',
         "<time>Вчера, 16:18</time>"),
        ('<time datetime="2026-11-22T13:27:41+00:00">1 minute ago</time>',
         "<time>1 минуту назад</time>"),
        ('<time datetime="2026-11-22T13:28:50+00:00">less than a minute ago</time>',
         "<time>Сегодня, 00:05</time>"),
        ('<time datetime="2026-11-22T13:28:58+00:00">less than a minute ago</time>',
         "<time>5 минут назад</time>"),
        ("Reply number 22 in the thread.</div>",
         "Ответ номер 22 в теме: «кириллица» — и ёлка.</div>"
         '<div class="notice">Последний раз редактировалось alice 21 ноября 2026, 16:20,'
         " всего редактировалось 1 раз.</div>"
         '<div id="sig23" class="signature">С уважением, Алиса</div>'),
        ("25 posts", "25 сообщений"),
    )
    (HERE / "phpbb/thread-page3-ru-cp1251-synthetic.html").write_bytes(
        text.encode("cp1251", "xmlcharrefreplace"))


def flaskbb_ukrainian_listing() -> None:
    """FlaskBB forum listing with last-post times as the Ukrainian locale prints them."""
    text = (HERE / "flaskbb/forum-listing.html").read_text(encoding="utf-8")
    text = _edit(
        text,
        ('<a href="/post/36">8 seconds ago</a>', '<a href="/post/36">5 хвилин тому</a>'),
        ('<a href="/post/35">18 seconds ago</a>', '<a href="/post/35">годину тому</a>'),
        ('<a href="/post/34">18 seconds ago</a>', '<a href="/post/34">2 години тому</a>'),
        ('<a href="/post/33">18 seconds ago</a>', '<a href="/post/33">Вчора, 23:50</a>'),
    )
    (HERE / "flaskbb/forum-listing-uk-synthetic.html").write_text(text, encoding="utf-8")


def flaskbb_signature_edited() -> None:
    """FlaskBB page 1 where post 3 was edited and alice has a signature (topic.html markup)."""
    text = (HERE / "flaskbb/thread-page1.html").read_text(encoding="utf-8")
    post3 = text.index('<div class="post-content" id="pid3">')
    head, tail = text[:post3], text[post3:]
    marker = "<!-- Signature Begin -->\n                        \n"
    if marker not in tail:
        raise ValueError("signature slot not found")
    tail = tail.replace(
        marker,
        "<!-- Signature Begin -->\n"
        '                        <div class="post-signature hidden-xs">\n'
        "                        <hr />\n"
        "                            <p>Alice from <strong>ACME</strong> support</p>\n"
        "                        </div>\n",
        1,  # post 3 only
    )
    meta = head.rindex("</a>\n                            \n")
    head = (head[:meta] + "</a>\n                            <small>\n"
            '                                (Last modified: <time datetime="2026-11-01T09:00:00+00:00"'
            ' data-what_to_display="date-and-time">Nov 1, 2026, 9:00:00 AM UTC</time> by'
            ' <a href="/user/alice">alice</a>)\n                            </small>\n'
            + head[meta + len("</a>\n                            \n"):])
    (HERE / "flaskbb/thread-page1-signature-edited-synthetic.html").write_text(
        head + tail, encoding="utf-8")


def mybb_second_page() -> None:
    """MyBB showthread page 2 of 3: pagination, Today/absolute dates, edit note, signature, code."""
    text = (HERE / "mybb/thread-page1.html").read_text(encoding="utf-8")
    text = _edit(
        text,
        ('<div class="float_left">\n\t\t\n\t</div>',
         '<div class="float_left">\n\t\t<!-- start: multipage -->\n<div class="pagination">\n'
         '<span class="pages">Pages (3):</span>\n'
         '<!-- start: multipage_prevpage -->\n<a href="showthread.php?tid=1" class="pagination_previous">'
         "&laquo; Previous</a>\n<!-- end: multipage_prevpage --><!-- start: multipage_page -->\n"
         '<a href="showthread.php?tid=1" class="pagination_page">1</a>\n<!-- end: multipage_page -->'
         '<!-- start: multipage_page_current -->\n <span class="pagination_current">2</span>\n'
         '<!-- end: multipage_page_current --><!-- start: multipage_page -->\n'
         '<a href="showthread.php?tid=1&amp;page=3" class="pagination_page">3</a>\n'
         '<!-- end: multipage_page --><!-- start: multipage_nextpage -->\n'
         '<a href="showthread.php?tid=1&amp;page=3" class="pagination_next">Next &raquo;</a>\n'
         "<!-- end: multipage_nextpage -->\n</div>\n<!-- end: multipage -->\n\t</div>"),
        ('<span class="post_date"><span title="11-22-2026, 01:29 PM">Less than 1 minute ago</span>'
         ' <span class="post_edit" id="edited_by_2"></span></span>',
         '<span class="post_date"><span title="11-22-2026">Today</span>, 01:10 PM'
         ' <span class="post_edit" id="edited_by_2"></span></span>'),
        ('<span class="post_date"><span title="11-22-2026, 01:29 PM">Less than 1 minute ago</span>'
         ' <span class="post_edit" id="edited_by_4"></span></span>',
         '<span class="post_date">11-20-2026, 09:05 AM <span class="post_edit" id="edited_by_4">'
         '<!-- start: postbit_editedby -->\n<span class="edited_post">(This post was last modified:'
         ' 11-21-2026, 10:00 AM by <a href="member.php?action=profile&amp;uid=1">admin</a>.)</span>\n'
         "<!-- end: postbit_editedby --></span></span>"),
        ('\t\tReply number 4\n\t</div>',
         '\t\tReply number 4 with code:<br />\n<div class="codeblock"><div class="title">Code:<br />\n'
         '</div><div class="body" dir="ltr"><code>print(&quot;hi&quot;)</code></div></div>\n\t</div>'
         '\n<!-- start: postbit_signature -->\n<div class="signature scaleimages">\n'
         'admin &mdash; <a href="https://example.org/" class="mycode_url">example.org</a>\n</div>\n'
         "<!-- end: postbit_signature -->"),
    )
    (HERE / "mybb/thread-page2-synthetic.html").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    phpbb_russian_cp1251()
    flaskbb_ukrainian_listing()
    flaskbb_signature_edited()
    mybb_second_page()
