"""CI fails when an interface string has no translation or a .po/.mo file is stale: the
catalog is extracted afresh from the code (makemessages, into a temporary folder) and
compared with the committed one, for every language of settings.LANGUAGES but English."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
# The same options the committed catalogs are made with (docs/languages.md, `make messages`).
MAKEMESSAGES_ARGS = ["--no-location", "--no-obsolete", "--verbosity=0"]
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != "en"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """{language: the catalog makemessages makes from the code now}, made in a copy of the
    code (makemessages writes next to the files it reads, never into the checkout here)."""
    copy = tmp_path_factory.mktemp("code")
    for name in ("metrics", "okrtracker", "templates", "locale"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", *MAKEMESSAGES_ARGS]
        + [f"--locale={language}" for language in TRANSLATED],
        cwd=copy,
        env={
            **os.environ,
            "PYTHONPATH": str(copy),
            "DJANGO_SETTINGS_MODULE": "okrtracker.settings.test",
        },
        check=True,
        timeout=300,
    )
    return {
        language: polib.pofile(str(copy / "locale" / language / "LC_MESSAGES" / "django.po"))
        for language in TRANSLATED
    }


def committed(language: str) -> polib.POFile:
    return polib.pofile(
        str(Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / "django.po")
    )


def keys(catalog) -> set[tuple[str, str]]:
    return {(entry.msgctxt or "", entry.msgid) for entry in catalog if not entry.obsolete}


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_string_of_the_code_is_in_the_committed_catalog(extracted, language):
    missing = keys(extracted[language]) - keys(committed(language))

    assert not missing, f"Run makemessages and translate: {sorted(missing)[:20]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_committed_catalog_has_no_string_the_code_dropped(extracted, language):
    stale = keys(committed(language)) - keys(extracted[language])

    assert not stale, f"Run makemessages --no-obsolete: {sorted(stale)[:20]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_string_is_translated_and_none_is_fuzzy(language):
    catalog = committed(language)
    untranslated = [e.msgid for e in catalog.untranslated_entries()]
    fuzzy = [e.msgid for e in catalog.fuzzy_entries()]

    assert untranslated == [] and fuzzy == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_their_placeholders(language):
    def names(text):
        return sorted(a or b for a, b in PLACEHOLDER.findall(text))

    wrong = [
        entry.msgid
        for entry in committed(language)
        if entry.msgstr and names(entry.msgid) != names(entry.msgstr)
    ]

    assert wrong == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_plural_has_all_the_forms_of_its_language(language):
    # A missing form (Spanish has three: 1, millions, the rest) is no error to msgfmt or polib,
    # but ngettext then answers that count in English.
    catalog = committed(language)
    forms = int(re.search(r"nplurals=(\d+)", catalog.metadata["Plural-Forms"])[1])
    short = [
        entry.msgid
        for entry in catalog
        if entry.msgid_plural
        and sorted(k for k, v in entry.msgstr_plural.items() if v) != list(range(forms))
    ]

    assert short == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalog_matches_the_source(language):
    source = committed(language)
    compiled = polib.mofile(str(Path(source.fpath).with_suffix(".mo")))

    assert {(e.msgctxt or "", e.msgid): e.msgstr for e in compiled if e.msgid} == {
        (e.msgctxt or "", e.msgid): e.msgstr for e in source.translated_entries()
    }
