"""Outgoing webhooks: registering endpoints, recording deliveries, posting them.

`webhooks_on_event` listens to the domain events (registered in `MetricsConfig.ready`): it runs
inside the writer's transaction and writes one `WebhookDelivery` row per subscribed endpoint
(the outbox), so a rolled-back save sends nothing and a committed one never loses its
deliveries. On commit each delivery is handed to the worker (queue `webhooks`) from the
process's sender thread (`metrics/broker.py`): the save never waits for the broker, let alone
the receiver. The worker posts it (`webhook_delivery_attempt`), records the attempt, and on
failure sets the next try after an exponential backoff; `webhooks_pending_enqueue` (every
minute) hands out whatever is due and unclaimed, so a dead broker or a killed worker delays a
delivery, never loses it. Permission checks are the caller's (`permissions.can_manage_webhooks`).
"""

import hashlib
import hmac
import json
import logging
import random
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from metrics.broker import send_in_background
from metrics.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookDeliveryState,
    WebhookEndpoint,
)
from metrics.prometheus import outbox_register
from metrics.services.events import Event, EventKind
from metrics.services.jobs import job_enqueue, jobs_run_in_process
from metrics.webhook_transport import RefusedAddress, post, url_check

logger = logging.getLogger(__name__)

BODY_VERSION = 1
DELIVER_TASK = "metrics.webhook_deliver"
SIGNATURE_HEADER = "X-Okr-Signature"
DELIVERY_HEADER = "X-Okr-Delivery"
EVENT_HEADER = "X-Okr-Event"
SECRET_MIN_LENGTH = 16
# The events an endpoint can subscribe to (`checkin.due` is a reminder, not a change).
WEBHOOK_EVENTS = tuple(kind for kind in EventKind.ALL if kind != EventKind.CHECKIN_DUE)
# A claim outlives any attempt (connect + read timeouts, with room to spare).
CLAIM_SECONDS = 120
# How many due deliveries one periodic run hands out (the rest wait for the next run).
PENDING_BATCH = 500


# --- endpoints -------------------------------------------------------------------------------


def webhook_secret_generate() -> str:
    return secrets.token_urlsafe(32)


def webhook_endpoint_clean(
    *,
    endpoint: WebhookEndpoint | None,
    name: str,
    url: str,
    events: list[str],
    secret: str | None,
) -> dict:
    """The endpoint's fields, cleaned; ValidationError by field on bad input (forms call it
    to show the errors; `webhook_endpoint_save` calls it again)."""
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Give the endpoint a name.")
    elif len(name) > 100:
        errors["name"] = _("At most 100 characters.")
    url = (url or "").strip()
    if len(url) > 500:
        errors["url"] = _("At most 500 characters.")
    else:
        try:
            url_check(url)
        except RefusedAddress as refused:
            errors["url"] = str(refused)
    events = list(events or ())
    unknown = sorted(set(events) - set(WEBHOOK_EVENTS))
    if unknown:
        errors["events"] = _("Unknown events: %(events)s.") % {"events": ", ".join(unknown)}
    elif not events:
        errors["events"] = _("Choose at least one event.")
    if secret:
        if not SECRET_MIN_LENGTH <= len(secret) <= 200:
            errors["secret"] = _("Between %(min)d and 200 characters.") % {"min": SECRET_MIN_LENGTH}
    elif endpoint is None or not endpoint.secret:
        errors["secret"] = _("A new endpoint needs a secret.")
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "url": url,
        "events": [kind for kind in WEBHOOK_EVENTS if kind in set(events)],
        "secret": secret or None,
    }


