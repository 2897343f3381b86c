"""Recording background job runs: when, what scope, how many rows changed, how it ended."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from metrics.models import JobOutcome, JobRun

# Longer than any task's hard time limit: a run still "running" after this lost its worker.
RUN_LOST_AFTER = timedelta(hours=1)


@dataclass
class JobRunProgress:
    """Handed to the body of `job_run_recorded`; the body reports the rows it changed."""

    job_run: JobRun
    rows_changed: int = 0


def job_run_start(*, task_name: str, scope: str = "") -> JobRun:
    """Record a run as started. A run killed mid-way stays "running" until a later run of
    the same task marks it lost."""
    now = timezone.now()
    JobRun.objects.filter(
        task_name=task_name[:100],
        outcome=JobOutcome.RUNNING,
        started_at__lt=now - RUN_LOST_AFTER,
    ).update(
        outcome=JobOutcome.FAILURE,
        finished_at=now,
        error="The worker was lost (killed or restarted) before the run finished.",
    )
    return JobRun.objects.create(task_name=task_name[:100], scope=scope[:200], started_at=now)


def job_run_finish(
    *, job_run: JobRun, rows_changed: int, outcome: str = JobOutcome.SUCCESS, error: str = ""
) -> JobRun:
    job_run.finished_at = timezone.now()
    job_run.duration_ms = max(
        0, int((job_run.finished_at - job_run.started_at).total_seconds() * 1000)
    )
    job_run.rows_changed = max(0, rows_changed)
    job_run.outcome = outcome
    job_run.error = error[:10_000]
    job_run.save(update_fields=["finished_at", "duration_ms", "rows_changed", "outcome", "error"])
    return job_run


@contextmanager
def job_run_recorded(*, task_name: str, scope: str = "") -> Iterator[JobRunProgress]:
    """Record a JobRun around a block: success with the reported row count, or the failure."""
    progress = JobRunProgress(job_run=job_run_start(task_name=task_name, scope=scope))
    try:
        yield progress
    except BaseException as error:
        # The body's transaction has rolled back already; record the failure on its own.
        with transaction.atomic():
            job_run_finish(
                job_run=progress.job_run,
                rows_changed=0,
                outcome=JobOutcome.FAILURE,
                error=f"{type(error).__name__}: {error}",
            )
        raise
    job_run_finish(job_run=progress.job_run, rows_changed=progress.rows_changed)
