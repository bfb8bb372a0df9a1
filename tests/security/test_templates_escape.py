"""No template marks scraped text safe: autoescaping everywhere, and post HTML shown only through `post_html`.

Three layers: the sources (no `|safe`, `autoescape false` or `Markup` in templates; `Markup(...)` in
Python only where listed and reviewed), the `post_html` filter itself (it re-sanitizes what it is
given), and the pages a representative and a client open, rendered with hostile scraped values.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import lxml.html
import pytest
from sqlalchemy import select

from repapp.config import PROJECT_ROOT
from repapp.extensions import db
from repapp.kpi.charts import bar_chart, progress_chart
from repapp.models import Post, Reply

TEMPLATES = PROJECT_ROOT / "templates"
PACKAGE = PROJECT_ROOT / "repapp"
MARKS_SAFE = re.compile(r"\|\s*safe\b|\{%-?\s*filter\s+safe|autoescape\s+false|\bMarkup\b|\|\s*unescape\b", re.I)
# `{{ ... .html ... }}` where the HTML is not passed through post_html.
RAW_HTML_FIELD = re.compile(r"\{\{(?:(?!\}\}).)*\.html\b(?:(?!\}\}).)*\}\}", re.S)
# Every Markup(...) in the package, reviewed: the filter re-sanitizes; the charts escape each text they draw.
MARKUP_ALLOWED = {
    ("templating.py", "_post_html"),
    ("kpi/charts.py", "progress_chart"),
    ("kpi/charts.py", "bar_chart"),
}
HOSTILE = '<img src=x onerror=alert(1)><script>alert(2)</script>'
HOSTILE_HTML = ('<p>ok</p><script>alert(3)</script><img src="x" onerror="alert(4)">'
                '<a href="javascript:alert(5)">j</a><iframe src="https://evil.test/"></iframe>')


def test_templates_never_mark_anything_safe():
    """No |safe, {% filter safe %}, autoescape false or Markup in any template."""
    found = [f"{path.relative_to(TEMPLATES)}:{text[:text.find(match.group())].count(chr(10)) + 1}: {match.group()}"
             for path in TEMPLATES.rglob("*") if path.is_file()
             for text in [path.read_text(encoding="utf-8")] for match in MARKS_SAFE.finditer(text)]
    assert found == []


def test_post_html_is_only_ever_shown_through_the_sanitizing_filter():
    """Every `{{ x.html }}` in a template is `{{ x.html|post_html }}`, and some are (the check is not vacuous)."""
    uses = [(path, m.group()) for path in TEMPLATES.rglob("*.html")
            for m in RAW_HTML_FIELD.finditer(path.read_text(encoding="utf-8"))]
    assert len(uses) >= 5
    unfiltered = [f"{path.relative_to(TEMPLATES)}: {expr}" for path, expr in uses
                  if not re.fullmatch(r"\{\{\s*[\w.]+\.html\s*\|\s*post_html\s*\}\}", expr)]
    assert unfiltered == []


def test_markup_is_built_only_where_reviewed():
    """A new Markup(...) in Python must be reviewed and listed here; it is where escaping is switched off."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]:
            for call in [n for n in ast.walk(function) if isinstance(n, ast.Call)]:
                name = getattr(call.func, "id", None) or getattr(call.func, "attr", None)
                if name in {"Markup", "render_template_string", "from_string"}:
                    found.add((path.relative_to(PACKAGE).as_posix(), function.name))
    assert found == MARKUP_ALLOWED


def test_every_template_is_autoescaped_or_plain_text(app):
    """HTML templates are autoescaped; the only others are plain-text mails, sent as text/plain."""
    others = []
    for path in TEMPLATES.rglob("*"):
        if path.is_file():
            name = path.relative_to(TEMPLATES).as_posix()
            if app.select_jinja_autoescape(name):
                continue
            others.append(name)
    assert others and all(name.startswith("cases/email/") and name.endswith(".txt") for name in others), others


def test_the_filter_sanitizes_again_whatever_it_is_given(app):
    """Even HTML that was stored unsanitized (an old row, a bug upstream) is cleaned at display."""
    rendered = app.jinja_env.from_string("{{ h|post_html }}").render(h=HOSTILE_HTML)
    assert "<p>ok</p>" in rendered
    assert _acting(rendered) == []


def test_charts_escape_the_labels_they_draw():
    """Thread titles become chart labels: they are escaped inside the SVG."""
    svg = str(bar_chart([(HOSTILE, 3.0)], title=HOSTILE)) + str(progress_chart([], [], title=HOSTILE))
    assert "<script>" not in svg and "<img" not in svg and "&lt;script&gt;" in svg


def _acting(html: str, own_scripts: bool = False) -> list[str]:
    """Return elements and attributes in `html` that could run code (the app's own static script aside)."""
    found = []
    doc = lxml.html.document_fromstring(html) if own_scripts else lxml.html.fragment_fromstring(html, create_parent="div")
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag == "script" and not (element.get("src") or "").startswith("/static/"):
            found.append("script")
        if element.tag in {"iframe", "object", "embed", "img"} and "onerror" in element.attrib:
            found.append(element.tag)
        for name, value in element.attrib.items():
            if name.startswith("on"):
                found.append(f"{element.tag}[{name}]")
            if name in {"href", "src", "action"} and value.strip().lower().startswith(("javascript:", "data:")):
                found.append(f"{element.tag}[{name}={value}]")
        if element.tag == "iframe":
            found.append("iframe")
    return found


@pytest.fixture
def hostile_world(world):
    """Client A's thread and post with hostile scraped values everywhere a forum controls the text."""
    thread = world.thread_a()
    thread.title = HOSTILE
    post = world.post_a()
    post.author, post.text, post.html = HOSTILE, HOSTILE, HOSTILE_HTML  # html as if stored unsanitized
    post.quotes = [{"author": HOSTILE, "text": HOSTILE}]
    db.session.commit()
    world.reply_a()
    world.case_a()
    return world


def test_pages_show_hostile_scraped_values_as_text(app, hostile_world, login_as):
    """Inbox, thread, reply, case and report pages: the hostile values appear escaped, nothing can act."""
    world = hostile_world
    post = world.post_a()
    reply = db.session.scalar(select(Reply).where(Reply.in_reply_to_id == post.id))
    rep = login_as("rep_a")
    pages = {
        "inbox": "/inbox",
        "item": f"/inbox/{post.id}",
        "thread": f"/threads/{post.thread_id}",
        "threads": "/threads",
        "reply": f"/replies/{reply.id}",
        "case new": f"/cases/new?post={post.id}",
        "case": f"/cases/{world.case_a().id}",
    }
    for what, url in pages.items():
        response = rep.get(url)
        assert response.status_code == 200, what
        html = response.get_data(as_text=True)
        assert _acting(html, own_scripts=True) == [], what
    item = rep.get(f"/inbox/{post.id}").get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in item  # shown, escaped
    report = world.report_a()
    for url in (f"/reports/{report.id}", "/"):
        page = login_as("client_a").get(url)
        assert page.status_code == 200
        assert _acting(page.get_data(as_text=True), own_scripts=True) == [], url
    assert db.session.scalar(select(Post.html).where(Post.id == post.id)) == HOSTILE_HTML  # the pages were really hostile
