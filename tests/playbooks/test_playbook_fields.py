"""The constrained scalar types and the helpers other modules reuse."""

from datetime import timedelta

import pytest

from repapp.playbooks.fields import (
    business_hours_minutes,
    parse_duration,
    phrase_in,
    regex_problem,
    render_template,
    template_variables,
    text_matches,
)
from repapp.playbooks.schema import KPI_INFO, KpiKey


@pytest.mark.parametrize(
    "pattern",
    [r"(a+)+", r"(a*)*b", r"(\w+\s?)+$", r"(?:x|y+)+", r"(a{1,5})+", r"((ab)*c)*"],
)
def test_nested_quantifiers_are_rejected(pattern):
    """Shapes that backtrack exponentially on a crafted post."""
    assert "nests a repeat inside a repeat" in regex_problem(pattern)


@pytest.mark.parametrize(
    "pattern",
    [r"подам?\s+в\s+суд", r"(?:\d{1,3}\.){3}\d{1,3}", r"(тест-?драйв)+", r"(ab){2,3}", r"где\s+(можно\s+)?купить"],
)
def test_ordinary_patterns_are_accepted(pattern):
    """Bounded or fixed-length repeats inside repeats are harmless."""
    assert regex_problem(pattern) is None


def test_pattern_problems_are_explained():
    """Syntax errors, empty matches and runaway length each say what is wrong."""
    assert regex_problem("(abc").startswith("invalid regular expression: missing ), unterminated subpattern")
    assert regex_problem("x?") == "pattern matches empty text, so it would fire on every post"
    assert "longer than 300" in regex_problem("a" * 301)


def test_durations():
    """Hours, minutes, or both."""
    assert parse_duration("4h") == timedelta(hours=4)
    assert parse_duration("40m") == timedelta(minutes=40)
    assert parse_duration("1h30m") == timedelta(minutes=90)
    for bad in ("", "4", "4 h", "m", "1d"):
        with pytest.raises(ValueError):
            parse_duration(bad)


def test_business_hours():
    """HH:MM-HH:MM in minutes since midnight, with 24:00 as a possible end."""
    assert business_hours_minutes("09:00-18:00") == (540, 1080)
    assert business_hours_minutes("00:00-24:00") == (0, 1440)
    for bad in ("9:00-18:00", "09:00", "09:60-18:00", "24:30-25:00", "09:00–18:00"):
        with pytest.raises(ValueError):
            business_hours_minutes(bad)


def test_template_variables_and_rendering():
    """{name} is a variable, {{ and }} are literal braces."""
    text = "{user}, цена {model} — {{без скидки}}; {user}"
    assert template_variables(text) == ["user", "model", "user"]
    assert render_template(text, {"user": "Иван", "model": "седана"}) == "Иван, цена седана — {без скидки}; Иван"
    with pytest.raises(KeyError):
        render_template("{model}", {})


@pytest.mark.parametrize("text", ["{user", "user}", "{модель}", "{a.b}", "{}", "{x:>10}"])
def test_malformed_placeholders(text):
    """Anything but {lowercase_name} inside braces is an error, not silently left in the post."""
    with pytest.raises(ValueError):
        template_variables(text)


def test_phrases_match_whole_words_only():
    """'бот' is forbidden, 'работы' is not."""
    assert phrase_in("бот", "Это БОТ, не отвечайте")
    assert not phrase_in("бот", "ведутся работы")
    assert phrase_in("самая низкая цена", "У нас самая низкая цена!")


def test_keywords_match_as_substrings_and_patterns_as_regexes():
    """Keywords catch word forms ('обман' in 'обманули'); patterns are case-insensitive."""
    assert text_matches(["обман"], [], "Меня обманули!")
    assert text_matches([], [r"подам?\s+в\s+суд"], "ПОДАМ В СУД")
    assert not text_matches(["обман"], [r"суд"], "Спасибо за помощь")


def test_every_kpi_has_a_label():
    """Reports can name every KPI."""
    assert set(KPI_INFO) == set(KpiKey)
    assert KPI_INFO[KpiKey.RESPONSE_TIME_HOURS_MEDIAN].higher_is_better is False
