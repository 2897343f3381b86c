"""Notifications: writing them (in the writer's transaction, once per person and event),
each person's channel per kind, marking them read, and mailing them.

Writing: the domain events' subscriber (`services/notification_events.py`) turns an event
into notices and calls `notifications_create` inside the transaction that made the change,
so a rolled-back change tells nobody and a committed one never loses its notices. The rows to
mail are handed to the worker on commit (the `notifications` queue), off the request's path
(`metrics/broker.py`): a broker that is down or hung never blocks or fails the action, and
`notifications_pending_send` (the periodic `metrics.notifications_pending`) mails what the
broker did not take.

Mailing is at least once, with the duplicate window as small as it can be: one row is mailed
inside one transaction that first locks it (`select_for_update(skip_locked=True)`: another
worker skips it) and marks it sent (a conditional UPDATE, which on SQLite is what serialises
two senders), then hands the mail to the mail server and commits. A send that fails rolls the
mark back (the row is tried again, up to MAX_ATTEMPTS); a worker killed mid-send drops its
connection, the database rolls the mark back and the next run sends it: none is lost. A mail
is sent twice only if the worker dies between the mail server's acceptance and the commit
(milliseconds). A task retried after its commit finds the row sent and mails nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from metrics.broker import send_in_background
from metrics.models import (
    EmailState,
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationPreference,
)

# Each person's channel per kind, defaults filled in, is a read shared with the pages.
from metrics.selectors.notification_channels import DEFAULT_CHANNELS as DEFAULT_CHANNELS
from metrics.selectors.notification_channels import channels_for
from metrics.services.jobs import job_enqueue, jobs_run_in_process

logger = logging.getLogger(__name__)

K = NotificationKind
C = NotificationChannel

# A mail the server keeps refusing stops being tried after this many attempts.
MAX_ATTEMPTS = 5
# Rows one pending run mails at most (the next run takes the rest).
PENDING_BATCH = 500
TASK_SEND = "metrics.notifications_send"


@dataclass(frozen=True)
class Notice:
    """What one person is told about one event."""

    recipient_id: int
    kind: str
    summary: str
    body: str = ""
    link: str = ""
    department_id: int | None = None


# --- preferences --------------------------------------------------------------------------


def notification_preferences_set(*, user, channels: dict[str, str]) -> None:
    """Store the person's channel per kind (kinds left out keep theirs); a channel equal to
    the default is stored too, so a later change of defaults does not override a choice."""
    unknown = set(channels) - set(K.values)
    if unknown:
        raise ValueError(f"Unknown notification kinds: {sorted(unknown)}")
    bad = {kind for kind, channel in channels.items() if channel not in C.values}
    if bad:
        raise ValueError(f"Unknown channels for {sorted(bad)}")
    with transaction.atomic():
        for kind, channel in channels.items():
            NotificationPreference.objects.update_or_create(
                user=user, kind=kind, defaults={"channel": channel}
            )


# --- writing ------------------------------------------------------------------------------


def notifications_create(*, notices: Iterable[Notice], event_key: str, actor_id: int | None) -> int:
    """Write one row per recipient of the event (never the actor, never twice for the same
    `event_key`, never for a kind the person turned off) and mail those that want a mail
    once the caller's transaction commits. Returns how many rows were written."""
    User = get_user_model()
    by_recipient: dict[int, Notice] = {}
    for notice in notices:
        # The first notice for a person wins: callers list the most specific first
        # (a mention before a reply before a comment on their department).
        if notice.recipient_id != actor_id:
            by_recipient.setdefault(notice.recipient_id, notice)
    if not by_recipient:
        return 0
    active = User.objects.filter(pk__in=by_recipient, is_active=True)
    users = dict(active.values_list("pk", "email"))
    already = set(
        Notification.objects.filter(recipient_id__in=users, event_key=event_key).values_list(
            "recipient_id", flat=True
        )
    )
    channels = channels_for(user_ids=users, kinds={n.kind for n in by_recipient.values()})
    rows = []
    for recipient_id, notice in by_recipient.items():
        channel = channels.get((recipient_id, notice.kind))
        if recipient_id not in users or recipient_id in already or channel == C.OFF:
            continue
        rows.append(
            Notification(
                recipient_id=recipient_id,
                kind=notice.kind,
                event_key=event_key[:200],
                actor_id=actor_id,
                department_id=notice.department_id,
                summary=notice.summary[:300],
                body=notice.body,
                link=notice.link[:500],
                email_state=_email_state(channel, users[recipient_id]),
            )
        )
    # Ignoring conflicts: a concurrent writer of the same event (a re-published event in
    # another transaction) already wrote that person's row.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if any(row.email_state == EmailState.PENDING for row in rows):
        ids = list(
            Notification.objects.filter(
                event_key=event_key[:200], email_state=EmailState.PENDING
            ).values_list("pk", flat=True)
        )
        transaction.on_commit(lambda: _enqueue(ids))
    return len(rows)


def _email_state(channel: str, email: str) -> str:
    if not email:
        return EmailState.SKIPPED
    return {C.EMAIL: EmailState.PENDING, C.DIGEST: EmailState.DIGEST}.get(
        channel, EmailState.SKIPPED
    )


