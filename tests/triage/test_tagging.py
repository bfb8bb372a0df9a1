"""Automatic tags on realistic forum posts in Russian, Ukrainian and English, with the cues that set them."""

from pathlib import Path

import pytest

from repapp.playbooks.loader import load_playbook_file
from repapp.triage.tagging import TAGS, auto_tags, explain_tags, needs_answer

PLAYBOOKS = Path(__file__).parents[2] / "playbooks"


@pytest.fixture(scope="module")
def avtodom():
    """The car dealer's playbook as shipped."""
    return load_playbook_file(PLAYBOOKS / "avtodom-premium.yaml")


@pytest.fixture(scope="module")
def svyaz():
    """The telecom operator's playbook as shipped."""
    return load_playbook_file(PLAYBOOKS / "svyaz-plus.yaml")


@pytest.fixture(scope="module")
def modnyi():
    """The fashion retailer's playbook as shipped."""
    return load_playbook_file(PLAYBOOKS / "modnyi-shkaf.yaml")


def test_the_vocabulary_is_stable():
    """Tag keys are stored on posts and counted by KPIs: they must not drift."""
    assert list(TAGS) == [
        "question", "problem", "complaint", "positive", "negative", "recommendation_request", "recommendation",
        "newsworthy", "possible_bot",
    ]
    assert all(info.label_ru and info.label_en for info in TAGS.values())


# Each post with exactly the tags it must get: nothing missing and nothing extra.
POSTS = [
    # Russian
    ("Подскажите, сколько стоит ТО-2 на Kia Rio 2019 года?", {"question"}),
    ("Как записаться на тест-драйв", {"question"}),
    ("Третий день нет интернета, техподдержка не отвечает!", {"problem"}),
    ("Машину забрал из сервиса, а стук в подвеске остался.", {"problem"}),
    ("Обманули с ценой: в договоре одна сумма, на кассе другая. Верните деньги!", {"complaint", "problem"}),
    ("Жалоба на менеджера: нахамил по телефону.", {"complaint", "problem"}),
    ("Спасибо, не надо.", set()),
    ("Спасибо большое, всё починили за час, молодцы!", {"positive"}),
    ("Всем рекомендую этот салон, отличный сервис", {"recommendation", "positive"}),
    ("Посоветуйте, какой кроссовер выбрать до 2 млн", {"recommendation_request"}),
    ("Что лучше взять: Связь Плюс или соседнего провайдера?", {"question", "recommendation_request"}),
    ("Слышал, что с марта поднимут цены на тарифы, это правда?", {"question", "newsworthy"}),
    ("У вас сейчас есть акция на зимнюю резину?", {"question", "newsworthy"}),
    ("Как обычно, всё сломалось в пятницу вечером.", {"problem"}),
    ("Когда забирал машину, заметил, что её помыли. Приятно.", {"positive"}),
    ("Когда забирал машину, заметил царапину на бампере.", set()),
    ("Заранее спасибо за ответ", set()),
    ("Ужасное обслуживание, больше ни ногой", {"complaint", "problem", "negative"}),
    ("Не работает приставка после обновления, горит красный индикатор", {"problem"}),
    ("Спасибо, но проблема осталась: интернет пропадает каждый вечер", {"problem"}),
    ("Спасибо за ответ, а сколько стоит подключение?", {"question"}),
    ("Никому не советую этот салон, развели на допы", {"complaint", "problem", "negative"}),
    ("Молодцы, быстро решили проблему с подключением", {"positive"}),
    ("Не плохо, но могло быть и лучше", set()),
    ("Всем привет! Я новенький, езжу на Рио третий год.", set()),
    ("+1, у меня так же", set()),
    ("Не очень доволен, честно говоря", set()),
    # Ukrainian
    ("Як підключити інтернет у новому будинку?", {"question"}),
    ("Дякую, все працює!", {"positive"}),
    ("Не працює телевізор вже другий день", {"problem"}),
    ("Порадьте, що краще обрати: оптику чи ADSL", {"recommendation_request"}),
    ("Обдурили з тарифом, поверніть гроші", {"complaint", "problem"}),
    ("Чудовий сервіс, рекомендую!", {"positive", "recommendation"}),
    ("Дякую, не треба.", set()),
    # English
    ("Thanks, it works now, great support!", {"positive"}),
    ("Does anyone know how to set up IPv6 on the router?", {"question"}),
    ("Internet is not working since yesterday, please help", {"problem"}),
    ("This is a scam, I want a refund", {"complaint", "problem"}),
    ("Which provider would you recommend for a new flat?", {"question", "recommendation_request"}),
    ("I highly recommend them, very helpful staff", {"recommendation", "positive"}),
    ("Not bad at all.", set()),
    # Spam
    ("Заработок в интернете от 5000 в день, пиши в телеграм", {"possible_bot"}),
    ("Купи слона! Купи слона! Купи слона!", {"possible_bot"}),
]


