"""Security headers on every page: a Content-Security-Policy with the app's own scripts only,
Permissions-Policy, Referrer-Policy; private pages never cached; sessions that end."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part
    }


@pytest.fixture
def signed_in(client):
    client.force_login(factories.UserFactory(username="exec", roles=["Executive"]))
    return client


def test_pages_allow_only_the_sites_own_scripts(client):
    response = client.get(reverse("login"))

    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert [source for source in policy["script-src"] if not source.startswith("'nonce-")] == [
        "'self'"
    ]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_the_nonce_changes_with_every_response(client):
    nonces = {
        re.search(r"'nonce-([^']+)'", client.get(reverse("login"))["Content-Security-Policy"])[1]
        for _ in range(3)
    }
    assert len(nonces) == 3


def test_no_page_has_an_inline_script(signed_in):
    from django.core.management import call_command

    call_command("loaddata", "seed_deck", verbosity=0)
    from metrics.selectors.sessions import latest_session_id

    session_url = reverse("metrics:session", kwargs={"session_id": latest_session_id()})
    pages = (session_url, session_url + "metrics/", session_url + "deck/", reverse("login"))
    for url in (*pages, reverse("metrics:home"), reverse("metrics:inbox")):
        html = signed_in.get(url).content.decode()
        scripts = re.findall(r"<script\b([^>]*)>", html)
        # Chart data travels in <script type="application/json"> blocks: data, never run.
        assert all(
            "src=" in attributes or 'type="application/json"' in attributes
            for attributes in scripts
        ), (url, scripts)
        assert not re.search(r"\son[a-z]+=", html), url  # no onclick= style handlers


def test_permissions_and_referrer_policies(client):
    response = client.get(reverse("login"))

    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_signed_in_pages_are_not_stored(signed_in):
    for url in (reverse("metrics:home"), reverse("api:token"), reverse("password_change")):
        response = signed_in.get(url)
        cache_control = response["Cache-Control"]
        assert "private" in cache_control, url
        assert "no-store" in cache_control or "no-cache" in cache_control, url


def test_api_answers_for_a_signed_in_user_are_private(signed_in):
    response = signed_in.get(reverse("api:department-list", kwargs={"version": "v1"}))

    assert "private" in response["Cache-Control"]


def test_sessions_expire(signed_in):
    assert 0 < settings.SESSION_COOKIE_AGE <= 24 * 60 * 60
    response = signed_in.get(reverse("metrics:home"))
    assert response.status_code in (200, 302)
    assert signed_in.session.get_expiry_age() <= settings.SESSION_COOKIE_AGE


def test_session_lifetime_comes_from_the_environment():
    from tests.settings.test_configuration import run_manage

    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.SESSION_COOKIE_AGE)",
        env_overrides={
            "DJANGO_SETTINGS_MODULE": "okrtracker.settings.dev",
            "SESSION_COOKIE_AGE": "1800",
        },
    )
    assert result.stdout.strip() == "1800", result.stderr