def _enqueue(ids: list[int]) -> None:
    if jobs_run_in_process():
        _publish(ids)
        return
    # A hung broker must not hold the action's answer: publish from the sender thread; the
    # rows stay pending for notifications_pending if it cannot.
    send_in_background(lambda: _publish(ids), what=f"the mail of notifications {ids}")


def _publish(ids: list[int]) -> None:
    try:
        job_enqueue(task=TASK_SEND, args=(ids,))
    except Exception as error:  # noqa: BLE001 - the action is committed; never fail it
        if jobs_run_in_process():
            logger.exception("In-process mail of notifications %s failed.", ids)
            return
        logger.warning(
            "Could not enqueue the mail of notifications %s (%s); notifications_pending will.",
            ids,
            error,
        )


# --- reading state ------------------------------------------------------------------------


def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the person's notifications read (all of them when `ids` is None); another
    person's ids are ignored. Returns how many changed."""
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())


# --- mailing ------------------------------------------------------------------------------


class _SendFailed(Exception):
    pass


def notifications_send(*, notification_ids: Iterable[int]) -> int:
    """Mail each pending notification of `notification_ids` once; returns how many went out.
    Rows already sent (a retried task), locked by another sender or not pending are skipped."""
    sent = 0
    connection = get_connection()
    for pk in sorted(set(notification_ids)):
        if _send_one(pk, connection):
            sent += 1
    return sent


def notifications_pending_send(*, limit: int = PENDING_BATCH) -> int:
    """Mail what the broker did not take (down, hung, a lost publish)."""
    ids = Notification.objects.filter(email_state=EmailState.PENDING).order_by("pk")
    return notifications_send(notification_ids=list(ids.values_list("pk", flat=True)[:limit]))


def _send_one(pk: int, connection) -> bool:
    try:
        with transaction.atomic():
            row = (
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk=pk, email_state=EmailState.PENDING)
                .select_related("recipient")
                .first()
            )
            if row is None or not _mark_sent(pk, (EmailState.PENDING,)):
                return False
            try:
                _message(row, connection).send()
            except Exception as error:  # noqa: BLE001 - any mail failure rolls the mark back
                raise _SendFailed from error
    except _SendFailed:
        _failed(pk)
        return False
    return True


def _mark_sent(pk, states) -> bool:
    return bool(
        Notification.objects.filter(pk=pk, email_state__in=states).update(
            email_state=EmailState.SENT,
            emailed_at=timezone.now(),
            email_attempts=F("email_attempts") + 1,
        )
    )


def _failed(pk: int) -> None:
    logger.exception("Mailing notification %s failed; it stays pending.", pk)
    Notification.objects.filter(pk=pk, email_state=EmailState.PENDING).update(
        email_attempts=F("email_attempts") + 1
    )
    Notification.objects.filter(
        pk=pk, email_state=EmailState.PENDING, email_attempts__gte=MAX_ATTEMPTS
    ).update(email_state=EmailState.FAILED)


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}" if path.startswith("/") else path


def _footer() -> str:
    return _("-- okrtracker\nChoose which notices you get: %(link)s") % {
        "link": absolute(reverse("metrics:notification_preferences"))
    }


def _message(row: Notification, connection) -> EmailMessage:
    parts = [_("Hello,"), row.body or row.summary]
    if row.link:
        parts.append(_("Open it here: %(link)s") % {"link": absolute(row.link)})
    parts.append(_footer())
    return EmailMessage(
        subject=row.summary,
        body="\n\n".join(parts),
        to=[row.recipient.email],
        connection=connection,
    )


def notification_digests_send(*, before=None) -> int:
    """One mail per person with their notices waiting for the digest (created before
    `before`, default now); each person's rows are locked and marked sent in the mail's own
    transaction, as single mails are. Returns how many digests went out."""
    before = before or timezone.now()
    waiting = Notification.objects.filter(email_state=EmailState.DIGEST, created_at__lt=before)
    user_ids = sorted(set(waiting.values_list("recipient_id", flat=True)))
    connection = get_connection()
    sent = 0
    for user_id in user_ids:
        try:
            with transaction.atomic():
                rows = list(
                    waiting.filter(recipient_id=user_id)
                    .select_for_update(skip_locked=True, of=("self",))
                    .select_related("recipient")
                    .order_by("created_at", "pk")
                )
                marked = Notification.objects.filter(
                    pk__in=[row.pk for row in rows], email_state=EmailState.DIGEST
                ).update(email_state=EmailState.SENT, emailed_at=timezone.now())
                if not rows or marked != len(rows):
                    # Another sender took some of them meanwhile: leave the rest to it.
                    transaction.set_rollback(True)
                    continue
                _digest(rows, connection).send()
        except Exception:  # noqa: BLE001 - one person's failed digest must not stop the rest
            logger.exception("The digest of user %s could not be sent; it is kept.", user_id)
            continue
        sent += 1
    return sent


def _digest(rows: list[Notification], connection) -> EmailMessage:
    lines = [_("Hello,"), _("What happened in okrtracker since your last digest:")]
    for row in rows:
        link = f"\n  {absolute(row.link)}" if row.link else ""
        lines.append(f"- {row.summary}{link}")
    lines.append(_footer())
    return EmailMessage(
        subject=_("okrtracker: %(count)d notices") % {"count": len(rows)},
        body="\n\n".join(lines),
        to=[rows[0].recipient.email],
        connection=connection,
    )
