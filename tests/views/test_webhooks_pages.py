"""The admins' webhook pages: register, change (the secret is never shown back), delete, and
read the delivery log; other roles are refused; bounded queries whatever the log's size."""

import pytest
from django.urls import reverse
from django.utils import timezone

from metrics.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tests.factories import UserFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db

SECRET = "page-secret-never-shown-back"


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(roles=["Admin"]))
    return client


def test_an_admin_registers_an_endpoint(admin_client):
    response = admin_client.post(
        reverse("metrics:webhooks"),
        {
            "name": "Chat",
            "url": "https://hooks.example.org/okr",
            "events": ["status.saved", "session.held"],
            "secret": SECRET,
            "active": "on",
        },
    )

    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("metrics:webhook", kwargs={"endpoint_id": endpoint.pk})
    assert (endpoint.name, endpoint.events, endpoint.secret, endpoint.active) == (
        "Chat",
        ["status.saved", "session.held"],
        SECRET,
        True,
    )
    page = admin_client.get(response["Location"]).content.decode()
    assert SECRET not in page
    assert "https://hooks.example.org/okr" in page


def test_a_private_address_is_a_form_error_and_nothing_is_saved(admin_client):
    response = admin_client.post(
        reverse("metrics:webhooks"),
        {
            "name": "Metadata",
            "url": "http://169.254.169.254/latest/",
            "events": ["status.saved"],
            "secret": SECRET,
        },
    )

    assert response.status_code == 400
    assert "not public" in response.content.decode()
    assert SECRET not in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_a_change_with_a_blank_secret_keeps_it(admin_client):
    endpoint = WebhookEndpointFactory(secret=SECRET)

    response = admin_client.post(
        reverse("metrics:webhook", kwargs={"endpoint_id": endpoint.pk}),
        {"name": "Renamed", "url": endpoint.url, "events": ["session.held"], "secret": ""},
    )

    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.name, endpoint.events, endpoint.active, endpoint.secret) == (
        "Renamed",
        ["session.held"],
        False,
        SECRET,
    )


def test_an_admin_deletes_an_endpoint(admin_client):
    endpoint = WebhookEndpointFactory()

    response = admin_client.post(
        reverse("metrics:webhook", kwargs={"endpoint_id": endpoint.pk}), {"action": "delete"}
    )

    assert response["Location"] == reverse("metrics:webhooks")
    assert not WebhookEndpoint.objects.exists()


def test_the_delivery_log_shows_each_attempt_in_bounded_queries(
    admin_client, django_assert_max_num_queries
):
    endpoint = WebhookEndpointFactory()
    now = timezone.now()
    for _ in range(60):
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, event="status.saved", body="{}", next_attempt_at=now, attempts=1
        )
        WebhookAttempt.objects.create(
            delivery=delivery, attempted_at=now, status_code=502, error="HTTP 502", duration_ms=7
        )
    url = reverse("metrics:webhook", kwargs={"endpoint_id": endpoint.pk})

    with django_assert_max_num_queries(12):
        response = admin_client.get(url)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("HTTP 502") == 50  # the latest 50 deliveries
    assert "(7 ms)" in html


def test_the_list_runs_a_bounded_number_of_queries(admin_client, django_assert_max_num_queries):
    WebhookEndpointFactory.create_batch(25)

    with django_assert_max_num_queries(10):
        response = admin_client.get(reverse("metrics:webhooks"))

    assert response.content.decode().count("Receiver ") == 25


@pytest.mark.parametrize("role", ["Facilitator", "Executive", "Department lead", "Viewer"])
def test_other_roles_are_refused(client, role):
    endpoint = WebhookEndpointFactory()
    client.force_login(UserFactory(roles=[role]))
    detail = reverse("metrics:webhook", kwargs={"endpoint_id": endpoint.pk})

    assert client.get(reverse("metrics:webhooks")).status_code == 403
    assert client.get(detail).status_code == 403
    assert client.post(detail, {"action": "delete"}).status_code == 403
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("metrics:webhooks"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_unknown_endpoint_is_a_404(admin_client):
    assert (
        admin_client.get(reverse("metrics:webhook", kwargs={"endpoint_id": 999})).status_code == 404
    )


def test_admins_get_a_link_in_the_account_menu_and_others_do_not(client):
    link = f'href="{reverse("metrics:webhooks")}"'
    client.force_login(UserFactory(roles=["Admin"]))
    assert link in client.get(reverse("api:token")).content.decode()

    client.force_login(UserFactory(roles=["Viewer"]))
    assert link not in client.get(reverse("api:token")).content.decode()
