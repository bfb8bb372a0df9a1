"""Forum definition files: presets merged under site files, and errors that name file, line and field."""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path

import pytest

from repapp.forums.definitions import (
    ForumDefinition,
    ForumDefinitionInvalid,
    Politeness,
    load_forum_definitions,
    parse_forum_definition,
)
from repapp.scraping.engines import ENGINES as REGISTERED

REPO_FORUMS = Path(__file__).resolve().parents[2] / "forums"
ENGINES = {"flaskbb", "phpbb", "mybb"}

GOOD = """\
key: good
name: Good forum
base_url: https://forum.good.example/
engine: phpbb
encoding: utf-8
timezone: Europe/Moscow
date_locale: ru
aliases:
  - good.example
politeness:
  requests_per_minute: 10
  concurrency: 1
  respect_robots: true
  timeout_seconds: 30
  max_retries: 2
capabilities:
  login: true
  post: true
requires_login: false
engine_options:
  posts_per_page: 15
"""

PHPBB_PRESET = """\
politeness:
  requests_per_minute: 12
  timeout_seconds: 25
capabilities:
  post: true
engine_options:
  posts_per_page: 10
  topic_path: viewtopic.php
"""


def write(folder: Path, name: str, text: str) -> Path:
    """Write one file under folder, creating parents."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def broken(text: str, *edits: tuple[str, str]) -> str:
    """Return text with each (old line, new line) replaced; an empty new line deletes it."""
    lines = text.splitlines()
    for old, new in edits:
        index = lines.index(old)
        if new:
            lines[index] = new
        else:
            del lines[index]
    return "\n".join(lines) + "\n"


def problems_of(folder: Path, **kwargs) -> list:
    """Load folder expecting it to be invalid; return the problems."""
    with pytest.raises(ForumDefinitionInvalid) as caught:
        load_forum_definitions(folder, **kwargs)
    return caught.value.problems


def test_the_repository_definitions_load_over_their_presets():
    definitions = load_forum_definitions(REPO_FORUMS, known_engines=REGISTERED)
    # Every registered engine has a sample site here, each with its preset's politeness.
    assert {d.engine for d in definitions.values()} == set(REGISTERED)

    demo = definitions["demo-flaskbb"]
    assert demo.base_url == "http://127.0.0.1:5051/"
    assert demo.engine == "flaskbb" and demo.host == "127.0.0.1:5051"
    assert demo.engine_options["posts_per_page"] == 10  # from the flaskbb preset
    autoclub = definitions["autoclub"]
    assert autoclub.date_locale == "ru" and autoclub.timezone == "Europe/Moscow"
    assert autoclub.politeness.requests_per_minute == 10  # the site's own
    assert autoclub.politeness.timeout_seconds == 30  # the phpbb preset's
    assert autoclub.engine_options["posts_per_page"] == 15  # site overrides preset
    assert autoclub.hosts == ("www.autoclub.example", "autoclub.example")
    assert definitions["svyaz-online"].encoding == "windows-1251"
    assert definitions["svyaz-online"].requires_login is True
    assert definitions["homenet-community"].capabilities.post is False
    assert all(d.politeness.respect_robots for d in definitions.values())


def test_a_site_file_overrides_its_engine_preset_field_by_field(tmp_path):
    write(tmp_path, "presets/phpbb.yaml", PHPBB_PRESET)
    write(tmp_path, "good.yaml", broken(GOOD, ("  timeout_seconds: 30", "")))

    good = load_forum_definitions(tmp_path, known_engines=ENGINES)["good"]

    assert good.politeness == Politeness(
        requests_per_minute=10, concurrency=1, respect_robots=True, timeout_seconds=25, max_retries=2
    )
    assert good.engine_options == {"posts_per_page": 15, "topic_path": "viewtopic.php"}
    assert good.source == str(tmp_path / "good.yaml")


def test_an_engine_without_a_preset_gets_the_base_defaults(tmp_path):
    write(tmp_path, "plain.yaml", "name: Plain\nbase_url: HTTPS://Forum.Plain.Example/board\nengine: smf\ntimezone: UTC\n")

    plain = load_forum_definitions(tmp_path)["plain"]

    assert plain.key == "plain"  # from the file name
    assert plain.base_url == "https://forum.plain.example/board/"
    assert plain.politeness == Politeness()
    assert plain.politeness.respect_robots is True
    assert plain.capabilities.login and plain.capabilities.post
    assert plain.date_locale == "en" and plain.encoding is None and not plain.requires_login


def test_definitions_are_frozen_and_serialisable(tmp_path):
    write(tmp_path, "good.yaml", GOOD)
    good = load_forum_definitions(tmp_path)["good"]

    with pytest.raises(dataclasses.FrozenInstanceError):
        good.key = "other"
    assert json.loads(json.dumps(good.as_dict()))["politeness"]["requests_per_minute"] == 10
    assert isinstance(good, ForumDefinition) and hash(good)


@pytest.mark.parametrize(
    ("edits", "line", "field", "message"),
    [
        ([("key: good", "key: Good_Forum")], 1, "key", "lowercase letters"),
        ([("key: good", "key: other")], 1, "key", "must match the file name"),
        ([("name: Good forum", "name: '   '")], 2, "name", "blank"),
        ([("name: Good forum", "")], 1, "name", "required field is missing"),
        ([("base_url: https://forum.good.example/", "base_url: ftp://forum.good.example/")], 3, "base_url", "http"),
        ([("base_url: https://forum.good.example/", "base_url: https://forum.good.example/?sid=1")], 3, "base_url", "query"),
        ([("base_url: https://forum.good.example/", "base_url: https://me:pw@forum.good.example/")], 3, "base_url", "password"),
        ([("base_url: https://forum.good.example/", "base_url: https:///board/")], 3, "base_url", "host"),
        ([("base_url: https://forum.good.example/", "base_url: https://forum.good.example:99999/")], 3, "base_url", "valid URL"),
        ([("engine: phpbb", "engine: vbulletin")], 4, "engine", "unknown engine 'vbulletin'"),
        ([("engine: phpbb", "engine: PHP BB")], 4, "engine", "engine key"),
        ([("encoding: utf-8", "encoding: klingon-8")], 5, "encoding", "unknown encoding"),
        ([("timezone: Europe/Moscow", "timezone: Mars/Olympus")], 6, "timezone", "unknown time zone"),
        ([("timezone: Europe/Moscow", "")], 1, "timezone", "required field is missing"),
        ([("date_locale: ru", "date_locale: fr")], 7, "date_locale", "must be 'en', 'ru' or 'uk'"),
        ([("  - good.example", "  - not a host")], 9, "aliases[0]", "not a host name"),
        ([("  requests_per_minute: 10", "  requests_per_minute: 0")], 11, "politeness.requests_per_minute", "must be greater than 0"),
        ([("  requests_per_minute: 10", "  requests_per_minute: '10'")], 11, "politeness.requests_per_minute", "must be a number, got the text \"10\""),
        ([("  concurrency: 1", "  concurrency: 0")], 12, "politeness.concurrency", "must be greater than or equal to 1"),
        ([("  respect_robots: true", "  respect_robots: yes")], 13, "politeness.respect_robots", "must be true or false, got the text \"yes\""),
        ([("  timeout_seconds: 30", "  timeout_seconds: -1")], 14, "politeness.timeout_seconds", "must be greater than 0"),
        ([("  max_retries: 2", "  max_retries: 100")], 15, "politeness.max_retries", "must be less than or equal to 10"),
        ([("  max_retries: 2", "  burst: 5")], 15, "politeness.burst", "unknown field 'burst' (allowed: requests_per_minute, concurrency, respect_robots, timeout_seconds, max_retries)"),
        ([("  login: true", "  login: maybe")], 17, "capabilities.login", "must be true or false"),
        ([("  post: true", "  fly: true")], 18, "capabilities.fly", "unknown field 'fly'"),
        ([("requires_login: false", "requires_login: yes")], 19, "requires_login", "must be true or false"),
        ([("requires_login: false", "requires_login: true"), ("  login: true", "  login: false")], 19, "requires_login", "capabilities.login is false"),
        ([("engine_options:", "engine_options: 15"), ("  posts_per_page: 15", "")], 20, "engine_options", "must be a mapping of keys to values, got the number 15"),
        ([("  posts_per_page: 15", "  posts_per_page: 15\ncolour: blue")], 22, "colour", "unknown field 'colour'"),
    ],
)
def test_every_field_is_validated_with_its_line(tmp_path, edits, line, field, message):
    path = write(tmp_path, "good.yaml", broken(GOOD, *edits))

    [problem] = problems_of(tmp_path, known_engines=ENGINES)

    assert (problem.source, problem.line, problem.field) == (str(path), line, field)
    assert message in problem.message
    assert str(problem).startswith(f"{path}:{line}: {field}: ")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("key: good\nname: [unclosed\nengine: phpbb\n", 3, "YAML syntax error"),
        ("key: good\nname: One\nname: Two\n", 3, "duplicate key"),
        ("- a list\n- not a mapping\n", 1, "mapping"),
        ("", 1, "empty"),
    ],
)
def test_unreadable_files_are_located(tmp_path, text, line, message):
    path = write(tmp_path, "good.yaml", text)

    [problem] = problems_of(tmp_path)

    assert (problem.source, problem.line) == (str(path), line)
    assert message in problem.message


def test_a_misspelt_field_is_reported_with_a_suggestion(tmp_path):
    path = write(tmp_path, "good.yaml", broken(GOOD, ("name: Good forum", "nmae: Good forum")))

    assert [str(problem) for problem in problems_of(tmp_path)] == [
        f"{path}:1: name: required field is missing",
        f"{path}:2: nmae: unknown field 'nmae' (did you mean 'name'?)",
    ]


def test_problems_of_every_file_are_reported_together(tmp_path):
    write(tmp_path, "a.yaml", broken(GOOD, ("key: good", ""), ("  concurrency: 1", "  concurrency: 99")))
    write(tmp_path, "b.yaml", broken(GOOD, ("key: good", ""), ("timezone: Europe/Moscow", "timezone: Nowhere")))

    with pytest.raises(ForumDefinitionInvalid) as caught:
        load_forum_definitions(tmp_path)

    text = str(caught.value).splitlines()
    assert text == [
        f"{tmp_path / 'a.yaml'}:11: politeness.concurrency: must be less than or equal to 16",
        f"{tmp_path / 'b.yaml'}:5: timezone: unknown time zone 'Nowhere'; use an IANA name such as 'Europe/Moscow'",
    ]


def test_two_files_for_the_same_base_url_are_refused(tmp_path):
    write(tmp_path, "good.yaml", GOOD)
    write(tmp_path, "twin.yaml", broken(GOOD, ("key: good", "")))

    [problem] = problems_of(tmp_path)

    assert problem.source == str(tmp_path / "twin.yaml") and problem.field == "base_url"
    assert "same base URL as 'good'" in problem.message


def test_a_broken_preset_is_located_in_the_preset_file(tmp_path):
    preset = write(tmp_path, "presets/phpbb.yaml", "politeness:\n  concurrency: many\n")
    write(tmp_path, "good.yaml", GOOD)

    [problem] = problems_of(tmp_path)

    assert (problem.source, problem.line, problem.field) == (str(preset), 2, "politeness.concurrency")


def test_a_preset_for_an_unregistered_engine_only_warns(tmp_path, caplog):
    write(tmp_path, "presets/discourse.yaml", "politeness:\n  concurrency: 2\n")
    write(tmp_path, "good.yaml", GOOD)

    with caplog.at_level(logging.WARNING, logger="repapp.forums.definitions"):
        definitions = load_forum_definitions(tmp_path, known_engines=ENGINES)

    assert list(definitions) == ["good"]
    assert "discourse.yaml" in caplog.text


def test_one_definition_can_be_checked_from_text():
    good = parse_forum_definition(GOOD, "forums/good.yaml", presets_folder=REPO_FORUMS / "presets")
    assert good.key == "good" and good.politeness.timeout_seconds == 30

    with pytest.raises(ForumDefinitionInvalid, match=r"^forums/good.yaml:4: engine: unknown engine"):
        parse_forum_definition(GOOD, "forums/good.yaml", known_engines={"flaskbb"})
