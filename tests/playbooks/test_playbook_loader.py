"""Loading: problems carry file, line and field; the public API behaves as documented."""

from pathlib import Path

import pytest

from repapp.playbooks.loader import (
    PlaybookInvalid,
    Problem,
    field_path,
    forum_keys_in,
    load_playbook_file,
    load_playbook_text,
    validate_paths,
)

HERE = Path(__file__).parent
MINIMAL_TEXT = (HERE / "minimal.yaml").read_text(encoding="utf-8")


def problems_of(text: str, **kwargs) -> list[Problem]:
    """Load text that must be invalid and return its problems."""
    with pytest.raises(PlaybookInvalid) as caught:
        load_playbook_text(text, source="pb.yaml", **kwargs)
    return caught.value.problems


def line_of(text: str, fragment: str) -> int:
    """Return the 1-based number of the only line containing fragment."""
    [number] = [n for n, line in enumerate(text.splitlines(), 1) if fragment in line]
    return number


def test_problem_prints_as_one_line():
    """PATH:LINE: field: message, the format editors and grep understand."""
    problem = Problem("playbooks/x.yaml", 12, "forums.drive2.posting_limits.per_day", "must be a whole number")
    assert str(problem) == "playbooks/x.yaml:12: forums.drive2.posting_limits.per_day: must be a whole number"


def test_playbook_invalid_message_lists_every_problem():
    """The exception text is the problem lines, so a traceback already says what is wrong."""
    error = PlaybookInvalid([Problem("a", 1, "x", "m1"), Problem("a", 2, "y", "m2")])
    assert str(error) == "a:1: x: m1\na:2: y: m2"


def test_field_path_uses_dots_and_list_indexes():
    """Keys are dotted, list positions bracketed, pydantic's key marker dropped."""
    assert field_path(("forums", "drive2", "threads", 0, "url")) == "forums.drive2.threads[0].url"
    assert field_path(("kpis", "targets", "viewz", "[key]")) == "kpis.targets.viewz"
    assert field_path(()) == "<document>"


def test_all_problems_are_reported_in_line_order():
    """Several defects give several lines, sorted by line."""
    text = MINIMAL_TEXT.replace("per_day: 3", "per_day: x").replace("timezone: Europe/Moscow", "timezone: Mars/Base")
    problems = problems_of(text)
    assert [problem.field for problem in problems] == ["client.timezone", "forums.drive2.posting_limits.per_day"]
    assert [problem.line for problem in problems] == [line_of(text, "timezone:"), line_of(text, "per_day:")]


def test_empty_document():
    """An empty file is one problem on line 1."""
    assert [str(p) for p in problems_of("# nothing yet\n")] == ["pb.yaml:1: <document>: the playbook is empty"]


def test_document_that_is_a_list():
    """The top level must be a mapping of sections."""
    [problem] = problems_of("- client\n- forums\n")
    assert (problem.line, problem.field) == (1, "<document>")


def test_syntax_error_points_at_its_line():
    """A YAML error is reported on the line the parser stopped at."""
    text = MINIMAL_TEXT.replace("  name: Тест Авто\n", "  name: [Тест Авто\n")
    [problem] = problems_of(text)
    assert problem.field == "<yaml>"
    assert problem.message.startswith("YAML syntax error:")
    assert line_of(text, "name: [Тест Авто") <= problem.line <= line_of(text, "name: [Тест Авто") + 2


def test_error_in_inline_list_points_at_that_line():
    """An item of a [flow, list] spread over lines is found on its own line."""
    text = MINIMAL_TEXT.replace("    keywords: [купить, цена]\n", "    keywords: [купить,\n      42]\n")
    [problem] = problems_of(text)
    assert (problem.field, problem.line) == ("topics[0].keywords[1]", line_of(text, "      42]"))
    assert problem.message == "must be text, got the number 42"


def test_missing_field_points_at_its_parent():
    """A required field that is absent is reported on the line of the mapping that lacks it."""
    text = MINIMAL_TEXT.replace("    days: working\n", "")
    [problem] = problems_of(text)
    assert (problem.field, problem.line) == ("regulations.response_time.days", line_of(text, "response_time:"))


def test_unknown_field_lists_allowed_names_when_nothing_is_close():
    """Without a near miss the message says which fields exist."""
    text = MINIMAL_TEXT.replace("    may_start_threads: false\n", "    may_start_threads: false\n    колор: red\n")
    [problem] = problems_of(text)
    assert problem.field == "forums.drive2.колор"
    assert "allowed: account, threads, may_start_threads" in problem.message


def test_unknown_forum_is_checked_only_when_forums_are_known():
    """known_forums=None skips the check; a set enables it."""
    load_playbook_text(MINIMAL_TEXT, known_forums=None)
    [problem] = problems_of(MINIMAL_TEXT, known_forums={"drom"})
    assert (problem.field, problem.line) == ("forums.drive2", line_of(MINIMAL_TEXT, "  drive2:"))
    assert problem.message == "unknown forum 'drive2' (known: drom)"


def test_quoted_date_is_accepted_like_a_plain_one():
    """A date in quotes is still a date: people quote values out of caution."""
    text = MINIMAL_TEXT.replace("everything_until: 2024-03-31", "everything_until: '2024-03-31'")
    assert load_playbook_text(text) == load_playbook_text(MINIMAL_TEXT)


def test_control_characters_are_rejected():
    """An invisible control character in a text would not survive export."""
    text = MINIMAL_TEXT.replace("    - Обращаемся на «вы».", '    - "Обращаемся\\x07 на «вы»."')
    [problem] = problems_of(text)
    assert problem.field == "content.tone[0]"
    assert "U+0007" in problem.message


def test_file_not_utf8(tmp_path):
    """A file in another encoding is reported on the line of the first bad byte."""
    path = tmp_path / "minimal.yaml"
    path.write_bytes(MINIMAL_TEXT.encode("cp1251"))
    with pytest.raises(PlaybookInvalid) as caught:
        load_playbook_file(path)
    [problem] = caught.value.problems
    assert (problem.field, problem.message) == ("<file>", "the file is not valid UTF-8")
    first_cyrillic = next(n for n, line in enumerate(MINIMAL_TEXT.splitlines(), 1) if not line.isascii())
    assert problem.line == first_cyrillic


def test_validate_paths_expands_folders_and_reports_missing_files(tmp_path):
    """A folder means its *.yaml files; a missing path is a problem, not a crash."""
    (tmp_path / "minimal.yaml").write_text(MINIMAL_TEXT, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a playbook", encoding="utf-8")
    assert validate_paths([tmp_path]) == []
    [problem] = validate_paths([tmp_path / "absent.yaml"])
    assert (problem.source, problem.line, problem.field) == (str(tmp_path / "absent.yaml"), 1, "<file>")


def test_forum_keys_come_from_key_or_file_stem():
    """`key:` wins; without it the file name names the forum."""
    assert forum_keys_in(HERE / "forums") == {"drive2", "drom", "e1"}


def test_forum_keys_of_an_empty_or_missing_folder_are_none(tmp_path):
    """None tells callers to skip the forum-key check."""
    assert forum_keys_in(tmp_path) is None
    assert forum_keys_in(tmp_path / "absent") is None


def test_broken_forum_definition_still_names_its_forum(tmp_path):
    """A forum file that does not parse counts under its file name."""
    (tmp_path / "ngs.yaml").write_text("key: [unclosed\n", encoding="utf-8")
    assert forum_keys_in(tmp_path) == {"ngs"}
