"""Tag forum posts automatically, and say which cue set each tag, so a representative can correct it.

Tags come from built-in Russian, Ukrainian and English cues and from the playbook: a post that fires
a standard situation handled in private messages is a *problem* (the seed: problems go to private
messages), and a post touching a topic the client publishes news about is *newsworthy*. The schema
has no tag field on topics or situations, so that is all the playbook can say for now.

Decisions worth knowing:
- Thanks alone ("спасибо", "дякую", "thanks") are politeness, not praise: they make a post
  *positive* only when nothing else in it asks, complains or refuses. "Спасибо, не надо",
  "заранее спасибо" and "спасибо, но…" are not positive.
- A *complaint* is also a *problem*: it becomes a case to solve.
- A user recommending the client ("рекомендую", "I recommend") is tagged *recommendation* (the KPI
  of that name counts it) and *positive*; asking for advice is *recommendation_request*.
- Praise or blame words right after a negation ("не плохо", "не очень доволен", "not bad") do not
  count, nor does a problem already dealt with ("быстро решили проблему", "без проблем").
- Without a question mark, a question word counts only opening a short sentence without a comma:
  "Как записаться на ТО" asks, "Когда забирал машину, заметил царапину" tells.
- Quoted text (the `quotes_text`, [quote] blocks, lines starting with ">") is someone else's
  words and sets no tag; links are not read for words or question marks.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from ..playbooks.draft_check import (
    Link,
    compile_playbook,
    find_urls,
    fold_text,
    quoted_spans,
)
from ..playbooks.schema import Action, Playbook


@dataclass(frozen=True)
class TagInfo:
    """How a tag is shown and what it means."""

    label_ru: str
    label_en: str
    meaning: str


TAGS: dict[str, TagInfo] = {
    "question": TagInfo("Вопрос", "Question", "asks something"),
    "problem": TagInfo("Проблема", "Problem", "something does not work or did not happen; becomes a case"),
    "complaint": TagInfo("Жалоба", "Complaint", "blames the client, demands, threatens to escalate"),
    "positive": TagInfo("Позитив", "Positive", "praises the client or the help received"),
    "negative": TagInfo("Негатив", "Negative", "a bad opinion without a concrete problem"),
    "recommendation_request": TagInfo("Просит совета", "Asks for a recommendation", "asks what or where to choose"),
    "recommendation": TagInfo("Рекомендация", "Recommendation", "recommends the client to others"),
    "newsworthy": TagInfo("Инфоповод", "Newsworthy", "promotions, prices, novelties, rumours to answer with news"),
    "possible_bot": TagInfo("Возможно, бот", "Possible bot", "spam patterns, links only, repeated text"),
}

# Tags after which the representative owes an answer (and the response clock starts).
ANSWER_TAGS = frozenset({"question", "problem", "complaint", "negative", "recommendation_request"})

CueSource = Literal["builtin", "playbook", "author", "history"]


@dataclass(frozen=True)
class Cue:
    """Why a tag was set: the rule that fired and the text it fired on."""

    tag: str
    source: CueSource
    rule: str  # e.g. "ru:problem", "question_mark", "regulations.situations[2]", "topics[4]"
    text: str
    start: int | None = None
    end: int | None = None


# ---------------------------------------------------------------------------------------------
# Built-in cues, written for folded text (ё as е). Each tag has plain cues and, where a negation
# in front flips the meaning, negatable ones.
# ---------------------------------------------------------------------------------------------

_QUESTION = {
    "ru": r"подскажите|подскажи|подскажете|скажите|кто(?:-нибудь|-то)?\s+знает|не\s+знаете|хотелось\s+бы\s+узнать|"
    r"хочу\s+(?:узнать|уточнить)|(?:есть|у\s+меня)\s+вопрос\w*|вопрос\s*(?:к\s+\w+\s*)?:",
    "uk": r"підкажіть|підкажи|скажіть|хто\s+знає|не\s+знаєте|хочу\s+(?:дізнатися|уточнити)|(?:є|у\s+мене)\s+питання",
    "en": r"can\s+(?:anyone|someone|you)\s+(?:tell|help|explain|advise)|does\s+anyone\s+know|anyone\s+know|"
    r"i\s+wonder|any\s+idea|is\s+there\s+(?:a|any)\s+way|how\s+(?:do|can)\s+i",
}
# Question words that open a sentence without a question mark ("Как записаться на ТО").
_QUESTION_OPENERS = re.compile(
    r"^\s*(?:как(?!\s+(?:обычно|всегда|и|будто|раз|только|бы|же|хорошо|здорово|приятно))|где|когда|почему|зачем|"
    r"сколько|какой|какая|какое|какие|каким|какую|кто|куда|откуда|можно\s+ли|есть\s+ли|будет\s+ли|"
    r"як(?!\s+(?:завжди|зазвичай|і))|де|коли|чому|навіщо|скільки|який|яка|яке|які|хто|куди|звідки|чи|"
    r"what|how|where|when|why|which|who|is\s+there|are\s+there|does|do\s+you|can\s+i|could\s+you)(?![\w-])",
    re.IGNORECASE,
)
_PROBLEM = {
    "ru": r"не\s+работа\w*|перестал\w*\s+работать|не\s+включа\w*|не\s+заводит\w*|не\s+загружа\w*|не\s+грузит\w*|"
    r"не\s+открыва\w*|не\s+приход(?:ит|ят|ил\w?)|не\s+пришл\w*|не\s+пришел|не\s+привез\w*|не\s+доставил\w*|"
    r"не\s+доставлен\w*|не\s+могу\s+(?!не(?!\w))\w+|не\s+получает\w*|не\s+дозвон\w*|сломал\w*|поломк\w*|глючит|"
    r"глюк\w*|ошибк\w*|(?<!без\s)(?<!нет\s)проблем\w*|неисправн\w*|"
    r"нет\s+(?:интернета|инета|связи|сигнала|звука|изображения|ответа)|"
    r"пропал\w*\s+(?:интернет|инет|связь|сигнал|тв|звук)|отвалил\w*|тормозит|тормозят|лагает|задерж\w*|"
    r"до\s+сих\s+пор\s+не|(?:второй|третий|четвертый|пятый)\s+день|уже\s+(?:неделю|месяц|две\s+недели)|"
    r"помогите(?!\s+(?:выбрать|подобрать|определиться|советом))|течет|стучит|стук\w{0,2}|скрипит|гремит|"
    r"списали\s+(?:деньги|дважды|лишн\w*)|двойное\s+списание|порвал\w*|пришл\w*\s+не\s+то",
    "uk": r"не\s+працю\w*|зламал\w*|зламав\w*|поломк\w*|не\s+можу\s+(?!не(?!\w))\w+|не\s+виходить|помилк\w*|"
    r"(?<!без\s)проблем\w*|затрим\w*|не\s+доставил\w*|не\s+привезли|немає\s+(?:інтернету|зв.язку|сигналу)|"
    r"пропав\s+(?:інтернет|зв.язок)|допоможіть|досі\s+не|(?:другий|третій)\s+день",
    "en": r"(?:does|do|is|are|did)n[’']?t\s+work\w*|not\s+working|stopped\s+working|broken|(?<!no\s)errors?|"
    r"issues?|(?<!no\s)problems?|can[’']?t\s+(?:log|connect|pay|get|access|reach|sign)\w*|"
    r"won[’']?t\s+(?:start|turn|work|load|connect)|no\s+(?:internet|signal|connection)|still\s+(?:no|not|waiting)|"
    r"please\s+help|help\s+me|delayed|never\s+(?:arrived|came)",
}
_COMPLAINT = {
    "ru": r"жалоб\w*|жалуюсь|обман\w*|мошенни\w*|развод(?:ят|илово|нули)|развели|кинули|кидал\w*|"
    r"верните\s+(?:деньги|мои|оплату|средства)|возврат\w*\s+(?:денег|средств)|претензи\w*|"
    r"(?:подам|подаю|подадим|обращусь|обратимся|пойду)\s+в\s+(?:суд|прокуратуру|роспотребнадзор)|в\s+суд|"
    r"роспотребнадзор\w*|прокуратур\w*|ужасн\w*\s+(?:сервис|обслуживани\w*|отношени\w*)|хамств\w*|нахамил\w*|"
    r"хамят|хамы|безобрази\w*|позор\w*|издевательств\w*|верх\s+наглости|больше\s+(?:никогда|ни\s+ногой)|"
    r"никогда\s+больше|никому\s+не\s+(?:советую|рекомендую)|требую|вымогательств\w*",
    "uk": r"скарг\w*|ошукал\w*|обман\w*|обдурил\w*|шахра\w*|поверніть\s+(?:гроші|кошти)|"
    r"повернення\s+(?:коштів|грошей)|претензі\w*|до\s+суду|жахлив\w*\s+(?:сервіс|обслуговування)|хамств\w*|"
    r"ганьба|більше\s+ніколи|нікому\s+не\s+(?:раджу|рекомендую)|вимагаю",
    "en": r"complain\w*|scam\w*|fraud\w*|rip[-\s]?off|ripped\s+off|refund\w*|money\s+back|sue|lawsuit|"
    r"terrible\s+service|never\s+again|rude\s+(?:staff|manager|service|people)|unacceptable",
}
_NEGATIVE = {
    "ru": r"не\s+(?:советую|рекомендую)|не\s+понравил\w*|не\s+нравится|наплевательск\w*|воры|ворюги|"
    r"обход\w*\s+(?:их\s+)?стороной",
    "uk": r"не\s+(?:раджу|рекомендую)|не\s+сподобал\w*|не\s+подобається",
    "en": r"don[’']?t\s+recommend|not\s+happy|poor\s+(?:service|quality|support)",
}
_NEGATIVE_NEGATABLE = {
    "ru": r"плох\w*|ужасн\w*|ужас|отвратительн\w*|кошмар\w*|разочарова\w*|недовол\w*|хуже|худш\w*|отстой\w*|"
    r"бесит|бесят|раздража\w*|зря|печальн\w*|грубо|груб(?:ый|ая|ые|ят)|грубия\w*",
    "uk": r"погано|поган\w*|жахлив\w*|жах|розчарован\w*|незадоволен\w*|гірше|найгірш\w*",
    "en": r"bad|terrible|awful|horrible|worst|disappoint\w*|sucks|unhappy|hate",
}
_POSITIVE_NEGATABLE = {
    "ru": r"отличн\w*|прекрасн\w*|замечательн\w*|супер|классн\w*|здорово|молодц\w*|довол(?:ен|ьна|ьны)|"
    r"понравил\w*|нравится|на\s+высоте|вежлив\w*|оперативн\w*|неплох\w*|благодарност\w*|"
    r"лучш(?:ий|ая|ее|ие)\s+(?:сервис\w*|дилер|провайдер|магазин|салон)|"
    r"быстро\s+(?:решили|помогли|ответили|доставили|привезли|починили|сделали)|помогли|"
    r"решили\s+(?:проблему|вопрос)|все\s+(?:починили|исправили)|приятн\w*",
    "uk": r"чудов\w*|відмінн\w*|прекрасн\w*|супер|молодц\w*|задоволен\w*|сподобал\w*|подобається|найкращ\w*|"
    r"швидко\s+(?:вирішили|допомогли|доставили|відповіли)|допомогли|вдячн\w*",
    "en": r"great|excellent|awesome|amazing|love\s+(?:it|them|this|you)|happy\s+with|satisfied|well\s+done|"
    r"good\s+job|helpful|fantastic|perfect",
}
_THANKS = {
    "ru": r"спасибо|спс|благодарю|благодарим",
    "uk": r"дякую|дякуємо|спасибі",
    "en": r"thanks|thank\s+you|thx",
}
# Run on lowered text, like the cue tables.
_REFUSAL = re.compile(
    r"не\s+надо|не\s+нужно|не\s+стоит|обойдусь|no\s+thanks|не\s+треба|не\s+потрібно|"
    r"(?:спасибо|дякую|thanks|thank\s+you)\W+(?:нет|ні|no|но|але|but)(?!\w)|заранее|in\s+advance|заздалегідь",
)
_RECOMMENDATION_REQUEST = {
    "ru": r"посоветуйте|посоветуете|порекомендуйте|порекомендуете|что\s+(?:лучше|выбрать|взять|купить)|"
    r"как(?:ой|ую|ое|ие)\s+(?:лучше\s+)?(?:выбрать|взять|купить|брать)|"
    r"стоит\s+ли\s+(?:брать|покупать|идти|обращаться|подключ\w*|связываться)|кто\s+что\s+(?:посоветует|скажет)|"
    r"ваши\s+рекомендации|куда\s+(?:лучше\s+)?(?:обратиться|пойти|ехать)|где\s+лучше|"
    r"помогите\s+(?:выбрать|подобрать|определиться)|ищу\s+(?:хорош\w*|нормальн\w*|надежн\w*)|"
    r"кто\s+(?:где\s+)?обслуживается|какого\s+провайдера",
    "uk": r"порадьте|порадите|порекомендуйте|що\s+(?:краще|обрати|вибрати|взяти)|"
    r"як(?:ий|у|е|і)\s+(?:краще\s+)?(?:обрати|вибрати|взяти)|чи\s+варто\s+(?:брати|купувати|звертатися)|"
    r"де\s+краще|куди\s+краще",
    "en": r"recommend\s+(?:me|a|any|some)|any\s+recommendations?|which\s+(?:one\s+)?should\s+i|"
    r"what\s+should\s+i\s+(?:buy|get|choose)|is\s+it\s+worth|suggestions?\s+for|would\s+you\s+recommend",
}
_RECOMMENDATION_NEGATABLE = {
    "ru": r"рекомендую|всем\s+советую|советую\s+(?:всем|их|этот|эту|это|сюда)|могу\s+(?:посоветовать|порекомендовать)",
    "uk": r"рекомендую|раджу",
    "en": r"(?:would|highly|strongly|definitely)\s+recommend|i\s+recommend|recommended",
}
_NEWSWORTHY = {
    "ru": r"акци[яиюей]|акциях|скидк\w*|распродаж\w*|новинк\w*|"
    r"нов\w*\s+(?:модел\w*|тариф\w*|коллекци\w*|салон\w*|магазин\w*|офис\w*)|подорожа\w*|повышени\w*\s+цен\w*|"
    r"подн(?:яли|имут|имают)\s+цен\w*|открыл\w*\s+(?:новый|новая|новое|салон|магазин|офис)|"
    r"(?:слышал\w*|говорят|пишут)\W+что|правда\s+ли|официальн\w*\s+(?:информаци\w*|заявлени\w*|позици\w*)|"
    r"анонс\w*|презентаци\w*|скоро\s+(?:будет|появ\w*)",
    "uk": r"акці[яїюй]|знижк\w*|розпродаж\w*|новинк\w*|подорожча\w*|підвищення\s+цін|кажуть\W+що|чи\s+правда|"
    r"анонс\w*|презентаці\w*",
    "en": r"announce\w*|launch\w*|new\s+(?:model|tariff|plan|store|collection)|price\s+(?:increase|hike|rise)|"
    r"on\s+sale|discount\w*|promo(?:tion)?s?|rumou?rs?|is\s+it\s+true",
}
_SPAM = re.compile(
    r"(?<!\w)(?:казино|casino|ставк\w*\s+на\s+спорт|букмекер\w*|заработ\w*\s+(?:от|до)\s+\d+|"
    r"заработок\s+в\s+(?:интернете|сети)|пассивн\w*\s+доход\w*|виагр\w*|viagra|порно|xxx|эскорт\w*|"
    r"интим\w*\s+услуг\w*|микрозайм\w*|займ\w*\s+(?:без|онлайн|на\s+карту)|купить\s+(?:диплом|права|аттестат)|"
    r"seo\W+(?:продвижени\w*|услуг\w*)|прогон\w*\s+(?:сайта|по\s+базам)|раскрутк\w*\s+(?:сайта|групп\w*)|"
    r"(?:пиши|пишите|напиши|напишите|писать|стучи|стучите)\s+(?:в\s+|на\s+)?"
    r"(?:телеграм\w*|telegram|тг|whatsapp|ватсап\w*|вацап\w*|вайбер\w*|viber)|"
    r"free\s+money|make\s+money|work\s+from\s+home|click\s+here|заробіт\w*\s+від|крипт\w*\s+(?:бот|сигнал\w*)|"
    r"бинарн\w*\s+опцион\w*)(?!\w)",
)
# Link shorteners and messenger invitations: the usual way spam hides where it leads.
_SPAM_HOSTS = ("t.me", "wa.me", "bit.ly", "clck.ru", "goo.gl", "tinyurl.com", "cutt.ly", "vk.cc", "is.gd")
# User names that look generated: letters then three digits or more, four digits anywhere, consonant runs.
_GENERATED_NAME = re.compile(r"^[^\W\d_]+[._-]?\d{3,}$|\d{4,}|[bcdfghjklmnpqrstvwxz]{5,}", re.IGNORECASE)
_NEGATION_BEFORE = re.compile(
    r"(?<!\w)(?:не|ни|ні|not|never|no|isn[’']?t|wasn[’']?t|совсем\s+не)\s+(?:\w+\s+)?$", re.IGNORECASE
)
# A problem already dealt with ("быстро решили проблему", "без проблем", "fixed the issue") is none.
_RESOLVED_BEFORE = re.compile(
    r"(?<!\w)(?:без|нет|решил\w*|решен\w*|устранил\w*|исправил\w*|вирішил\w*|вирішен\w*|solved|fixed|no|any)"
    r"\s+(?:\w+\s+)?$",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?…]*")
_BBCODE = re.compile(r"\[/?[a-z]+(?:=[^\]]*)?\]", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")
_LINKS_ONLY_MAX_LETTERS = 20
_REPEATS_FOR_BOT = 3


# Cue patterns are written in lower case and run on lowered text: IGNORECASE makes each of them
# about twice as slow, and lowering only Latin and Cyrillic letters one for one (what the cues
# are written in) keeps every match offset valid for the original text.
_LOWER = str.maketrans({
    char: char.lower()
    for char in map(chr, (*range(0x41, 0x5B), *range(0xC0, 0x250), *range(0x400, 0x530)))
    if char.lower() != char and len(char.lower()) == 1
})


def _lowered(text: str) -> str:
    """Lower the Latin and Cyrillic letters of `text`, keeping its length."""
    return text.translate(_LOWER)


def _whole_words(source: str) -> re.Pattern[str]:
    """Compile cue alternatives to match whole words of lowered, folded text."""
    return re.compile(rf"(?<!\w)(?:{fold_text(source)})(?!\w)")


def _compile(table: dict[str, str]) -> list[tuple[str, re.Pattern[str]]]:
    """Compile one cue table into (language, pattern) pairs."""
    return [(language, _whole_words(source)) for language, source in table.items()]


# (tag, cue table, what in the two words before a cue cancels it).
_TABLE_SOURCES = [
    ("question", _QUESTION, None),
    ("problem", _PROBLEM, _RESOLVED_BEFORE),
    ("complaint", _COMPLAINT, None),
    ("negative", _NEGATIVE, None),
    ("negative", _NEGATIVE_NEGATABLE, _NEGATION_BEFORE),
    ("positive", _POSITIVE_NEGATABLE, _NEGATION_BEFORE),
    ("recommendation_request", _RECOMMENDATION_REQUEST, None),
    ("recommendation", _RECOMMENDATION_NEGATABLE, _NEGATION_BEFORE),
    ("newsworthy", _NEWSWORTHY, None),
]
_TABLES = [(tag, _compile(table), blocker) for tag, table, blocker in _TABLE_SOURCES]
_THANKS_PATTERNS = _compile(_THANKS)
_ANY_THANKS = _whole_words("|".join(_THANKS.values()))
# Every table's cues in one pattern: most posts match none, and one scan tells where any can start.
_ANY_CUE = _whole_words("|".join(source for _, table, _ in _TABLE_SOURCES for source in table.values()))


# ---------------------------------------------------------------------------------------------
# The tagger
# ---------------------------------------------------------------------------------------------


def auto_tags(
    text: str,
    *,
    author: str = "",
    playbook: Playbook | None = None,
    quotes_text: str = "",
    recent_texts: Collection[str] = (),
) -> set[str]:
    """Return the tags a post gets automatically (see `explain_tags` for why)."""
    return set(explain_tags(text, author=author, playbook=playbook, quotes_text=quotes_text, recent_texts=recent_texts))


def explain_tags(
    text: str,
    *,
    author: str = "",
    playbook: Playbook | None = None,
    quotes_text: str = "",
    recent_texts: Collection[str] = (),
) -> dict[str, list[Cue]]:
    """Return each automatic tag with the cues that set it, in TAGS order.

    `quotes_text` is text the post quotes (cut out when it appears in `text`); `recent_texts` are
    the author's earlier posts, to spot the same text posted again.
    """
    links = find_urls(text)
    hidden = _hidden_spans(text, quotes_text) + [(link.start, link.end) for link in links]
    own = _mask(text, hidden)
    folded = fold_text(own)
    lowered = _lowered(folded)
    cues: list[Cue] = []
    first = _ANY_CUE.search(lowered)
    if first is not None:
        for tag, patterns, blocker in _TABLES:
            cues.extend(_table_cues(tag, patterns, blocker, lowered, text, first.start()))
    cues.extend(_question_cues(folded, text))
    if playbook is not None:
        cues.extend(_playbook_cues(playbook, folded, text))
    tagged = {cue.tag for cue in cues}
    if "complaint" in tagged:
        cues.append(Cue("problem", "builtin", "implied:complaint", "complaint"))
    if "recommendation" in tagged and not tagged & {"negative", "complaint"}:
        cues.append(Cue("positive", "builtin", "implied:recommendation", "recommendation"))
    elif "recommendation" in tagged:
        cues = [cue for cue in cues if cue.tag != "recommendation"]  # "советую их обходить" is no recommendation
    cues.extend(_thanks_cues(lowered, text, {cue.tag for cue in cues}))
    cues.extend(_bot_cues(text, own, lowered, links, author, recent_texts))
    explained: dict[str, list[Cue]] = {}
    seen: set[tuple[str, int | None, int | None, str]] = set()
    for tag in TAGS:
        for cue in cues:
            # The same word in two languages' lists ("молодцы", "рекомендую") is one cue.
            key = (tag, cue.start, cue.end, cue.rule.partition(":")[2] or cue.rule)
            if cue.tag == tag and key not in seen:
                seen.add(key)
                explained.setdefault(tag, []).append(cue)
    return explained


def needs_answer(tags: Iterable[str]) -> bool:
    """Tell whether a post with these tags waits for the representative's answer.

    Questions, problems, complaints, negative opinions and requests for advice do; praise, news and
    recommendations alone do not; a possible bot does not until a person removes that tag.
    """
    tags = set(tags)
    return bool(tags & ANSWER_TAGS) and "possible_bot" not in tags


def _hidden_spans(text: str, quotes_text: str) -> list[tuple[int, int]]:
    """Return the spans of quoted text inside the post."""
    spans = quoted_spans(text)
    quoted = quotes_text.strip()
    if quoted:
        start = text.find(quoted)
        while start != -1:
            spans.append((start, start + len(quoted)))
            start = text.find(quoted, start + len(quoted))
    return spans


def _mask(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """Blank out spans with spaces, keeping every offset valid."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _table_cues(
    tag: str, patterns: list[tuple[str, re.Pattern[str]]], blocker: re.Pattern[str] | None, lowered: str, text: str,
    start: int = 0,
) -> Iterator[Cue]:
    """Yield a cue for each match of a tag's built-in patterns that nothing just before cancels.

    `lowered` is the folded text in lower case; no cue starts before `start`.
    """
    for language, pattern in patterns:
        for match in pattern.finditer(lowered, start):
            if blocker is not None and blocker.search(lowered[max(0, match.start() - 24) : match.start()]):
                continue
            yield Cue(tag, "builtin", f"{language}:{tag}", text[match.start() : match.end()], *match.span())


