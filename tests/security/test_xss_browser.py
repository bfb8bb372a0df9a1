"""Scraped content is hostile: XSS payloads in live FlaskBB posts come out inert in a real browser.

The payloads sit in real FlaskBB posts; a rewriting proxy turns the raw ones into markup, as a
forum that allows HTML would serve them. repapp scrapes the thread through its own fetcher and
engine, then chromium opens the inbox, every inbox item and the thread page. The pages are checked
with the CSP switched off in the browser, so the sanitizer alone must keep them inert: no dialog,
no inline handler, no script, frame or plugin from a post, no javascript:/data: URL anywhere.
"""

from __future__ import annotations

import re

import lxml.html
import pytest
from flask import Flask
from sqlalchemy import select

from conftest import make_test_config
from hostile_forum import RewritingProxy
from repapp import create_app
from repapp.admin.operations import create_user
from repapp.extensions import db
from repapp.forums.registry import forum_definitions
from repapp.models import Post, Role
from repapp.scraping.fetch import Fetcher
from repapp.scraping.jobs import scrape_thread
from support.browser import block_other_origins, log_in, new_page, serve_app
from support.live_scrape import set_up_live_client, write_live_definition
from xss_corpus import LITERAL_TEXT, MARKDOWN, RAW, URL_SCHEMES_FORBIDDEN

pytestmark = pytest.mark.browser

REP_EMAIL, REP_PASSWORD = "rep-hostile@test.repapp", "rep-password-hostile"
TITLE_SLOT, TITLE_PAYLOAD = "TITLESLOTZ", "&lt;img src=x onerror=alert(201)&gt;"
AUTHOR, AUTHOR_PAYLOAD = "olga_v", "&lt;svg onload=alert(202)&gt;"
PERMALINK_PAYLOAD = "javascript:alert(203)"
CONTROL = "<img src=x onerror=alert(999)>"

# Everything hostile a page might still carry, found by walking the live DOM.
FIND_HOSTILE_DOM = """(schemes) => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.replace(/[\\u0000-\\u0020]/g, '').toLowerCase();
      if (name.startsWith('on')) found.push(`${el.tagName}[${name}]`);
      if (name === 'srcdoc') found.push(`${el.tagName}[srcdoc]`);
      if (schemes.some(s => value.startsWith(s))) found.push(`${el.tagName}[${name}=${attr.value}]`);
    }
  }
  for (const a of document.querySelectorAll('a[href], area[href]')) {
    if (!['http:', 'https:'].includes(a.protocol)) found.push(`${a.tagName} href protocol ${a.protocol}`);
  }
  const bad = 'script, iframe, frame, object, embed, form, input, button, textarea, select, base, meta, link, '
            + 'style, svg, math, template, video, audio, source, marquee, xss, isindex';
  for (const el of document.querySelectorAll('.post-body')) {
    for (const inner of el.querySelectorAll(bad)) found.push(`post body holds <${inner.tagName.toLowerCase()}>`);
    for (const styled of el.querySelectorAll('[style]')) {
      if (/url\\(|expression|@import/i.test(styled.getAttribute('style'))) found.push(`style ${styled.getAttribute('style')}`);
    }
  }
  for (const s of document.querySelectorAll('script')) {
    if (!s.src || new URL(s.src).origin !== location.origin || !new URL(s.src).pathname.startsWith('/static/'))
      found.push(`script ${s.src || s.textContent.slice(0, 40)}`);
  }
  if (document.querySelector('base')) found.push('base element');
  return found;
}"""


def _marker(number: int) -> str:
    """Return the text a raw payload replaces (unique: no marker is a prefix of another)."""
    return f"XSSSLOT{number}Z"


def _hostile_rewrite(permalink_post: dict[str, int]):
    """Return the proxy's rewrite: raw payloads for markers, a hostile title, author and permalink."""

    def rewrite(path: str, text: str) -> str:
        for number, payload in RAW.items():
            text = text.replace(_marker(number), payload)
        text = text.replace(TITLE_SLOT, TITLE_PAYLOAD)
        text = text.replace(f">{AUTHOR}<", f">{AUTHOR_PAYLOAD}<")
        if "id" in permalink_post:
            text = text.replace(f'href="/post/{permalink_post["id"]}"', f'href="{PERMALINK_PAYLOAD}"')
        return text

    return rewrite


@pytest.fixture
def hostile(tmp_path, flaskbb_forum):
    """A scratch topic full of payloads behind the rewriting proxy, and an app reading it through the proxy."""
    permalink_post: dict[str, int] = {}
    with RewritingProxy(flaskbb_forum.base_url, _hostile_rewrite(permalink_post)) as proxy:
        topic = flaskbb_forum.scratch_topic(f"Hostile corpus {TITLE_SLOT}", replies=0, author="ivan_petrov")
        post_of: dict[int, int] = {}
        for number in RAW:
            author = AUTHOR if number == 2 else "marina_k"
            post_of[number] = flaskbb_forum.admin("add_post", topic_id=topic["id"], author=author,
                                                  content=f"Payload {number}: {_marker(number)} end {number}")["id"]
        for number, markdown in MARKDOWN.items():
            post_of[number] = flaskbb_forum.admin("add_post", topic_id=topic["id"], author="sergey77",
                                                  content=f"Payload {number}:\n\n{markdown}\n\nend {number}")["id"]
        permalink_post["id"] = post_of[5]
        forums_dir = tmp_path / "forums"
        write_live_definition(forums_dir, proxy.base_url)
        app = create_app(make_test_config(tmp_path, FORUMS_DIR=str(forums_dir), PAGE_SIZE=200),
                         instance_path=str(tmp_path / "instance"))
        with app.app_context():
            db.create_all()
            setup = set_up_live_client(app, flaskbb_forum.official)
            create_user(db.session, email=REP_EMAIL, password=REP_PASSWORD, role=Role.REP,
                        client_slugs=[setup.client.slug])
            db.session.commit()
            thread = setup.watch(f"{proxy.base_url}/topic/{topic['id']}")
            definitions = forum_definitions()
            with Fetcher.from_definitions(definitions) as fetcher:
                outcome = scrape_thread(db.session, thread.id, definitions, fetcher)
            assert outcome.ok, outcome.error
            yield app, thread.id, post_of
            db.session.remove()
            db.engine.dispose()


