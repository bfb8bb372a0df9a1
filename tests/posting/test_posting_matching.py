"""What "the published post carries the approved body" means, with plain strings."""

from __future__ import annotations

from repapp.posting.matching import approved_words, matches, text_differs

FLASKBB_REPLY = (
    "**[ivan_petrov](/user/ivan_petrov) wrote:**\n> Стоит ли ехать на ТО туда?\n\n"
    "Здравствуйте, Иван! Мы — _официальный_ дилер. Записаться можно [на сайте](https://avtodom.example/to)."
)
# What the scraper stores for it: the quote left out, Markdown rendered, one line per paragraph.
FLASKBB_SCRAPED = "ivan_petrov wrote:\nЗдравствуйте, Иван! Мы — официальный дилер. Записаться можно на сайте."


def test_markdown_reply_matches_its_rendered_text_and_is_not_flagged():
    """Quote lines, emphasis and link targets are markup: the words are the same, nothing differs."""
    assert matches(FLASKBB_REPLY, FLASKBB_SCRAPED)
    assert not text_differs(FLASKBB_REPLY, FLASKBB_SCRAPED)


def test_bbcode_reply_matches_without_its_quote_and_tags():
    """phpBB/MyBB: [quote] blocks (nested too) are dropped, [b]/[url=…] keep their text."""
    body = ('[quote="marina_k"]Какая гарантия?[quote]вложенная[/quote][/quote]\n'
            "Марина, гарантия [b]2 года[/b]. Подробности [url=https://avtodom.example/g]здесь[/url].")
    assert approved_words(body) == ["Марина", "гарантия", "2", "года", "Подробности", "здесь"]
    assert matches(body, "Марина, гарантия 2 года. Подробности здесь.")


def test_whitespace_and_typography_do_not_count():
    """Reflowed lines, non-breaking spaces, NFKC forms and punctuation are not differences."""
    body = "Спасибо за отзыв!\n\nБудем рады   видеть вас снова."
    assert not text_differs(body, "Спасибо за отзыв! Будем\u00a0рады видеть вас снова!!")
    assert matches(body, "Спасибо за отзыв!\nБудем рады видеть вас снова.")


def test_a_changed_word_still_matches_but_is_flagged():
    """A moderator's small edit: the post is still ours, and the published text differs."""
    body = "Цены на ТО есть на сайте, раздел «Сервис», и в салоне на Ленинском проспекте."
    edited = "Цены на ТО есть на сайте, раздел «Сервис», и в салоне на Ленинском."
    assert matches(body, edited)
    assert text_differs(body, edited)


def test_a_different_answer_does_not_match():
    """Another post of the account in the same thread is not taken for this reply."""
    body = "Гарантия на двигатель — 3 года или 100 000 км."
    assert not matches(body, "Спасибо за отзыв! Будем рады видеть вас снова.")
    assert not matches(body, "Гарантия на аккумулятор — 2 года.")
