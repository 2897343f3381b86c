"""Failed sign-ins are limited per account and client address, and per client address, on
every way in (login page, admin login, token endpoint), counted in the database; the client
address is REMOTE_ADDR unless proxies are configured, never a header the client writes."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from metrics import models
from metrics.accounts import signin_failure_counts_purge
from tests import factories
from tests.ports import free_port

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"


def token_url():
    return reverse("api:obtain-token", kwargs={"version": "v1"})


def login_page(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def admin_login(client, username, password, **extra):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password}, **extra
    )


def token(client, username, password, **extra):
    return APIClient().post(
        token_url(), {"username": username, "password": password}, format="json", **extra
    )


WAYS_IN = {"login page": login_page, "admin login": admin_login, "token endpoint": token}


@pytest.fixture
def limits(settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 5
    settings.LOGIN_FAILURES_PER_ADDRESS = 12
    settings.LOGIN_FAILURE_WINDOW = 900
    return settings


@pytest.mark.parametrize("way_in", WAYS_IN)
def test_an_account_is_refused_after_its_failed_sign_ins(way_in, limits, client):
    factories.UserFactory(username="boss", is_staff=True, is_superuser=True)
    attempt = WAYS_IN[way_in]

    answers = [attempt(client, "boss", f"guess-{i}").status_code for i in range(5)]
    refused = attempt(client, "boss", PASSWORD)

    assert 429 not in answers
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 900
    assert "_auth_user_id" not in client.session
    assert "Too many failed sign-ins" in refused.content.decode()


@pytest.mark.parametrize("way_in", WAYS_IN)
def test_the_limit_holds_across_ways_in(way_in, limits, client):
    """Guesses on the login page count on the token endpoint and the admin too."""
    factories.UserFactory(username="boss", is_staff=True, is_superuser=True)
    for i in range(5):
        login_page(client, "boss", f"guess-{i}")

    assert WAYS_IN[way_in](client, "boss", PASSWORD).status_code == 429


def test_other_accounts_still_sign_in_from_the_same_address(limits, client):
    factories.UserFactory(username="boss")
    factories.UserFactory(username="clerk")
    for i in range(5):
        login_page(client, "boss", f"guess-{i}")

    assert login_page(client, "clerk", PASSWORD).status_code == 302


def test_an_address_is_refused_after_guessing_many_accounts(limits, client):
    factories.UserFactory(username="clerk")
    for i in range(12):
        login_page(client, f"someone-{i}", "guess")

    assert login_page(client, "clerk", PASSWORD).status_code == 429
    # Another address still signs the same account in.
    assert login_page(client, "clerk", PASSWORD, REMOTE_ADDR="10.9.8.7").status_code == 302


def test_a_client_supplied_forwarded_for_does_not_reset_the_count(limits, client):
    factories.UserFactory(username="clerk")
    for i in range(12):
        login_page(client, f"someone-{i}", "guess", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")

    refused = login_page(client, "clerk", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert refused.status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_counts(limits, client):
    limits.TRUSTED_PROXY_COUNT = 1
    factories.UserFactory(username="clerk")
    for i in range(12):
        # The proxy appends the address it saw; what the client wrote before it is ignored.
        login_page(client, f"someone-{i}", "guess", HTTP_X_FORWARDED_FOR=f"1.1.1.{i}, 203.0.113.5")

    assert (
        login_page(client, "clerk", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
    )
    assert (
        login_page(client, "clerk", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 302
    )


def test_ipv6_clients_are_counted_per_64_block(limits, client):
    factories.UserFactory(username="clerk")
    for i in range(12):
        login_page(client, f"someone-{i}", "guess", REMOTE_ADDR=f"2001:db8:1:2::{i + 1:x}")

    assert (
        login_page(client, "clerk", PASSWORD, REMOTE_ADDR="2001:db8:1:2::ffff").status_code == 429
    )
    assert login_page(client, "clerk", PASSWORD, REMOTE_ADDR="2001:db8:1:3::1").status_code == 302


def test_the_refusal_ends_with_the_window(settings, client):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 2
    settings.LOGIN_FAILURE_WINDOW = 1
    factories.UserFactory(username="clerk")
    login_page(client, "clerk", "guess-1")
    login_page(client, "clerk", "guess-2")
    assert login_page(client, "clerk", PASSWORD).status_code == 429

    import time

    time.sleep(1.2)
    assert login_page(client, "clerk", PASSWORD).status_code == 302


def test_a_refused_sign_in_checks_no_password_whatever_the_path(limits, client):
    """authenticate() itself refuses while the account is over its limit."""
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    factories.UserFactory(username="clerk")
    for i in range(5):
        login_page(client, "clerk", f"guess-{i}")

    request = RequestFactory().post("/", REMOTE_ADDR="127.0.0.1")
    assert authenticate(request, username="clerk", password=PASSWORD) is None


def test_token_endpoint_throttle_ignores_a_rotating_forwarded_for(settings, db):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 1000
    settings.LOGIN_FAILURES_PER_ADDRESS = 1000
    client = APIClient()
    answers = [
        client.post(
            token_url(),
            {"username": f"u{i}", "password": "x"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
        ).status_code
        for i in range(22)
    ]
    assert answers[:20] == [400] * 20
    assert answers[-1] == 429


def test_password_reset_mails_are_limited_per_account_and_per_address(limits, client, mailoutbox):
    """Anyone may ask for a reset mail: unlimited, that floods a person's inbox."""
    factories.UserFactory(username="boss", email="boss@example.org")
    url = reverse("password_reset")

    answers = [client.post(url, {"email": "boss@example.org"}).status_code for _ in range(5)]
    refused = client.post(url, {"email": "BOSS@example.org"})

    assert answers == [302] * 5 and len(mailoutbox) == 5
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 900
    assert len(mailoutbox) == 5
    # Other addresses until this client's limit (12), which counts every request.
    others = [client.post(url, {"email": f"x{i}@example.org"}).status_code for i in range(7)]
    assert others == [302] * 6 + [429]
    # Sign-ins are counted apart: the resets did not lock the account.
    assert login_page(client, "boss", PASSWORD).status_code == 302


