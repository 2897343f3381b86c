"""Reads of the background-job bookkeeping."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import DateTimeField, F, Func, IntegerField, Q, Subquery

from metrics.caching.compiled import compiled_first_row
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


@dataclass(frozen=True)
class RecomputeState:
    finished_at: datetime | None  # when a recompute last finished successfully
    pending: int  # as recompute_pending_count()


def recompute_state() -> RecomputeState:
    """The last successful recompute and the pending count, in one query: the executive
    overview reads both on every request, since both move without a data-version bump (a
    recompute that changes no figure bumps nothing, yet finishes a run and its requests).
    The query is compiled once per process: compiling it was two thirds of its cost, and of
    a cached overview's time."""
    return RecomputeState(*compiled_first_row(_recompute_state_query, datetime_columns=(0,)))


def _recompute_state_query():
    latest = (
        JobRun.objects.filter(task_name__in=RECOMPUTE_TASK_NAMES, outcome=JobOutcome.SUCCESS)
        .order_by("-finished_at", "-id")
        .values("finished_at")[:1]
    )
    # An aggregate without GROUP BY: one row, also when nothing is pending. COUNT(DISTINCT)
    # leaves NULL out, so a request for everything counts as metric 0.
    return (
        RecomputeRequest.objects.order_by()
        .annotate(
            finished_at=Subquery(latest, output_field=DateTimeField()),
            pending=Func(
                F("metric_id"),
                template="COUNT(DISTINCT COALESCE(%(expressions)s, 0))",
                output_field=IntegerField(),
            ),
        )
        .values_list("finished_at", "pending")
    )
