"""Write a playbook back to its file format, canonically.

The canonical dump is deterministic — fields in model order, forum keys sorted, KPI keys in
their enum order, unset optional fields left out, multi-line texts as `|` blocks — so the
same playbook always gives the same bytes, and its hash tells whether content changed.
"""

from __future__ import annotations

import hashlib
import io
import re
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString, SingleQuotedScalarString

from .schema import Playbook

# Lists of short scalars read better inline: keywords: [тест-драйв, тестдрайв].
_FLOW_LIST_MAX_CHARS = 80
_SAFE_FLOW_PLAIN_RE = re.compile(r"[^\W_](?:[\w .«»№()+*?/\\-]*[\w.«»№()+*?/\\])?")
_TOP_LEVEL_KEY_RE = re.compile(r"^(?=[A-Za-z_])", re.MULTILINE)


def _literal_ok(text: str) -> bool:
    """Tell whether a multi-line text survives a `|` block scalar unchanged."""
    lines = text.split("\n")
    return (
        all(line.isprintable() and line == line.rstrip() for line in lines)
        and not text.startswith((" ", "\n"))
        # Trailing blank lines need "|+", which would swallow the blank line between sections.
        and not text.endswith("\n\n")
    )


def _is_empty(node: Any) -> bool:
    """Tell whether a dumped value carries nothing (and may be left out when optional)."""
    return node is None or (isinstance(node, (dict, list)) and not node)


def _sort_key(key: Any) -> tuple[int, str]:
    """Order mapping keys: enum keys as declared, text keys alphabetically."""
    if isinstance(key, Enum):
        return list(type(key)).index(key), ""
    return 0, str(key)


def _scalar_list(items: list[Any]) -> bool:
    """Tell whether a list is short single-line scalars, to be written inline."""
    if not items or not all(isinstance(item, (str, int, float)) and not isinstance(item, Enum) for item in items):
        return False
    if any(isinstance(item, str) and "\n" in item for item in items):
        return False
    return sum(len(str(item)) + 2 for item in items) <= _FLOW_LIST_MAX_CHARS


def _flow_item(item: Any) -> Any:
    """Quote an inline list item unless it is plainly safe: ruamel misjudges some (a leading '?')."""
    if isinstance(item, str) and not _SAFE_FLOW_PLAIN_RE.fullmatch(item):
        return SingleQuotedScalarString(item)
    return item


def _node(value: Any) -> Any:
    """Convert a model value into the ruamel tree of its canonical form."""
    if isinstance(value, BaseModel):
        mapping = CommentedMap()
        for name, field in type(value).model_fields.items():
            node = _node(getattr(value, name))
            if _is_empty(node) and not field.is_required():
                continue
            mapping[name] = node
        return mapping
    if isinstance(value, dict):
        mapping = CommentedMap()
        for key in sorted(value, key=_sort_key):
            mapping[_node(key)] = _node(value[key])
        return mapping
    if isinstance(value, list):
        seq = CommentedSeq(_node(item) for item in value)
        if _scalar_list(seq):
            seq = CommentedSeq(_flow_item(item) for item in seq)
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, str) and "\n" in value and _literal_ok(value):
        return LiteralScalarString(value)
    return value


def _yaml() -> YAML:
    """Configure the emitter for readable, stable output."""
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # never fold long Russian sentences: diffs stay one line per change
    yaml.allow_unicode = True
    return yaml


def dump_playbook(pb: Playbook) -> str:
    """Return the canonical YAML text of a playbook."""
    stream = io.StringIO()
    _yaml().dump(_node(pb), stream)
    text = stream.getvalue()
    # A blank line between top-level sections; block scalars are always indented, so a line
    # starting with a letter can only be a top-level key.
    return _TOP_LEVEL_KEY_RE.sub("\n", text).lstrip("\n")


def playbook_content_hash(pb: Playbook) -> str:
    """Return the SHA-256 of the canonical dump, to tell whether content changed."""
    return hashlib.sha256(dump_playbook(pb).encode("utf-8")).hexdigest()


def write_playbook(pb: Playbook, path: str | Path) -> Path:
    """Write the canonical dump to a file as UTF-8 with LF line ends."""
    path = Path(path)
    path.write_text(dump_playbook(pb), encoding="utf-8", newline="\n")
    return path
