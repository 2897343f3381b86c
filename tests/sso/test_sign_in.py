"""Signing in through a real OpenID provider: discovery, the code flow with PKCE, accounts
created or linked by verified email, roles from groups at every sign-in, sign-out through the
provider."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from metrics.models import ExternalIdentity
from metrics.permissions import Role, led_department_ids, role_of
from metrics.sso.discovery import ProviderUnavailable, provider_metadata
from tests import factories
from tests.sso.provider import AFTER_LOGOUT, query_of

pytestmark = pytest.mark.django_db


def sign_in(client, provider, login, next_url=None):
    """The whole round trip a browser makes; returns okrtracker's answer to the callback."""
    start = reverse("oidc-sign-in") + (f"?next={next_url}" if next_url else "")
    to_provider = client.get(start)
    assert to_provider.status_code == 302
    callback = provider.sign_in_at_provider(to_provider["Location"], login)
    return client.get(callback.removeprefix("http://testserver"))


def signed_in_user(client):
    return get_user_model().objects.get(pk=client.session["_auth_user_id"])


def test_discovery_gives_the_providers_endpoints(sso):
    metadata = provider_metadata()

    assert metadata["issuer"] == sso.issuer
    assert metadata["authorization_endpoint"].startswith(sso.issuer)
    assert "S256" in metadata["code_challenge_methods_supported"]


def test_discovery_refuses_a_document_naming_another_issuer(sso, settings):
    # Same server, another name for it: the document names 127.0.0.1, not localhost.
    settings.OIDC_ISSUER = sso.issuer.replace("127.0.0.1", "localhost")

    with pytest.raises(ProviderUnavailable, match="names the issuer"):
        provider_metadata()


def test_the_sign_in_page_offers_the_provider(client, sso):
    page = client.get(reverse("login"))

    assert b"Sign in with Example SSO" in page.content
    assert b'name="password"' in page.content


def test_the_authorization_request_uses_pkce_state_and_nonce(client, sso):
    to_provider = client.get(reverse("oidc-sign-in"))

    query = query_of(to_provider["Location"])
    assert to_provider["Location"].startswith(sso.issuer)
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43
    assert query["state"] and query["nonce"]
    assert query["client_id"] == "okrtracker"


def test_first_sign_in_creates_the_account_with_the_mapped_role(client, sso):
    sso.set_account(
        "alice",
        email="alice@example.org",
        email_verified=True,
        preferred_username="alice",
        groups=["okr-facilitators"],
    )

    answer = sign_in(client, sso, "alice", next_url="/search/?q=x")

    assert answer.status_code == 302
    assert answer["Location"] == "/search/?q=x"
    user = signed_in_user(client)
    assert (user.username, user.email) == ("alice", "alice@example.org")
    assert not user.has_usable_password()
    assert role_of(user) == Role.FACILITATOR
    assert ExternalIdentity.objects.get(user=user).subject == "alice"
    # Signed in for real: a page that needs a role opens.
    assert client.get(reverse("metrics:checkin-index")).status_code in (200, 302)


def test_an_existing_account_is_linked_by_verified_email_not_duplicated(client, sso):
    existing = factories.UserFactory(username="bob.local", email="Bob@Example.org")
    sso.set_account("bob", email="bob@example.org", email_verified=True, groups=["okr-product"])
    product = factories.DepartmentFactory(name="Product", slug="product")

    sign_in(client, sso, "bob")

    assert signed_in_user(client) == existing
    assert get_user_model().objects.filter(email__iexact="bob@example.org").count() == 1
    existing.refresh_from_db()
    assert role_of(existing) == Role.LEAD
    assert led_department_ids(existing) == {product.pk}


