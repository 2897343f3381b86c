"""Fill locale/<lang>/LC_MESSAGES/django.po from a table of msgid -> msgstr, then compile the
.mo. For translators working from a table rather than a .po editor:

    python scripts/translations_fill.py es table.py|table.json [more tables...]

A .py table defines a dict named after the language (ES); a .json table is an object. A value
is the translation, or for a plural entry a list of its forms. Entries already translated are
overwritten by the tables; the untranslated ones left are printed (exit status 1)."""

import json
import runpy
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def load(language: str, path: str) -> dict:
    if path.endswith(".json"):
        return json.loads(Path(path).read_text(encoding="utf-8"))
    return runpy.run_path(path)[language.upper()]


def main(language: str, *tables: str) -> int:
    table = {}
    for path in tables:
        table.update(load(language, path))
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
        if entry.msgid not in table:
            continue
        value = table[entry.msgid]
        if entry.msgid_plural:
            forms = value if isinstance(value, list) else [value]
            entry.msgstr_plural = dict(enumerate(forms))
        else:
            entry.msgstr = value
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    catalog.save(str(po_path))
    catalog.save_as_mofile(str(po_path.with_suffix(".mo")))
    missing = [e.msgid for e in catalog if not e.obsolete and (not e.translated() or e.fuzzy)]
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
