"""Fill locale/<lang>/LC_MESSAGES/django.po from a Python dict of msgid -> msgstr, then
compile the .mo. For translators working from a table (a dict module) rather than a .po
editor: `python scripts/translations_fill.py es path/to/table.py` (the module defines ES, or
the upper-cased language code). Entries already translated are overwritten by the table."""

import runpy
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main(language: str, table_path: str) -> int:
    table = runpy.run_path(table_path)[language.upper()]
    po_path = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
    catalog = polib.pofile(str(po_path), wrapwidth=100)
    catalog.metadata_is_fuzzy = False
    catalog.metadata.update(
        {
            "Project-Id-Version": "okrtracker",
            "Language": language,
            "Language-Team": f"okrtracker {language}",
            "Content-Type": "text/plain; charset=UTF-8",
        }
    )
    for entry in catalog:
        if entry.msgid in table:
            entry.msgstr = table[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    catalog.save(str(po_path))
    catalog.save_as_mofile(str(po_path.with_suffix(".mo")))
    missing = [e.msgid for e in catalog if not e.msgstr and not e.obsolete]
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