def _hostile_markup(html: str) -> list[str]:
    """Return the elements and attributes of stored post HTML that could act in a browser."""
    found = []
    for element in lxml.html.fragment_fromstring(html or "<p></p>", create_parent="div").iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in {"script", "iframe", "frame", "object", "embed", "svg", "math", "style", "form", "input",
                           "button", "base", "meta", "link", "template", "textarea", "select"}:
            found.append(element.tag)
        for name, value in element.attrib.items():
            compact = re.sub(r"[\x00-\x20]", "", value).lower()
            if name.lower().startswith("on") or name.lower() == "srcdoc":
                found.append(f"{element.tag}[{name}]")
            if name in ("href", "src") and not compact.startswith(("http:", "https:")):
                found.append(f"{element.tag}[{name}={value}]")
            if name == "style" and re.search(r"url\(|expression|@import", compact):
                found.append(f"{element.tag}[style={value}]")
    return found


def _stored(post_of: dict[int, int]) -> dict[int, Post]:
    """Return the stored post of each payload number."""
    by_external = {p.external_id: p for p in db.session.scalars(select(Post))}
    return {number: by_external[str(pid)] for number, pid in post_of.items()}


@pytest.mark.live_forum
def test_the_proxy_really_serves_the_payloads_as_markup(hostile, flaskbb_forum):
    """The scraped thread saw the raw markup (so the checks below are not vacuous), and stored none of it live."""
    app, thread_id, post_of = hostile
    posts = _stored(post_of)
    assert len(posts) == len(RAW) + len(MARKDOWN)
    assert all("XSSSLOT" not in p.text for p in posts.values())  # every marker was replaced by its payload
    assert posts[5].url.startswith("http"), posts[5].url  # the javascript: permalink was not kept
    assert posts[2].author == "<svg onload=alert(202)>"  # the author name arrives as hostile text
    for p in posts.values():
        assert _hostile_markup(p.html) == [], p.html


@pytest.mark.live_forum
def test_inbox_thread_and_every_item_are_inert_in_chromium(hostile, browser):  # noqa: F811
    """With the CSP off in the browser, the sanitizer alone keeps every page free of running hostile code."""
    app, thread_id, post_of = hostile
    posts = _stored(post_of)
    context, tab, events = new_page(browser, bypass_csp=True)
    try:
        with serve_app(app) as server:
            refused = block_other_origins(context, server)
            log_in(tab, server, REP_EMAIL, REP_PASSWORD)
            visited = []
            for path in ["/inbox", f"/threads/{thread_id}", *(f"/inbox/{p.id}" for p in posts.values())]:
                response = tab.goto(server.url(path))
                assert response.status == 200 and tab.url == server.url(path), (path, tab.url, visited[-3:])
                tab.wait_for_load_state("load")
                assert tab.evaluate(FIND_HOSTILE_DOM, list(URL_SCHEMES_FORBIDDEN)) == [], path
                visited.append(path)
            # The hostile text is shown as text: escaped, not interpreted, not lost.
            tab.goto(server.url(f"/threads/{thread_id}"))
            body = tab.inner_text("main")
            for number, literal in LITERAL_TEXT.items():
                assert literal in body, number
            assert "<svg onload=alert(202)>" in body
            tab.goto(server.url(f"/inbox/{posts[2].id}"))
            assert "<img src=x onerror=alert(201)>" in tab.inner_text("h1")
            # The detector works: the same context runs an inline handler a page lets through.
            with tab.expect_event("dialog"):
                tab.evaluate("html => document.body.insertAdjacentHTML('beforeend', html)", CONTROL)
    finally:
        context.close()
    assert len(visited) == 2 + len(posts)
    assert refused and all(url.startswith("http://127.0.0.1:") for url in refused)  # only the forum's images
    assert events.dialogs == ["alert: 999"], events.dialogs


def test_the_csp_alone_stops_inline_code_in_chromium(app, page):  # noqa: F811
    """Defence in depth: markup that slipped past the sanitizer still cannot run, the policy refuses it."""
    with serve_app(app) as server:
        response = page.goto(server.url("/auth/login"))
        assert "script-src 'self'" in response.headers["content-security-policy"]
        violated = page.evaluate("""html => new Promise(resolve => {
            document.addEventListener('securitypolicyviolation', e => {
                if (e.effectiveDirective.startsWith('script-src')) resolve(e.effectiveDirective);
            });
            document.body.insertAdjacentHTML('beforeend', html);
        })""", CONTROL)
    assert violated.startswith("script-src")
    assert page.events.dialogs == []
