"""A new password revokes the account's API token, whichever way it was changed; saving
the account otherwise, or upgrading its password hash on sign-in, keeps the token."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests import factories

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-much-better-passphrase-42"


@pytest.fixture
def lead():
    user = factories.UserFactory(username="lee", roles=["Department lead"])
    user.api_token = Token.objects.create(user=user)
    return user


def api_opens(token) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client.get(reverse("api:department-list", kwargs={"version": "v1"})).status_code == 200


def test_the_password_change_form_revokes_the_token(lead, client):
    assert api_opens(lead.api_token)
    client.force_login(lead)

    client.post(
        reverse("password_change"),
        {
            "old_password": "pass-word-123",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert not Token.objects.filter(user=lead).exists()
    assert not api_opens(lead.api_token)


def test_an_admin_setting_the_password_revokes_the_token(lead, admin_client):
    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[lead.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert not api_opens(lead.api_token)


def test_set_password_in_code_revokes_the_token(lead):
    lead.set_password(NEW_PASSWORD)
    lead.save()

    assert not api_opens(lead.api_token)


def test_the_changepassword_command_revokes_the_token(lead, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)
    call_command("changepassword", "lee")

    assert not api_opens(lead.api_token)


def test_disabling_the_password_revokes_the_token(lead):
    user = get_user_model().objects.get(pk=lead.pk)
    user.set_unusable_password()
    user.save()

    assert not api_opens(lead.api_token)


def test_other_saves_of_the_account_keep_the_token(lead):
    user = get_user_model().objects.get(pk=lead.pk)
    user.email = "lee@example.org"
    user.save()

    assert api_opens(lead.api_token)


def test_a_password_hash_upgrade_on_sign_in_keeps_the_token(lead, settings, client):
    # The tests hash with MD5; PBKDF2 first makes Django re-hash the password on sign-in.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    before = get_user_model().objects.get(pk=lead.pk).password

    assert (
        client.post(reverse("login"), {"username": "lee", "password": "pass-word-123"}).status_code
        == 302
    )

    assert get_user_model().objects.get(pk=lead.pk).password != before
    assert api_opens(lead.api_token)


def test_a_service_account_without_a_password_keeps_its_token_through_edits(db):
    user = factories.UserFactory(username="pipeline", roles=["Department lead"])
    user.set_unusable_password()
    user.save()
    token = Token.objects.create(user=user)

    user.first_name = "Nightly pipeline"
    user.save()

    assert api_opens(token)
