"""HTML forms as a browser sees them: find one on a page, fill it, serialise it.

Forum forms carry tokens (csrf_token, form_token, my_post_key, posthash, sid…) that must be
sent back exactly as served, so a form is always posted whole, the way a browser would:
every successful control in document order, the named values replaced, one submit button.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode, urljoin

import lxml.html
from lxml import etree

from ..scraping.engines.base import detect_encoding

__all__ = ["HtmlForm", "find_form", "first_text", "has_field", "has_link", "meta_refresh_url", "parse_page"]

Element = lxml.html.HtmlElement


def parse_page(body: bytes, encoding: str | None = None) -> Element:
    """Parse a page's bytes; an empty page parses to an empty document, not an error."""
    charset = detect_encoding(body, encoding)
    parser = lxml.html.HTMLParser(encoding=charset)
    if not body.strip():
        return lxml.html.document_fromstring("<html></html>")
    try:
        return lxml.html.document_fromstring(body, parser=parser)
    except (etree.ParserError, ValueError):
        return lxml.html.document_fromstring("<html></html>")


@dataclass(frozen=True)
class HtmlForm:
    """One form: where it posts, its successful controls in order, and its submit buttons."""

    action: str  # absolute URL
    method: str
    fields: tuple[tuple[str, str], ...]
    submits: tuple[tuple[str, str], ...]
    encoding: str  # the page's: browsers encode form data in it

    def value(self, name: str) -> str | None:
        """Return a field's value as PHP reads it: the last one of that name."""
        found = [v for n, v in self.fields if n == name]
        return found[-1] if found else None

    @property
    def names(self) -> frozenset[str]:
        """Return the names of the form's fields (submit buttons apart)."""
        return frozenset(n for n, _ in self.fields)

    def filled(self, values: Mapping[str, str], submit: str | None = None) -> list[tuple[str, str]]:
        """Return the fields with `values` put in (added where missing) and the named submit button."""
        out = [(n, values[n]) if n in values else (n, v) for n, v in self.fields]
        out += [(n, v) for n, v in values.items() if n not in self.names]
        if submit is not None:
            button = next((b for b in self.submits if b[0] == submit), None)
            out.append(button if button is not None else (submit, ""))
        return out

    def encode(self, fields: Iterable[tuple[str, str]]) -> bytes:
        """Encode fields as application/x-www-form-urlencoded in the page's encoding."""
        # As browsers do: a character the page's encoding lacks becomes a numeric reference.
        return urlencode(list(fields), encoding=self.encoding, errors="xmlcharrefreplace").encode("ascii")


def _submits(form: Element) -> tuple[tuple[str, str], ...]:
    """Return the form's named submit buttons (input type=submit/image and button)."""
    found = []
    for node in form.iter("input", "button"):
        name = node.get("name")
        if not name or node.get("disabled") is not None:
            continue
        kind = (node.get("type") or ("submit" if node.tag == "button" else "text")).lower()
        if kind in ("submit", "image"):
            found.append((name, node.get("value") or ""))
    return tuple(found)


_NOT_SENT_TYPES = frozenset({"submit", "image", "reset", "file", "button"})


def _successful_controls(form: lxml.html.FormElement) -> tuple[tuple[str, str], ...]:
    """Return what a browser sends for the form untouched: named, enabled, checked controls, in order."""
    fields = []
    for node in form.inputs:  # select, input and textarea in document order
        name = node.get("name")
        if not name or node.get("disabled") is not None:
            continue
        if node.tag == "textarea":
            fields.append((name, node.value or ""))
        elif node.tag == "select":
            value = node.value
            values = list(value) if node.multiple else ([] if value is None else [value])
            fields += [(name, v) for v in values]
        else:
            kind = (node.get("type") or "text").lower()
            if kind in _NOT_SENT_TYPES or (kind in ("checkbox", "radio") and node.get("checked") is None):
                continue
            # An input without a value attribute is sent empty (a checked box as "on").
            fields.append((name, node.get("value", "on" if kind in ("checkbox", "radio") else "")))
    return tuple(fields)


def find_form(
    doc: Element, page_url: str, wanted: Callable[[Element], bool], *, encoding: str = "utf-8"
) -> HtmlForm | None:
    """Return the first form for which `wanted(form)` is true, or None."""
    for form in doc.iter("form"):
        if not isinstance(form, lxml.html.FormElement) or not wanted(form):
            continue
        return HtmlForm(
            action=urljoin(page_url, form.get("action") or page_url),
            method=(form.get("method") or "get").lower(),
            fields=_successful_controls(form),
            submits=_submits(form),
            encoding=encoding,
        )
    return None


def has_field(form: Element, name: str, value: str | None = None) -> bool:
    """Tell whether a form holds a control of that name (and value, if given)."""
    for node in form.iter("input", "textarea", "select"):
        if node.get("name") == name and (value is None or node.get("value") == value):
            return True
    return False


def has_link(doc: Element, *fragments: str) -> bool:
    """Tell whether the page links to an address containing every fragment (a logout link, say)."""
    for node in doc.iter("a"):
        href = node.get("href") or ""
        if all(fragment in href for fragment in fragments):
            return True
    return False


def first_text(doc: Element, xpath: str) -> str:
    """Return the whitespace-collapsed text of the first node the XPath finds, or ""."""
    for node in doc.xpath(xpath):
        text = " ".join(node.text_content().split())
        if text:
            return text
    return ""


def meta_refresh_url(doc: Element, page_url: str) -> str | None:
    """Return the absolute URL a <meta http-equiv="refresh"> sends the browser to, if any."""
    for meta in doc.iter("meta"):
        if (meta.get("http-equiv") or "").lower() != "refresh":
            continue
        content = meta.get("content") or ""
        _, _, target = content.partition(";")
        target = target.strip()
        if target.lower().startswith("url="):
            target = target[4:].strip().strip("'\"")
        if target:
            return urljoin(page_url, target)
    return None
