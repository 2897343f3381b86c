"""A person's interface language: kept on their account, so it follows them to any browser."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from metrics.models import AccountSettings


def account_language_set(*, user, language: str) -> AccountSettings:
    """Keep `language` (a code of settings.LANGUAGES, or "" for the browser's) for `user`."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    account, _created = AccountSettings.objects.update_or_create(
        user=user, defaults={"language": language}
    )
    return account


def account_language(user) -> str:
    """The language `user` chose, or "" (one query; read at sign-in, then kept in the session)."""
    return (
        AccountSettings.objects.filter(user=user).values_list("language", flat=True).first() or ""
    )
