"""The draft check: each kind of finding on a failing draft with its exact span, and the approval policy."""

import statistics
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from repapp.playbooks.draft_check import (
    SCHEDULING_CODES,
    DraftContext,
    Finding,
    KeywordIndex,
    check_draft,
    compile_playbook,
    describe_approval_reason,
    find_urls,
    fold_text,
    has_blocking,
    matching_standard_answers,
    needs_approval,
    url_within,
)
from repapp.playbooks.loader import load_playbook_file, load_playbook_text
from repapp.playbooks.schema import Otherwise

PLAYBOOKS = Path(__file__).parents[2] / "playbooks"
NOW = datetime(2024, 5, 6, 10, 0, tzinfo=UTC)  # a Monday after every example's first weeks
APPROVED = datetime(2024, 1, 15, tzinfo=UTC)

AUTOCLUB_THREAD = "https://www.autoclub.example/forum/viewtopic.php?t=4182"
AUTOCLUB = DraftContext("autoclub", AUTOCLUB_THREAD, now=NOW)
DEMO_AVTODOM = DraftContext("demo-flaskbb", "http://127.0.0.1:5051/topic/1", now=NOW)
SVYAZ = DraftContext("svyaz-online", "https://forum.svyaz-online.example/showthread.php?tid=2715", now=NOW)
MODNYI = DraftContext("demo-flaskbb", "http://127.0.0.1:5051/topic/3", now=NOW)

SIGN_AVTODOM = "\nС уважением, Автодом Премиум\nhttps://avtodom-premium.ru/"
SIGN_SVYAZ = "\nСвязь Плюс, техническая поддержка"
SIGN_MODNYI = "\nВаш «Модный шкаф»"


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


# A small playbook with ё in its brand and forbidden words, and no signature.
ZELENYI_YAML = """\
format_version: 1
client: {name: Зелёный квартал, slug: zelenyi, display_name: Зелёный квартал, site_url: 'https://zelenyi.ru',
         timezone: Europe/Moscow}
topics:
  - {id: prices, title: Цены, keywords: [цена]}
forums:
  forum1:
    account: Zelenyi
    threads: [{url: 'https://forum.example/t/1'}]
content:
  brand: {canonical: Зелёный квартал, wrong_variants: [Зеленый Квартал, ЗК]}
  forbidden:
    - {phrase: дешёвый, reason: Не обесцениваем.}
    - {phrase: еще скидка, reason: Скидки объявляет маркетинг.}
regulations:
  response_time: {first_response_within: 1h, days: calendar}
approval: {}
kpis: {priority: questions, targets: {questions: 5}}
"""


@pytest.fixture(scope="module")
def zelenyi():
    """A minimal inline playbook."""
    return load_playbook_text(ZELENYI_YAML)


ZELENYI = DraftContext("forum1", "https://forum.example/t/1", now=NOW)


def span_of(text: str, fragment: str, occurrence: int = 0) -> tuple[int, int]:
    """Return the span of the n-th occurrence of a fragment (the expected offsets)."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(fragment, start + 1)
    return start, start + len(fragment)


def spans(findings: list[Finding], code: str) -> list[tuple[int | None, int | None]]:
    """Return the spans of the findings with one code."""
    return [(finding.start, finding.end) for finding in findings if finding.code == code]


def only(findings: list[Finding], code: str) -> Finding:
    """Return the single finding with a code."""
    found = [finding for finding in findings if finding.code == code]
    assert len(found) == 1, [(f.code, f.start, f.end) for f in findings]
    return found[0]


# --- clean drafts -----------------------------------------------------------------------------


def test_a_good_reply_has_no_findings(avtodom, svyaz, modnyi):
    """Realistic replies that obey every rule pass cleanly on each example playbook."""
    text = (
        "Андрей, здравствуйте! Записаться на ТО можно онлайн: https://avtodom-premium.ru/service/ — "
        "или напишите нам в личные сообщения номер заказа-наряда, и мастер-приёмщик перезвонит."
        " Автодом Премиум работает ежедневно с 9:00 до 21:00." + SIGN_AVTODOM
    )
    assert check_draft(text, avtodom, AUTOCLUB) == []
    text = (
        "Ольга, здравствуйте! Сожалеем, что связь пропала. Статус работ — на https://svyaz-plus.ru/status/, "
        "а замер скорости можно сделать на speedtest.net. Если адреса там нет, напишите нам в личные сообщения."
        + SIGN_SVYAZ
    )
    assert check_draft(text, svyaz, SVYAZ) == []
    text = "Марина, здравствуйте! Посмотрите платье-рубашку из новой подборки стилистов 🙂" + SIGN_MODNYI
    assert check_draft(text, modnyi, MODNYI) == []


@pytest.mark.parametrize("answer_index", range(4))
def test_every_standard_answer_of_the_car_dealer_passes_once_filled(avtodom, answer_index):
    """The playbook's own answers, filled and signed, raise nothing (no false positives on prescribed text)."""
    answer = avtodom.regulations.standard_answers[answer_index]
    values = {"user": "Иван", "model": "Kia Rio", "trim": "Comfort"}
    suggestion = next(s for s in matching_standard_answers(answer.title + " " + " ".join(answer.triggers.keywords),
                                                           avtodom, values) if s.id == answer.id)
    assert check_draft(suggestion.text + SIGN_AVTODOM, avtodom, AUTOCLUB) == []


def test_an_empty_draft_is_an_error(avtodom):
    """A blank draft cannot be submitted."""
    findings = check_draft("  \n ", avtodom, AUTOCLUB)
    assert [(f.code, f.severity, f.start) for f in findings] == [("empty_draft", "error", None)]


# --- brand spelling ------------------------------------------------------------------------------


