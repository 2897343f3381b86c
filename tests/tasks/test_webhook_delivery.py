"""Webhooks end to end without a broker (tasks run in-process, off the request's path): every
event a real service publishes reaches a real HTTP receiver once, signed; a slow receiver
never slows the save; a receiver answering 500 then 200 gets the retry."""

import json
import time

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from metrics import broker, models, tasks
from metrics.models import WebhookDelivery
from metrics.services import sessions as cycle
from metrics.services.statuses import quarterly_status_save
from metrics.services.submissions import submission_submit
from metrics.services.webhooks import WEBHOOK_EVENTS
from metrics.webhook_transport import _allowed_networks
from tests import factories
from tests.webhook_receiver import Receiver, verify

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "end-to-end-secret-0123456789"


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = "127.0.0.1/32"
    _allowed_networks.cache_clear()
    yield
    broker.flush(10)
    _allowed_networks.cache_clear()


def endpoint_for(receiver, events=WEBHOOK_EVENTS):
    return factories.WebhookEndpointFactory(url=receiver.url(), events=list(events), secret=SECRET)


def test_each_event_of_the_cycle_arrives_once_and_signed():
    call_command("loaddata", "seed_deck", verbosity=0)
    facilitator = factories.UserFactory(roles=["Admin"])
    q2 = models.TuningSession.objects.get(quarter__fiscal_year=2020, quarter__number=2)
    metric = models.Metric.objects.first()
    with Receiver([200]) as receiver:
        endpoint_for(receiver)

        q3 = cycle.session_open_next(actor=facilitator, source=q2, notify=False).session
        quarterly_status_save(
            metric=metric,
            segment=None,
            quarter=q3.quarter,
            actor=facilitator,
            source="form",
            value="123",
        )
        submission_submit(department=metric.department, quarter=q3.quarter, actor=facilitator)
        cycle.session_hold(actor=facilitator, session=q3)
        cycle.session_reopen(actor=facilitator, session=q3)
        q4 = cycle.session_open_next(actor=facilitator, source=q3, notify=False).session
        cycle.session_delete(actor=facilitator, session=q4)
        assert broker.flush(30)

    bodies = [json.loads(received.body) for received in receiver.received]
    # Holding and reopening lock and unlock every department's quarter: submission.changed
    # for each, between the session's own events.
    assert [body["event"] for body in bodies if body["event"] != "submission.changed"] == [
        "session.opened",
        "status.saved",
        "session.held",
        "session.reopened",
        "session.opened",
        "session.deleted",
    ]
    submitted = [b["data"] for b in bodies if b["event"] == "submission.changed"]
    assert {"from_state": "draft", "to_state": "submitted"}.items() <= submitted[0].items()
    # Each delivery arrived exactly once.
    sent = {
        str(delivery_id)
        for delivery_id in WebhookDelivery.objects.values_list("delivery_id", flat=True)
    }
    assert sorted(body["id"] for body in bodies) == sorted(sent)
    for received, body in zip(receiver.received, bodies, strict=True):
        assert verify(
            secret=SECRET, body=received.body, signature_header=received.headers["X-Okr-Signature"]
        )
        assert received.headers["X-Okr-Delivery"] == body["id"]
        assert body["version"] == 1
    held = next(body for body in bodies if body["event"] == "session.held")
    assert held["data"]["session_id"] == q3.pk
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"delivered"}


def test_a_slow_receiver_never_slows_the_save():
    lead = factories.UserFactory(roles=["Admin"])
    quarter = factories.QuarterFactory(fiscal_year=2020, number=3)
    client = Client()
    client.force_login(lead)

    def save(metric, value):
        started = time.monotonic()
        response = client.post(
            reverse("api:quarterly-status-list", kwargs={"version": "v1"}),
            {
                "metric": metric.pk,
                "fiscal_year": quarter.fiscal_year,
                "quarter_number": quarter.number,
                "value": value,
            },
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        return time.monotonic() - started

    # A first save warms the process up (imports, URLs), with no endpoint to tell.
    save(factories.MetricFactory(), "4")
    with Receiver([200]) as receiver:
        receiver.delay = 3.0
        endpoint_for(receiver, ["status.saved"])

        answered_in = save(factories.MetricFactory(), "5")
        assert broker.flush(30)

    assert answered_in < 1.5
    assert len(receiver.received) == 1
    assert WebhookDelivery.objects.get().state == "delivered"


def test_a_receiver_answering_500_then_200_gets_the_retry(settings):
    settings.WEBHOOKS_RETRY_BASE_SECONDS = 0.5
    metric = factories.MetricFactory()
    with Receiver([500, 200]) as receiver:
        endpoint_for(receiver, ["status.saved"])
        quarterly_status_save(
            metric=metric,
            segment=None,
            quarter=factories.QuarterFactory(fiscal_year=2020, number=3),
            actor=None,
            source="api",
            value="7",
        )
        assert broker.flush(30)
        delivery = WebhookDelivery.objects.get()
        assert (delivery.state, delivery.attempts) == ("pending", 1)

        time.sleep(0.7)  # the backoff, then the periodic pick-up (beat runs it every minute)
        assert tasks.webhooks_pending() == 1

    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 200)
    assert [r.status for r in receiver.received] == [500, 200]
    assert receiver.received[0].body == receiver.received[1].body
    assert delivery.next_attempt_at <= timezone.now()
