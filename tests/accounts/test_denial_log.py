"""Every failed authorisation leaves one line in the `metrics.permissions` log: failed
sign-ins, refused pages, refused API calls, sign-ins over the limit."""

import logging

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests import factories

pytestmark = pytest.mark.django_db


def denials(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "metrics.permissions"]


@pytest.fixture(autouse=True)
def capture(caplog):
    caplog.set_level(logging.WARNING, logger="metrics.permissions")


def test_a_failed_sign_in_is_logged_with_the_account_and_address(caplog, client):
    client.post(reverse("login"), {"username": "boss", "password": "guess"})

    [line] = denials(caplog)
    assert "sign in" in line and "'boss'" in line and "127.0.0.1" in line


def test_an_anonymous_api_call_is_logged(caplog):
    response = APIClient().get(reverse("api:department-list", kwargs={"version": "v1"}))

    assert response.status_code == 401
    [line] = denials(caplog)
    assert "GET /api/v1/departments/" in line and "HTTP 401" in line


def test_a_user_without_a_role_refused_a_page_is_logged(caplog, client):
    client.force_login(factories.UserFactory(username="nobody"))

    response = client.get(reverse("metrics:home"))

    assert response.status_code == 403
    [line] = denials(caplog)
    assert "HTTP 403" in line


def test_a_refusal_already_logged_with_detail_is_not_logged_twice(caplog):
    client = APIClient()
    client.force_authenticate(factories.UserFactory(username="eve", roles=["Executive"]))

    response = client.post(
        reverse("api:observation-list", kwargs={"version": "v1"}), {}, format="json"
    )

    assert response.status_code == 403
    [line] = denials(caplog)
    assert "api POST" in line and "ObservationViewSet" in line


def test_a_forged_form_post_is_logged(caplog):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(factories.UserFactory(username="lee", roles=["Department lead"]))

    response = client.post(reverse("logout"))

    assert response.status_code == 403
    assert len(denials(caplog)) == 1