@pytest.mark.parametrize("way_in", WAYS_IN)
def test_a_strangers_failures_never_lock_the_owner_out_from_another_address(way_in, limits, client):
    """Failures count per account and address, and per address: ten wrong passwords from a
    stranger's address refuse that address, not the account's owner elsewhere."""
    factories.UserFactory(username="boss", is_staff=True, is_superuser=True)
    attempt = WAYS_IN[way_in]
    stranger = {"REMOTE_ADDR": "203.0.113.66"}
    for i in range(5):
        attempt(client, "boss", f"guess-{i}", **stranger)

    assert attempt(client, "boss", PASSWORD, **stranger).status_code == 429
    owner = attempt(client, "boss", PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert owner.status_code in (200, 302)


def test_a_throttled_sign_in_is_logged_with_account_address_and_wait(limits, client, caplog):
    factories.UserFactory(username="boss")
    for i in range(5):
        login_page(client, "boss", f"guess-{i}")
    caplog.clear()

    with caplog.at_level("WARNING", logger="metrics.permissions"):
        assert login_page(client, "boss", PASSWORD).status_code == 429

    (line,) = [r.getMessage() for r in caplog.records if "sign in throttled" in r.getMessage()]
    assert "account='boss'" in line and "address=127.0.0.1" in line and "retry_after=" in line


def test_the_counts_live_in_the_database_and_hold_with_the_cache_down(limits, client, settings):
    """A Redis cache nobody answers on: sign-in still works, and the limits still hold."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    factories.UserFactory(username="boss", is_staff=True)
    for i in range(5):
        assert login_page(client, "boss", f"guess-{i}").status_code == 200

    assert login_page(client, "boss", PASSWORD).status_code == 429
    assert admin_login(client, "boss", PASSWORD).status_code == 429
    assert login_page(client, "boss", PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 302
    assert models.SignInFailureCount.objects.get(key="signin:addr:127.0.0.1").count == 5


def test_closed_windows_are_purged(settings, client):
    settings.LOGIN_FAILURE_WINDOW = 900
    login_page(client, "nobody", "guess")
    assert models.SignInFailureCount.objects.count() == 2  # the account here, the address
    models.SignInFailureCount.objects.update(window_start=timezone.now() - timedelta(hours=1))

    assert signin_failure_counts_purge() == 2
    assert not models.SignInFailureCount.objects.exists()
