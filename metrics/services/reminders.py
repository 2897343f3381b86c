"""Deadline reminders: the leads of each department that has not submitted a quarter are told
STATUS_REMINDER_DAYS before the quarter's status deadline (due) and once it has passed while
its session is still being prepared (overdue), as notifications (`checkin.due` events; the
notification subscriber writes one per lead, once per quarter, department and kind, and mails
it after commit).

Nothing here needs Celery beat: `status_reminders_send` is idempotent, so beat
(`metrics.send_status_reminders`, every morning), a cron line running
`manage.py send_notifications --reminders`, and the lazy daily check a sign-in triggers
(`checkin_reminders_lazily`) may all run it; each person is told once."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from metrics.broker import send_in_background
from metrics.caching.store import daily_claim
from metrics.models import (
    Department,
    Notification,
    NotificationKind,
    Quarter,
    SessionState,
    Submission,
    SubmissionState,
)
from metrics.services.events import EventKind, event_publish
from metrics.services.jobs import job_enqueue, jobs_run_in_process

logger = logging.getLogger(__name__)

# A quarter still being prepared this long after its deadline stops being reminded.
OVERDUE_FOR_DAYS = 30
# States of a department's quarter that count as "handed in": no reminder.
HANDED_IN = ("submitted", "approved", SubmissionState.LOCKED)


def quarters_due_for_reminders(today=None) -> list[Quarter]:
    """Quarters whose deadline is between today and STATUS_REMINDER_DAYS from now."""
    today = today or timezone.localdate()
    return list(
        Quarter.objects.filter(
            status_deadline__gte=today,
            status_deadline__lte=today + timedelta(days=settings.STATUS_REMINDER_DAYS),
        )
    )


def quarters_overdue(today=None) -> list[Quarter]:
    """Quarters whose deadline passed (within OVERDUE_FOR_DAYS) while a session of theirs is
    still being prepared."""
    today = today or timezone.localdate()
    return list(
        Quarter.objects.filter(
            status_deadline__lt=today,
            status_deadline__gte=today - timedelta(days=OVERDUE_FOR_DAYS),
            sessions__state=SessionState.DRAFT,
        ).distinct()
    )


def status_reminders_send(*, today=None) -> int:
    """Publish `checkin.due` for each department with leads that has not handed in a due or
    overdue quarter; returns how many notifications that wrote (0 on a second run)."""
    due = [(q, "due") for q in quarters_due_for_reminders(today)]
    due += [(q, "overdue") for q in quarters_overdue(today)]
    if not due:
        return 0
    departments = list(Department.objects.filter(leads__is_active=True).distinct())
    handed_in = set(
        Submission.objects.filter(quarter__in=[q for q, _ in due], state__in=HANDED_IN).values_list(
            "department_id", "quarter_id"
        )
    )
    kinds = (NotificationKind.CHECKIN_DUE, NotificationKind.CHECKIN_OVERDUE)
    before = Notification.objects.filter(kind__in=kinds).count()
    for quarter, which in due:
        for department in departments:
            if (department.pk, quarter.pk) in handed_in:
                continue
            with transaction.atomic():
                event_publish(
                    kind=EventKind.CHECKIN_DUE,
                    actor=None,
                    payload={
                        "due": which,
                        "quarter_id": quarter.pk,
                        "fiscal_year": quarter.fiscal_year,
                        "quarter_number": quarter.number,
                        "quarter": quarter.label,
                        "deadline": f"{quarter.status_deadline:%Y-%m-%d}",
                        "department_id": department.pk,
                        "department": department.name,
                    },
                )
    return Notification.objects.filter(kind__in=kinds).count() - before


def checkin_reminders_lazily(*, today=None) -> bool:
    """Run the reminders at most once a day per cache (a sign-in calls it), for sites
    without Celery beat or cron; off the request's path when there is a broker. True if it
    started them."""
    if not settings.CHECKIN_REMINDERS_ON_SIGN_IN:
        return False
    today = today or timezone.localdate()
    if not daily_claim("checkin-reminders", today):
        return False
    if jobs_run_in_process():
        status_reminders_send(today=today)
        return True
    send_in_background(_publish_reminders, what="the check-in reminders")
    return True


def _publish_reminders() -> None:
    try:
        job_enqueue(task="metrics.send_status_reminders")
    except Exception as error:  # noqa: BLE001 - a sign-in must never fail for this
        logger.warning("Could not enqueue the check-in reminders (%s).", error)


def checkin_link(department, quarter) -> str:
    """The department's check-in page for the quarter, as the emails print it."""
    path = reverse(
        "metrics:checkin",
        kwargs={
            "department": department.slug,
            "fiscal_year": quarter.fiscal_year,
            "number": quarter.number,
        },
    )
    return f"{settings.SITE_URL}{path}"
