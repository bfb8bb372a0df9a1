"""`repapp playbook validate`: paths in, problem lines out, exit 0 or 1."""

import re
from pathlib import Path

from click.testing import CliRunner
from flask import Flask

from repapp.playbooks.cli import init_app, playbook_group, validate_command

HERE = Path(__file__).parent
EXAMPLES = Path(__file__).parents[2] / "playbooks"
FORUMS = HERE / "forums"
LINE_RE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): (?P<field>[^:]+): (?P<message>.+)$")


def run(*args):
    """Invoke the validate command directly, as the app's CLI would."""
    return CliRunner().invoke(validate_command, [str(arg) for arg in args])


def test_valid_files_exit_zero_and_print_no_problem():
    """Success prints nothing on stdout; a summary goes to stderr."""
    result = run("--forums-dir", FORUMS, HERE / "minimal.yaml")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "1 playbook file(s) valid" in result.stderr


def test_examples_are_valid_when_forum_keys_are_not_checked(tmp_path):
    """With no forum definitions the forum-key check is skipped, and says so."""
    result = run("--forums-dir", tmp_path, EXAMPLES)
    assert result.exit_code == 0, result.output
    assert "3 playbook file(s) valid (forum keys not checked" in result.stderr


def test_default_forums_dir_is_the_repository_forums_folder():
    """Without --forums-dir the keys come from forums/ beside the app, and the examples pass."""
    result = run(EXAMPLES)
    assert result.exit_code == 0, result.output
    assert "3 playbook file(s) valid\n" in result.stderr


def test_broken_files_print_one_line_per_problem_and_exit_one():
    """Every line is PATH:LINE: field: message and names its file."""
    broken = sorted((HERE / "broken").glob("*.yaml"))
    result = run("--forums-dir", FORUMS, *broken)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == len(broken)
    for line, path in zip(lines, broken, strict=True):
        match = LINE_RE.match(line)
        assert match, line
        assert match["path"] == str(path)


def test_unknown_forum_is_reported_from_the_forums_dir():
    """Forum keys are read from --forums-dir."""
    path = HERE / "broken" / "unknown-forum.yaml"
    result = run("--forums-dir", FORUMS, path)
    assert result.exit_code == 1
    assert "forums.drive3: unknown forum 'drive3' (did you mean 'drive2'?)" in result.stdout


def test_missing_file_is_a_problem_line():
    """A path that does not exist is reported in the same format, exit 1."""
    result = run("--forums-dir", FORUMS, HERE / "absent.yaml")
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{HERE / 'absent.yaml'}:1: <file>: cannot read")


def test_paths_are_required():
    """Without paths click refuses with a usage error."""
    assert run().exit_code == 2


def test_init_app_registers_the_group():
    """The app's CLI gains `playbook validate`."""
    app = Flask(__name__)
    init_app(app)
    assert app.cli.commands["playbook"] is playbook_group
    assert "validate" in playbook_group.commands