def _question_cues(folded: str, text: str) -> Iterator[Cue]:
    """A sentence ending in a question mark, or opening with a question word and reading as a question."""
    for sentence in _SENTENCE.finditer(folded):
        body = sentence[0].strip()
        if not body:
            continue
        start = sentence.start() + sentence[0].index(body[0])
        span = (start, start + len(body))
        if "?" in body:
            yield Cue("question", "builtin", "question_mark", text[span[0] : span[1]], *span)
        elif _QUESTION_OPENERS.match(body) and "," not in body and not body.endswith("!") and len(body.split()) <= 15:
            # Without the mark, a comma usually means a subordinate clause ("Когда забирал машину, …").
            yield Cue("question", "builtin", "question_word", text[span[0] : span[1]], *span)


def _playbook_cues(playbook: Playbook, folded: str, text: str) -> Iterator[Cue]:
    """Situations handled in private messages make a problem; topics the client announces make news."""
    compiled = compile_playbook(playbook)
    pb = compiled.playbook
    for index, match in sorted(compiled.situations.first_by_owner(folded).items()):
        if Action.INVITE_TO_PRIVATE_MESSAGES in pb.regulations.situations[index].actions:
            yield Cue("problem", "playbook", f"regulations.situations[{index}]",
                      text[match.start : match.end], match.start, match.end)
    news_topics = {topic for forum in pb.forums.values() for topic in forum.allowed_topics.news}
    for index, _topic, match in compiled.topic_matches(folded, news_topics):
        yield Cue("newsworthy", "playbook", f"topics[{index}]", text[match.start : match.end], match.start, match.end)