def test_a_listed_wrong_variant_is_an_error_pointing_at_it(avtodom):
    """'АвтоДом Премиум' is listed under wrong_variants; the finding names that rule."""
    text = "Ждём вас в АвтоДом Премиум в субботу." + SIGN_AVTODOM
    finding = only(check_draft(text, avtodom, AUTOCLUB), "brand_spelling")
    assert (finding.start, finding.end) == span_of(text, "АвтоДом Премиум") == (11, 26)
    assert finding.severity == "error"
    assert finding.rule == "content.brand.wrong_variants[1]"
    assert "Автодом Премиум" in finding.message_ru and "АвтоДом Премиум" in finding.message


def test_mixed_case_not_listed_is_caught_against_the_canonical_spelling(avtodom):
    """'АВТОДОМ премиум' is no listed variant, but differs from the canonical one only by case."""
    text = "АВТОДОМ премиум ждёт вас." + SIGN_AVTODOM
    finding = only(check_draft(text, avtodom, AUTOCLUB), "brand_spelling")
    assert (finding.start, finding.end) == (0, 15)
    assert finding.rule == "content.brand.canonical"
    assert dict(finding.params)["problem"] == "letter_case"
    assert "tone_caps" not in [f.code for f in check_draft(text, avtodom, AUTOCLUB)]  # reported once, as brand


@pytest.mark.parametrize(
    "written",
    ["Aвтодом Премиум", "Автодом Пpемиум", "АвтOдом Премиум", "Авт0дом Премиум"],
    ids=["latin-A", "latin-p", "latin-O", "zero"],
)
def test_latin_look_alike_letters_in_the_brand_are_caught(avtodom, written):
    """A Latin letter (or a zero) that looks Cyrillic makes a wrong spelling, even when it reads right."""
    text = f"Сервис {written} открыт." + SIGN_AVTODOM
    finding = only(check_draft(text, avtodom, AUTOCLUB), "brand_spelling")
    assert (finding.start, finding.end) == span_of(text, written)
    assert dict(finding.params)["problem"] == "latin_letters"
    assert finding.severity == "error"


def test_latin_look_alike_in_the_telecom_brand(svyaz):
    """'Cвязь Плюс' with a Latin C is caught; the correct spelling in the signature is not."""
    text = "Cвязь Плюс уже восстановила линию." + SIGN_SVYAZ
    assert spans(check_draft(text, svyaz, SVYAZ), "brand_spelling") == [(0, 10)]


def test_a_short_variant_is_caught_but_an_ordinary_lowercase_word_is_not(avtodom):
    """'Автодом' alone is a listed variant; 'автодом' (a motorhome) in lowercase is just a word."""
    text = "Приезжайте в Автодом! Кстати, автодом на колёсах мы тоже обслуживаем." + SIGN_AVTODOM
    findings = check_draft(text, avtodom, AUTOCLUB)
    finding = only(findings, "brand_spelling")
    assert (finding.start, finding.end) == span_of(text, "Автодом")
    assert finding.rule == "content.brand.wrong_variants[3]"


def test_an_inflected_correct_brand_is_fine_and_an_inflected_wrong_case_is_not(avtodom, modnyi):
    """'в Автодоме Премиум', 'в Модном шкафу' are right; 'в Модном Шкафу' has the wrong case."""
    assert check_draft("Ждём вас в Автодоме Премиум." + SIGN_AVTODOM, avtodom, AUTOCLUB) == []
    assert check_draft("Эта модель есть в Модном шкафу." + SIGN_MODNYI, modnyi, MODNYI) == []
    text = "Эта модель есть в Модном Шкафу." + SIGN_MODNYI
    assert spans(check_draft(text, modnyi, MODNYI), "brand_spelling") == [span_of(text, "Модном Шкафу")]


def test_the_brand_in_lowercase_is_a_warning(avtodom):
    """'автодом премиум' in lowercase is most likely the brand, but could be ordinary words."""
    text = "Приезжайте в автодом премиум." + SIGN_AVTODOM
    finding = only(check_draft(text, avtodom, AUTOCLUB), "brand_spelling")
    assert finding.severity == "warning"
    assert (finding.start, finding.end) == span_of(text, "автодом премиум")


def test_spacing_variants_of_the_brand(modnyi):
    """'МодныйШкаф' (no space) and the listed 'Модный-шкаф' are both wrong."""
    text = "МодныйШкаф и Модный-шкаф — одно и то же." + SIGN_MODNYI
    findings = [f for f in check_draft(text, modnyi, MODNYI) if f.code == "brand_spelling"]
    assert [(f.start, f.end, f.rule) for f in findings] == [
        (0, 10, "content.brand.wrong_variants[1]"),
        (13, 24, "content.brand.wrong_variants[2]"),
    ]


def test_a_transliterated_variant_any_case_but_not_inside_a_link(avtodom):
    """'Avtodom' and 'AVTODOM' are caught; the site's host avtodom-premium.ru is not a spelling."""
    text = "Avtodom и AVTODOM — это мы: https://avtodom-premium.ru/special/" + SIGN_AVTODOM
    assert spans(check_draft(text, avtodom, AUTOCLUB), "brand_spelling") == [(0, 7), (10, 17)]


def test_yo_and_ye_are_the_same_letter_for_the_brand(zelenyi):
    """'Зеленый квартал' written with е is right; 'Зелёный Квартал' folds onto the listed variant."""
    assert spans(check_draft("Ждём вас в «Зеленый квартал».", zelenyi, ZELENYI), "brand_spelling") == []
    text = "Ждём вас в «Зелёный Квартал»."
    finding = only(check_draft(text, zelenyi, ZELENYI), "brand_spelling")
    assert (finding.start, finding.end) == span_of(text, "Зелёный Квартал")
    assert finding.rule == "content.brand.wrong_variants[0]"


def test_a_misspelt_brand_inside_a_quote_is_the_users(avtodom):
    """Quoted text is the forum user's; the representative does not answer for its spelling."""
    text = "[quote=Иван]АвтоДом Премиум — где вы?[/quote]\nЗдравствуйте! Мы на Каширском шоссе." + SIGN_AVTODOM
    assert check_draft(text, avtodom, AUTOCLUB) == []


# --- forbidden words ---------------------------------------------------------------------------


