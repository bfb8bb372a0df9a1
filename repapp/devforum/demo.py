"""The demo forum's content: Russian forum users, three client threads and the chatter.

The demo playbooks watch these threads on the ``demo-flaskbb`` forum: seeding a
fresh forum in this order gives topic ids 1 (car dealer), 2 (telecom) and
3 (fashion retailer). The chatter keeps adding forum users' posts so the
representatives' inbox fills while the demo runs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML, YAMLError

from repapp.devforum.server import FlaskBBError, FlaskBBServer, ForumPaths

log = logging.getLogger(__name__)

FORUM_KEY = "demo-flaskbb"
DEMO_PASSWORD = "demo-forum-pass"
SEED_MARKER = "demo-seed.json"
CHATTER_SECONDS = 45.0
CHATTER_MAX_POSTS = 200
# The official accounts when a playbook names none for the demo forum.
DEFAULT_OFFICIALS = {
    "avtodom-premium": "AvtodomPremium",
    "svyaz-plus": "SvyazPlus_official",
    "modnyi-shkaf": "ModnyiShkaf",
}
# FlaskBB accepts letters (Cyrillic too), digits and ``_ . + -``, 3 to 20 characters.
FORUM_USERS = (
    "Сергей_М", "auto_lover77", "petrovich1970", "Ольга_Н", "dimon_kzn",
    "Алексей.В", "nsk_gamer", "Тамара_Ивановна", "Марина_Светлова",
    "katya_style", "Анна-Мария", "lena_shopping",
)
SPAM_USER = "inet_deshevo24"
SPAM_CHANCE = 0.06
OPENERS = ("", "", "", "Добрый день! ", "Всем привет. ", "Здравствуйте. ", "Народ, ")


@dataclass(frozen=True)
class Post:
    """One seeded post: how long ago it was written, by whom (None: the official account)."""

    hours_ago: float
    author: str | None
    text: str


@dataclass(frozen=True)
class DemoThread:
    """A demo thread: where it lives, its history, and what its users say next."""

    key: str
    client: str
    category: str
    forum: str
    forum_description: str
    title: str
    posts: tuple[Post, ...]
    audience: tuple[str, ...]
    chatter: tuple[str, ...]


AVTODOM_SIGN = "\n\nС уважением, Автодом Премиум\nhttps://avtodom-premium.ru/"
SVYAZ_SIGN = "\n\nСвязь Плюс, техническая поддержка"
SHKAF_SIGN = "\n\nВаш «Модный шкаф»"

CARS = DemoThread(
    key="cars",
    client="avtodom-premium",
    category="Автомобили",
    forum="Дилеры и автосалоны Москвы",
    forum_description="Покупка, сервис, трейд-ин: отзывы о дилерах",
    title="Автодом Премиум — отзывы, цены на ТО, сроки поставки",
    posts=(
        Post(70, "Сергей_М",
             "Всем привет! Присматриваюсь к Tiggo 7 Pro Max в Автодом Премиум на Варшавке. "
             "Кто брал у них? Интересует реальная цена в комплектации Prestige и есть ли "
             "машины в наличии, или только под заказ?"),
        Post(68.5, "auto_lover77",
             "Брал у них Jolion в марте. Машина была в наличии, оформили за два дня. Цену по "
             "сайту подтвердили, но пытались навязать допы — коврики, сигнализацию, "
             "«антикор». Отказался, вопросов не было."),
        Post(66, None,
             "Сергей_М, здравствуйте! Tiggo 7 Pro Max в комплектации Prestige сейчас есть в "
             "наличии в салоне на Варшавском шоссе, актуальная цена указана в карточке модели "
             "на https://avtodom-premium.ru/. Записаться на тест-драйв можно на странице "
             "https://avtodom-premium.ru/test-drive/ — выберите удобное время." + AVTODOM_SIGN),
        Post(50, "petrovich1970",
             "Подскажите, сколько у них сейчас стоит ТО-1 на 15 тысяч? В прошлом году было "
             "18 900, говорят, подняли."),
        Post(47, "Ольга_Н",
             "Была на ТО-2 в сервисе на Варшавке в прошлом месяце. Вышло 24 500 с маслом и "
             "фильтрами, по времени — ровно два часа, как и обещали. Мастер-приёмщик всё "
             "показал на подъёмнике, кофе вкусный."),
        Post(30, "dimon_kzn",
             "А у меня негатив. Внёс предоплату 100 000 за Jolion ещё в феврале, обещали "
             "поставку в течение 30 дней. Прошло почти два месяца, менеджер каждую неделю "
             "говорит «машина в пути». Никакой конкретики, перезванивают через раз. Это вообще "
             "нормально?"),
        Post(28, None,
             "dimon_kzn, нам очень жаль, что так получилось. Пожалуйста, напишите нам в личные "
             "сообщения: там мы уточним детали, найдём ваш заказ и передадим его руководителю "
             "отдела продаж. О результате обязательно сообщим здесь." + AVTODOM_SIGN),
        Post(27, "auto_lover77",
             "> Прошло почти два месяца\n\nУ знакомого было так же, в итоге машину привезли, но "
             "на пять недель позже. Сейчас с логистикой у всех так."),
        Post(20, "dimon_kzn",
             "Написал в личку, жду. Если до конца недели не назовут дату поставки — буду "
             "требовать деньги назад."),
        Post(9, "Сергей_М",
             "Съездил на тест-драйв, спасибо за ответ. Менеджер Алексей молодец: без "
             "навязывания, всё показал, дал прокатиться по трассе. Думаю брать."),
        Post(5, "petrovich1970",
             "Так что по цене ТО-1, кто-нибудь знает? Официальный представитель, ответите?"),
        Post(2.5, "Ольга_Н",
             "Кстати, а трейд-ин у них как оценивают? Хочу сдать свой Солярис 2017 года, "
             "пробег 90 тысяч."),
    ),
    audience=("Сергей_М", "auto_lover77", "petrovich1970", "Ольга_Н", "dimon_kzn"),
    chatter=(
        "Подскажите, сколько сейчас стоит ТО-2 на Tiggo 7 Pro? Хочу записаться на следующей неделе.",
        "Есть ли в наличии Jolion с полным приводом? На сайте пишут «под заказ».",
        "Кто-нибудь брал машину в кредит через салон? Какую ставку реально дали?",
        "Записался на тест-драйв на субботу, отпишусь по впечатлениям.",
        "Третий раз переносят запись в сервис: сначала «нет мастера», потом «нет запчасти». "
        "Это как понимать?",
        "Хочу поблагодарить сервис на Варшавке: быстро нашли причину стука в подвеске и по "
        "гарантии заменили стойку за один день.",
        "Сколько ждать поставку, если заказать сейчас? Интересует белый цвет.",
        "Сдал машину в трейд-ин, оценили на 150 тысяч ниже, чем на Авито. Это нормально или "
        "стоит торговаться?",
        "Кто знает, зимняя резина в подарок при покупке ещё даётся?",
        "Забрал сегодня машину после ТО — в салоне следы от ботинок, на руле пятна. Мелочь, "
        "но неприятно.",
        "Отличный салон, менеджер всё объяснил, документы оформили за час. Рекомендую!",
        "Гарантия на новые автомобили три года или пять? Менеджер сказал одно, на сайте "
        "написано другое.",
        "На ТО можно приехать со своим маслом или только с их?",
        "Уже месяц жду запчасть по гарантии, машина стоит. Кто-нибудь сталкивался?",
        "Спасибо Автодом Премиум за оперативность: эвакуатор приехал через 40 минут.",
        "У Автодома сейчас есть скидки на кроссоверы? Хочу успеть до конца месяца.",
    ),
)

TELECOM = DemoThread(
    key="telecom",
    client="svyaz-plus",
    category="Интернет и связь",
    forum="Провайдеры Новосибирска",
    forum_description="Домашний интернет, ТВ, тарифы и техподдержка",
    title="Связь Плюс — третий день нет интернета, что происходит?",
    posts=(
        Post(54, "Алексей.В",
             "Улица Ватутина. С понедельника интернет пропадает каждые полчаса, а вечером его "
             "вообще нет. Роутер перезагружал, кабель проверял. В поддержку не дозвониться — "
             "40 минут на линии. У кого ещё так?"),
        Post(53, "nsk_gamer",
             "Аналогично, Кировский район. Пинг 300+, играть невозможно, скорость по speedtest "
             "3 Мбит/с вместо 300."),
        Post(49, "Тамара_Ивановна",
             "У меня другой вопрос. Списали 650 рублей за ТВ, хотя я его отключила ещё в "
             "январе. Куда обращаться, чтобы вернули деньги?"),
        Post(47.5, None,
             "Алексей.В, nsk_gamer, здравствуйте! Да, на Ватутина и в Кировском районе идут "
             "аварийные работы на магистральном узле, технические специалисты восстановят связь "
             "сегодня к 18:00. Если после этого скорость не вернётся к тарифной (до 300 Мбит/с), "
             "напишите нам в личные сообщения — проверим вашу линию." + SVYAZ_SIGN),
        Post(40, SPAM_USER,
             "ВНИМАНИЕ!!! Безлимитный интернет 1 Гбит/с всего за 199 руб/мес!!! Акция только "
             "сегодня, пиши в телеграм @inet_deshevo_bot. Подробности: "
             "http://superinet-deshevo.example/promo ✅✅✅"),
        Post(26, "Алексей.В",
             "Восстановили к восьми вечера, а не к шести. Но хотя бы честно написали сроки, "
             "спасибо. Скорость пока нормальная."),
        Post(6, "Марина_Светлова",
             "А компенсация за дни без интернета будет? Я на удалёнке, три дня работала с "
             "мобильного."),
        Post(3, "Тамара_Ивановна",
             "Так мне никто и не ответил про списание. Куда писать-то?"),
    ),
    audience=("Алексей.В", "nsk_gamer", "Тамара_Ивановна", "Марина_Светлова"),
    chatter=(
        "Опять пропал интернет на Красном проспекте. Когда почините?",
        "Вечером скорость падает до 5 Мбит/с, днём всё нормально. Это у всех так?",
        "С первого числа подорожал тариф, а уведомления не было. Это законно?",
        "Списали абонентскую плату дважды за месяц, баланс ушёл в минус.",
        "Хочу подключить интернет в новом доме на Горском. Кто уже подключался, сколько ждали?",
        "Спасибо техподдержке Связь Плюс: приехали в тот же день и бесплатно поменяли роутер.",
        "Каналы ТВ зависают и рассыпаются на квадратики, особенно спортивные. Что делать?",
        "Как потратить баллы «Привилегии»? В личном кабинете не вижу такого раздела.",
        "Пинг в играх скачет от 20 до 200. Роутер новый, кабель напрямую — то же самое.",
        "Подключился неделю назад, пока всё летает, 300 Мбит/с честные. Доволен.",
        "Вторую неделю по вечерам обрывы по 5–10 минут. Заявку создали, но никто не перезвонил.",
        "Можно перейти на тариф подешевле без визита в офис?",
        "Связь плюс, вы вообще читаете эту ветку? Третий день нет интернета!",
        "После грозы отвалился интернет, роутер мигает красным. Это у меня или авария?",
        "Техник пришёл вовремя, всё настроил и объяснил. Приятно, когда так работают.",
    ),
)

FASHION = DemoThread(
    key="fashion",
    client="modnyi-shkaf",
    category="Мода и покупки",
    forum="Одежда и обувь",
    forum_description="Где купить, размеры, интернет-магазины",
    title="Модный шкаф — кто заказывал? Размеры, возврат, доставка",
    posts=(
        Post(45, "katya_style",
             "Девочки, кто заказывал в Модном шкафу? Присмотрела платье-рубашку, но у меня 44 "
             "размер и широкие бёдра, боюсь не угадать. Как у них размерная сетка — маломерит "
             "или большемерит?"),
        Post(44, "Анна-Мария",
             "Заказывала два раза, размеры соответствуют сетке на сайте. Брюки чуть "
             "большемерят, платья в размер."),
        Post(43.5, None,
             "katya_style, здравствуйте! Платья-рубашки у нас свободного кроя, для 44 размера "
             "смело берите 44 — посадку каждой модели стилисты описывают в карточке товара на "
             "https://modnyi-shkaf.ru. Если сомневаетесь, закажите два размера: неподошедший "
             "можно вернуть прямо при получении 🙂" + SHKAF_SIGN),
        Post(30, "lena_shopping",
             "А как у них с возвратом? Если вещь не подошла, деньги возвращают сразу или "
             "неделями ждать?"),
        Post(22, "Ольга_Н",
             "Сколько идёт доставка в Самару? На сайте написано 3–5 дней, а мой заказ уже "
             "седьмой день не появляется в пункте выдачи."),
        Post(8, "katya_style",
             "Пришло платье, село идеально! Ткань плотная, не просвечивает, швы ровные. Курьер "
             "приехал точно в интервал. Однозначно закажу ещё 👍"),
        Post(1.5, "lena_shopping",
             "Так что с возвратом, кто знает? Хочу вернуть куртку, не подошёл размер."),
    ),
    audience=("katya_style", "Анна-Мария", "lena_shopping", "Ольга_Н", "Марина_Светлова"),
    chatter=(
        "Подскажите, джинсы маломерят? Обычно ношу 28, но у разных брендов по-разному.",
        "Заказала пальто в пятницу, трек-номер до сих пор не пришёл. Это нормально?",
        "Как оформить возврат, если бирку уже срезала, но вещь не носила?",
        "Купила дочке платье на выпускной — все в восторге! Спасибо за быструю доставку.",
        "Пришёл свитер с затяжкой на рукаве. Брак меняют или только возврат денег?",
        "Есть ли доставка в Казахстан? Хочу отправить подруге подарок.",
        "Где купить такое же платье, как на главной странице сайта? В моём размере нет.",
        "Курьер опоздал на три часа и даже не позвонил. Неприятно.",
        "Что сейчас в тренде на весну? Хочу обновить гардероб, посоветуйте образ для офиса.",
        "Футболки после первой стирки сели на размер. Кто сталкивался?",
        "Обменяли размер за два дня, без лишних вопросов. Приятно удивлена!",
        "Когда будет следующая распродажа? Хочу взять ботинки со скидкой.",
        "Пункт выдачи на Ленина закрылся, а заказ ушёл туда. Что теперь делать?",
        "Очень нравится качество трикотажа: ношу второй сезон, как новый.",
        "Подскажите размер куртки на рост 170 и вес 65 — между S и M.",
    ),
)

THREADS = (CARS, TELECOM, FASHION)
SPAM = (
    "Подключи безлимитный интернет всего за 199 руб/мес!!! Пиши в телеграм @inet_deshevo_bot ✅",
    "ЗАРАБОТОК от 5000 в день не выходя из дома!!! Подробности в профиле 💰💰💰",
)


def _dig(data: Any, *keys: str) -> Any:
    """Follow nested mapping keys, answering None where the shape does not fit."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def official_accounts(playbooks_dir: Path | str | None = None) -> dict[str, str]:
    """Map client slug to its official demo-forum username, as the playbooks name it."""
    accounts = dict(DEFAULT_OFFICIALS)
    if playbooks_dir is None:
        return accounts
    yaml = YAML(typ="safe")
    for path in sorted(Path(playbooks_dir).glob("*.yaml")):
        try:
            data = yaml.load(path.read_text(encoding="utf-8"))
        except (OSError, YAMLError):
            # The playbook loader reports broken files; the demo keeps its defaults.
            continue
        slug = _dig(data, "client", "slug")
        account = _dig(data, "forums", FORUM_KEY, "account")
        if slug in accounts and isinstance(account, str) and account.strip():
            accounts[slug] = account.strip()
    return accounts


