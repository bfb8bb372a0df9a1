"""Does a post read back from the forum carry the reply we approved? Pure text rules.

The approved body is what the representative typed: FlaskBB Markdown or phpBB/MyBB BBCode,
possibly opening with a quote of the post it answers. The scraped post's text is what the
forum rendered, quotes and signature left out. So both are reduced to their words:

- quoted parts of the approved body are dropped (Markdown "> " lines, [quote]…[/quote]),
  since the scraper keeps quotes apart from the post's own text;
- markup is dropped (BBCode tags, Markdown emphasis, a link's target but not its text);
- Unicode is NFKC-normalised, and words are runs of letters and digits (inner underscores kept).

A post **matches** the approved body when those word sequences are at least
MATCH_THRESHOLD alike (difflib ratio, case ignored): a forum that reflows lines, turns
quotes typographic or strips a smiley still matches; a different answer does not. The
published text **differs** when the word sequences are not identical (case kept): the
forum, a moderator or a word filter changed a word.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

__all__ = ["MATCH_THRESHOLD", "approved_words", "matches", "published_words", "similarity", "text_differs"]

MATCH_THRESHOLD = 0.85

_BB_QUOTE_OPEN = re.compile(r"\[quote(?:=[^\]]*)?\]", re.IGNORECASE)
_BB_QUOTE_CLOSE = re.compile(r"\[/quote\]", re.IGNORECASE)
_MD_QUOTE_LINE = re.compile(r"^[ \t]{0,3}>.*$", re.MULTILINE)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_BB_URL = re.compile(r"\[url=[^\]]*\](.*?)\[/url\]", re.IGNORECASE | re.DOTALL)
_BB_TAG = re.compile(r"\[/?[a-z*][a-z0-9]*(?:=[^\]]*)?\]", re.IGNORECASE)
# Letters and digits, joined by inner underscores (ivan_petrov) but not by Markdown's _emphasis_.
_WORD = re.compile(r"[^\W_]+(?:_+[^\W_]+)*")


def _without_bbcode_quotes(text: str) -> str:
    """Drop [quote]…[/quote] blocks, nested ones included."""
    out: list[str] = []
    depth = 0
    position = 0
    while position < len(text):
        opening = _BB_QUOTE_OPEN.search(text, position)
        closing = _BB_QUOTE_CLOSE.search(text, position)
        if opening is None and closing is None:
            if depth == 0:
                out.append(text[position:])
            break
        if closing is None or (opening is not None and opening.start() < closing.start()):
            if depth == 0:
                out.append(text[position:opening.start()])
            depth += 1
            position = opening.end()
        else:
            if depth == 0:
                out.append(text[position:closing.start()])  # a stray closing tag: keep the text
            depth = max(0, depth - 1)
            position = closing.end()
    return "".join(out)


def _words(text: str) -> list[str]:
    """Return the words of a text, NFKC-normalised."""
    return _WORD.findall(unicodedata.normalize("NFKC", text))


def approved_words(body: str) -> list[str]:
    """Return the words of an approved body as readers will see them, quotes left out."""
    text = _without_bbcode_quotes(body)
    text = _MD_QUOTE_LINE.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _BB_URL.sub(r"\1", text)
    text = _BB_TAG.sub(" ", text)
    return _words(text)


def published_words(text: str) -> list[str]:
    """Return the words of a post's text as the scraper stored it."""
    return _words(text)


def similarity(body: str, post_text: str) -> float:
    """Return how alike (0..1) the approved body and a published text are, case ignored."""
    ours = [w.casefold() for w in approved_words(body)]
    theirs = [w.casefold() for w in published_words(post_text)]
    if not ours and not theirs:
        return 1.0
    return SequenceMatcher(None, ours, theirs, autojunk=False).ratio()


def matches(body: str, post_text: str) -> bool:
    """Tell whether a published post carries the approved body."""
    return similarity(body, post_text) >= MATCH_THRESHOLD


def text_differs(body: str, post_text: str) -> bool:
    """Tell whether the published words differ from the approved ones at all."""
    return approved_words(body) != published_words(post_text)
