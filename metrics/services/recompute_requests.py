"""Recording that figures need recomputing, and asking a worker to do it.

The request row is written in the caller's transaction, so it commits or rolls back with the
data change. The task is only enqueued once that transaction has committed; if the broker is
unreachable the caller still succeeds and the recorded request is picked up by the next
`metrics.recompute_pending` run (every five minutes) or the nightly full recompute.
"""

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from metrics.broker import send_in_background
from metrics.models import RecomputeRequest
from metrics.services.jobs import job_enqueue, jobs_run_in_process

logger = logging.getLogger(__name__)

# A change touching more metrics than this (a bulk import) is recomputed in one task.
PER_METRIC_TASKS_UP_TO = 10
# The claim_token of requests whose metric has a task in the queue that has not started yet:
# saves after them enqueue no task of their own, that task will see their requests.
QUEUED = "queued"
# A queued task not started after this long may be lost (a broker restart): the next save
# enqueues another (and `recompute_pending` takes queued requests whatever their age).
QUEUED_STALE_AFTER = timedelta(minutes=5)

# Inside `recompute_batched`: the metric ids (None: everything) whose enqueue waits for the
# end of the batch.
_batch: ContextVar[dict | None] = ContextVar("recompute_batch", default=None)


@contextmanager
def recompute_batched() -> Iterator[None]:
    """Collect the recomputes that the saves inside the block request (each save commits on
    its own) and enqueue them once per metric when the block ends: a check-in post of six rows
    runs one recompute per metric, not six."""
    if _batch.get() is not None:
        yield
        return
    batch = {"all": False, "ids": set()}
    token = _batch.set(batch)
    try:
        yield
    finally:
        _batch.reset(token)
        ids = None if batch["all"] else sorted(batch["ids"])
        if ids is None or ids:
            # A request whose save rolled back asks for a recompute of unchanged data, which
            # writes nothing: harmless.
            transaction.on_commit(lambda: _enqueue(ids))


def recompute_request(*, metric_ids: Iterable[int] | None, reason: str) -> None:
    """Record a pending recompute of `metric_ids` (None: everything) and enqueue it on commit."""
    reason = (reason or "")[:200]
    if metric_ids is None:
        ids = None
        RecomputeRequest.objects.create(metric=None, reason=reason)
    else:
        ids = sorted({int(metric_id) for metric_id in metric_ids})
        if not ids:
            return
        RecomputeRequest.objects.bulk_create(
            [RecomputeRequest(metric_id=metric_id, reason=reason) for metric_id in ids]
        )
    batch = _batch.get()
    if batch is None:
        transaction.on_commit(lambda: _enqueue(ids))
    elif ids is None:
        batch["all"] = True
    else:
        batch["ids"].update(ids)


def _enqueue(metric_ids: list[int] | None) -> None:
    if jobs_run_in_process():
        _send(metric_ids)
        return
    if metric_ids is not None and len(metric_ids) <= PER_METRIC_TASKS_UP_TO:
        metric_ids = [metric_id for metric_id in metric_ids if _queue_mark(metric_id)]
        if not metric_ids:
            return
    # A hung broker must not hold the save's answer: publish from the process's sender thread.
    what = "the recompute of " + ("all metrics" if metric_ids is None else f"metrics {metric_ids}")
    send_in_background(lambda: _send(metric_ids), what=what)


def _queue_mark(metric_id: int) -> bool:
    """Mark the metric's unclaimed requests as queued, unless a task queued earlier has not
    started yet: whether a task is to be sent. One statement, so two saves racing here at
    worst both send one (harmless); a save that finds a queued task knows it starts after
    this check (`recompute_queue_started` clears the mark first) and so sees its request."""
    now = timezone.now()
    waiting = RecomputeRequest.objects.filter(
        metric_id=metric_id, claim_token=QUEUED, claimed_at__gte=now - QUEUED_STALE_AFTER
    )
    return bool(
        RecomputeRequest.objects.filter(metric_id=metric_id, claim_token="")
        .filter(~Exists(waiting.filter(metric_id=OuterRef("metric_id"))))
        .update(claim_token=QUEUED, claimed_at=now)
    )


def recompute_queue_started(*, metric_id: int) -> None:
    """A task of `metric_id` starts: later saves must send their own (called before the
    recompute reads which requests it fulfils)."""
    RecomputeRequest.objects.filter(metric_id=metric_id, claim_token=QUEUED).update(
        claim_token="", claimed_at=None
    )


def _send(metric_ids: list[int] | None) -> None:
    try:
        if metric_ids is None:
            job_enqueue(task="metrics.recompute_all")
        elif len(metric_ids) > PER_METRIC_TASKS_UP_TO:
            # One run over all recorded requests rather than a flood of small tasks.
            job_enqueue(task="metrics.recompute_pending")
        else:
            for metric_id in metric_ids:
                job_enqueue(task="metrics.recompute_metric", args=(metric_id,))
    except Exception as error:  # noqa: BLE001 - the caller's data is committed; never fail it
        if jobs_run_in_process():
            # In-process run (no broker): a failing recompute must not turn a committed save
            # into an error page; the request stays recorded and is retried by the next run.
            logger.exception("In-process recompute of %s failed.", metric_ids or "all metrics")
            return
        logger.warning(
            "Could not enqueue the recompute of %s (%s); the recorded request will be "
            "picked up by the next recompute_pending run.",
            "all metrics" if metric_ids is None else f"metrics {metric_ids}",
            error,
        )