def _user_spec(username: str, email: str, joined: datetime) -> dict[str, Any]:
    """Describe one forum user for the admin 'seed' action."""
    return {"username": username, "password": DEMO_PASSWORD, "email": email,
            "date_joined": joined.isoformat()}


def demo_users(officials: dict[str, str], now: datetime) -> list[dict[str, Any]]:
    """List every demo forum user: members, the spam bot and the official accounts."""
    users = [_user_spec(name, f"member{n}@demo-forum.invalid", now - timedelta(days=400 - 9 * n))
             for n, name in enumerate(FORUM_USERS, 1)]
    users.append(_user_spec(SPAM_USER, "bot@demo-forum.invalid", now - timedelta(days=3)))
    users += [_user_spec(name, f"{slug}@demo-forum.invalid", now - timedelta(days=90))
              for slug, name in officials.items()]
    return users


def demo_spec(officials: dict[str, str], now: datetime | None = None) -> dict[str, Any]:
    """Build the admin 'seed' spec: users, then one category > forum > thread per client."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    categories = []
    for position, thread in enumerate(THREADS, 1):
        posts = [{"author": post.author or officials[thread.client], "content": post.text,
                  "date_created": (now - timedelta(hours=post.hours_ago)).isoformat()}
                 for post in thread.posts]
        categories.append({
            "key": thread.key, "title": thread.category, "position": position,
            "forums": [{"key": thread.key, "title": thread.forum,
                        "description": thread.forum_description,
                        "topics": [{"key": thread.key, "title": thread.title, "posts": posts}]}],
        })
    return {"users": demo_users(officials, now), "categories": categories}


@dataclass
class DemoSeed:
    """What the demo seed put on the forum: topic ids by thread key and the accounts."""

    topics: dict[str, int]
    users: list[str]
    officials: dict[str, str]
    created: bool = False

    def topic_url(self, base_url: str, key: str) -> str:
        """Return a thread's address on the forum."""
        return f"{base_url.rstrip('/')}/topic/{self.topics[key]}"


