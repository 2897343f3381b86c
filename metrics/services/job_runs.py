"""Recording background job runs: when, what scope, how many rows changed, how it ended."""

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from metrics.models import JobOutcome, JobRun

# Longer than any task's hard time limit: a run still "running" after this lost its worker.
RUN_LOST_AFTER = timedelta(hours=1)


@dataclass
class JobRunProgress:
    """Handed to the body of `job_run_recorded`; the body reports the rows it changed."""

    job_run: JobRun
    rows_changed: int = 0


LOST_ERROR = "The worker was lost (killed or restarted) before the run finished."


def this_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def job_runs_close_lost(*, now=None) -> int:
    """Mark as failed the runs left "running" by a worker that is gone: one of this host whose
    process no longer exists (a killed worker, seen by the very next run), or any run older
    than every task's time limit (another host's). Returns how many were closed."""
    now = now or timezone.now()
    host = f"{socket.gethostname()}:"
    lost_ids = []
    running = JobRun.objects.filter(outcome=JobOutcome.RUNNING, worker__startswith=host)
    for run_id, worker in running.values_list("id", "worker"):
        pid = worker[len(host) :]
        if pid.isdigit() and int(pid) != os.getpid() and not _process_alive(int(pid)):
            lost_ids.append(run_id)
    return JobRun.objects.filter(
        Q(pk__in=lost_ids) | Q(started_at__lt=now - RUN_LOST_AFTER), outcome=JobOutcome.RUNNING
    ).update(outcome=JobOutcome.FAILURE, finished_at=now, error=LOST_ERROR)


def job_run_start(*, task_name: str, scope: str = "") -> JobRun:
    """Record a run as started, after closing the runs a lost worker left "running"."""
    now = timezone.now()
    job_runs_close_lost(now=now)
    return JobRun.objects.create(
        task_name=task_name[:100], scope=scope[:200], started_at=now, worker=this_worker()
    )


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