def test_a_forbidden_phrase_with_its_reason(avtodom):
    """'гарантируем' is forbidden; the finding carries the playbook's reason."""
    text = "Мы гарантируем результат." + SIGN_AVTODOM
    finding = only(check_draft(text, avtodom, AUTOCLUB), "forbidden")
    assert (finding.start, finding.end) == (3, 14)
    assert finding.rule == "content.forbidden[0]"
    assert "Юридически значимое обещание" in finding.message_ru


def test_a_forbidden_phrase_is_found_inflected_and_in_any_case(avtodom):
    """'самая низкая цена' also forbids 'Самую низкую цену'."""
    text = "У нас Самую низкую цену не найти." + SIGN_AVTODOM
    assert spans(check_draft(text, avtodom, AUTOCLUB), "forbidden") == [span_of(text, "Самую низкую цену")]


def test_a_forbidden_word_with_a_latin_look_alike_letter(avtodom):
    """'гарантируeм' with a Latin e is still 'гарантируем'."""
    text = "Мы гарантируeм результат." + SIGN_AVTODOM
    assert spans(check_draft(text, avtodom, AUTOCLUB), "forbidden") == [(3, 14)]


def test_forbidden_words_ignore_yo_and_punctuation(zelenyi, modnyi):
    """'дешевый' is 'дешёвый', 'ещё скидка' is 'еще скидка', 'дешевле чем у' is 'дешевле, чем у'."""
    text = "Это не дешевый вариант, но ещё скидка будет."
    assert spans(check_draft(text, zelenyi, ZELENYI), "forbidden") == [
        span_of(text, "дешевый"), span_of(text, "ещё скидка")
    ]
    text = "У нас дешевле чем у соседей." + SIGN_MODNYI
    assert spans(check_draft(text, modnyi, MODNYI), "forbidden") == [span_of(text, "дешевле чем у")]


def test_a_forbidden_word_matches_whole_words_only(svyaz):
    """'бот' is forbidden, but not inside 'работы' or 'ботинки'; 'боты' is."""
    text = "Плановые работы закончены, ботинки не промокли, а боты тут ни при чём." + SIGN_SVYAZ
    assert spans(check_draft(text, svyaz, SVYAZ), "forbidden") == [span_of(text, "боты", occurrence=1)]


def test_a_forbidden_pattern(avtodom):
    """The pattern 'ваш… (номер) телефон' catches 'вашего телефона'."""
    text = "Уточните модель вашего телефона, чтобы мы подсказали приложение." + SIGN_AVTODOM
    finding = only(check_draft(text, avtodom, AUTOCLUB), "forbidden")
    assert finding.rule == "content.forbidden[3]"
    assert (finding.start, finding.end) == span_of(text, "вашего телефон")


# --- topics --------------------------------------------------------------------------------------


def test_an_avoided_topic_is_a_warning(avtodom):
    """Competitors and politics are avoided topics."""
    text = "Цены у конкурентов из-за санкции выросли." + SIGN_AVTODOM
    findings = [f for f in check_draft(text, avtodom, AUTOCLUB) if f.code == "avoid_topic"]
    assert [(f.start, f.end, f.rule, f.severity) for f in findings] == [
        (*span_of(text, "у конкурентов"), "content.avoid_topics[0]", "warning"),
        (*span_of(text, "санкции"), "content.avoid_topics[1]", "warning"),
    ]


def test_a_topic_outside_the_forums_agreed_topics(avtodom):
    """On the demo forum the dealer posts about new cars, service and trade-in, not promotions."""
    text = "Сейчас действует скидка на зимние шины." + SIGN_AVTODOM
    finding = only(check_draft(text, avtodom, DEMO_AVTODOM), "topic_not_allowed")
    assert (finding.start, finding.end) == span_of(text, "скидка")
    assert finding.rule == "forums.demo-flaskbb.allowed_topics.posts"
    assert check_draft(text, avtodom, AUTOCLUB) == []  # promotions are agreed on autoclub


def test_an_abbreviation_keyword_matches_only_as_written(avtodom):
    """The service topic's 'ТО' is maintenance; 'то' in 'что-то' is not a topic mention."""
    folded = fold_text("Что-то случилось? Запишитесь на ТО.")
    compiled = compile_playbook(avtodom)
    found = [match.text for _i, topic, match in compiled.topic_matches(folded) if topic.id == "service"]
    assert found == ["ТО"]


def test_owners_sharing_a_keyword_are_each_found():
    """Two topics with the same keyword, or one keyword starting another, are both reported."""
    index = KeywordIndex([(["тариф"], []), (["тариф", "нет интернета"], []), (["нет"], [])])
    found = [(owner, match.text, match.label) for owner, match in index.finditer(fold_text("Тариф есть, а нет интернета"))]
    assert found == [
        (0, "Тариф", "keywords[0]"), (1, "Тариф", "keywords[0]"), (1, "нет интернета", "keywords[1]"),
        (2, "нет", "keywords[0]"),
    ]


# --- forum, news, new threads, no-comment places --------------------------------------------------


def test_news_where_the_forum_allows_none(svyaz):
    """homenet-community has no news topics: no news there."""
    context = DraftContext("homenet-community", "https://community.homenet.example/topic/318", kind="news", now=NOW)
    finding = only(check_draft("New tariffs from March." + SIGN_SVYAZ, svyaz, context), "news_not_allowed")
    assert finding.severity == "error" and finding.start is None
    assert finding.rule == "forums.homenet-community.allowed_topics.news"


def test_news_on_a_topic_news_may_not_cover(avtodom):
    """News on autoclub covers promotions, events and new cars, not service."""
    context = DraftContext("autoclub", AUTOCLUB_THREAD, kind="news", now=NOW)
    text = "Новость: сервис работает по воскресеньям." + SIGN_AVTODOM
    finding = only(check_draft(text, avtodom, context), "news_topic_not_allowed")
    assert (finding.start, finding.end) == span_of(text, "сервис")