def _read_marker(path: Path) -> dict[str, Any] | None:
    """Return the recorded seed, or None if there is none (or it is unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def content_version() -> str:
    """Hash the seeded content, so a work dir seeded from older content is noticed."""
    threads = [[t.key, t.category, t.forum, t.title, [[p.author, p.text] for p in t.posts]]
               for t in THREADS]
    blob = json.dumps([threads, FORUM_USERS, SPAM_USER], ensure_ascii=False).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def reset_if_stale(workdir: Path | str) -> bool:
    """Delete a stopped forum's database unless it holds the current demo seed; True if deleted.

    A database without the seed record (seeding was interrupted) or seeded
    from other content would make seeding fail on the existing users.
    """
    paths = ForumPaths(Path(workdir))
    if not paths.db.exists():
        return False
    recorded = _read_marker(paths.workdir / SEED_MARKER)
    if recorded and recorded.get("content") == content_version():
        return False
    paths.db.unlink()
    (paths.workdir / SEED_MARKER).unlink(missing_ok=True)
    # The search index describes the deleted posts.
    shutil.rmtree(paths.workdir / "whoosh", ignore_errors=True)
    return True


def _write_marker(path: Path, seed: DemoSeed) -> None:
    """Record the seed next to the forum's database."""
    data = {"content": content_version(), "topics": seed.topics, "users": seed.users,
            "officials": seed.officials}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path)


