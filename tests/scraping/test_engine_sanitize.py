"""Sanitizing scraped post HTML: formatting survives, scripts and hostile URLs do not."""

from __future__ import annotations

import pytest

from repapp.scraping.sanitize import sanitize_encoded, sanitize_html

BASE = "http://forum.test/board/viewtopic.php?t=1"


@pytest.mark.parametrize(("payload", "expected"), [
    ("<script>alert(1)</script>ok", "ok"),
    ("<img src=x onerror=alert(1)>", '<img src="http://forum.test/board/x">'),
    ('<a href="javascript:alert(1)">j</a>', '<a rel="nofollow noopener">j</a>'),
    ('<a href="  JaVaScRiPt:alert(1)">j</a>', '<a rel="nofollow noopener">j</a>'),
    ('<a href="jav&#x09;ascript:alert(1)">j</a>', '<a rel="nofollow noopener">j</a>'),
    ('<a href="vbscript:msgbox(1)">v</a>', '<a rel="nofollow noopener">v</a>'),
    ('<img src="data:image/svg+xml;base64,PHN2Zz4=">', "<img>"),
    ('<iframe src="http://evil.test/"></iframe>after', "after"),
    ("<svg onload=alert(1)><circle/></svg>x", "x"),
    ('<style>p{}</style><p onclick="x()" onmouseover="y()">p</p>', "<p>p</p>"),
    ('<form action="http://evil.test/"><input name="a"><button>go</button></form>t', "t"),
    ('<object data="x.swf"></object><embed src="y.swf">', ""),
    ('<meta http-equiv="refresh" content="0;url=http://evil.test/">m', "m"),
    ('<div style="background:url(javascript:alert(1));color:red">c</div>', '<div style="color:red">c</div>'),
    ('<span style="width:expression(alert(1))">e</span>', "<span>e</span>"),
])
def test_xss_payloads_are_neutralised(payload, expected):
    """Each payload loses its active part and keeps its harmless text."""
    assert sanitize_html(payload, BASE) == expected


def test_ordinary_formatting_survives():
    """Bold, lists, quotes, code, tables and http(s) images stay."""
    fragment = ('<p><strong>b</strong> <em>i</em> <u>u</u> <s>s</s></p><ul><li>x</li></ul>'
                '<blockquote><cite>alice</cite> q</blockquote><pre><code>a &lt; b</code></pre>'
                '<table><tr><th>h</th><td colspan="2">c</td></tr></table>'
                '<img src="https://img.test/a.png" alt="a">')
    assert sanitize_html(fragment, BASE) == (
        '<p><strong>b</strong> <em>i</em> <u>u</u> <s>s</s></p><ul><li>x</li></ul>'
        '<blockquote><cite>alice</cite> q</blockquote><pre><code>a &lt; b</code></pre>'
        '<table><tbody><tr><th>h</th><td colspan="2">c</td></tr></tbody></table>'
        '<img src="https://img.test/a.png" alt="a">')


def test_links_become_absolute_and_nofollow():
    """Relative links resolve against the page; every link gets rel="nofollow noopener"."""
    html = sanitize_html('<a href="./viewtopic.php?p=2#p2">a</a> <a href="/faq">b</a> '
                         '<a href="https://ext.test/" rel="dofollow" target="_blank">c</a>', BASE)
    assert html == (
        '<a href="http://forum.test/board/viewtopic.php?p=2#p2" rel="nofollow noopener">a</a> '
        '<a href="http://forum.test/faq" rel="nofollow noopener">b</a> '
        '<a href="https://ext.test/" rel="nofollow noopener">c</a>')


def test_session_parameters_are_dropped_from_links():
    """phpBB's sid= must not be stored; other parameters stay in order."""
    html = sanitize_html('<a href="./viewtopic.php?sid=abc&amp;p=2#p2">a</a>'
                         '<a href="./memberlist.php?mode=viewprofile&amp;u=2&amp;sid=abc">b</a>',
                         BASE, drop_params=("sid",))
    assert "sid" not in html
    assert 'href="http://forum.test/board/viewtopic.php?p=2#p2"' in html
    assert 'href="http://forum.test/board/memberlist.php?mode=viewprofile&amp;u=2"' in html


def test_encoded_fragments_decode_in_their_page_encoding():
    """Bytes cut from a windows-1251 page come out as the same text."""
    fragment = "<b>Привет</b>, мир".encode("cp1251")
    assert sanitize_encoded(fragment, "cp1251", BASE) == "<b>Привет</b>, мир"
