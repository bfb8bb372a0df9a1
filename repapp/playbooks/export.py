"""Write a playbook back to its file format, canonically.

The canonical dump is deterministic — fields in model order, forum keys sorted, KPI keys in
their enum order, unset optional fields left out, multi-line texts as `|` blocks — so the
same playbook always gives the same bytes. The content hash is taken over the canonical JSON
of the data instead, so that a YAML emitter upgrade cannot make an unchanged playbook look edited.

`compose_with_section` rebuilds a playbook's text with one section written by a person (the
UI's per-section editor), remembering where their free YAML landed so problems map back to it.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import textwrap
from collections.abc import Collection
from dataclasses import dataclass
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
    """Return the SHA-256 of the playbook's canonical JSON, to tell whether content changed."""
    canonical = json.dumps(pb.to_data(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def write_playbook(pb: Playbook, path: str | Path) -> Path:
    """Write the canonical dump to a file as UTF-8 with LF line ends."""
    path = Path(path)
    path.write_text(dump_playbook(pb), encoding="utf-8", newline="\n")
    return path


def dump_fragment(value: Any, *, fields: Collection[str] | None = None) -> str:
    """Return the canonical YAML of a part of a playbook (a model, list or mapping), unindented.

    With `fields`, only those fields of a model are written (in model order); empty optional
    ones are left out as in the full dump. An empty part gives "".
    """
    node = _node(value)
    if fields is not None:
        node = CommentedMap((key, item) for key, item in node.items() if key in fields)
    if _is_empty(node):
        return ""
    stream = io.StringIO()
    _yaml().dump(node, stream)
    return textwrap.dedent(stream.getvalue()).rstrip("\n") + "\n"


@dataclass(frozen=True)
class ComposedText:
    """A playbook's text with one section replaced, and where the person's free YAML sits in it."""

    text: str
    free_first_line: int  # 1-based line of the free YAML's first line (0: there is none)
    free_line_count: int

    def free_line(self, line: int) -> int | None:
        """Return the line within the free YAML for a line of the whole text, or None if outside it."""
        if self.free_first_line and self.free_first_line <= line < self.free_first_line + self.free_line_count:
            return line - self.free_first_line + 1
        return None


def compose_with_section(
    pb: Playbook, path: tuple[str, ...], structured: dict[str, Any] | None, free_yaml: str = ""
) -> ComposedText:
    """Return the playbook's YAML with the section at `path` rebuilt from form values and free YAML.

    `path` is a top-level section ("kpis",) or one forum ("forums", key), which may be new.
    `structured` holds plain values from form fields; `free_yaml` the rest of the section as a
    person typed it (a mapping, or a list for list sections). `structured=None` with no free
    YAML removes the section (a forum dropped from the playbook). The result is meant for the
    loader, which finds every problem in it, structured or typed.
    """
    lines: list[str] = []
    free = free_yaml.strip("\n")
    free_at = [0]

    def body(indent: str) -> list[str]:
        """Return the edited section's lines at an indent, noting where the free YAML starts."""
        out = [indent + line if line else line for line in dump_fragment(structured or {}).splitlines()]
        if free.strip():
            free_at[0] = len(lines) + len(out) + 1
            out += [indent + line if line.strip() else "" for line in free.splitlines()]
        return out

    for index, name in enumerate(type(pb).model_fields):
        value = getattr(pb, name)
        start = len(lines)
        if index:
            lines.append("")
        if name == path[0] and len(path) == 1:
            if structured is None and not free.strip():
                del lines[start:]
                continue
            lines.append(f"{name}:")
            lines.extend(body("  "))
        elif name == path[0]:
            lines.append(f"{name}:")
            for key in sorted({*value, path[1]}):
                if key == path[1]:
                    if structured is None and not free.strip():
                        continue
                    lines.append(f"  {key}:")
                    lines.extend(body("    "))
                else:
                    lines.extend("  " + line for line in dump_fragment({key: value[key]}).splitlines())
        else:
            fragment = dump_fragment({name: value})
            if not fragment:
                del lines[start:]
                continue
            lines.extend(fragment.splitlines())
    free_count = len(free.splitlines()) if free_at[0] else 0
    return ComposedText("\n".join(lines) + "\n", free_at[0], free_count)
