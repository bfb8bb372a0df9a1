"""Tracked links: /go/<code> redirects anyone, counts people once a day, never bots, never stores addresses."""

from __future__ import annotations

from sqlalchemy import func, select

from repapp.extensions import db
from repapp.kpi.links import is_bot, links_bypassing_tracking, visitor_hash
from repapp.models import LinkClick, TrackedLink
from support import web

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"


def _follow(client, code: str, address: str, agent: str = FIREFOX, method: str = "GET", **headers):
    """Follow a short link as a visitor from `address`."""
    return client.open(f"/go/{code}", method=method, headers={"User-Agent": agent, **headers},
                       environ_overrides={"REMOTE_ADDR": address})


def _clicks(link: TrackedLink) -> int:
    """Return the link's counted clicks."""
    return db.session.scalar(select(func.count(LinkClick.id)).where(LinkClick.link_id == link.id))


def test_a_click_redirects_without_login_and_counts_once_a_day(world, client):
    """The visitor lands on the client's page; a second click the same day is not counted again."""
    link = world.link_a()
    response = _follow(client, link.code, "203.0.113.7")
    assert response.status_code == 302 and response.headers["Location"] == "https://client-a.example/offer"
    assert response.headers["Cache-Control"] == "no-store"
    _follow(client, link.code, "203.0.113.7")
    assert _clicks(link) == 1
    _follow(client, link.code, "203.0.113.7", CHROME)  # another browser behind the same address
    _follow(client, link.code, "198.51.100.1")
    assert _clicks(link) == 3


def test_bots_previews_and_prefetches_are_not_counted(world, client):
    """Search bots, messenger previews, scripts, HEAD requests and prefetches still redirect, but count nothing."""
    link = world.link_a()
    for agent in ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
                  "TelegramBot (like TwitterBot)", "python-requests/2.32", "curl/8.5.0", ""):
        assert _follow(client, link.code, "192.0.2.1", agent).status_code == 302
    assert _follow(client, link.code, "192.0.2.2", method="HEAD").status_code == 302
    assert _follow(client, link.code, "192.0.2.3", **{"Sec-Purpose": "prefetch"}).status_code == 302
    assert _clicks(link) == 0
    assert is_bot("Mozilla/5.0 (compatible; YandexBot/3.0)") and not is_bot(FIREFOX)


def test_the_visitors_address_is_stored_only_as_a_keyed_hash(world, client, app):
    """Nothing in the click row reveals the address; the hash depends on the secret key."""
    link = world.link_a()
    _follow(client, link.code, "203.0.113.77")
    click = db.session.scalar(select(LinkClick).where(LinkClick.link_id == link.id))
    assert "203.0.113.77" not in repr(vars(click))
    assert click.visitor_hash == visitor_hash(app.config["SECRET_KEY"], "203.0.113.77", FIREFOX)
    assert click.visitor_hash != visitor_hash("another-key", "203.0.113.77", FIREFOX)


def test_an_unknown_code_is_not_found(client):
    """Guessing codes leads nowhere."""
    assert client.get("/go/nosuchcode").status_code == 404


def test_a_representative_makes_a_link_for_their_thread_only(world, login_as):
    """Rep A turns a client URL into a /go/ link for A's thread; rep B cannot use A's thread."""
    thread = world.thread_a()
    rep_a = login_as("rep_a")
    response = web.post_form(rep_a, "/kpi/links/new", {"thread": thread.id, "target_url": "https://client-a.example/x"},
                             token_from="/kpi/links/new")
    assert response.status_code == 302
    link = db.session.scalar(select(TrackedLink).where(TrackedLink.target_url == "https://client-a.example/x"))
    assert (link.client_id, link.forum_id, link.thread_id) == (thread.client_id, thread.forum_id, thread.id)
    assert link.code in rep_a.get("/kpi/links").get_data(as_text=True)
    rep_b = login_as("rep_b")
    response = web.post_form(rep_b, "/kpi/links/new", {"thread": thread.id, "target_url": "https://x.example/"},
                             token_from="/kpi/links/new")
    assert response.status_code in (400, 404)
    assert link.code not in rep_b.get("/kpi/links").get_data(as_text=True)


def test_drafts_linking_to_the_site_directly_are_found():
    """For the playbook check: direct links to the client's site (and subdomains) must go through /go/."""
    text = ("Смотрите https://shop.client.example/sale, наш сайт https://client.example. "
            "И http://127.0.0.1:5000/go/abc123 и https://other.example/page")
    found = links_bypassing_tracking(text, ["client.example"], "http://127.0.0.1:5000")
    assert found == ["https://shop.client.example/sale", "https://client.example"]