def _seed_present(server: FlaskBBServer, topics: dict[str, int]) -> bool:
    """Check the recorded topics still exist with the demo titles (same database)."""
    titles = {thread.key: thread.title for thread in THREADS}
    for key, topic_id in topics.items():
        try:
            info = server.admin("topic_info", topic_id=topic_id)
        except FlaskBBError:
            return False
        if info["title"] != titles.get(key):
            return False
    return set(topics) == set(titles)


def seed_demo(server: FlaskBBServer, officials: dict[str, str] | None = None,
              now: datetime | None = None) -> DemoSeed:
    """Seed the demo users and threads once per work dir; later calls reuse them."""
    officials = dict(officials or DEFAULT_OFFICIALS)
    marker = server.workdir / SEED_MARKER
    recorded = _read_marker(marker)
    if recorded and _seed_present(server, recorded.get("topics") or {}):
        seed = DemoSeed(topics=recorded["topics"], users=list(recorded.get("users") or []),
                        officials=officials)
        # A playbook may have renamed an official account since the first seed.
        for slug, name in officials.items():
            if name not in seed.users:
                server.admin("create_user", username=name, password=DEMO_PASSWORD,
                             email=f"{slug}.{len(seed.users)}@demo-forum.invalid")
                seed.users.append(name)
        _write_marker(marker, seed)
        return seed
    spec = demo_spec(officials, now)
    ids = server.admin("seed", **spec)
    seed = DemoSeed(topics={key: made["id"] for key, made in ids["topics"].items()},
                    users=[user["username"] for user in spec["users"]],
                    officials=officials, created=True)
    _write_marker(marker, seed)
    log.info("seeded the demo forum: topics %s", seed.topics)
    return seed