def webhook_endpoint_save(
    *,
    actor,
    endpoint: WebhookEndpoint | None = None,
    name: str,
    url: str,
    events: list[str],
    active: bool = True,
    secret: str | None = None,
) -> WebhookEndpoint:
    """Create (`endpoint` None) or change an endpoint. `secret` None or "" keeps the current
    one (required for a new endpoint). ValidationError by field on bad input."""
    clean = webhook_endpoint_clean(
        endpoint=endpoint, name=name, url=url, events=events, secret=secret
    )
    endpoint = endpoint or WebhookEndpoint(created_by=actor if _is_user(actor) else None)
    endpoint.name = clean["name"]
    endpoint.url = clean["url"]
    endpoint.events = clean["events"]
    endpoint.active = bool(active)
    if clean["secret"]:
        endpoint.secret = clean["secret"]
    endpoint.save()
    return endpoint


def webhook_endpoint_delete(*, actor, endpoint: WebhookEndpoint) -> None:
    """Deletes the endpoint with its delivery log (pending deliveries are dropped)."""
    endpoint.delete()


def _is_user(actor) -> bool:
    return bool(getattr(actor, "is_authenticated", False))


# --- the outbox: one delivery per subscribed endpoint, written in the writer's transaction --


def webhooks_on_event(event: Event) -> None:
    """Subscriber of every domain event (MetricsConfig.ready)."""
    if event.kind not in WEBHOOK_EVENTS:
        return
    # Few endpoints: read the active ones and match their events here (one query, and JSON
    # containment is not portable to SQLite).
    endpoint_ids = [
        endpoint_id
        for endpoint_id, kinds in WebhookEndpoint.objects.filter(active=True).values_list(
            "id", "events"
        )
        if event.kind in (kinds or ())
    ]
    if not endpoint_ids:
        return
    now = timezone.now()
    deliveries = [
        WebhookDelivery(endpoint_id=endpoint_id, event=event.kind, next_attempt_at=now)
        for endpoint_id in endpoint_ids
    ]
    for delivery in deliveries:
        delivery.body = webhook_body(delivery=delivery, event=event)
    WebhookDelivery.objects.bulk_create(deliveries)
    delivery_ids = [str(delivery.delivery_id) for delivery in deliveries]
    transaction.on_commit(lambda: webhooks_enqueue(delivery_ids=delivery_ids))


def webhook_body(*, delivery: WebhookDelivery, event: Event) -> str:
    """The versioned JSON document every attempt sends, byte for byte."""
    return json.dumps(
        {
            "version": BODY_VERSION,
            "id": str(delivery.delivery_id),
            "event": event.kind,
            "occurred_at": event.occurred_at.isoformat(),
            "data": event.payload,
        },
        cls=DjangoJSONEncoder,
        separators=(",", ":"),
        sort_keys=True,
    )


def webhooks_enqueue(*, delivery_ids: list[str]) -> None:
    """Hand deliveries to the worker off the request's path; a failed publish leaves them
    for `webhooks_pending_enqueue`."""
    in_process = jobs_run_in_process()

    def send():
        try:
            for delivery_id in delivery_ids:
                job_enqueue(task=DELIVER_TASK, args=(delivery_id,))
        except Exception as error:  # noqa: BLE001 - the deliveries are recorded; never fail
            logger.warning(
                "Could not enqueue webhook deliveries %s (%s); the periodic pick-up will.",
                delivery_ids,
                type(error).__name__,
            )
        finally:
            if in_process:
                # The eager run opened this sender thread's own database connection.
                connections.close_all()

    send_in_background(send, what=f"webhook deliveries {delivery_ids}")


def webhooks_pending_enqueue(*, now=None) -> int:
    """Enqueue the deliveries that are due and not taken (the periodic pick-up)."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
            state=WebhookDeliveryState.PENDING,
            next_attempt_at__lte=now,
        )
        .order_by("next_attempt_at")
        .values_list("delivery_id", flat=True)[:PENDING_BATCH]
    )
    for delivery_id in due:
        job_enqueue(task=DELIVER_TASK, args=(str(delivery_id),))
    return len(due)


# --- one attempt -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AttemptOutcome:
    attempted: bool  # False: not due, taken by another worker, or already done
    delivered: bool = False
    retry_in: float | None = None  # seconds until the next try, when one is due


def webhook_signature(*, secret: str, timestamp: int, body: str) -> str:
    """The signature header's value: `t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">`."""
    signed = f"{timestamp}.{body}".encode()
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def retry_delay(attempts: int) -> float:
    """Seconds before try `attempts + 1`: base * 2^(attempts-1), capped, with jitter."""
    base = settings.WEBHOOKS_RETRY_BASE_SECONDS
    delay = min(base * 2 ** max(0, attempts - 1), settings.WEBHOOKS_RETRY_MAX_SECONDS)
    return delay * random.uniform(1.0, 1.25)  # noqa: S311 - spreading retries, not security


