"""Read playbook files and report every problem as `PATH:LINE: field.path: message`.

ruamel.yaml's round-trip loader remembers the line of every key and list item, so a problem
found on the validated model (a pydantic error or a cross-field finding, both located by a
loc tuple) is mapped back onto the line a person has to edit.
"""

from __future__ import annotations

import datetime
import difflib
import json
import types
import typing
import warnings
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarbool import ScalarBoolean

from .checks import Finding, Loc, semantic_findings
from .schema import Playbook
from ..problems import FileProblems, Problem  # noqa: F401 - Problem stays importable from here

PLAYBOOK_SUFFIXES = (".yaml", ".yml")
SYNTAX_FIELD = "<yaml>"
DOCUMENT_FIELD = "<document>"
FILE_FIELD = "<file>"

# Pydantic type errors whose generic wording is replaced by "must be …, got …".
_EXPECTED = {
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "bool_type": "must be true or false",
    "list_type": "must be a list",
    "dict_type": "must be a mapping of keys to values",
    "model_type": "must be a mapping of keys to values",
    "model_attributes_type": "must be a mapping of keys to values",
    "date_type": "must be a date written as YYYY-MM-DD",
    "date_from_datetime_parsing": "must be a date written as YYYY-MM-DD",
    "date_parsing": "must be a date written as YYYY-MM-DD",
}


class PlaybookInvalid(FileProblems):
    """A playbook that failed validation, with every problem found."""


def field_path(loc: Loc) -> str:
    """Turn a loc tuple into a dotted path with list indexes: forums.drive2.threads[0].url."""
    path = ""
    for element in loc:
        if element == "[key]":
            continue
        if isinstance(element, int):
            path += f"[{element}]"
        else:
            path += f".{element}" if path else str(element)
    return path or DOCUMENT_FIELD


def _find_key(node: CommentedMap, name: str | int) -> Any:
    """Return the key of a mapping that a loc element names (keys may be non-strings in YAML)."""
    for key in node:
        if key == name or str(key) == str(name):
            return key
    return None


def line_for(tree: Any, loc: Loc) -> int:
    """Return the 1-based line of the deepest part of loc present in the tree."""
    line, node = 1, tree
    for element in loc:
        if isinstance(node, CommentedMap):
            key = _find_key(node, element)
            if key is None:
                break
            line, node = node.lc.key(key)[0] + 1, node[key]
        elif isinstance(node, CommentedSeq) and isinstance(element, int) and 0 <= element < len(node):
            line, node = node.lc.item(element)[0] + 1, node[element]
        else:
            break
    return line


