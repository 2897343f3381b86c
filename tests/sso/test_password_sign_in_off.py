"""PASSWORD_SIGN_IN=0 with SSO on: no password is checked on any path."""

import pytest
from django.urls import reverse

from metrics.sso.config import password_sign_in_enabled
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def passwords_off(sso, settings):
    settings.PASSWORD_SIGN_IN = False
    return sso


@pytest.fixture
def known_user():
    user = factories.UserFactory(username="pat")
    user.set_password("a-right-password-1")
    user.save()
    return user


def test_the_sign_in_page_offers_only_the_provider(client, passwords_off):
    page = client.get(reverse("login"))

    assert b"Sign in with Example SSO" in page.content
    assert b'name="password"' not in page.content


def test_a_posted_password_is_refused_even_when_right(client, passwords_off, known_user):
    answer = client.post(reverse("login"), {"username": "pat", "password": "a-right-password-1"})

    assert answer.status_code == 403
    assert "_auth_user_id" not in client.session


def test_the_token_endpoint_takes_no_password(client, passwords_off, known_user):
    answer = client.post(
        reverse("api:obtain-token", kwargs={"version": "v1"}),
        {"username": "pat", "password": "a-right-password-1"},
        content_type="application/json",
    )

    assert answer.status_code == 403
    assert "turned off" in answer.json()["detail"]


def test_the_admin_login_sends_to_the_sign_in_page(client, passwords_off):
    answer = client.get(reverse("admin-login") + "?next=/admin/")

    assert answer.status_code == 302
    assert answer["Location"] == reverse("login") + "?next=%2Fadmin%2F"


def test_no_backend_checks_a_password(passwords_off, known_user):
    from django.contrib.auth import authenticate

    assert authenticate(None, username="pat", password="a-right-password-1") is None


def test_passwords_stay_on_while_sso_is_not_configured(settings):
    settings.PASSWORD_SIGN_IN = False
    settings.OIDC_ISSUER = ""

    assert password_sign_in_enabled()
