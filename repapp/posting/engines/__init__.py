"""Posters by engine key; a forum gets one only if its engine and its definition both allow posting."""

from __future__ import annotations

from ...forums.definitions import ForumDefinition
from ...scraping.engines import ENGINES
from .base import Poster, SentPost
from .discourse import DiscoursePoster
from .flaskbb import FlaskBBPoster
from .mybb import MyBBPoster
from .phpbb import PhpBBPoster
from .smf import SMFPoster
from .vbulletin import VBulletinPoster
from .xenforo import XenForoPoster

__all__ = [
    "POSTERS", "DiscoursePoster", "FlaskBBPoster", "MyBBPoster", "PhpBBPoster", "Poster", "SMFPoster",
    "SentPost", "VBulletinPoster", "XenForoPoster", "manual_reason", "poster_for",
]

# Invision and the generic engine have no poster: their replies are posted by hand.
POSTERS: dict[str, type[Poster]] = {poster.key: poster for poster in (
    FlaskBBPoster, PhpBBPoster, MyBBPoster, VBulletinPoster, XenForoPoster, SMFPoster, DiscoursePoster)}


def manual_reason(definition: ForumDefinition | None) -> str | None:
    """Return why replies on this forum must be posted by hand, or None if repapp can post them."""
    if definition is None:
        return "the forum has no definition in forums/"
    engine = ENGINES.get(definition.engine)
    if engine is None or "post" not in engine.capabilities or definition.engine not in POSTERS:
        return f"the {definition.engine} engine cannot post"
    if not (definition.capabilities.post and definition.capabilities.login):
        return "the forum's definition does not allow posting"
    return None


def poster_for(definition: ForumDefinition) -> Poster | None:
    """Return the poster for a forum, or None when replies there are posted by hand."""
    if manual_reason(definition) is not None:
        return None
    return POSTERS[definition.engine](definition.encoding)