def _strip_annotation(tp: Any) -> Any:
    """Peel Annotated[...] and Optional[...] off a type annotation."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [arg for arg in typing.get_args(tp) if arg is not type(None)]
            if len(members) != 1:
                return tp
            tp = members[0]
        else:
            return tp


def _model_at(loc: Loc) -> type[BaseModel] | None:
    """Resolve which playbook model sits at a loc, to know its allowed field names."""
    tp: Any = Playbook
    for element in loc:
        tp = _strip_annotation(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(str(element))
            if field is None:
                return None
            tp = field.annotation
        elif typing.get_origin(tp) in (list, dict):
            tp = typing.get_args(tp)[-1]
        else:
            return None
    tp = _strip_annotation(tp)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _unknown_field_message(loc: Loc) -> str:
    """Explain an unknown key, suggesting the closest allowed one."""
    name = str(loc[-1])
    model = _model_at(loc[:-1])
    if model is None:
        return f"unknown field '{name}'"
    allowed = list(model.model_fields)
    close = difflib.get_close_matches(name, allowed, n=1)
    if close:
        return f"unknown field '{name}' (did you mean '{close[0]}'?)"
    return f"unknown field '{name}' (allowed: {', '.join(allowed)})"


def _describe(value: Any) -> str:
    """Name a YAML value's kind the way a person editing the file would."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {json.dumps(value, ensure_ascii=False)}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def error_message(error: dict[str, Any]) -> str:
    """Word one pydantic error for a person editing the YAML file."""
    kind, loc = error["type"], error["loc"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return _unknown_field_message(loc)
    if kind in _EXPECTED:
        return f"{_EXPECTED[kind]}, got {_describe(error.get('input'))}"
    if kind == "playbook":
        return error["msg"]
    return error["msg"].replace("Input should be", "must be", 1).replace("Input should", "should", 1)


def _plain(node: Any, loc: Loc, findings: list[Finding]) -> Any:
    """Convert a ruamel tree into JSON-compatible data, noting values JSON cannot carry."""
    if isinstance(node, dict):
        return {str(key): _plain(value, (*loc, str(key)), findings) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain(value, (*loc, index), findings) for index, value in enumerate(node)]
    if isinstance(node, (bool, ScalarBoolean)):
        return bool(node)
    if isinstance(node, str):
        return str(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if node is None:
        return None
    if isinstance(node, datetime.datetime):
        findings.append(Finding(loc, "write a date as YYYY-MM-DD, without a time"))
        return None
    if isinstance(node, datetime.date):
        return node.isoformat()
    findings.append(Finding(loc, f"unsupported YAML value of type {type(node).__name__}"))
    return None


def _parse_yaml(text: str, source: str) -> Any:
    """Parse YAML text into a round-trip tree, turning syntax errors into problems."""
    yaml = YAML(typ="rt")
    try:
        with warnings.catch_warnings():
            # ruamel reports some dubious constructs as warnings; in a playbook they are errors.
            warnings.simplefilter("error")
            return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        message = exc.problem or exc.context or "invalid YAML"
        raise PlaybookInvalid([Problem(source, line, SYNTAX_FIELD, f"YAML syntax error: {message}")]) from None
    except (YAMLError, Warning) as exc:
        raise PlaybookInvalid([Problem(source, 1, SYNTAX_FIELD, f"YAML error: {exc}")]) from None


def _problems(tree: Any, source: str, findings: Iterable[Finding]) -> list[Problem]:
    """Place findings on their lines, in file order."""
    return sorted(
        {Problem(source, line_for(tree, finding.loc), field_path(finding.loc), finding.message) for finding in findings}
    )


def _load(text: str, source: str, known_forums: Collection[str] | None, expected_slug: str | None = None) -> Playbook:
    """Parse, type-check and rule-check a playbook, raising PlaybookInvalid with every problem."""
    tree = _parse_yaml(text, source)
    if tree is None:
        raise PlaybookInvalid([Problem(source, 1, DOCUMENT_FIELD, "the playbook is empty")])
    if not isinstance(tree, CommentedMap):
        raise PlaybookInvalid([Problem(source, 1, DOCUMENT_FIELD, "the playbook must be a mapping of sections")])
    findings: list[Finding] = []
    data = _plain(tree, (), findings)
    if findings:
        raise PlaybookInvalid(_problems(tree, source, findings))
    try:
        playbook = Playbook.from_data(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        raise PlaybookInvalid(
            _problems(tree, source, (Finding(error["loc"], error_message(error)) for error in errors))
        ) from None
    findings = semantic_findings(playbook, known_forums)
    if expected_slug is not None and playbook.client.slug != expected_slug:
        findings.append(
            Finding(("client", "slug"), f"slug '{playbook.client.slug}' does not match the file name '{expected_slug}'")
        )
    if findings:
        raise PlaybookInvalid(_problems(tree, source, findings))
    return playbook


def load_playbook_text(text: str, *, source: str = "<string>", known_forums: Collection[str] | None = None) -> Playbook:
    """Load a playbook from YAML text; skip the forum-key check when known_forums is None."""
    return _load(text, source, known_forums)


def load_playbook_file(path: str | Path, *, known_forums: Collection[str] | None = None) -> Playbook:
    """Load playbooks/<slug>.yaml, also checking that the slug matches the file name."""
    path = Path(path)
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PlaybookInvalid([Problem(source, 1, FILE_FIELD, f"cannot read: {exc.strerror or exc}")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PlaybookInvalid([Problem(source, line, FILE_FIELD, "the file is not valid UTF-8")]) from None
    return _load(text, source, known_forums, expected_slug=path.stem)


def playbook_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Expand directories into the playbook files they hold, keeping plain paths as given."""
    expanded: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            expanded.extend(sorted(p for p in path.iterdir() if p.suffix in PLAYBOOK_SUFFIXES and p.is_file()))
        else:
            expanded.append(path)
    return expanded


def validate_paths(paths: Iterable[str | Path], known_forums: Collection[str] | None = None) -> list[Problem]:
    """Validate playbook files (directories are expanded) and return every problem found."""
    problems: list[Problem] = []
    for path in playbook_paths(paths):
        try:
            load_playbook_file(path, known_forums=known_forums)
        except PlaybookInvalid as exc:
            problems.extend(exc.problems)
    return problems


def forum_keys_in(directory: str | Path) -> set[str] | None:
    """Read the forum keys defined in forums/*.yaml (`key:` or the file stem); None if there are none."""
    directory = Path(directory)
    if not directory.is_dir():
        return None
    keys = set()
    yaml = YAML(typ="safe")
    for path in sorted(p for p in directory.iterdir() if p.suffix in PLAYBOOK_SUFFIXES and p.is_file()):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                data = yaml.load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, YAMLError):
            # A broken forum definition is reported by the forum loader; its stem still names it.
            data = None
        key = data.get("key") if isinstance(data, dict) else None
        keys.add(key if isinstance(key, str) and key else path.stem)
    return keys or None
