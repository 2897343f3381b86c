"""/api/v1/webhooks/: admins only; the secret is written, never read back; bad fields are a
400 naming them; the delivery log lists each attempt, in a bounded number of queries."""

import pytest
from django.utils import timezone

from metrics.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tests import factories

from .conftest import api_url

SECRET = "a-secret-that-must-never-come-back"
NEW = {
    "name": "Chat",
    "url": "https://hooks.example.org/okr",
    "events": ["status.saved", "session.held"],
    "secret": SECRET,
}


def detail(pk, name="webhook-detail"):
    return api_url(name, pk=pk)


def test_an_admin_registers_an_endpoint_and_never_sees_the_secret(clients):
    response = clients["admin"].post(api_url("webhook-list"), NEW, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert SECRET not in response.content.decode()
    assert "secret" not in body
    assert body["events"] == ["status.saved", "session.held"]
    assert body["active"] is True
    endpoint = WebhookEndpoint.objects.get(pk=body["id"])
    assert endpoint.secret == SECRET
    for answer in (
        clients["admin"].get(api_url("webhook-list")),
        clients["admin"].get(detail(endpoint.pk)),
    ):
        assert answer.status_code == 200
        assert SECRET not in answer.content.decode()


@pytest.mark.parametrize("role", ["executive", "lead", "viewer", "no_role"])
def test_other_roles_are_refused_everything(clients, role):
    endpoint = factories.WebhookEndpointFactory()
    client = clients[role]

    assert client.get(api_url("webhook-list")).status_code == 403
    assert client.post(api_url("webhook-list"), NEW, format="json").status_code == 403
    assert client.get(detail(endpoint.pk)).status_code == 403
    assert client.patch(detail(endpoint.pk), {"active": False}, format="json").status_code == 403
    assert client.delete(detail(endpoint.pk)).status_code == 403
    assert client.get(detail(endpoint.pk, "webhook-deliveries")).status_code == 403
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).active is True


def test_anonymous_callers_are_asked_to_authenticate(clients):
    assert clients["anonymous"].get(api_url("webhook-list")).status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"url": "http://169.254.169.254/latest/meta-data/"}, "url"),
        ({"url": "gopher://hooks.example.org/"}, "url"),
        ({"events": ["status.saved", "nope"]}, "events"),
        ({"events": []}, "events"),
        ({"secret": "short"}, "secret"),
        ({"secret": None}, "secret"),
    ],
)
def test_bad_fields_are_a_400_naming_them(clients, change, field):
    data = {**NEW, **change}
    if change.get("secret", "") is None:
        data.pop("secret")

    response = clients["admin"].post(api_url("webhook-list"), data, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not WebhookEndpoint.objects.exists()


def test_a_change_without_the_secret_keeps_it(clients):
    endpoint = factories.WebhookEndpointFactory(secret=SECRET)

    response = clients["admin"].patch(
        detail(endpoint.pk), {"active": False, "events": ["session.held"]}, format="json"
    )

    assert response.status_code == 200, response.json()
    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.events, endpoint.secret) == (False, ["session.held"], SECRET)


def test_a_full_update_can_replace_the_secret(clients):
    endpoint = factories.WebhookEndpointFactory(secret=SECRET)

    response = clients["admin"].put(
        detail(endpoint.pk), {**NEW, "secret": "the-replacement-secret"}, format="json"
    )

    assert response.status_code == 200
    endpoint.refresh_from_db()
    assert endpoint.secret == "the-replacement-secret"


def test_deleting_an_endpoint_drops_its_log(clients):
    endpoint = factories.WebhookEndpointFactory()
    WebhookDelivery.objects.create(
        endpoint=endpoint, event="status.saved", body="{}", next_attempt_at=timezone.now()
    )

    assert clients["admin"].delete(detail(endpoint.pk)).status_code == 204
    assert not WebhookDelivery.objects.exists()


def test_the_delivery_log_shows_each_attempt_in_bounded_queries(
    clients, django_assert_max_num_queries
):
    endpoint = factories.WebhookEndpointFactory()
    now = timezone.now()
    for number in range(30):
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint,
            event="status.saved",
            body="{}",
            next_attempt_at=now,
            attempts=2,
            state="delivered",
            last_status_code=200,
        )
        WebhookAttempt.objects.create(
            delivery=delivery, attempted_at=now, status_code=500, error="HTTP 500", duration_ms=12
        )
        WebhookAttempt.objects.create(
            delivery=delivery, attempted_at=now, status_code=200, duration_ms=number
        )

    with django_assert_max_num_queries(8):
        response = clients["admin"].get(detail(endpoint.pk, "webhook-deliveries"))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 30
    first = body["results"][0]
    assert [a["status_code"] for a in first["attempt_log"]] == [500, 200]
    assert first["attempt_log"][0]["error"] == "HTTP 500"
    assert set(first) >= {"delivery_id", "event", "state", "attempts", "last_status_code"}


def test_the_list_runs_a_bounded_number_of_queries(clients, django_assert_max_num_queries):
    factories.WebhookEndpointFactory.create_batch(20)

    with django_assert_max_num_queries(6):
        response = clients["admin"].get(api_url("webhook-list"))

    assert response.json()["count"] == 20