@pytest.mark.parametrize(("text", "expected"), POSTS, ids=[text[:40] for text, _ in POSTS])
def test_realistic_posts_get_exactly_their_tags(text, expected):
    """Built-in cues alone, without a playbook."""
    assert auto_tags(text) == expected


def test_enough_realistic_posts_in_three_languages():
    """The table above covers each tag and untagged posts in every language."""
    assert len(POSTS) >= 30
    covered = set().union(*(tags for _text, tags in POSTS))
    assert covered == set(TAGS) - {"possible_bot"} | {"possible_bot"}
    assert sum(1 for _text, tags in POSTS if not tags) >= 8


# --- explanations -----------------------------------------------------------------------------------


def test_each_tag_says_which_cue_set_it_and_where():
    """The UI shows the matched words with their offsets and the rule's name."""
    text = "Третий день нет интернета, верните деньги!"
    explained = explain_tags(text)
    assert list(explained) == ["problem", "complaint"]
    problem = [(cue.rule, cue.text, cue.start, cue.end) for cue in explained["problem"]]
    assert problem == [
        ("ru:problem", "Третий день", 0, 11),
        ("ru:problem", "нет интернета", 12, 25),
        ("implied:complaint", "complaint", None, None),
    ]
    complaint = explained["complaint"][0]
    assert (complaint.source, complaint.rule, text[complaint.start : complaint.end]) == (
        "builtin", "ru:complaint", "верните деньги"
    )


def test_a_question_mark_cue_spans_its_sentence():
    """The question sentence is the cue, not the whole post."""
    text = "Машина отличная. А где у вас шиномонтаж?"
    cue = next(cue for cue in explain_tags(text)["question"] if cue.rule == "question_mark")
    assert (cue.start, cue.end, cue.text) == (17, 40, "А где у вас шиномонтаж?")


def test_the_same_word_in_two_languages_counts_once():
    """'рекомендую' is Russian and Ukrainian: one cue, not two."""
    cues = explain_tags("Рекомендую!")["recommendation"]
    assert [(cue.rule, cue.start) for cue in cues] == [("ru:recommendation", 0)]


# --- quotes, links, negation ----------------------------------------------------------------------------


def test_quoted_text_sets_no_tags():
    """The quoted complaint is someone else's; this post praises."""
    quote = "Верните деньги, мошенники!"
    text = f"{quote}\nА у меня всё отлично, спасибо"
    assert auto_tags(text, quotes_text=quote) == {"positive"}
    assert auto_tags(f"[quote=Пётр]{quote}[/quote]\nА у меня всё отлично, спасибо") == {"positive"}
    assert auto_tags(f"> {quote}\nА у меня всё отлично, спасибо") == {"positive"}


def test_a_question_mark_inside_a_link_is_no_question():
    """'?' in a URL's query string does not make a question."""
    assert auto_tags("Вот тут всё описано: https://svyaz-plus.ru/help?id=12 — ставьте прошивку 2.1") == set()


def test_a_negation_cancels_praise_and_blame():
    """'не плохо' is not negative; 'не помогли' is not positive."""
    assert auto_tags("Вы мне так и не помогли") == set()
    assert "negative" not in auto_tags("Сервис не плохой")


# --- possible bots -----------------------------------------------------------------------------------------


def test_links_only_through_shorteners_from_a_generated_name():
    """Every cue of a typical spam post, each explained."""
    explained = explain_tags("https://bit.ly/3xYz https://t.me/cheapdeals", author="anna19932")
    assert list(explained) == ["possible_bot"]
    assert [cue.rule for cue in explained["possible_bot"]] == [
        "shortener_link", "shortener_link", "links_only", "generated_name_with_link"
    ]


def test_a_generated_name_needs_a_link_to_look_like_a_bot():
    """'ivan1987' asking a question is a person; 'promo2024' posting a link is suspect."""
    assert auto_tags("Подскажите график работы сервиса?", author="ivan1987") == {"question"}
    assert auto_tags("Отличные цены на шины, заходите: http://super-shop.xyz", author="promo2024") == {
        "positive", "possible_bot"
    }


def test_a_short_line_with_a_link_is_links_only():
    """A link with a handful of words around it is what link spammers post."""
    assert auto_tags("Лучшие цены тут: http://super-shop.xyz") == {"possible_bot"}
    assert auto_tags("Сравнение тарифов провайдеров нашего города я собрал в таблице: https://docs.example.com/x "
                     "— там скорость, цена и отзывы соседей") == set()