def test_a_new_thread_where_the_account_may_not_open_one(avtodom):
    """The demo forum does not allow the dealer to start threads; autoclub does."""
    text = "Открываем ветку про новую модель." + SIGN_AVTODOM
    new_thread = DraftContext("demo-flaskbb", "", kind="new_thread", now=NOW)
    assert only(check_draft(text, avtodom, new_thread), "new_thread_not_allowed").severity == "error"
    allowed = DraftContext("autoclub", "", kind="new_thread", now=NOW)
    assert "new_thread_not_allowed" not in [f.code for f in check_draft(text, avtodom, allowed)]


def test_a_forum_the_playbook_does_not_cover(avtodom):
    """Posting where nothing was agreed is an error."""
    context = DraftContext("drom-forums", "https://forums.drom.example/t/1", now=NOW)
    assert only(check_draft("Здравствуйте!" + SIGN_AVTODOM, avtodom, context), "forum_not_in_playbook").rule == "forums"


def test_a_no_comment_section_found_through_its_listing(avtodom):
    """phpBB thread URLs do not name the section: the listing the thread was found in does."""
    text = "Здравствуйте! Разберёмся." + SIGN_AVTODOM
    context = DraftContext("autoclub", "https://www.autoclub.example/forum/viewtopic.php?t=9001", now=NOW,
                           section_urls=("https://www.autoclub.example/forum/viewforum.php?f=12&start=25",))
    finding = only(check_draft(text, avtodom, context), "no_comment_place")
    assert finding.rule == "content.no_comment[0]" and finding.severity == "error"
    assert "Правовые вопросы" in finding.message_ru
    other = DraftContext("autoclub", "https://www.autoclub.example/forum/viewtopic.php?t=9001", now=NOW,
                         section_urls=("https://www.autoclub.example/forum/viewforum.php?f=123",))
    assert check_draft(text, avtodom, other) == []


def test_a_no_comment_place_by_thread_url(modnyi):
    """A thread under the FlaskBB forum /forum/5 lies in the no-comment place."""
    context = DraftContext("demo-flaskbb", "http://127.0.0.1:5051/forum/5-otnosheniya", now=NOW)
    assert only(check_draft("Привет!" + SIGN_MODNYI, modnyi, context), "no_comment_place").rule == "content.no_comment[0]"


def test_url_within_respects_boundaries():
    """A place covers its own pages, not a neighbour that merely shares a prefix."""
    place = "https://www.autoclub.example/forum/viewforum.php?f=12"
    assert url_within("http://autoclub.example/forum/viewforum.php?f=12", place)
    assert url_within(place + "&start=50", place)
    assert not url_within("https://www.autoclub.example/forum/viewforum.php?f=123", place)
    assert url_within("http://127.0.0.1:5051/forum/5/topic/2", "http://127.0.0.1:5051/forum/5")
    assert not url_within("http://127.0.0.1:5051/forum/55", "http://127.0.0.1:5051/forum/5")


# --- signature -----------------------------------------------------------------------------------


def test_a_missing_signature(svyaz):
    """The whole draft is at fault, so the finding has no offsets."""
    finding = only(check_draft("Здравствуйте! Проверим линию.", svyaz, SVYAZ), "signature_missing")
    assert (finding.start, finding.end, finding.severity) == (None, None, "error")
    assert "Связь Плюс, техническая поддержка" in finding.message_ru


def test_the_signature_must_end_the_reply(svyaz):
    """A signature followed by more text is in the wrong place; the finding points at it."""
    text = "Связь Плюс, техническая поддержка\nЗдравствуйте! Проверим линию."
    finding = only(check_draft(text, svyaz, SVYAZ), "signature_not_at_end")
    assert (finding.start, finding.end) == (0, 33)


def test_the_signature_ignores_spacing_and_line_breaks(avtodom):
    """Line breaks, double spaces and trailing blank lines around the signature do not matter."""
    text = "Здравствуйте!\n\nС уважением,\nАвтодом  Премиум https://avtodom-premium.ru/ \n\n"
    assert check_draft(text, avtodom, AUTOCLUB) == []


# --- links ---------------------------------------------------------------------------------------


def test_a_link_outside_the_allowed_domains(avtodom):
    """drom.ru is not allowed; the client's subdomain and the partner's bare domain are."""
    text = ("Сравните на https://www.drom.ru/catalog/ или на service.avtodom-premium.ru, кредит — "
            "autokredit-partner.ru/calc." + SIGN_AVTODOM)
    finding = only(check_draft(text, avtodom, AUTOCLUB), "link_domain")
    assert (finding.start, finding.end) == span_of(text, "https://www.drom.ru/catalog/")
    assert dict(finding.params)["host"] == "drom.ru"


@pytest.mark.parametrize("link", ["avtodom-premium.ru.evil.com", "https://notavtodom-premium.ru/", "www.mail.ru"])
def test_look_alike_hosts_are_not_the_clients(avtodom, link):
    """Only the domain itself and its subdomains count."""
    text = f"Подробнее: {link}" + SIGN_AVTODOM
    assert spans(check_draft(text, avtodom, AUTOCLUB), "link_domain") == [span_of(text, link)]


def test_links_to_the_forum_itself_are_fine(avtodom):
    """Pointing at another thread of the same forum is normal forum manners."""
    text = "Обсуждали тут: https://www.autoclub.example/forum/viewtopic.php?t=3957" + SIGN_AVTODOM
    assert check_draft(text, avtodom, AUTOCLUB) == []


def test_direct_links_to_the_client_must_be_tracked_where_required(avtodom):
    """With tracked links required, a direct link is an error, the /go/ link and the signature are fine."""
    context = DraftContext("autoclub", AUTOCLUB_THREAD, now=NOW, tracked_link_prefix="http://127.0.0.1:5000/go/",
                           require_tracked_links=True)
    text = ("Акция: https://avtodom-premium.ru/special/ (или http://127.0.0.1:5000/go/Ab3dE9xY), "
            "а также avtodom-premium.ru/service" + SIGN_AVTODOM)
    findings = check_draft(text, avtodom, context)
    assert spans(findings, "link_untracked") == [
        span_of(text, "https://avtodom-premium.ru/special/"), span_of(text, "avtodom-premium.ru/service")
    ]
    assert spans(findings, "link_domain") == []
    relaxed = DraftContext("autoclub", AUTOCLUB_THREAD, now=NOW, tracked_link_prefix="http://127.0.0.1:5000/go/")
    assert check_draft(text, avtodom, relaxed) == []


