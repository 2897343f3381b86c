"""Domain events: what happened, told to whoever listens, inside the writer's transaction.

A write service that does something others care about (a status saved, a check-in
submitted, a session held) calls `event_publish` inside its own transaction. Every
subscriber runs right there, in the same transaction, and records what it must do later as
rows of its own (an outbox: notifications to send, webhook deliveries to make). So an event is
kept exactly when the write is kept: a rolled-back save notifies nobody, and a committed one
never loses its notices, whatever the broker does. Subscribers enqueue their Celery work on
commit and a periodic task picks up what the broker did not take.

Subscribers register when the app is ready (`MetricsConfig.ready`), so services never import
the notification or webhook code and there is no import circle. A subscriber must not fail
the write: an exception in one is logged and the write goes on (the event is lost for that
subscriber only, which its own tests guard against).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


class EventKind:
    """The events a service publishes. The value is the name webhooks and logs carry."""

    STATUS_SAVED = "status.saved"  # a metric's or a key result's quarterly status
    SUBMISSION_CHANGED = "submission.changed"  # a department's check-in changed state
    SESSION_OPENED = "session.opened"
    SESSION_HELD = "session.held"
    SESSION_REOPENED = "session.reopened"
    SESSION_DELETED = "session.deleted"
    COMMENT_CREATED = "comment.created"
    CHECKIN_DUE = "checkin.due"  # a quarter's deadline is near, or passed

    ALL = (
        STATUS_SAVED,
        SUBMISSION_CHANGED,
        SESSION_OPENED,
        SESSION_HELD,
        SESSION_REOPENED,
        SESSION_DELETED,
        COMMENT_CREATED,
        CHECKIN_DUE,
    )


@dataclass(frozen=True)
class Event:
    kind: str
    # The user who acted, or None (a task, the seed, a pipeline without a user).
    actor_id: int | None
    # JSON-serialisable facts of the event: ids and the labels a reader needs.
    payload: dict
    occurred_at: datetime = field(default_factory=timezone.now)


Subscriber = Callable[[Event], None]

_subscribers: dict[str, Subscriber] = {}


def event_subscribe(*, name: str, handler: Subscriber) -> None:
    """Register `handler` under `name` (registering a name again replaces it: idempotent for
    tests and for `ready()` running twice)."""
    _subscribers[name] = handler


def event_unsubscribe(*, name: str) -> None:
    _subscribers.pop(name, None)


def event_publish(*, kind: str, actor, payload: dict) -> Event:
    """Tell every subscriber, now, inside the caller's transaction. Call it from a service,
    inside the transaction that makes the change."""
    if kind not in EventKind.ALL:
        raise ValueError(f"Unknown event kind {kind!r}.")
    actor_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
    event = Event(kind=kind, actor_id=actor_id, payload=payload)
    for name, handler in list(_subscribers.items()):
        try:
            # A savepoint: a subscriber's failed query must not abort the writer's transaction.
            with transaction.atomic():
                handler(event)
        except Exception:  # noqa: BLE001 - a listener never fails the write it listens to
            logger.exception("Event subscriber %s failed on %s.", name, kind)
    return event
