"""Reminding department leads whose quarter is not submitted yet, STATUS_REMINDER_DAYS before
the quarter's status_deadline, once (Submission.reminded_at). Email goes through Django's
mail framework (the console backend unless configured); the Celery beat job
`metrics.send_status_reminders` calls this every morning."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from metrics.formatting import possessive
from metrics.models import Department, Quarter, Submission, SubmissionState

logger = logging.getLogger(__name__)


def quarters_due_for_reminders(today=None) -> list[Quarter]:
    """Quarters whose deadline is between today and STATUS_REMINDER_DAYS from now."""
    today = today or timezone.localdate()
    return list(
        Quarter.objects.filter(
            status_deadline__gte=today,
            status_deadline__lte=today + timedelta(days=settings.STATUS_REMINDER_DAYS),
        )
    )


def status_reminders_send(*, today=None) -> int:
    """Sends the due reminders; returns how many emails went out. A department is reminded
    once per quarter: the claim on reminded_at is a conditional UPDATE, so two workers running
    at once never both send; a failed send releases the claim for the next run."""
    quarters = quarters_due_for_reminders(today)
    if not quarters:
        return 0
    User = Department.leads.field.related_model
    departments = list(
        Department.objects.filter(leads__isnull=False)
        .distinct()
        .prefetch_related(
            Prefetch("leads", queryset=User.objects.filter(is_active=True).exclude(email=""))
        )
    )
    submissions = {
        (s.department_id, s.quarter_id): s
        for s in Submission.objects.filter(quarter__in=quarters, department__in=departments)
    }
    sent = 0
    connection = get_connection()
    for quarter in quarters:
        for department in departments:
            submission = submissions.get((department.pk, quarter.pk))
            if submission and (
                submission.state != SubmissionState.DRAFT or submission.reminded_at is not None
            ):
                continue
            recipients = [lead.email for lead in department.leads.all()]
            if not recipients:
                continue
            if submission is None:
                submission, _ = Submission.objects.get_or_create(
                    department=department, quarter=quarter
                )
            if not _claim(submission):
                continue
            try:
                _message(department, quarter, recipients, connection).send()
            except Exception:
                Submission.objects.filter(pk=submission.pk).update(reminded_at=None)
                logger.exception("Reminder to %s for %s could not be sent", department, quarter)
                continue
            sent += 1
    return sent


def _claim(submission: Submission) -> bool:
    return bool(
        Submission.objects.filter(
            pk=submission.pk, reminded_at__isnull=True, state=SubmissionState.DRAFT
        ).update(reminded_at=timezone.now())
    )


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


def _message(department, quarter, recipients, connection) -> EmailMessage:
    link = checkin_link(department, quarter)
    return EmailMessage(
        subject=f"Reminder: {possessive(department.name)} status for {quarter.label} is due "
        f"{quarter.status_deadline:%Y-%m-%d}",
        body=(
            f"Hello,\n\n{possessive(department.name)} quarterly status for {quarter.label} has not been "
            f"submitted yet. It is due on {quarter.status_deadline:%A %d %B %Y}.\n\n"
            f"Fill it in and submit it here: {link}\n\n-- okrtracker"
        ),
        to=recipients,
        connection=connection,
    )