def test_find_urls_trims_sentence_punctuation_and_skips_emails():
    """A link ends before the full stop; an e-mail address is not a link; BBCode brackets end it."""
    links = find_urls("См. https://a.ru/x). Почта: ivan@mail.ru, [url=https://b.ru/y]тут[/url], сайт c.рф.")
    assert [(link.url, link.host) for link in links] == [
        ("https://a.ru/x", "a.ru"), ("https://b.ru/y", "b.ru"), ("c.рф", "c.рф")
    ]


# --- personal data -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    ["+7 (495) 123-45-67", "8 900 123 45 67", "89001234567", "+7 900 1234567", "8(900)123-45-67",
     "+380 44 123 4567", "+38 (050) 123-45-67", "050 123 45 67", "123-45-67"],
)
def test_phone_numbers_in_public_are_errors(avtodom, phone):
    """Russian and Ukrainian formats, with and without the country code."""
    text = f"Позвоните по номеру {phone}, ответим." + SIGN_AVTODOM
    finding = only(check_draft(text, avtodom, AUTOCLUB), "personal_data_phone")
    assert (finding.start, finding.end) == span_of(text, phone)
    assert finding.severity == "error"


@pytest.mark.parametrize(
    "text",
    ["Стоимость — 1 500 000 рублей.", "До 2024-03-31 включительно.", "С 09:00 до 21:00.", "ТО-2 за 8 900 руб.",
     "Адрес роутера 192.168.100.1.", "Горячая линия 8 800 555-35-35."],
)
def test_numbers_that_are_not_personal_phones(avtodom, text):
    """Prices, dates, times, addresses and toll-free lines are not phone numbers of a person."""
    assert spans(check_draft(text + SIGN_AVTODOM, avtodom, AUTOCLUB), "personal_data_phone") == []


def test_a_contacts_phone_is_never_shown(avtodom):
    """The service head's phone is for the representative only."""
    text = "Звоните Андрею Петровичу: +7 495 000-00-00 доб. 214." + SIGN_AVTODOM
    assert spans(check_draft(text, avtodom, AUTOCLUB), "personal_data_phone") == [span_of(text, "+7 495 000-00-00")]


def test_emails_personal_ones_and_contacts_are_errors_the_public_address_is_not(avtodom):
    """A user's address and a contact's own address are personal; info@ at the client's domain is public."""
    text = ("Ваш адрес ivan.petrov@mail.ru мы видим. Пишите на info@avtodom-premium.ru, "
            "не на i.sokolova@avtodom-premium.ru." + SIGN_AVTODOM)
    assert spans(check_draft(text, avtodom, AUTOCLUB), "personal_data_email") == [
        span_of(text, "ivan.petrov@mail.ru"), span_of(text, "i.sokolova@avtodom-premium.ru")
    ]


@pytest.mark.parametrize(
    ("text", "number"),
    [("Ваш заказ №12345 уже в пути.", "12345"), ("По договору № АБ-123 всё верно.", "АБ-123"),
     ("Номер заказа 987654 мы нашли.", "987654"), ("Your order #55512 has shipped.", "55512"),
     ("Замовлення № 45678 вже відправлено.", "45678"), ("Лицевой счёт 1234567 пополнен.", "1234567"),
     ("Трек-номер RA123456789RU.", "RA123456789RU")],
)
def test_order_contract_and_account_numbers_are_errors(avtodom, text, number):
    """The finding points at the number itself."""
    text += SIGN_AVTODOM
    finding = only(check_draft(text, avtodom, AUTOCLUB), "personal_data_number")
    assert (finding.start, finding.end) == span_of(text, number)


@pytest.mark.parametrize(
    "text",
    ["Доставка бесплатна при заказе от 3000 рублей.", "Заказ 2 дня назад ушёл.", "Заказ в 2023 году был другим.",
     "За счёт 10 % скидки выйдет дешевле."],
)
def test_amounts_and_years_after_order_words_are_not_numbers(avtodom, text):
    """Sums, small counts, years and percentages near the word 'заказ' are not identifiers."""
    assert spans(check_draft(text + SIGN_AVTODOM, avtodom, AUTOCLUB), "personal_data_number") == []


@pytest.mark.parametrize(
    ("text", "asked"),
    [("Напишите ваш номер, перезвоним.", "Напишите ваш номер"),
     ("Пришлите телефон — свяжемся.", "Пришлите телефон"),
     ("Укажите, пожалуйста, номер заказа.", "Укажите, пожалуйста, номер заказа"),
     ("Please send me your email.", "send me your email"),
     ("Надішліть ваш номер телефону.", "Надішліть ваш номер телефону"),
     ("Какой у вас номер заказа?", "у вас номер заказа"),
     ("What is your phone number?", "your phone")],
)
def test_asking_for_personal_data_in_public_is_an_error(svyaz, text, asked):
    """Russian, Ukrainian and English requests, imperative or as a question."""
    text += SIGN_SVYAZ
    finding = only(check_draft(text, svyaz, SVYAZ), "personal_data_request")
    assert (finding.start, finding.end) == span_of(text, asked)


@pytest.mark.parametrize(
    "text",
    ["Напишите, пожалуйста, номер договора в личные сообщения.", "Пришлите номер заказа в личку.",
     "Напишите нам на почту support@svyaz-plus.ru.", "PM me your order number, please.",
     "Надішліть номер в особисті повідомлення.", "Дайте знать, если номер не подошёл.",
     "Write to our support email for details."],
)
def test_asking_in_private_messages_or_giving_our_own_contact_is_fine(svyaz, text):
    """Sending people to private messages is exactly what the playbook wants."""
    assert spans(check_draft(text + SIGN_SVYAZ, svyaz, SVYAZ), "personal_data_request") == []


