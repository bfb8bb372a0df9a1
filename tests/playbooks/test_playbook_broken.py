"""Every broken example reports exactly one problem, on the marked line, for the named field."""

from pathlib import Path

import pytest

from repapp.playbooks.loader import PlaybookInvalid, load_playbook_file

HERE = Path(__file__).parent
BROKEN = sorted((HERE / "broken").glob("*.yaml"))
KNOWN_FORUMS = {"drive2", "drom", "e1"}
MARKER = "# <- error"


def expectation(path: Path) -> tuple[int, str, str]:
    """Read the marked line and the '# expect: field | message' header of a broken example."""
    lines = path.read_text(encoding="utf-8").splitlines()
    marked = [number for number, line in enumerate(lines, 1) if MARKER in line]
    header = next(line for line in lines if line.startswith("# expect: "))
    field, message = header.removeprefix("# expect: ").split(" | ", 1)
    assert len(marked) == 1, f"{path.name} must mark exactly one line"
    return marked[0], field, message


def test_there_is_a_broken_example_for_many_field_kinds():
    """Guard against the glob silently finding nothing."""
    assert len(BROKEN) >= 60


def test_the_base_of_the_broken_examples_is_valid():
    """The broken files differ from a valid playbook only by their defect."""
    load_playbook_file(HERE / "minimal.yaml", known_forums=KNOWN_FORUMS)


@pytest.mark.parametrize("path", BROKEN, ids=[path.stem for path in BROKEN])
def test_broken_example_reports_its_defect_on_its_line(path):
    """The single problem names the file, the marked line, the field path and the reason."""
    line, field, message = expectation(path)
    with pytest.raises(PlaybookInvalid) as caught:
        load_playbook_file(path, known_forums=KNOWN_FORUMS)
    [problem] = caught.value.problems
    assert (problem.source, problem.line, problem.field) == (str(path), line, field)
    assert message in problem.message
    assert str(problem) == f"{path}:{line}: {field}: {problem.message}"
