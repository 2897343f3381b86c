"""Comment threads: a conversation about one thing a session shows (a metric's or a
segment's cell in a quarter, a key result's cell in a quarter, an objective, the session
itself), with mentions, one level of replies, resolve/reopen and each comment's edit history.

A thread belongs to the session it was started in: the session is what people read, what
its discussion panel lists, and what the hold freezes (metrics.selectors.snapshots keeps the
threads as they were). Its target is kept twice on purpose: as explicit foreign keys (so a
deleted metric or objective takes its threads with it, and queries can join), and as
`target_key`, a short canonical string ("m12.s3.q2020-2", "kr5.q2020-2", "o7", "session")
that pages match against without a join: one query counts the threads of a whole page.
"""

from django.conf import settings
from django.db import models

from .calendar import Quarter
from .metrics import Metric, Segment
from .okrs import KeyResult, Objective
from .org import Department
from .sessions import TuningSession


class ThreadTarget(models.TextChoices):
    METRIC_CELL = "metric_cell", "Metric cell"
    KEY_RESULT_CELL = "key_result_cell", "Key-result cell"
    OBJECTIVE = "objective", "Objective"
    SESSION = "session", "Session"


class Thread(models.Model):
    session = models.ForeignKey(TuningSession, on_delete=models.CASCADE, related_name="threads")
    target = models.CharField(max_length=20, choices=ThreadTarget.choices)
    target_key = models.CharField(max_length=80)
    metric = models.ForeignKey(
        Metric, null=True, blank=True, on_delete=models.CASCADE, related_name="threads"
    )
    segment = models.ForeignKey(
        Segment, null=True, blank=True, on_delete=models.CASCADE, related_name="threads"
    )
    key_result = models.ForeignKey(
        KeyResult, null=True, blank=True, on_delete=models.CASCADE, related_name="threads"
    )
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.CASCADE, related_name="threads"
    )
    quarter = models.ForeignKey(
        Quarter, null=True, blank=True, on_delete=models.PROTECT, related_name="threads"
    )
    # The department the target belongs to (None for the session): whose leads care.
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="threads"
    )
    # "Monthly active editors, Q2 FY20-21": how notifications and lists name the target.
    label = models.CharField(max_length=400)
    is_resolved = models.BooleanField(default=False)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_comment_at = models.DateTimeField(null=True, blank=True)
    comment_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["session", "is_resolved", "-last_comment_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "target_key"], name="thread_unique_target"),
        ]

    def __str__(self):
        return self.label


class Comment(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A reply names the comment it answers (always a top-level one: one level of replies).
    in_reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    body = models.TextField(help_text="Markdown.")
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["thread", "created_at", "id"]

    def __str__(self):
        return f"Comment {self.pk} on {self.thread_id}"


class CommentRevision(models.Model):
    """A comment's text before an edit: the history its readers can open."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    written_at = models.DateTimeField()
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["comment", "replaced_at", "id"]

    def __str__(self):
        return f"Comment {self.comment_id} as of {self.written_at:%Y-%m-%d %H:%M}"


class CommentMention(models.Model):
    """A person a comment mentions, resolved when it was written: directly (@username) or as
    a lead of a mentioned department (@department-slug)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    via_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="mention_unique_user"),
        ]

    def __str__(self):
        return f"User {self.user_id} in comment {self.comment_id}"


# --- target keys: what a page matches a cell against ------------------------------------------


def metric_cell_key(metric_id: int, segment_id: int | None, fiscal_year: int, number: int) -> str:
    return f"m{metric_id}.s{segment_id or 0}.q{fiscal_year}-{number}"


def key_result_cell_key(key_result_id: int, fiscal_year: int, number: int) -> str:
    return f"kr{key_result_id}.q{fiscal_year}-{number}"


def objective_key(objective_id: int) -> str:
    return f"o{objective_id}"


SESSION_KEY = "session"
