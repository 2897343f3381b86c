"""Outgoing webhooks: the outbox rows the events subscriber writes in the writer's
transaction, the signed body, one attempt and its retry schedule, the periodic pick-up."""

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from metrics.models import WebhookAttempt, WebhookDelivery, WebhookDeliveryState
from metrics.services import webhooks
from metrics.services.events import EventKind, event_publish
from metrics.services.statuses import quarterly_status_save
from metrics.services.webhooks import (
    retry_delay,
    webhook_delivery_attempt,
    webhook_endpoint_save,
    webhook_signature,
    webhooks_pending_enqueue,
)
from tests import factories
from tests.webhook_receiver import Receiver, verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def loopback_allowed(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = "127.0.0.0/8"
    webhooks_allowed_networks_forget()
    yield
    webhooks_allowed_networks_forget()


def webhooks_allowed_networks_forget():
    from metrics.webhook_transport import _allowed_networks

    _allowed_networks.cache_clear()


def save_status(value="95000"):
    return quarterly_status_save(
        metric=factories.MetricFactory(),
        segment=None,
        quarter=factories.QuarterFactory(fiscal_year=2020, number=3),
        actor=factories.UserFactory(),
        source="form",
        value=value,
    )


def test_a_saved_status_writes_one_delivery_per_subscribed_active_endpoint():
    subscribed = factories.WebhookEndpointFactory(events=["status.saved"])
    factories.WebhookEndpointFactory(events=["session.held"])
    factories.WebhookEndpointFactory(events=["status.saved"], active=False)

    status = save_status()

    (delivery,) = WebhookDelivery.objects.all()
    assert delivery.endpoint == subscribed
    assert delivery.event == "status.saved"
    assert delivery.state == WebhookDeliveryState.PENDING
    body = json.loads(delivery.body)
    assert set(body) == {"version", "id", "event", "occurred_at", "data"}
    assert (body["version"], body["id"], body["event"]) == (
        1,
        str(delivery.delivery_id),
        "status.saved",
    )
    assert body["data"]["status_id"] == status.pk


def test_a_rolled_back_write_leaves_no_delivery():
    factories.WebhookEndpointFactory(events=["status.saved"])

    with pytest.raises(RuntimeError), transaction.atomic():
        save_status()
        raise RuntimeError("the caller fails after the save")

    assert not WebhookDelivery.objects.exists()


def test_the_subscriber_reads_the_endpoints_in_one_query(django_assert_num_queries):
    factories.WebhookEndpointFactory.create_batch(3, events=["session.held"])
    event = event_publish(kind=EventKind.CHECKIN_DUE, actor=None, payload={})

    with django_assert_num_queries(2):  # the endpoints, one bulk insert
        webhooks.webhooks_on_event(
            type(event)(kind="session.held", actor_id=None, payload={"session_id": 1})
        )

    assert WebhookDelivery.objects.count() == 3


def test_checkin_due_is_not_a_webhook_event():
    factories.WebhookEndpointFactory(events=list(webhooks.WEBHOOK_EVENTS))

    event_publish(kind=EventKind.CHECKIN_DUE, actor=None, payload={})

    assert not WebhookDelivery.objects.exists()


def test_the_signature_is_hmac_sha256_of_the_timestamp_and_body():
    signature = webhook_signature(secret="s" * 16, timestamp=1700000000, body='{"a":1}')

    expected = hmac.new(b"s" * 16, b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
    assert signature == f"t=1700000000,v1={expected}"


def test_an_attempt_posts_the_signed_body_and_marks_it_delivered(loopback_allowed):
    with Receiver([200]) as receiver:
        endpoint = factories.WebhookEndpointFactory(url=receiver.url(), events=["status.saved"])
        save_status()
        delivery = WebhookDelivery.objects.get()

        outcome = webhook_delivery_attempt(delivery_id=str(delivery.delivery_id))

    assert outcome.delivered
    (received,) = receiver.received
    assert received.body == delivery.body.encode()
    assert received.headers["X-Okr-Delivery"] == str(delivery.delivery_id)
    assert received.headers["X-Okr-Event"] == "status.saved"
    assert received.headers["Content-Type"] == "application/json"
    assert verify(
        secret=endpoint.secret,
        body=received.body,
        signature_header=received.headers["X-Okr-Signature"],
    )
    assert not verify(
        secret="another-secret-entirely",
        body=received.body,
        signature_header=received.headers["X-Okr-Signature"],
    )
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    (attempt,) = WebhookAttempt.objects.all()
    assert (attempt.status_code, attempt.error, attempt.response_excerpt) == (200, "", "ok")


def test_a_failed_attempt_is_logged_and_retried_later_with_backoff(loopback_allowed, settings):
    settings.WEBHOOKS_RETRY_BASE_SECONDS = 30
    with Receiver([500, 200]) as receiver:
        factories.WebhookEndpointFactory(url=receiver.url(), events=["status.saved"])
        save_status()
        delivery = WebhookDelivery.objects.get()
        delivery_id = str(delivery.delivery_id)

        first = webhook_delivery_attempt(delivery_id=delivery_id)
        # Not due yet: a second copy of the task does nothing.
        early = webhook_delivery_attempt(delivery_id=delivery_id)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        second = webhook_delivery_attempt(delivery_id=delivery_id)

    assert (first.attempted, first.delivered) == (True, False)
    assert 30 <= first.retry_in <= 30 * 1.25
    assert early.attempted is False
    assert second.delivered
    assert [r.status for r in receiver.received] == [500, 200]
    ids = {r.headers["X-Okr-Delivery"] for r in receiver.received}
    assert ids == {delivery_id}  # the same delivery id: the receiver de-duplicates on it
    assert [r.body for r in receiver.received][0] == receiver.received[1].body
    attempts = list(WebhookAttempt.objects.order_by("attempted_at", "id"))
    assert [(a.status_code, a.error) for a in attempts] == [(500, "HTTP 500"), (200, "")]


def test_the_backoff_doubles_up_to_its_cap(settings):
    settings.WEBHOOKS_RETRY_BASE_SECONDS = 10
    settings.WEBHOOKS_RETRY_MAX_SECONDS = 60

    delays = [retry_delay(attempts) for attempts in (1, 2, 3, 4, 5)]

    for delay, base in zip(delays, (10, 20, 40, 60, 60), strict=True):
        assert base <= delay <= base * 1.25


def test_a_delivery_gives_up_after_the_last_attempt(loopback_allowed, settings):
    settings.WEBHOOKS_MAX_ATTEMPTS = 2
    with Receiver([503]) as receiver:
        factories.WebhookEndpointFactory(url=receiver.url(), events=["status.saved"])
        save_status()
        delivery = WebhookDelivery.objects.get()
        for _ in range(3):
            WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
            webhook_delivery_attempt(delivery_id=str(delivery.delivery_id))

    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("failed", 2)
    assert len(receiver.received) == 2


def test_a_refused_address_is_an_attempt_with_its_reason_and_no_request(settings):
    factories.WebhookEndpointFactory(url="http://127.0.0.1:9/hook", events=["status.saved"])
    save_status()
    delivery = WebhookDelivery.objects.get()

    webhook_delivery_attempt(delivery_id=str(delivery.delivery_id))

    (attempt,) = WebhookAttempt.objects.all()
    assert attempt.status_code is None
    assert "not public" in attempt.error


def test_a_claimed_delivery_is_left_alone_until_its_claim_runs_out(loopback_allowed):
    factories.WebhookEndpointFactory(url="http://127.0.0.1:9/hook", events=["status.saved"])
    save_status()
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        claimed_until=timezone.now() + timedelta(seconds=60)
    )

    assert webhook_delivery_attempt(delivery_id=str(delivery.delivery_id)).attempted is False
    assert webhooks_pending_enqueue() == 0

    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        claimed_until=timezone.now() - timedelta(seconds=1)
    )
    assert webhook_delivery_attempt(delivery_id=str(delivery.delivery_id)).attempted is True