def test_personal_data_in_a_quote_is_still_published(avtodom):
    """Quoting a user's phone number shows it again under the brand's name."""
    text = "[quote]мой телефон 8 900 123 45 67[/quote]\nСпасибо, удалите, пожалуйста, номер из поста." + SIGN_AVTODOM
    assert spans(check_draft(text, avtodom, AUTOCLUB), "personal_data_phone") == [span_of(text, "8 900 123 45 67")]


# --- vocabulary, tone, placeholders --------------------------------------------------------------


def test_a_replaced_word_points_at_the_preferred_one(avtodom):
    """'тачку' should be 'автомобиль', whatever its ending."""
    text = "Вашу тачку посмотрим завтра." + SIGN_AVTODOM
    finding = only(check_draft(text, avtodom, AUTOCLUB), "vocabulary")
    assert (finding.start, finding.end, finding.severity) == (5, 10, "warning")
    assert finding.rule == "content.vocabulary[0].instead_of[0]"
    assert "автомобиль" in finding.message_ru


def test_runs_of_exclamation_marks(avtodom):
    """Three '!' in a run shout; '?!' and '!!' are tolerated."""
    text = "Ждём вас!!! Правда?! Скорее!!" + SIGN_AVTODOM
    assert spans(check_draft(text, avtodom, AUTOCLUB), "tone_exclamations") == [(8, 11)]


def test_capital_letters_shout_but_abbreviations_do_not(avtodom):
    """Adjacent capitalised words make one finding; ОСАГО and the playbook's own ТО are not shouting."""
    text = "ВНИМАНИЕ ВСЕМ: ОСАГО и ТО — в одном окне. Это ВАЖНО." + SIGN_AVTODOM
    assert spans(check_draft(text, avtodom, AUTOCLUB), "tone_caps") == [
        span_of(text, "ВНИМАНИЕ ВСЕМ"), span_of(text, "ВАЖНО")
    ]


def test_emoji_where_the_playbook_allows_none(avtodom):
    """The dealer writes 'без эмодзи'."""
    text = "Ждём вас 🚗" + SIGN_AVTODOM
    finding = only(check_draft(text, avtodom, AUTOCLUB), "tone_emoji")
    assert (finding.start, finding.end) == span_of(text, "🚗")
    assert finding.rule == "content.tone[2]"


def test_emoji_where_the_playbook_allows_one(modnyi):
    """The retailer allows one emoji a message: the second is the finding."""
    text = "Отличный образ 👗 и к нему сумка 👜" + SIGN_MODNYI
    assert spans(check_draft(text, modnyi, MODNYI), "tone_emoji") == [span_of(text, "👜")]


def test_informal_address_where_the_playbook_says_vy(svyaz):
    """'на «вы»' makes 'тебе' and 'ти' findings."""
    text = "Тебе поможет перезагрузка роутера, а якщо ти в Києві — теж." + SIGN_SVYAZ
    findings = [f for f in check_draft(text, svyaz, SVYAZ) if f.code == "tone_informal"]
    assert [(f.start, f.end, f.rule) for f in findings] == [(0, 4, "content.tone[0]"), (*span_of(text, "ти"), "content.tone[0]")]


def test_an_unfilled_placeholder_blocks(avtodom):
    """A standard answer's {model} left in the draft would be posted as is."""
    text = "Тест-драйв {model} — по записи." + SIGN_AVTODOM
    finding = only(check_draft(text, avtodom, AUTOCLUB), "unfilled_placeholder")
    assert (finding.start, finding.end, finding.severity) == (11, 18, "error")


# --- posting limits ------------------------------------------------------------------------------


def test_the_day_and_week_limits(avtodom):
    """The sixth post of a day (limit 5) and the 21st of a week (limit 20) would wait for a slot."""
    context = DraftContext("autoclub", AUTOCLUB_THREAD, now=NOW, posts_today=5, posts_this_week=20)
    findings = check_draft("Здравствуйте!" + SIGN_AVTODOM, avtodom, context)
    assert [(f.code, f.severity, f.rule) for f in findings] == [
        ("posting_limit_day", "warning", "forums.autoclub.posting_limits.per_day"),
        ("posting_limit_week", "warning", "forums.autoclub.posting_limits.per_week"),
    ]
    assert dict(findings[0].params)["count"] == "6"
    under = DraftContext("autoclub", AUTOCLUB_THREAD, now=NOW, posts_today=4, posts_this_week=19)
    assert check_draft("Здравствуйте!" + SIGN_AVTODOM, avtodom, under) == []


def test_the_minimum_gap_names_the_next_slot_in_the_clients_time(avtodom):
    """45 minutes after a post at 09:30 UTC is 13:15 in Moscow."""
    context = DraftContext("autoclub", AUTOCLUB_THREAD, now=NOW, last_post_at=NOW - timedelta(minutes=30))
    finding = only(check_draft("Здравствуйте!" + SIGN_AVTODOM, avtodom, context), "posting_min_gap")
    assert dict(finding.params)["next_slot"] == "2024-05-06 13:15"
    late = DraftContext("autoclub", AUTOCLUB_THREAD, now=NOW, last_post_at=NOW - timedelta(minutes=45))
    assert check_draft("Здравствуйте!" + SIGN_AVTODOM, avtodom, late) == []


# --- findings as a whole --------------------------------------------------------------------------


def test_findings_are_sorted_whole_draft_first_then_by_position(avtodom):
    """The UI lists general problems first, then walks the text."""
    text = "Тачку починим!!! Звоните 8 900 123 45 67."
    findings = check_draft(text, avtodom, AUTOCLUB)
    assert [(f.code, f.start) for f in findings] == [
        ("signature_missing", None), ("vocabulary", 0), ("tone_exclamations", 13), ("personal_data_phone", 25)
    ]
    assert has_blocking(findings)
    assert not has_blocking([f for f in findings if f.severity == "warning"])


