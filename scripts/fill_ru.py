"""Fill Russian translations from a file holding a Python dict literal {msgid: translation}.

Usage: .venv/bin/python scripts/fill_ru.py NEW_TRANSLATIONS.py && scripts/i18n
Prints the msgids that still have no translation.
"""

import ast
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOG = Path(__file__).resolve().parent.parent / "repapp/translations/ru/LC_MESSAGES/messages.po"


def main(path: str) -> None:
    """Merge the translations into the catalog and list what is still missing."""
    translations = ast.literal_eval(Path(path).read_text(encoding="utf-8"))
    with open(CATALOG, "rb") as f:
        catalog = read_po(f, locale="ru")
    missing = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in translations:
            message.string = translations[key]
        message.flags.discard("fuzzy")
        if not message.string:
            missing.append(key)
    with open(CATALOG, "wb") as f:
        write_po(f, catalog, width=100, no_location=True, sort_output=True)
    print(f"missing: {len(missing)}")
    for key in missing:
        print(repr(key))


if __name__ == "__main__":
    main(sys.argv[1])
