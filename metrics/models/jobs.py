from django.db import models

from .metrics import Metric


class RecomputeRequest(models.Model):
    """A recompute that is owed. Written in the same transaction as the data change, so that
    a broker outage loses nothing: the next task run or the nightly job picks it up."""

    metric = models.ForeignKey(
        Metric,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="recompute_requests",
        help_text="Blank: everything.",
    )
    reason = models.CharField(max_length=200, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["requested_at"]

    def __str__(self):
        return f"Recompute {self.metric or 'all'} ({self.reason})"


class JobOutcome(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCESS = "success", "Success"
    FAILURE = "failure", "Failure"


class JobRun(models.Model):
    task_name = models.CharField(max_length=100)
    scope = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_changed = models.PositiveIntegerField(default=0)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(
        max_length=20, choices=JobOutcome.choices, default=JobOutcome.RUNNING
    )
    error = models.TextField(blank=True)
    worker = models.CharField(
        max_length=200, blank=True, help_text="host:process id of the process that ran it"
    )

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            # The next run looks for runs left "running" by a lost worker.
            models.Index(
                fields=["started_at"],
                condition=models.Q(outcome="running"),
                name="jobrun_running",
            )
        ]

    def __str__(self):
        return f"{self.task_name} {self.scope} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"


class MetricFingerprint(models.Model):
    """What a metric's figures were last recomputed from: counts and latest change times of
    its observations, statuses and segments, its definition and the locked quarters. A rerun
    that only recomputes what changed skips a metric whose fingerprint is the same."""

    metric = models.OneToOneField(
        Metric, primary_key=True, on_delete=models.CASCADE, related_name="fingerprint"
    )
    fingerprint = models.CharField(max_length=300)
    recorded_at = models.DateTimeField()

    def __str__(self):
        return f"{self.metric_id}: {self.fingerprint}"
