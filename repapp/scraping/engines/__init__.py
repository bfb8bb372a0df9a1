"""Engine registry: forum definitions name an engine by key; capabilities say what it can do."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import Engine
from .flaskbb import FlaskBBEngine
from .mybb import MyBBEngine
from .phpbb import PhpBBEngine

__all__ = ["ENGINES", "Engine", "get_engine"]

ENGINES: dict[str, type[Engine]] = {
    engine.key: engine for engine in (FlaskBBEngine, PhpBBEngine, MyBBEngine)
}


def get_engine(key: str, options: Mapping[str, Any] | None = None) -> Engine:
    """Return an engine instance for `key`, configured with the forum's engine options."""
    try:
        engine_class = ENGINES[key]
    except KeyError:
        known = ", ".join(sorted(ENGINES))
        raise KeyError(f"unknown forum engine {key!r}; known engines: {known}") from None
    return engine_class(options)
