"""Russian is complete for every UI string that exists, and the compiled catalog is current."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "repapp/translations/ru/LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
METHODS = [("repapp/**.py", "python"), ("templates/**.html", "jinja2")]


def _source_messages() -> set[str]:
    """Extract every translatable string from the code and templates."""
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_ui_string_has_a_russian_translation():
    """A string added without running scripts/i18n and translating it fails here."""
    with open(CATALOG / "messages.po", "rb") as f:
        catalog = read_po(f, locale="ru")
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and m.string}
    missing = sorted(_source_messages() - translated)
    assert missing == [], f"untranslated (run scripts/i18n, then translate): {missing[:10]}"


def test_compiled_catalog_matches_the_po_file():
    """The .mo the app loads carries exactly the .po's translations."""
    with open(CATALOG / "messages.po", "rb") as f:
        po = {m.id: m.string for m in read_po(f, locale="ru") if m.id}
    with open(CATALOG / "messages.mo", "rb") as f:
        mo = {m.id: m.string for m in read_mo(f) if m.id}
    assert mo == po, "run scripts/i18n to recompile the catalog"
