from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from .calendar import Quarter
from .org import Department


class SubmissionState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    # The review loop (docs/review.md): a facilitator or an admin sends a submitted check-in
    # back with a comment, or approves it.
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")
    LOCKED = "locked", "Locked"


class Submission(models.Model):
    """A department's status for one quarter: draft, then submitted, then approved or returned
    by a reviewer, then locked (by an admin, or by holding the quarter's session)."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="submissions")
    quarter = models.ForeignKey(Quarter, on_delete=models.PROTECT, related_name="submissions")
    state = models.CharField(
        max_length=20, choices=SubmissionState.choices, default=SubmissionState.DRAFT
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    locked_at = models.DateTimeField(null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    # The last review: who approved or returned it, when, and the comment a return sends back
    # (shown at the top of the lead's check-in while it is returned).
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_comment = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["quarter", "department"]
        constraints = [
            models.UniqueConstraint(fields=["department", "quarter"], name="submission_unique"),
        ]

    def __str__(self):
        return f"{self.department} {self.quarter}: {self.get_state_display()}"


class ChangeSource(models.TextChoices):
    FORM = "form", "Form"
    API = "api", "API"
    ADMIN = "admin", "Admin"
    IMPORT = "import", "Import"
    RECOMPUTE = "recompute", "Recompute"
    SEED = "seed", "Seed"  # the reference deck: fixtures/build_seed_deck.py, seed_demo


class HistoryEntry(models.Model):
    """One changed field of one row: who, when, old and new value. Written by the services
    (every write goes through one), including bulk and recompute writes."""

    # No database foreign keys and no single-column indexes here: a full recompute appends
    # a million entries in one statement, and a deferred constraint check per row costs more
    # than the rest of the insert (benchmarks/recompute.py). Deleting a user or a content
    # type still cascades, through Django's collector; the composite index below serves
    # every lookup the pages make.
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    field = models.CharField(max_length=100)
    old_value = models.TextField(blank=True, null=True)
    new_value = models.TextField(blank=True, null=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    source = models.CharField(max_length=20, choices=ChangeSource.choices)
    # Indexed by migration 0005: a BRIN index on PostgreSQL (entries arrive in time order, so
    # a few summary pages serve every date filter, at next to no cost per inserted row).
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name_plural = "history entries"
        indexes = [models.Index(fields=["content_type", "object_id", "-changed_at"])]

    def __str__(self):
        return (
            f"{self.field}: {self.old_value!r} -> {self.new_value!r} ({self.changed_at:%Y-%m-%d})"
        )
