"""playbooks/README.md documents every field of the format and every KPI key."""

import re
import typing
from pathlib import Path

from pydantic import BaseModel

from repapp.playbooks.checks import BUILTIN_VARIABLES
from repapp.playbooks.schema import Action, KpiKey, Playbook

README = (Path(__file__).parents[2] / "playbooks" / "README.md").read_text(encoding="utf-8")


def models(model: type[BaseModel], seen: set) -> set:
    """Collect a model and every model nested in its fields."""
    seen.add(model)
    for field in model.model_fields.values():
        stack = [field.annotation]
        while stack:
            tp = stack.pop()
            if isinstance(tp, type) and issubclass(tp, BaseModel) and tp not in seen:
                models(tp, seen)
            stack.extend(typing.get_args(tp))
    return seen


def test_every_field_is_documented():
    """Each field name appears in a backticked path: `name`, `parent.name`, `name.child`, `name[]…`."""
    missing = sorted(
        f"{model.__name__}.{name}"
        for model in models(Playbook, set())
        for name in model.model_fields
        if not re.search(rf"[`.]{name}[`.\[]", README)
    )
    assert missing == []


def test_every_kpi_action_and_builtin_is_documented():
    """KPI keys, situation actions and built-in variables are listed by name."""
    names = [f"`{key.value}`" for key in KpiKey] + [f"`{action.value}`" for action in Action]
    names += [f"`{{{name}}}`" for name in BUILTIN_VARIABLES]
    assert [name for name in names if name not in README] == []
