"""A user's API token, for the page that shows it (one query)."""

from rest_framework.authtoken.models import Token


def api_token_of(user) -> Token | None:
    return Token.objects.filter(user=user).first()