def test_every_message_exists_in_both_languages(avtodom):
    """Each finding renders in English and Russian, and to_data() is JSON-ready."""
    text = "АвтоДом Премиум гарантируем!!! ivan@mail.ru {x} https://evil.example ВНИМАНИЕ тачка 🚗 у конкурентов"
    context = DraftContext("autoclub", AUTOCLUB_THREAD, kind="news", now=NOW, posts_today=9,
                           last_post_at=NOW, section_urls=("https://www.autoclub.example/forum/viewforum.php?f=31",))
    findings = check_draft(text, avtodom, context)
    assert len({f.code for f in findings}) >= 12
    for finding in findings:
        assert finding.message and finding.message_ru and finding.message != finding.message_ru
        assert finding.text("en") == finding.message and finding.text("ru") == finding.message_ru
        assert "{" not in finding.message.replace("{x}", "") and "{" not in finding.message_ru.replace("{x}", "")
        assert finding.to_data()["code"] == finding.code


# --- approval --------------------------------------------------------------------------------------


def approval(text, playbook, context, first_approved_at=APPROVED):
    """Check a draft and return the approval decision."""
    return needs_approval(check_draft(text, playbook, context), playbook, context, first_approved_at=first_approved_at)


def test_a_clean_reply_after_the_first_weeks_goes_straight_out(avtodom):
    """Nothing in the policy catches it, and otherwise is publish."""
    assert approval("Здравствуйте! Ждём вас на ТО." + SIGN_AVTODOM, avtodom, AUTOCLUB) == (False, [])


def test_everything_is_approved_in_the_first_weeks_by_the_clients_calendar(avtodom):
    """everything_until is 2024-03-31 in Moscow: 23:00 on the 31st is inside, 00:30 on April 1st is not."""
    text = "Здравствуйте!" + SIGN_AVTODOM
    inside = DraftContext("autoclub", AUTOCLUB_THREAD, now=datetime(2024, 3, 31, 20, 0, tzinfo=UTC))
    outside = DraftContext("autoclub", AUTOCLUB_THREAD, now=datetime(2024, 3, 31, 21, 30, tzinfo=UTC))
    assert approval(text, avtodom, inside) == (True, ["everything_until"])
    assert approval(text, avtodom, outside) == (False, [])


def test_news_and_new_threads_are_approved(avtodom):
    """Both flags are on in the dealer's policy."""
    text = "Новость: день открытых дверей в субботу." + SIGN_AVTODOM
    news = DraftContext("autoclub", AUTOCLUB_THREAD, kind="news", now=NOW)
    thread = DraftContext("autoclub", "", kind="new_thread", now=NOW)
    assert approval(text, avtodom, news) == (True, ["news"])
    assert approval(text, avtodom, thread) == (True, ["new_thread"])


def test_a_warning_sends_the_draft_to_approval_whatever_the_policy_says(avtodom):
    """Even with drafts_with_warnings switched off, a warned draft waits for a PR specialist."""
    text = "Вашу тачку посмотрим завтра." + SIGN_AVTODOM
    assert approval(text, avtodom, AUTOCLUB) == (True, ["warnings"])
    relaxed = avtodom.model_copy(update={"approval": avtodom.approval.model_copy(update={"drafts_with_warnings": False})})
    assert approval(text, relaxed, AUTOCLUB) == (True, ["warnings"])
    assert approval("Ваш автомобиль посмотрим завтра." + SIGN_AVTODOM, relaxed, AUTOCLUB) == (False, [])


def test_posting_limit_warnings_do_not_send_the_draft_to_approval(avtodom):
    """They are about the slot, not the content: the poster waits anyway."""
    context = DraftContext("autoclub", AUTOCLUB_THREAD, now=NOW, posts_today=5)
    findings = check_draft("Здравствуйте!" + SIGN_AVTODOM, avtodom, context)
    assert [f.code for f in findings] == ["posting_limit_day"]
    assert "posting_limit_day" in SCHEDULING_CODES
    assert needs_approval(findings, avtodom, context, first_approved_at=APPROVED) == (False, [])


def test_listed_topics_in_the_draft_or_in_the_post_it_answers(avtodom, modnyi):
    """Giveaways in a news draft and a lawsuit in the user's post both wait for the PR specialist."""
    text = "Розыгрыш сертификатов стартует в пятницу!" + SIGN_MODNYI
    news = DraftContext("demo-flaskbb", "http://127.0.0.1:5051/topic/3", kind="news", now=NOW)
    findings = check_draft(text, modnyi, news)
    finding = only(findings, "approval_topic")
    assert (finding.start, finding.end, finding.rule) == (0, 8, "approval.topics[0]")
    # The topic is its own reason, not a generic "warnings" one.
    assert needs_approval(findings, modnyi, news, first_approved_at=APPROVED) == (True, ["news", "topic:giveaways"])
    context = DraftContext("autoclub", AUTOCLUB_THREAD, now=NOW, in_reply_to_text="Подам на вас в суд за навязанные допы")
    decided = approval("Здравствуйте! Напишите нам в личные сообщения." + SIGN_AVTODOM, avtodom, context)
    assert decided == (True, ["topic:legal", "situation:accusation"])  # 'суд' also fires the accusation


def test_a_listed_topic_outside_the_forums_topics_is_also_a_warning(avtodom):
    """Prizes are not among autoclub's agreed topics, so the draft warns as well as touching a listed topic."""
    text = "Условия розыгрыша опубликуем в пятницу." + SIGN_AVTODOM
    findings = check_draft(text, avtodom, AUTOCLUB)
    assert [(f.code, f.start, f.end) for f in findings] == [
        ("approval_topic", *span_of(text, "розыгрыша")), ("topic_not_allowed", *span_of(text, "розыгрыша"))
    ]
    assert needs_approval(findings, avtodom, AUTOCLUB, first_approved_at=APPROVED) == (True, ["warnings", "topic:prizes"])


