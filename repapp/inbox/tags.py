"""The tag vocabulary with labels people read."""

from flask_babel import lazy_gettext as _l

TAG_LABELS = {
    "question": _l("question"),
    "problem": _l("problem"),
    "complaint": _l("complaint"),
    "positive": _l("positive"),
    "negative": _l("negative"),
    "recommendation_request": _l("asks for a recommendation"),
    "newsworthy": _l("news-worthy"),
    "possible_bot": _l("possible bot"),
}
TAGS = tuple(TAG_LABELS)
