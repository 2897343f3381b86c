"""One API token a user: a new one replaces (revokes) the old; revoking says if there was one."""

import pytest
from rest_framework.authtoken.models import Token

from metrics.selectors.api_tokens import api_token_of
from metrics.services.api_tokens import api_token_replace, api_token_revoke
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_new_token_replaces_the_old_one():
    user = UserFactory()
    first = api_token_replace(user=user)

    second = api_token_replace(user=user)

    assert first.key != second.key
    assert list(Token.objects.filter(user=user)) == [second]
    assert api_token_of(user) == second


def test_revoking_says_whether_there_was_a_token():
    user = UserFactory()
    api_token_replace(user=user)

    assert api_token_revoke(user=user) is True
    assert api_token_revoke(user=user) is False
    assert api_token_of(user) is None
