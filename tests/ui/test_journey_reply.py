"""A forum user's question, from the live forum to the inbox, through a draft and approval, back to the forum."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from support.browser import new_page
from support.ui_fixtures import open_as, ui_server  # noqa: F401
from support.ui_journey import (
    DESKTOP,
    SIGNATURE,
    car_dealer_playbook,
    shoot,
    wire_live_forum,
)

from repapp.extensions import db
from repapp.models import Post, Reply, ReplyState, TriageState
from repapp.worker import SCHEDULES, run_job

pytestmark = [pytest.mark.browser, pytest.mark.live_forum]

QUESTION = "Сколько стоит ТО-1 на Tiggo 7 в Автодом Премиум?"
ANSWER = f"Здравствуйте, Иван! Записаться в сервисный центр можно онлайн на странице записи.\n\n{SIGNATURE}"


def worker_pass(app, job: str) -> None:
    """Run one of the worker's jobs once, in its own app context, as `repapp worker` does."""
    run_job(app, next(s for s in SCHEDULES if s.id == job))
    db.session.expire_all()


def test_a_question_is_triaged_drafted_approved_and_posted_to_the_forum(
    app, world, ui_server, open_as, browser, flaskbb_forum, tmp_path,  # noqa: F811 - fixtures imported above
):
    """Rep A reads the thread, triages with the keyboard, drafts against the playbook; the PR approves; it is posted."""
    car_dealer_playbook(world)
    live = wire_live_forum(app, world, flaskbb_forum, tmp_path / "forums")
    topic = flaskbb_forum.scratch_topic(QUESTION, replies=0, author="ivan_petrov")
    thread = live.watch(world, flaskbb_forum.topic_url(topic["id"]))
    rep = open_as("rep_a", **DESKTOP)

    # A new thread waits for the worker; its page says so and shows the posts once the worker has read them.
    rep.goto(ui_server.url(f"/threads/{thread.id}"))
    expect(rep.locator(".reading")).to_contain_text("Waiting for the worker")
    shoot(rep, "reply-01-thread-waiting-for-the-worker")
    worker_pass(app, "scrape-due-threads")
    expect(rep.locator(".reading")).to_have_count(0, timeout=20_000)
    expect(rep.locator("article.post")).to_contain_text(QUESTION)
    question = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    assert question.author == "ivan_petrov" and question.response_due_at is not None

    # Triage with the keyboard: select, help, open, take, the "no answer" reason, draft.
    rep.goto(ui_server.url("/inbox"))
    # "о" is where "j" is in the Russian layout: the shortcuts follow the key, not the letter.
    rep.evaluate("document.dispatchEvent(new KeyboardEvent('keydown', {key: 'о', code: 'KeyJ', bubbles: true}))")
    expect(rep.locator(".inbox-item.selected")).to_contain_text(QUESTION)
    rep.keyboard.press("?")
    expect(rep.locator("#shortcuts-help")).to_be_visible()
    shoot(rep, "reply-02-inbox-shortcuts-help")
    rep.keyboard.press("Escape")
    expect(rep.locator("#shortcuts-help")).to_be_hidden()
    rep.keyboard.press("Enter")
    rep.wait_for_url(f"**/inbox/{question.id}")
    with rep.expect_navigation():
        rep.keyboard.press("t")
    expect(rep.locator(".actions")).to_contain_text("taken")
    rep.keyboard.press("n")
    expect(rep.locator("input[name=reason]")).to_be_focused()
    rep.keyboard.type("rtn")  # typed into the field, not taken for shortcuts
    expect(rep.locator("input[name=reason]")).to_have_value("rtn")
    assert rep.url.endswith(f"/inbox/{question.id}")
    rep.locator("input[name=reason]").fill("")
    rep.evaluate("document.activeElement.blur()")
    shoot(rep, "reply-03-inbox-item-taken")
    with rep.expect_navigation():
        rep.keyboard.press("r")
    reply = db.session.scalar(select(Reply).where(Reply.in_reply_to_id == question.id))
    assert rep.url.endswith(f"/replies/{reply.id}")

    # Drafting: a playbook finding appears while typing, and goes once the text is fixed.
    rep.locator("#body").press_sequentially("Мы гарантируем лучшую цену")
    expect(rep.locator("#findings li.finding.error")).to_contain_text(["гарантируем"])
    shoot(rep, "reply-04-draft-finding-while-typing")
    rep.locator("#body").fill(ANSWER)
    expect(rep.locator("#findings")).not_to_contain_text("гарантируем")
    expect(rep.locator("#findings li.finding.error")).to_have_count(0)
    with rep.expect_navigation():
        rep.click("button[value=submit]")
    expect(rep.locator(".flash-success")).to_contain_text("Sent for approval")
    expect(rep.locator("main")).to_contain_text("state: waiting for approval")

    # The PR specialist approves from the queue.
    pr = open_as("pr", **DESKTOP)
    pr.goto(ui_server.url("/approvals"))
    with pr.expect_navigation():
        pr.click(f"a[href='/replies/{reply.id}']")
    expect(pr.locator("textarea[name=body]").last).to_have_value(ANSWER)
    shoot(pr, "reply-05-approval")
    with pr.expect_navigation():
        pr.click("button:has-text('Approve')")
    expect(pr.locator(".flash-success")).to_contain_text("Approved")

    # One posting pass of the worker posts it with the official account and confirms it by a re-read.
    worker_pass(app, "post-approved-replies")
    reply = db.session.get(Reply, reply.id)
    assert reply.state == ReplyState.POSTED, (reply.state, reply.last_error)
    info = flaskbb_forum.admin("topic_info", topic_id=topic["id"])
    assert len(info["post_ids"]) == 2 and reply.external_post_id == str(info["post_ids"][-1])
    assert reply.posted_post is not None and reply.posted_post.author == flaskbb_forum.official
    assert db.session.get(Post, question.id).triage_state == TriageState.ANSWERED

    # A forum visitor sees it (in a browser of their own: cookies do not tell ports apart).
    visitor_context, visitor, _events = new_page(browser)
    try:
        visitor.goto(reply.permalink)
        expect(visitor.locator("body")).to_contain_text("Записаться в сервисный центр можно онлайн")
        expect(visitor.locator("body")).to_contain_text(flaskbb_forum.official)
        shoot(visitor, "reply-06-on-the-forum")
    finally:
        visitor_context.close()
    rep.goto(ui_server.url(f"/replies/{reply.id}"))
    expect(rep.locator("main")).to_contain_text("Posted")
    assert not rep.events.page_errors and not pr.events.page_errors
