"""A forum's page says what its engine can do and who posts the replies there."""

from __future__ import annotations

import pytest

from repapp.bootstrap import sync_forums
from repapp.extensions import db


@pytest.mark.parametrize(("key", "can", "replies"), [
    ("pc-master", "<code>login</code>, <code>post</code>, <code>read</code>, <code>stats</code>",
     "posted by repapp within the limits"),
    ("kyiv-home", "<code>read</code>, <code>stats</code>", "posted by hand, their links pasted into repapp"),
    ("abonent-club", "<code>read</code>, <code>stats</code>", "posted by hand, their links pasted into repapp"),
])
def test_engine_capabilities_and_who_posts(app, world, login_as, key, can, replies):
    """vBulletin posts through repapp; Invision and the generic engine leave replies to a person."""
    sync_forums(db.session, app.config["FORUMS_DIR"])
    db.session.commit()
    page = login_as("admin").get(f"/forums/{key}").get_data(as_text=True)
    assert f"can {can}" in page
    assert replies in page


def test_the_same_in_russian(app, world, login_as):
    """An administrator who reads Russian gets the new words in Russian."""
    sync_forums(db.session, app.config["FORUMS_DIR"])
    world.user("admin").locale = "ru"
    db.session.commit()
    page = login_as("admin").get("/forums/kyiv-home").get_data(as_text=True)
    assert "Ответы" in page and "публикуются вручную, ссылки вставляются в repapp" in page
    assert "умеет <code>read</code>" in page and "posted by hand" not in page
