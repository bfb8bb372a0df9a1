"""Engine registry: forum definitions name an engine by key; capabilities say what it can do."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import Engine
from .discourse import DiscourseEngine
from .flaskbb import FlaskBBEngine
from .generic import GenericEngine
from .invision import InvisionEngine
from .mybb import MyBBEngine
from .phpbb import PhpBBEngine
from .smf import SMFEngine
from .vbulletin import VBulletinEngine
from .xenforo import XenForoEngine

__all__ = ["ENGINES", "Engine", "UnknownEngineError", "get_engine"]

ENGINES: dict[str, type[Engine]] = {engine.key: engine for engine in (
    FlaskBBEngine, PhpBBEngine, MyBBEngine, VBulletinEngine, XenForoEngine, InvisionEngine, SMFEngine,
    DiscourseEngine, GenericEngine)}


class UnknownEngineError(KeyError):
    """A forum definition names an engine that is not registered."""

    def __str__(self) -> str:
        """Show the message itself, not KeyError's quoted repr of it."""
        return str(self.args[0])


def get_engine(key: str, options: Mapping[str, Any] | None = None) -> Engine:
    """Return an engine instance for `key`, configured with the forum's engine options."""
    try:
        engine_class = ENGINES[key]
    except KeyError:
        known = ", ".join(sorted(ENGINES))
        raise UnknownEngineError(f"unknown forum engine {key!r}; known engines: {known}") from None
    return engine_class(options)