def _claim(delivery_id: str, now) -> bool:
    return bool(
        WebhookDelivery.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
            delivery_id=delivery_id,
            state=WebhookDeliveryState.PENDING,
            next_attempt_at__lte=now,
        ).update(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
    )


def webhook_delivery_attempt(*, delivery_id: str) -> AttemptOutcome:
    """Post one pending, due delivery once and record the attempt. Idempotent: a delivery
    that is done, not due or claimed by another worker is left alone."""
    now = timezone.now()
    if not _claim(delivery_id, now):
        return AttemptOutcome(attempted=False)
    delivery = WebhookDelivery.objects.select_related("endpoint").get(delivery_id=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.active:
        # Paused: keep it owed, try again later (an admin may turn the endpoint back on).
        delay = settings.WEBHOOKS_RETRY_MAX_SECONDS
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            claimed_until=None, next_attempt_at=now + timedelta(seconds=delay)
        )
        return AttemptOutcome(attempted=False, retry_in=delay)
    timestamp = int(now.timestamp())
    result = post(
        url=endpoint.url,
        body=delivery.body.encode(),
        headers={
            "Content-Type": "application/json",
            "User-Agent": f"okrtracker-webhooks/{BODY_VERSION}",
            SIGNATURE_HEADER: webhook_signature(
                secret=endpoint.secret, timestamp=timestamp, body=delivery.body
            ),
            DELIVERY_HEADER: str(delivery.delivery_id),
            EVENT_HEADER: delivery.event,
        },
    )
    return _attempt_record(delivery=delivery, result=result, attempted_at=now)


def _attempt_record(*, delivery: WebhookDelivery, result, attempted_at) -> AttemptOutcome:
    attempts = delivery.attempts + 1
    finished = timezone.now()
    changes = {"attempts": attempts, "claimed_until": None, "last_status_code": result.status_code}
    retry_in = None
    if result.ok:
        changes.update(state=WebhookDeliveryState.DELIVERED, delivered_at=finished)
    elif attempts >= settings.WEBHOOKS_MAX_ATTEMPTS:
        changes["state"] = WebhookDeliveryState.FAILED
    else:
        retry_in = retry_delay(attempts)
        changes["next_attempt_at"] = finished + timedelta(seconds=retry_in)
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            attempted_at=attempted_at,
            status_code=result.status_code,
            error=result.error[:500] or ("" if result.ok else f"HTTP {result.status_code}"),
            duration_ms=result.duration_ms,
            response_excerpt=result.response_excerpt[:300],
        )
        WebhookDelivery.objects.filter(pk=delivery.pk).update(**changes)
    log = logger.info if result.ok else logger.warning
    log(
        "Webhook %s (%s) to endpoint %s: attempt %d, %s.",
        delivery.delivery_id,
        delivery.event,
        delivery.endpoint_id,
        attempts,
        result.status_code or result.error,
    )
    return AttemptOutcome(attempted=True, delivered=result.ok, retry_in=retry_in)


def webhooks_outbox_register() -> None:
    """The pending deliveries as `okr_outbox_pending{outbox="webhooks"}` (metrics/prometheus)."""
    outbox_register(
        name="webhooks",
        pending=lambda: WebhookDelivery.objects.filter(state=WebhookDeliveryState.PENDING),
        since_field="created_at",
    )