def test_the_periodic_pick_up_enqueues_what_is_due(monkeypatch):
    endpoint = factories.WebhookEndpointFactory(events=["status.saved"])
    now = timezone.now()
    due = WebhookDelivery.objects.create(
        endpoint=endpoint, event="status.saved", body="{}", next_attempt_at=now
    )
    WebhookDelivery.objects.create(
        endpoint=endpoint, event="status.saved", body="{}", next_attempt_at=now + timedelta(hours=1)
    )
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        event="status.saved",
        body="{}",
        next_attempt_at=now,
        state=WebhookDeliveryState.DELIVERED,
    )
    sent = []
    monkeypatch.setattr(webhooks, "job_enqueue", lambda *, task, args: sent.append((task, args)))

    assert webhooks_pending_enqueue() == 1
    assert sent == [("metrics.webhook_deliver", (str(due.delivery_id),))]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"url": "ftp://hooks.example.org/"}, "url"),
        ({"url": "http://10.0.0.5/hook"}, "url"),
        ({"url": "http://user:pw@hooks.example.org/"}, "url"),
        ({"url": "http://localhost:8000/"}, "url"),
        ({"events": ["no.such.event"]}, "events"),
        ({"events": []}, "events"),
        ({"secret": "short"}, "secret"),
        ({"secret": None}, "secret"),
        ({"name": "  "}, "name"),
    ],
)
def test_an_endpoint_with_bad_fields_is_refused_by_field(change, field):
    values = {
        "name": "Chat",
        "url": "https://hooks.example.org/okr",
        "events": ["status.saved"],
        "secret": "a-long-enough-secret",
        **change,
    }

    with pytest.raises(ValidationError) as refused:
        webhook_endpoint_save(actor=None, **values)

    assert field in refused.value.message_dict


def test_changing_an_endpoint_without_a_secret_keeps_the_secret():
    endpoint = webhook_endpoint_save(
        actor=None,
        name="Chat",
        url="https://hooks.example.org/okr",
        events=["status.saved", "session.held"],
        secret="the-first-secret-kept",
    )

    webhook_endpoint_save(
        actor=None, endpoint=endpoint, name="Chat 2", url=endpoint.url, events=["session.held"]
    )

    endpoint.refresh_from_db()
    assert (endpoint.name, endpoint.events, endpoint.secret) == (
        "Chat 2",
        ["session.held"],
        "the-first-secret-kept",
    )