def test_the_same_text_posted_again():
    """An author repeating an earlier post word for word looks like a bot."""
    earlier = ["Лучший провайдер в городе, подключайтесь по ссылке в профиле!"]
    assert "possible_bot" in auto_tags("Лучший провайдер в городе — подключайтесь по ссылке в профиле",
                                       recent_texts=earlier)
    assert "possible_bot" not in auto_tags("Лучший провайдер в городе?", recent_texts=earlier)


# --- the playbook's own cues --------------------------------------------------------------------------------


def test_a_situation_handled_in_private_messages_makes_a_problem(svyaz):
    """'пропал интернет' fires the no-internet situation (invite to private messages)."""
    explained = explain_tags("Пропал интернет на Ленина 5", playbook=svyaz)
    assert list(explained) == ["problem"]
    assert [(cue.source, cue.rule) for cue in explained["problem"]] == [
        ("builtin", "ru:problem"), ("playbook", "regulations.situations[0]")
    ]


def test_a_playbook_situation_catches_what_built_in_cues_miss(avtodom):
    """'плохо отремонтировали' is the dealer's service-complaint situation."""
    text = "После ТО машину плохо отремонтировали, опять течь масла"
    assert auto_tags(text) == {"negative"}
    assert auto_tags(text, playbook=avtodom) == {"negative", "problem"}


def test_a_news_topic_of_the_playbook_makes_a_post_newsworthy(avtodom, modnyi):
    """The dealer announces events; the retailer announces giveaways."""
    text = "Когда будет день открытых дверей в салоне на Каширке?"
    assert auto_tags(text) == {"question"}
    explained = explain_tags(text, playbook=avtodom)
    assert set(explained) == {"question", "newsworthy"}
    assert [(cue.rule, cue.text) for cue in explained["newsworthy"]] == [("topics[4]", "день открытых дверей")]
    assert auto_tags("Девочки, у Модного шкафа будет розыгрыш к 8 марта", playbook=modnyi) == {"newsworthy"}


def test_a_situation_without_private_messages_adds_no_problem(avtodom):
    """A contest question is escalated to the marketer but is no problem of the user."""
    assert auto_tags("Кто-нибудь знает, когда итоги конкурса", playbook=avtodom) == {"question"}


# --- answering ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tags", "expected"),
    [({"question"}, True), ({"problem"}, True), ({"complaint", "problem"}, True), ({"negative"}, True),
     ({"recommendation_request"}, True), ({"positive"}, False), ({"recommendation", "positive"}, False),
     ({"newsworthy"}, False), (set(), False), ({"question", "possible_bot"}, False)],
)
def test_which_posts_need_an_answer(tags, expected):
    """Questions, problems, complaints, negativity and requests for advice start the response clock."""
    assert needs_answer(tags) is expected


def test_a_real_post_end_to_end(svyaz):
    """Tags of a typical support post decide that it waits for an answer."""
    tags = auto_tags("Связь Плюс, третий день нет интернета на Мира 12, когда почините?", playbook=svyaz)
    assert tags == {"question", "problem"}
    assert needs_answer(tags)


@pytest.mark.parametrize(("text", "tags"), [
    ("ОПЯТЬ НЕ РАБОТАЕТ ИНТЕРНЕТ, ТРЕТИЙ ДЕНЬ!", {"problem"}),
    ("Спасибо Огромное, Всё Починили Быстро", {"positive"}),
    ("ВІДМІННИЙ СЕРВІС, РЕКОМЕНДУЮ", {"positive", "recommendation"}),
    ("Can Anyone Tell Me Where The Nearest Store Is", {"question"}),
    ("Заработок В Интернете, Пишите В Телеграм", {"possible_bot"}),
])
def test_capitals_tag_like_lower_case(text, tags):
    """Cues run on lowered text: shouting or Title Case changes nothing, and offsets still point at the post."""
    explained = explain_tags(text)
    assert set(explained) == tags
    assert set(explain_tags(text.lower())) == tags
    for cues in explained.values():
        for cue in cues:
            if cue.start is not None:
                assert text[cue.start:cue.end] == cue.text


def test_the_cue_tables_are_written_in_lower_case():
    """The patterns are compiled without IGNORECASE: a capital letter in one would never match."""
    import re

    from repapp.triage import tagging

    for table in [table for _, table, _ in tagging._TABLE_SOURCES] + [tagging._THANKS]:
        for source in table.values():
            letters = re.sub(r"\\[A-Za-z]", "", source)
            assert letters == letters.lower(), source
    for pattern in (tagging._SPAM, tagging._REFUSAL):
        letters = re.sub(r"\\[A-Za-z]", "", pattern.pattern)
        assert letters == letters.lower()