def test_a_listed_situation_in_the_post_it_answers(avtodom):
    """An accusation of fraud is a listed situation."""
    context = DraftContext("autoclub", AUTOCLUB_THREAD, now=NOW, in_reply_to_text="Вы мошенники, обманули меня с ценой!")
    decided = approval("Здравствуйте! Напишите нам в личные сообщения." + SIGN_AVTODOM, avtodom, context)
    assert decided == (True, ["topic:legal", "situation:accusation"])  # 'обман…' is also a legal keyword


def test_otherwise_approve_catches_the_rest(avtodom):
    """With otherwise: approve, a reply nothing else catches still waits."""
    strict = avtodom.model_copy(update={"approval": avtodom.approval.model_copy(update={"otherwise": Otherwise.APPROVE})})
    assert approval("Здравствуйте!" + SIGN_AVTODOM, strict, AUTOCLUB) == (True, ["otherwise"])


def test_without_an_approved_playbook_version_everything_waits(avtodom):
    """first_approved_at None: the work has not started under an approved technical assignment."""
    assert approval("Здравствуйте!" + SIGN_AVTODOM, avtodom, AUTOCLUB, first_approved_at=None) == (
        True, ["no_approved_version"]
    )


def test_approval_reasons_read_in_both_languages(avtodom):
    """Reason keys render with the playbook's own titles."""
    assert describe_approval_reason("topic:legal", avtodom) == "Касается темы «Претензии, суды, возвраты»."
    assert describe_approval_reason("situation:accusation", avtodom, "en") == (
        "Situation “Обвинение в обмане или нарушении закона”."
    )
    assert "2024-03-31" in describe_approval_reason("everything_until", avtodom)


# --- standard answers ------------------------------------------------------------------------------


def test_a_matching_answer_is_offered_with_known_variables_filled(avtodom):
    """The test-drive answer: the page's URL is fixed by the playbook, {user} and {model} stay visible."""
    suggestions = matching_standard_answers("Хочу записаться на тест-драйв Kia Rio, как это сделать?", avtodom)
    assert [s.id for s in suggestions] == ["test-drive"]
    suggestion = suggestions[0]
    assert suggestion.text.startswith("{user}, здравствуйте! Записаться на тест-драйв {model} можно на странице "
                                      "https://avtodom-premium.ru/test-drive/")
    assert suggestion.missing == ("user", "model")
    assert suggestion.cues == ("тест-драйв",)
    # Sent as it is, the placeholders block.
    assert spans(check_draft(suggestion.text + SIGN_AVTODOM, avtodom, AUTOCLUB), "unfilled_placeholder") == [
        span_of(suggestion.text, "{user}"), span_of(suggestion.text, "{model}")
    ]


def test_values_from_the_caller_fill_the_rest(avtodom):
    """The representative's values complete the answer."""
    suggestion = matching_standard_answers("Сколько стоит Kia Rio?", avtodom,
                                           {"user": "Иван", "model": "Kia Rio", "trim": "Prestige"})[0]
    assert suggestion.id == "price-request" and suggestion.missing == ()
    assert "Kia Rio в комплектации Prestige указана на https://avtodom-premium.ru/" in suggestion.text


def test_a_situation_offers_its_answer(avtodom, modnyi):
    """An accusation offers the move-to-private answer; a fake giveaway the official one, with the site filled."""
    suggestions = matching_standard_answers("Вы мошенники, верните деньги", avtodom)
    assert [(s.id, s.cues) for s in suggestions] == [("move-to-private", ("situation:accusation",))]
    suggestion = matching_standard_answers("В телеграме раздают сертификаты, пишут, что giveaway от вас", modnyi)[0]
    assert suggestion.id == "official-giveaways"
    assert "только на https://modnyi-shkaf.ru и в нашем" in suggestion.text


def test_no_answer_for_an_unrelated_post(svyaz):
    """Nothing is offered when nothing matches."""
    assert matching_standard_answers("Всем привет, я новенький на форуме", svyaz) == []


# --- speed and caching -------------------------------------------------------------------------------


def test_equal_playbooks_share_one_compiled_form(avtodom):
    """The cache is keyed by content, so a playbook loaded twice compiles once."""
    again = load_playbook_file(PLAYBOOKS / "avtodom-premium.yaml")
    assert again is not avtodom
    assert compile_playbook(again) is compile_playbook(avtodom)
    changed = avtodom.model_copy(update={"approval": avtodom.approval.model_copy(update={"news": False})})
    assert compile_playbook(changed) is not compile_playbook(avtodom)


def test_hostile_drafts_do_not_hang_the_check(avtodom):
    """A crafted draft must not trigger catastrophic backtracking (speed itself is measured in bench/)."""
    sentence = ("Иван, здравствуйте! Записаться на тест-драйв Kia Rio можно на странице "
                "https://avtodom-premium.ru/test-drive/ — или напишите нам в личные сообщения. ")
    clean = (sentence * 20)[:1950] + SIGN_AVTODOM
    hostile = ("Aвтодом ГАРАНТИРУЕМ!!! 8 900 123 45 67 заказ №12345 тачка ты " + "a" * 30 + " ") * 20
    for text in (clean, hostile[:2000], "!" * 2000, "а" * 2000, "8 " * 1000):
        check_draft(text, avtodom, AUTOCLUB)
        timings = []
        for _ in range(15):
            started = time.perf_counter()
            check_draft(text, avtodom, AUTOCLUB)
            timings.append(time.perf_counter() - started)
        # A guard against pathological patterns (seconds), not a speed target: typically ~2 ms.
        assert statistics.median(timings) < 0.5, (text[:40], statistics.median(timings))


def test_dates_in_context_may_be_naive_utc(avtodom):
    """A naive 'now' is read as UTC, like an aware one."""
    naive = DraftContext("autoclub", AUTOCLUB_THREAD, now=datetime(2024, 3, 31, 20, 0))
    assert approval("Здравствуйте!" + SIGN_AVTODOM, avtodom, naive) == (True, ["everything_until"])
    assert avtodom.approval.everything_until == date(2024, 3, 31)
