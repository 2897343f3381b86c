"""Reads of the background-job bookkeeping."""

from collections.abc import Iterable

from django.db.models import Q

from metrics.models import JobOutcome, JobRun, RecomputeRequest

# Every way a recompute is started and recorded (see services/recompute_runs.py).
RECOMPUTE_TASK_NAMES = (
    "metrics.recompute_metric",
    "metrics.recompute_all",
    "metrics.recompute_pending",
    "manage.py recompute",
    "manage.py seed_demo",
    "admin recompute",
)


def job_run_latest(*, task_names: Iterable[str] = RECOMPUTE_TASK_NAMES) -> JobRun | None:
    """The most recent successful run of the given tasks (by default: any recompute), for
    "figures recomputed 3 minutes ago". One query."""
    return (
        JobRun.objects.filter(task_name__in=list(task_names), outcome=JobOutcome.SUCCESS)
        .order_by("-finished_at", "-id")
        .first()
    )


def recompute_pending_count() -> int:
    """How many metrics wait for a recompute that no worker has done yet (a request for
    everything counts as one). One query."""
    return RecomputeRequest.objects.values("metric_id").distinct().count()


def recompute_pending_for_department(department_id: int) -> bool:
    """Whether a recompute the department's figures need is still owed (the broker was down,
    or no worker has run it yet). One query."""
    return RecomputeRequest.objects.filter(
        Q(metric__department_id=department_id) | Q(metric__isnull=True)
    ).exists()
