"""Celery tasks: thin wrappers that take IDs and call a service.

Every task is idempotent (a recompute of unchanged data writes nothing) and safe to kill:
the recompute runs in one transaction, `acks_late` with `reject_on_worker_lost` hands the
message back to the broker when a worker dies, and requests recorded in the database are
picked up again by `metrics.recompute_pending`.
"""

from celery import shared_task
from django.db import IntegrityError, InterfaceError, OperationalError

from metrics import accounts
from metrics.services import deck_files, idempotency, notifications, reminders, webhooks
from metrics.services.job_runs import job_run_recorded
from metrics.services.jobs import JobQueue, job_queue_register
from metrics.services.recompute_runs import (
    recompute_metric_run,
    recompute_pending_run,
    recompute_run,
)
from metrics.services.sessions import snapshots as session_snapshots

RETRYING = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    # Lost connections, lock timeouts, deadlocks, "database is locked", a row inserted by a
    # concurrent save: worth another try, later.
    "autoretry_for": (OperationalError, InterfaceError, IntegrityError),
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 6,
}


@shared_task(name="metrics.recompute_metric", soft_time_limit=120, time_limit=150, **RETRYING)
def recompute_metric(metric_id: int) -> int:
    return recompute_metric_run(
        task_name="metrics.recompute_metric", metric_id=metric_id
    ).rows_changed


@shared_task(name="metrics.recompute_all", soft_time_limit=1500, time_limit=1800, **RETRYING)
def recompute_all() -> int:
    # Nightly: only the metrics whose inputs changed since their last recompute.
    return recompute_run(
        task_name="metrics.recompute_all", metric_ids=None, only_changed=True
    ).rows_changed


@shared_task(name="metrics.recompute_pending", soft_time_limit=1500, time_limit=1800, **RETRYING)
def recompute_pending() -> int:
    result = recompute_pending_run(task_name="metrics.recompute_pending")
    return result.rows_changed if result else 0


@shared_task(name="metrics.send_status_reminders", soft_time_limit=300, time_limit=360, **RETRYING)
def send_status_reminders() -> int:
    with job_run_recorded(task_name="metrics.send_status_reminders", scope="due quarters") as run:
        run.rows_changed = reminders.status_reminders_send()
    return run.rows_changed


@shared_task(name="metrics.deck_pptx_build", soft_time_limit=900, time_limit=960, **RETRYING)
def deck_pptx_build(session_id: int) -> bool:
    # Idempotent: a file already stored for the session's current version is kept.
    return deck_files.deck_pptx_build(session_id=session_id)


# --- a held session's snapshot (queue "snapshots": see CELERY_TASK_ROUTES) ------------------


@shared_task(name="metrics.session_snapshot_build", soft_time_limit=600, time_limit=660, **RETRYING)
def session_snapshot_build(session_id: int) -> bool:
    # Idempotent: does nothing once stored, or for a session reopened meanwhile; one
    # transaction, so a killed run stores nothing and the redelivered message starts again.
    return session_snapshots.session_snapshot_store(session_id=session_id)


@shared_task(
    name="metrics.session_snapshots_pending", soft_time_limit=60, time_limit=90, **RETRYING
)
def session_snapshots_pending() -> int:
    # The held sessions whose snapshot task was lost (a broker down, a purged queue).
    return session_snapshots.held_snapshots_enqueue_pending()


# --- the services' job queue (metrics.services.jobs) ------------------------------------------


def _send(task_name: str, *args) -> None:
    # The task object, not app.send_task: .delay() honours eager mode (runs in-process).
    # Any task of this module (the app's registry), so a task added below needs no entry here.
    from okrtracker.celery import app

    app.tasks[task_name].delay(*args)


def _runs_eagerly() -> bool:
    from okrtracker.celery import app

    return bool(app.conf.task_always_eager)


job_queue_register(queue=JobQueue(send=_send, runs_in_process=_runs_eagerly))


@shared_task(name="metrics.safety_records_purge", soft_time_limit=300, time_limit=360, **RETRYING)
def safety_records_purge() -> dict:
    # Idempotent: deletes only what has expired (idempotency answers, closed sign-in windows).
    return {
        "idempotent_requests": idempotency.idempotent_requests_purge(),
        "signin_failure_counts": accounts.signin_failure_counts_purge(),
    }


# --- notifications (services/notifications.py), on the queue of their own -------------------
# Routed to the "notifications" queue (settings: CELERY_TASK_ROUTES); a worker consumes it
# with `-Q celery,notifications`. Idempotent: a row is mailed once under its row lock, so a
# retried or redelivered task mails nothing twice.


@shared_task(name="metrics.notifications_send", soft_time_limit=120, time_limit=150, **RETRYING)
def notifications_send(notification_ids: list[int]) -> int:
    return notifications.notifications_send(notification_ids=notification_ids)


@shared_task(name="metrics.notifications_pending", soft_time_limit=300, time_limit=360, **RETRYING)
def notifications_pending() -> int:
    return notifications.notifications_pending_send()


@shared_task(name="metrics.notification_digests", soft_time_limit=900, time_limit=960, **RETRYING)
def notification_digests() -> int:
    with job_run_recorded(task_name="metrics.notification_digests", scope="daily") as run:
        run.rows_changed = notifications.notification_digests_send()
    return run.rows_changed


# --- outgoing webhooks (queue "webhooks": see CELERY_TASK_ROUTES) -----------------------------


@shared_task(name="metrics.webhook_deliver", soft_time_limit=60, time_limit=90, **RETRYING)
def webhook_deliver(delivery_id: str) -> bool:
    # One attempt; the delivery row keeps the schedule, so a retry lost with a killed worker
    # is picked up by webhooks_pending. The countdown is this task's own (not Celery's retry:
    # eager runs would retry at once, inline).
    outcome = webhooks.webhook_delivery_attempt(delivery_id=delivery_id)
    if outcome.attempted and outcome.retry_in is not None and not _runs_eagerly():
        webhook_deliver.apply_async((delivery_id,), countdown=outcome.retry_in)
    return outcome.delivered


@shared_task(name="metrics.webhooks_pending", soft_time_limit=120, time_limit=150, **RETRYING)
def webhooks_pending() -> int:
    return webhooks.webhooks_pending_enqueue()
