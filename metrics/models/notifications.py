"""Notifications: one row per person and event, behind the in-app inbox and the mails, and
each person's choice per kind of notice (in app, email, a daily digest, or off). A person's
last visit of their home page lives here too: it is what "new since your last visit" means."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .org import Department


class NotificationKind(models.TextChoices):
    CHECKIN_OPENED = "checkin_opened", _("Check-in opened")
    CHECKIN_DUE = "checkin_due", _("Check-in deadline near")
    CHECKIN_OVERDUE = "checkin_overdue", _("Check-in overdue")
    CHECKIN_SUBMITTED = "checkin_submitted", _("Check-in submitted for review")
    CHECKIN_WITHDRAWN = "checkin_withdrawn", _("Check-in withdrawn")
    CHECKIN_RETURNED = "checkin_returned", _("Check-in returned")
    CHECKIN_APPROVED = "checkin_approved", _("Check-in approved")
    CHECKIN_LOCKED = "checkin_locked", _("Check-in locked")
    MENTION = "mention", _("You were mentioned")
    REPLY = "reply", _("Reply in a thread you are in")
    DEPARTMENT_THREAD = "department_thread", _("Comment on your department's figures")
    SESSION_HELD = "session_held", _("Session held")
    SESSION_REOPENED = "session_reopened", _("Session reopened")
    SESSION_DELETED = "session_deleted", _("Session deleted")


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("In app and email")
    IN_APP = "in_app", _("In app only")
    DIGEST = "digest", _("In app and a daily digest email")
    OFF = "off", _("Off")


class EmailState(models.TextChoices):
    PENDING = "pending", _("To send")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Not emailed")
    DIGEST = "digest", _("Waiting for the daily digest")
    FAILED = "failed", _("Could not be sent")


class Notification(models.Model):
    """One notice to one person. `event_key` names the event it is for: unique per recipient,
    so a re-published event or a retried task never creates a second row (nor a second mail:
    a row is mailed once, `email_state` moving from pending to sent under a row lock)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    event_key = models.CharField(max_length=200)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True, help_text=_("A path on this site."))
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email_state = models.CharField(
        max_length=10, choices=EmailState.choices, default=EmailState.SKIPPED
    )
    email_attempts = models.PositiveSmallIntegerField(default=0)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event_key"], name="notification_once_per_event"
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(
                fields=["email_state", "id"],
                condition=models.Q(email_state__in=["pending", "digest"]),
                name="notification_to_mail",
            ),
        ]

    def __str__(self):
        return f"{self.recipient}: {self.summary}"


class NotificationPreference(models.Model):
    """A person's channel for one kind; without a row, the kind's default applies
    (selectors/notification_channels.py DEFAULT_CHANNELS)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    channel = models.CharField(max_length=10, choices=NotificationChannel.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique")
        ]

    def __str__(self):
        return f"{self.user}: {self.kind} -> {self.channel}"


class HomeVisit(models.Model):
    """When a person last looked at what changed (their home page's "since your last visit"):
    `seen_at` moves on at each sign-in and when they mark the changes seen; `previous_at` is
    the visit before, the start of "new since"."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="home_visit"
    )
    seen_at = models.DateTimeField()
    previous_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.user}: {self.previous_at} -> {self.seen_at}"