def test_groups_are_applied_again_at_every_sign_in(client, sso):
    factories.DepartmentFactory(name="Product", slug="product")
    legal = factories.DepartmentFactory(name="Legal", slug="legal")
    sso.set_account("carol", email="carol@example.org", email_verified=True, groups=["okr-product"])
    sign_in(client, sso, "carol")
    client.logout()

    sso.set_account("carol", email="carol@example.org", email_verified=True, groups=["okr-legal"])
    sign_in(client, sso, "carol")

    user = get_user_model().objects.get(email="carol@example.org")
    assert led_department_ids(user) == {legal.pk}

    client.logout()
    sso.set_account("carol", email="carol@example.org", email_verified=True, groups=[])
    sign_in(client, sso, "carol")
    user = get_user_model().objects.get(email="carol@example.org")
    assert role_of(user) == Role.NONE
    assert led_department_ids(user) == set()


def test_the_admin_role_opens_the_admin_and_loses_it_with_the_group(client, sso):
    sso.set_account("dana", email="dana@example.org", email_verified=True, groups=["okr-admins"])
    sign_in(client, sso, "dana")
    user = signed_in_user(client)
    assert role_of(user) == Role.ADMIN and user.is_staff

    client.logout()
    sso.set_account("dana", email="dana@example.org", email_verified=True, groups=["okr-exec"])
    sign_in(client, sso, "dana")
    user = get_user_model().objects.get(pk=user.pk)
    assert role_of(user) == Role.EXECUTIVE and not user.is_staff


def test_an_unverified_email_signs_nobody_in(client, sso):
    factories.UserFactory(username="victim", email="victim@example.org")
    sso.set_account("mallory", email="victim@example.org", email_verified=False, groups=[])

    answer = sign_in(client, sso, "mallory")

    assert answer.status_code == 302 and answer["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
    assert not ExternalIdentity.objects.exists()
    page = client.get(reverse("login"))
    assert b"Signing in with Example SSO did not work" in page.content


def test_a_code_exchanged_without_the_pkce_verifier_is_refused_by_the_provider(client, sso):
    sso.set_account("erin", email="erin@example.org", email_verified=True, groups=[])
    to_provider = client.get(reverse("oidc-sign-in"))
    callback = sso.sign_in_at_provider(to_provider["Location"], "erin")
    session = client.session
    state = query_of(callback)["state"]
    states = session["oidc_states"]
    states[state]["code_verifier"] = "x" * 64  # not the verifier the challenge was made from
    session["oidc_states"] = states
    session.save()

    answer = client.get(callback.removeprefix("http://testserver"))

    assert answer["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_a_replayed_callback_is_refused(client, sso):
    sso.set_account("fay", email="fay@example.org", email_verified=True, groups=[])
    to_provider = client.get(reverse("oidc-sign-in"))
    callback = sso.sign_in_at_provider(to_provider["Location"], "fay").removeprefix(
        "http://testserver"
    )
    assert client.get(callback).status_code == 302
    client.logout()

    again = client.get(callback)

    assert again["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_sign_out_ends_the_providers_session_too(client, sso):
    sso.set_account("gus", email="gus@example.org", email_verified=True, groups=[])
    sign_in(client, sso, "gus")
    id_token = client.session["oidc_id_token"]

    answer = client.post(reverse("logout"))

    assert "_auth_user_id" not in client.session
    query = query_of(answer["Location"])
    assert answer["Location"].startswith(sso.issuer)
    assert query["id_token_hint"] == id_token
    assert query["post_logout_redirect_uri"] == AFTER_LOGOUT


def test_a_password_sign_out_stays_local(client, sso):
    user = factories.UserFactory()
    client.force_login(user)

    answer = client.post(reverse("logout"))

    assert answer.status_code == 302 and answer["Location"] == reverse("login")


def test_an_unreachable_provider_is_a_message_not_an_error(client, sso, settings):
    settings.OIDC_ISSUER = "http://127.0.0.1:9"  # discard port: nothing listens

    answer = client.get(reverse("oidc-sign-in"))

    assert answer["Location"] == reverse("login")
    assert b"cannot be reached" in client.get(reverse("login")).content
