"""The tag vocabulary (from the tagging rules) with labels in the reader's language."""

from flask_babel import LazyString, get_locale

from ..triage.tagging import TAGS as TAG_INFO


def _label(key: str) -> str:
    """Return the tag's label in the current interface language."""
    info = TAG_INFO[key]
    return info.label_ru if str(get_locale()) == "ru" else info.label_en


TAG_LABELS = {key: LazyString(_label, key) for key in TAG_INFO}
TAGS = tuple(TAG_INFO)
