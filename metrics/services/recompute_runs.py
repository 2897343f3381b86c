"""The recompute as a recorded job run: what tasks, the management command, the admin action
and the demo seeding call, so that every recompute shows up in "figures recomputed ..."."""

from collections.abc import Iterable

from metrics.services.job_runs import job_run_recorded
from metrics.services.recompute import (
    RecomputeResult,
    metrics_recompute,
    recompute_pending_process,
)
from metrics.services.recompute_requests import recompute_queue_started


def recompute_scope(metric_ids: Iterable[int] | None) -> str:
    if metric_ids is None:
        return "all metrics"
    ids = sorted({int(metric_id) for metric_id in metric_ids})
    label = "metric" if len(ids) == 1 else "metrics"
    return f"{label} {', '.join(map(str, ids))}"


def recompute_run(
    *, task_name: str, metric_ids: Iterable[int] | None, only_changed: bool = False
) -> RecomputeResult:
    """Recompute `metric_ids` (None: everything) and record the run under `task_name`;
    `only_changed` skips the metrics whose inputs have not changed since."""
    ids = None if metric_ids is None else list(metric_ids)
    scope = recompute_scope(ids) + (", changed only" if only_changed else "")
    with job_run_recorded(task_name=task_name, scope=scope) as run:
        result = metrics_recompute(metric_ids=ids, only_changed=only_changed)
        run.rows_changed = result.rows_changed
    return result


def recompute_metric_run(*, task_name: str, metric_id: int) -> RecomputeResult:
    """The task of one metric: it has started, so saves from now on queue their own (the
    saves before now are fulfilled by this run), then the recorded run."""
    recompute_queue_started(metric_id=metric_id)
    return recompute_run(task_name=task_name, metric_ids=[metric_id])


def recompute_pending_run(*, task_name: str) -> RecomputeResult | None:
    """Fulfil the recorded recompute requests and record the run (None: nothing pending)."""
    with job_run_recorded(task_name=task_name, scope="pending requests") as run:
        result = recompute_pending_process()
        run.rows_changed = result.rows_changed if result else 0
    return result
