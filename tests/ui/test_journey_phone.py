"""The work happens on phones too: the inbox, a post, the reply editor and approval at 390×844, in Russian."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from support.ui_fixtures import open_as, ui_server  # noqa: F401
from support.ui_journey import (
    PHONE,
    SIGNATURE,
    car_dealer_playbook,
    horizontal_overflow,
    inbox_posts,
    shoot,
)

from repapp.extensions import db
from repapp.models import Reply

pytestmark = pytest.mark.browser

POSTS = [
    ("Сергей_М", ("Всем привет! Присматриваюсь к Tiggo 7 Pro Max в Автодом Премиум на Варшавке. Кто брал у них? "
                  "Интересует реальная цена в комплектации Prestige и есть ли машины в наличии, или под заказ?")),
    ("dimon_kzn", ("Внёс предоплату 100 000 за Jolion ещё в феврале, обещали поставку в течение 30 дней. Прошло почти "
                   "два месяца, менеджер говорит «машина в пути». Это проблема, это вообще нормально?")),
    ("Ольга_Н", ("Была на ТО-2 в сервисе на Варшавке в прошлом месяце. Вышло 24 500 с маслом и фильтрами, по времени — "
                 "ровно два часа, как и обещали. Мастер-приёмщик всё показал на подъёмнике, кофе вкусный.")),
    ("auto_lover77", ("https://example.org/очень/длинная/ссылка/без/пробелов/которую/телефон/должен/перенести/"
                      "а/не/растянуть/страницу/вбок/никогда/ни/при/каких/условиях.html")),
]


def fits(page) -> None:
    """The page is as wide as the phone: nothing makes it scroll sideways."""
    assert horizontal_overflow(page) == []


def test_the_inbox_a_post_the_editor_and_approval_fit_a_phone(app, world, ui_server, open_as):  # noqa: F811
    """At phone width the representative triages and drafts and the PR specialist approves, never scrolling sideways."""
    car_dealer_playbook(world)
    posts = inbox_posts(world, POSTS)
    posts[0].thread.title = "Автодом Премиум — официальный представитель дилера"
    world.user("rep_a").locale = world.user("pr").locale = "ru"
    db.session.commit()
    rep = open_as("rep_a", locale="ru-RU", **PHONE)

    rep.goto(ui_server.url("/inbox"))
    expect(rep.locator("h1")).to_have_text("Входящие")
    expect(rep.locator(".inbox-item")).to_have_count(len(POSTS) + 1)  # and the world thread's first post
    expect(rep.locator("p.key-hint")).to_be_hidden()  # no keyboard hints on a touch screen
    fits(rep)
    shoot(rep, "phone-01-inbox")
    rep.goto(ui_server.url(f"/threads/{posts[0].thread_id}"))
    expect(rep.locator("article.post").first).to_be_visible()
    fits(rep)
    shoot(rep, "phone-01-thread")
    rep.goto(ui_server.url("/inbox"))

    with rep.expect_navigation():
        rep.locator(".inbox-link", has_text="предоплату").click()
    draft_button = rep.locator("button[data-key=r]")
    expect(draft_button).to_have_text("Написать ответ", use_inner_text=True)
    box = draft_button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["height"] >= 44  # a thumb-sized target
    fits(rep)
    shoot(rep, "phone-02-inbox-item")

    with rep.expect_navigation():
        draft_button.tap()
    expect(rep.locator("#findings")).to_contain_text("Ответ пуст")  # the check of the empty draft, in Russian
    rep.locator("#body").fill("Здравствуйте! Напишите ваш телефон, мы перезвоним.")
    expect(rep.locator("#findings li.finding.error").first).to_be_visible()
    expect(rep.locator("#findings")).to_contain_text("ваш телефон")
    rep.locator("details", has=rep.locator("pre.suggestion")).first.locator("summary").tap()  # a standard answer
    expect(rep.locator("pre.suggestion").first).to_be_visible()
    fits(rep)
    shoot(rep, "phone-03-reply-editor")
    rep.locator("#body").fill(f"Здравствуйте! Нам очень жаль, что так вышло. Пожалуйста, напишите нам в личные "
                              f"сообщения — уточним детали по заказу.\n\n{SIGNATURE}")
    expect(rep.locator("#findings li.finding.error")).to_have_count(0)
    with rep.expect_navigation():
        rep.locator("button[value=submit]").tap()
    expect(rep.locator(".flash-success")).to_contain_text("согласование")

    reply = db.session.scalar(select(Reply).where(Reply.in_reply_to_id == posts[1].id))
    pr = open_as("pr", locale="ru-RU", **PHONE)
    pr.goto(ui_server.url("/approvals"))
    expect(pr.locator("table.list tbody tr")).to_have_count(1)
    fits(pr)
    shoot(pr, "phone-04-approvals")
    with pr.expect_navigation():
        pr.locator(f"a[href='/replies/{reply.id}']").tap()
    expect(pr.locator("main")).to_contain_text("состояние: ждёт согласования")
    approve = pr.locator("button.primary", has_text="Согласовать")
    expect(approve).to_be_visible()
    reject = pr.locator("details.reject")
    expect(reject.locator("textarea")).to_be_hidden()  # returning it is a deliberate second step
    fits(pr)
    shoot(pr, "phone-05-approval")
    assert not rep.events.page_errors and not pr.events.page_errors
