"""Webhook endpoints in the Django admin: saved through the service, the secret never
rendered; deliveries are a read-only log with their attempts."""

import pytest
from django.urls import reverse
from django.utils import timezone

from metrics.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tests.factories import UserFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db

SECRET = "admin-secret-never-rendered"


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_an_endpoint_is_added_in_the_admin_with_its_secret(superuser_client):
    response = superuser_client.post(
        reverse("admin:metrics_webhookendpoint_add"),
        {
            "name": "Chat",
            "url": "https://hooks.example.org/okr",
            "events": ["submission.changed"],
            "active": "on",
            "secret": SECRET,
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.secret, endpoint.events) == (SECRET, ["submission.changed"])
    change = superuser_client.get(
        reverse("admin:metrics_webhookendpoint_change", args=[endpoint.pk])
    )
    assert change.status_code == 200
    assert SECRET not in change.content.decode()


def test_the_admin_refuses_a_new_endpoint_without_a_secret_or_on_loopback(superuser_client):
    response = superuser_client.post(
        reverse("admin:metrics_webhookendpoint_add"),
        {"name": "Local", "url": "http://127.0.0.1:8000/", "events": ["status.saved"]},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "needs a secret" in html and "not public" in html
    assert not WebhookEndpoint.objects.exists()


def test_a_delivery_shows_its_attempts_read_only(superuser_client):
    endpoint = WebhookEndpointFactory()
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event="status.saved",
        body='{"version":1}',
        next_attempt_at=timezone.now(),
    )
    WebhookAttempt.objects.create(
        delivery=delivery, attempted_at=timezone.now(), status_code=503, error="HTTP 503"
    )

    page = superuser_client.get(reverse("admin:metrics_webhookdelivery_change", args=[delivery.pk]))

    assert page.status_code == 200
    assert "HTTP 503" in page.content.decode()
    assert superuser_client.get(reverse("admin:metrics_webhookdelivery_add")).status_code == 403


def test_staff_without_the_admin_role_cannot_see_webhooks(client):
    client.force_login(UserFactory(is_staff=True, roles=["Facilitator"]))

    response = client.get(reverse("admin:metrics_webhookendpoint_changelist"))

    assert response.status_code == 403