def _thanks_cues(lowered: str, text: str, tagged: set[str]) -> Iterator[Cue]:
    """Thanks count as praise only in a post that neither asks, complains nor refuses."""
    if tagged & {"question", "problem", "complaint", "negative", "recommendation_request"}:
        return
    if _ANY_THANKS.search(lowered) is None or _REFUSAL.search(lowered):
        return
    for language, pattern in _THANKS_PATTERNS:
        for match in pattern.finditer(lowered):
            yield Cue("positive", "builtin", f"{language}:thanks", text[match.start() : match.end()], *match.span())


def _normalised(text: str) -> str:
    """Reduce text to lowercase words, to compare repeated posts."""
    return _words(_lowered(fold_text(text)))


def _words(lowered: str) -> str:
    """Join the words of already folded and lowered text with single spaces."""
    return " ".join(_WORD.findall(lowered))


def _bot_cues(
    text: str, own: str, lowered: str, links: list[Link], author: str, recent_texts: Collection[str]
) -> Iterator[Cue]:
    """Spam patterns, links with hardly any words, the same text again, generated names posting links.

    `own` is the post's own words (quotes and links blanked), `lowered` the same folded and lowered.
    """
    for match in _SPAM.finditer(lowered):
        yield Cue("possible_bot", "builtin", "spam_pattern", text[match.start() : match.end()], *match.span())
    for link in links:
        if any(link.host == host or link.host.endswith("." + host) for host in _SPAM_HOSTS):
            yield Cue("possible_bot", "builtin", "shortener_link", link.url, link.start, link.end)
    if links and sum(len(word) for word in _WORD.findall(_BBCODE.sub(" ", own))) < _LINKS_ONLY_MAX_LETTERS:
        yield Cue("possible_bot", "builtin", "links_only", links[0].url, links[0].start, links[0].end)
    sentences = [_words(sentence[0]) for sentence in _SENTENCE.finditer(lowered)]
    counts: dict[str, int] = {}
    for sentence in sentences:
        if len(sentence) >= 8:
            counts[sentence] = counts.get(sentence, 0) + 1
    for sentence, count in counts.items():
        if count >= _REPEATS_FOR_BOT:
            yield Cue("possible_bot", "builtin", "repeated_sentence", sentence)
    whole = _words(lowered)
    if len(whole) >= 15 and any(_normalised(earlier) == whole for earlier in recent_texts):
        yield Cue("possible_bot", "history", "same_text_again", whole[:80])
    if links and author and _GENERATED_NAME.search(author):
        yield Cue("possible_bot", "author", "generated_name_with_link", author)
