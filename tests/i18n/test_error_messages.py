"""The errors the application raises reach a user in their language: no ValidationError,
PermissionDenied, NotFoundError, ... is raised with a plain English string or an f-string
(either never passes through gettext), and a service's refusal reads in Spanish for a Spanish
user while its English stays the same."""

import ast
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from metrics.models.threads import SESSION_KEY
from metrics.services.threads import MAX_COMMENT_CHARS, thread_comment_add
from metrics.views.query import BadQuery, query_page
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
# SuspiciousOperation is not among them: its message only reaches the log (Django answers a
# plain 400; a refused single sign-on shows "Signing in with ... did not work"), in English.
ERRORS = {
    "BadQuery",
    "CommandError",
    "ConflictError",
    "Http404",
    "ImportFormatError",
    "LockedError",
    "NotFoundError",
    "PermissionDenied",
    "SessionHeldError",
    "ValidationError",
}


def _is_message(node) -> bool:
    """An f-string, or a literal that reads as a sentence (not a field name or a code)."""
    if isinstance(node, ast.JoinedStr):
        return True
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return False
    text = node.value
    return text[:1].isupper() or " " in text.strip() or text.rstrip().endswith((".", "?"))


def untranslated_error_messages(root: Path = ROOT / "metrics") -> list[str]:
    """Where an error of ERRORS is raised with a message gettext never sees: the message
    itself or a value of a {field: message} dict among the call's arguments. Migrations and
    management commands (output for operators, in English) are left out."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if {"migrations", "management"} & set(path.parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            function = node.func
            name = (
                function.attr
                if isinstance(function, ast.Attribute)
                else getattr(function, "id", "")
            )
            if name not in ERRORS:
                continue
            candidates = list(node.args) + [keyword.value for keyword in node.keywords]
            for argument in list(candidates):
                if isinstance(argument, ast.Dict):
                    candidates += argument.values
            for candidate in candidates:
                if _is_message(candidate):
                    where = path.relative_to(root.parent)
                    found.append(f"{where}:{node.lineno}: {ast.unparse(candidate)[:80]}")
    return found


def test_no_error_is_raised_with_an_untranslated_message():
    assert untranslated_error_messages() == []


def test_the_scan_finds_plain_strings_and_f_strings(tmp_path):
    (tmp_path / "sample.py").write_text(
        "from django.utils.translation import gettext as _\n"
        "def f(x):\n"
        "    raise ValidationError('Enter a value.')\n"
        "def g(x):\n"
        "    raise ValidationError({'value': f'{x} is wrong.'})\n"
        "def h(x):\n"
        "    raise NotFoundError(_('No such metric.'))\n"
        "def i(x):\n"
        "    raise ValidationError(_('Bad.'), code='invalid')\n",
        encoding="utf-8",
    )
    found = untranslated_error_messages(tmp_path)
    assert [line.split(":")[1] for line in found] == ["3", "5"]


@pytest.mark.django_db
def test_a_service_refusal_reaches_a_spanish_user_in_spanish():
    lead = factories.UserFactory(username="lena", roles=["Department lead"])
    session = factories.TuningSessionFactory(quarter=factories.QuarterFactory(fiscal_year=2020))

    def refusal(body):
        with pytest.raises(ValidationError) as raised:
            thread_comment_add(actor=lead, session=session, target_key=SESSION_KEY, body=body)
        return raised.value.message_dict["body"]

    with translation.override("es"):
        assert refusal("  ") == ["Escriba algo primero."]
    with translation.override("en"):
        assert refusal("  ") == ["Write something first."]
        # The limit is formatted before it goes in: the English reads as it always did.
        assert refusal("x" * (MAX_COMMENT_CHARS + 1)) == [
            f"At most {MAX_COMMENT_CHARS:,} characters."
        ]


def test_a_query_error_reads_in_the_users_language(rf):
    request = rf.get("/", {"page": "9"})
    for language, expected in (
        ("en", "?page= must be from 1 to 3: there are 3 pages."),
        ("es", "?page= debe estar entre 1 y 3: hay 3 páginas."),
    ):
        with translation.override(language), pytest.raises(BadQuery) as raised:
            query_page(request, 3)
        assert expected in str(raised.value)
