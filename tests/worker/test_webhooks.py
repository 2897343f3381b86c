"""Webhooks with a real Celery worker on Redis: the receiver answers 500, the worker is
killed before its retry, a new worker (with the periodic pick-up) delivers it; the worker's
log lines carry the request id of the save that caused them."""

import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from metrics import broker, tasks
from metrics.models import WebhookAttempt, WebhookDelivery
from tests.factories import MetricFactory, QuarterFactory, UserFactory, WebhookEndpointFactory
from tests.webhook_receiver import Receiver, verify

from .conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SECRET = "worker-test-secret-0123456789"
REQUEST_ID = "req-worker-hook-42"


def test_a_delivery_survives_the_worker_being_killed_between_attempts(
    publish_to, start_worker, monkeypatch
):
    # The worker processes read these at start: loopback allowed, a short first backoff.
    monkeypatch.setenv("WEBHOOKS_ALLOW_PRIVATE", "127.0.0.1/32")
    monkeypatch.setenv("WEBHOOKS_RETRY_BASE_SECONDS", "3")
    first_worker = start_worker()
    metric = MetricFactory()
    quarter = QuarterFactory(fiscal_year=2020, number=3)
    client = Client()
    client.force_login(UserFactory(roles=["Admin"]))

    with Receiver([500, 200]) as receiver:
        WebhookEndpointFactory(url=receiver.url(), events=["status.saved"], secret=SECRET)
        response = client.post(
            reverse("api:quarterly-status-list", kwargs={"version": "v1"}),
            {
                "metric": metric.pk,
                "fiscal_year": quarter.fiscal_year,
                "quarter_number": quarter.number,
                "value": "42",
            },
            content_type="application/json",
            HTTP_X_REQUEST_ID=REQUEST_ID,
        )
        assert response.status_code == 201
        assert response["X-Request-ID"] == REQUEST_ID
        assert broker.flush(10)

        wait_for(
            lambda: WebhookAttempt.objects.exists(),
            message=lambda: f"the first attempt\n{first_worker.output()}",
        )
        first_worker.kill()  # between the attempts: its scheduled retry dies with it
        delivery = WebhookDelivery.objects.get()
        assert (delivery.state, delivery.attempts, delivery.last_status_code) == (
            "pending",
            1,
            500,
        )
        assert REQUEST_ID in first_worker.output()

        second_worker = start_worker()
        wait_for(lambda: timezone.now() >= delivery.next_attempt_at, timeout=30)
        time.sleep(0.1)
        tasks.webhooks_pending.delay()  # what beat sends every minute
        delivered = wait_for(
            lambda: WebhookDelivery.objects.filter(state="delivered").first(),
            message=lambda: f"the retry\n{second_worker.output()}",
        )

    assert (delivered.attempts, delivered.last_status_code) == (2, 200)
    assert [r.status for r in receiver.received] == [500, 200]
    first, second = receiver.received
    assert first.body == second.body
    assert first.headers["X-Okr-Delivery"] == second.headers["X-Okr-Delivery"]
    for received in receiver.received:
        assert verify(
            secret=SECRET, body=received.body, signature_header=received.headers["X-Okr-Signature"]
        )
    codes = list(
        WebhookAttempt.objects.order_by("attempted_at").values_list("status_code", flat=True)
    )
    assert codes == [500, 200]
