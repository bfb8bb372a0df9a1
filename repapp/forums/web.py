"""Forum pages: every forum's health (last good read, errors, broken layout) for admins and PR."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, render_template
from sqlalchemy import func, select

from ..access import MANAGERS, roles_required
from ..extensions import db
from ..models import Forum, WatchedThread
from ..pagination import paginate
from ..posting.engines import manual_reason
from ..scraping.engines import ENGINES
from .definitions import ForumDefinitionInvalid
from .registry import forum_definitions

bp = Blueprint("forums", __name__, url_prefix="/forums")


@roles_required(*MANAGERS)
def forum_list():
    """List forums with their health, broken ones first."""
    page = paginate(select(Forum).order_by(Forum.layout_broken_at.is_(None), Forum.name))
    counts = dict(db.session.execute(
        select(WatchedThread.forum_id, func.count()).where(WatchedThread.is_active).group_by(WatchedThread.forum_id)
    ).all())
    return render_template("forums/list.html", page=page, counts=counts)


@roles_required(*MANAGERS)
def forum_detail(forum_key: str):
    """Show one forum's definition and health."""
    forum = db.session.scalar(select(Forum).where(Forum.key == forum_key)) or abort(404)
    threads = paginate(select(WatchedThread).where(WatchedThread.forum_id == forum.id).order_by(WatchedThread.title))
    engine = ENGINES.get(forum.engine)
    return render_template("forums/detail.html", forum=forum, threads=threads,
                           capabilities=sorted(engine.capabilities) if engine else [],
                           posts_here=_repapp_posts_here(forum.key))


def _repapp_posts_here(forum_key: str) -> bool | None:
    """Tell whether repapp posts replies on the forum (None: its definition cannot be read now)."""
    try:
        definition = forum_definitions().get(forum_key)
    except ForumDefinitionInvalid:
        return None
    return definition is not None and manual_reason(definition) is None


bp.add_url_rule("", view_func=forum_list)
bp.add_url_rule("/<forum_key>", view_func=forum_detail)


def init_app(app: Flask) -> None:
    """Register the forum pages."""
    app.register_blueprint(bp)
