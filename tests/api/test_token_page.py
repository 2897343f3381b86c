"""The page where a user creates, replaces and revokes their own API token."""

from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.api.conftest import api_url


def token_client(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_signed_out_visitors_are_sent_to_sign_in(db, client):
    response = client.get(reverse("api:token"))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_user_creates_a_token_that_opens_the_api(users, client):
    client.force_login(users["lead"])

    before = client.get(reverse("api:token"))
    created = client.post(reverse("api:token"), {"action": "create"}, follow=True)

    assert "You have no API token" in before.content.decode()
    key = Token.objects.get(user=users["lead"]).key
    assert key in created.content.decode()
    assert token_client(key).get(api_url("metric-list")).status_code == 200


def test_replacing_the_token_revokes_the_old_one(users, client):
    client.force_login(users["lead"])
    client.post(reverse("api:token"), {"action": "create"})
    old = Token.objects.get(user=users["lead"]).key

    client.post(reverse("api:token"), {"action": "create"})

    new = Token.objects.get(user=users["lead"]).key
    assert new != old
    assert token_client(old).get(api_url("metric-list")).status_code == 401
    assert token_client(new).get(api_url("metric-list")).status_code == 200


def test_revoking_the_token_shuts_the_api(users, client):
    client.force_login(users["viewer"])
    client.post(reverse("api:token"), {"action": "create"})
    key = Token.objects.get(user=users["viewer"]).key

    page = client.post(reverse("api:token"), {"action": "revoke"}, follow=True)

    assert not Token.objects.filter(user=users["viewer"]).exists()
    assert "revoked" in page.content.decode()
    assert token_client(key).get(api_url("metric-list")).status_code == 401


def test_a_user_only_touches_their_own_token(users, client):
    Token.objects.create(user=users["admin"])
    client.force_login(users["viewer"])

    client.post(reverse("api:token"), {"action": "revoke"})

    assert Token.objects.filter(user=users["admin"]).exists()


def test_tools_exchange_username_and_password_for_the_token(users):
    client = APIClient()
    url = api_url("obtain-token")

    refused = client.post(url, {"username": "lee", "password": "wrong"}, format="json")
    granted = client.post(url, {"username": "lee", "password": "pass-word-123"}, format="json")

    assert refused.status_code == 400
    assert granted.status_code == 200
    assert granted.json()["token"] == Token.objects.get(user=users["lead"]).key


def test_password_guessing_is_throttled(users):
    """Ten failures lock the account (LOGIN_FAILURES_PER_ACCOUNT); tests/accounts has the rest."""
    client = APIClient()
    answers = [
        client.post(
            api_url("obtain-token"), {"username": "lee", "password": f"guess{i}"}
        ).status_code
        for i in range(12)
    ]

    assert answers[:10] == [400] * 10
    assert answers[10:] == [429, 429]


def test_admins_manage_tokens_in_the_admin(users, admin_client):
    Token.objects.create(user=users["viewer"])

    listed = admin_client.get(reverse("admin:authtoken_tokenproxy_changelist"))

    assert listed.status_code == 200
    assert "vic" in listed.content.decode()
