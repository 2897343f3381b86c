"""Runs left "running" by a killed worker are closed by the next run."""

import socket
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from metrics.models import JobOutcome, JobRun
from metrics.services.job_runs import job_run_start, this_worker

pytestmark = pytest.mark.django_db


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def running(worker: str, *, minutes_ago: int = 1) -> JobRun:
    return JobRun.objects.create(
        task_name="metrics.recompute_metric",
        scope="metric 1",
        started_at=timezone.now() - timedelta(minutes=minutes_ago),
        worker=worker,
    )


def test_the_next_run_closes_a_run_whose_worker_process_is_gone():
    host = socket.gethostname()
    killed = running(f"{host}:{dead_pid()}")
    alive = running(f"{host}:1")  # init: a process that is there
    elsewhere = running("another-host:123")
    old_elsewhere = running("another-host:456", minutes_ago=24 * 60)

    new = job_run_start(task_name="metrics.recompute_pending", scope="pending requests")

    outcomes = {
        run.pk: run.outcome
        for run in JobRun.objects.filter(
            pk__in=[killed.pk, alive.pk, elsewhere.pk, old_elsewhere.pk]
        )
    }
    assert outcomes == {
        killed.pk: JobOutcome.FAILURE,
        alive.pk: JobOutcome.RUNNING,
        elsewhere.pk: JobOutcome.RUNNING,
        old_elsewhere.pk: JobOutcome.FAILURE,
    }
    killed.refresh_from_db()
    assert "worker was lost" in killed.error and killed.finished_at
    assert (new.outcome, new.worker) == (JobOutcome.RUNNING, this_worker())