# --- chatter ---------------------------------------------------------------


@dataclass(frozen=True)
class ChatterPost:
    """A post the chatter added."""

    thread: str
    topic_id: int
    post_id: int
    author: str
    text: str


@dataclass
class Chatter:
    """Pick who says what next: each thread's lines come round before any repeats."""

    rng: random.Random = field(default_factory=random.Random)
    _decks: dict[str, list[str]] = field(default_factory=dict)

    def _draw(self, thread: DemoThread) -> str:
        """Take the next line of a shuffled deck, reshuffling when it runs out."""
        deck = self._decks.get(thread.key)
        if not deck:
            deck = list(thread.chatter)
            self.rng.shuffle(deck)
            self._decks[thread.key] = deck
        return deck.pop()

    def next_post(self) -> tuple[DemoThread, str, str]:
        """Return (thread, author, text) for the next forum user's post."""
        thread = self.rng.choice(THREADS)
        if thread is TELECOM and self.rng.random() < SPAM_CHANCE:
            return thread, SPAM_USER, self.rng.choice(SPAM)
        return thread, self.rng.choice(thread.audience), self.rng.choice(OPENERS) + self._draw(thread)

    def pauses(self, seconds: float) -> Iterator[float]:
        """Yield waits of seconds give or take 40 %, so posts do not arrive like a clock."""
        while True:
            yield max(0.0, seconds * self.rng.uniform(0.6, 1.4))


def run_chatter(server: FlaskBBServer, topics: dict[str, int], stop: threading.Event,
                seconds: float = CHATTER_SECONDS, max_posts: int = CHATTER_MAX_POSTS,
                rng: random.Random | None = None,
                on_post: Callable[[ChatterPost], None] | None = None) -> list[ChatterPost]:
    """Add a forum user's post every few seconds until stop is set or max_posts are in."""
    chatter = Chatter(rng or random.Random())
    posted: list[ChatterPost] = []
    pauses = chatter.pauses(seconds)
    while len(posted) < max_posts and not stop.wait(next(pauses)):
        thread, author, text = chatter.next_post()
        try:
            made = server.admin("add_post", topic_id=topics[thread.key], author=author,
                                content=text)
        except FlaskBBError:
            if stop.is_set():
                break
            # The forum itself keeps serving; only the chatter gives up.
            log.warning("demo chatter stopped after %s posts", len(posted), exc_info=True)
            break
        post = ChatterPost(thread.key, made["topic_id"], made["id"], author, text)
        posted.append(post)
        log.debug("chatter: %s posted %s in topic %s", author, post.post_id, post.topic_id)
        if on_post is not None:
            on_post(post)
    return posted
