"""A user's API token: one per user; a new one replaces (and so revokes) the old. The user's
own page (metrics/views/tokens.py) calls these; a password change revokes the token too
(metrics/accounts.py)."""

from django.db import transaction
from rest_framework.authtoken.models import Token


def api_token_replace(*, user) -> Token:
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


def api_token_revoke(*, user) -> bool:
    """Whether there was a token to revoke."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return bool(deleted)
