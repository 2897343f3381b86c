"""The Celery tasks: names, reliability options, and that each calls its service."""

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone

from metrics import tasks
from metrics.fiscal import FiscalQuarter
from metrics.models import JobRun, Notification, QuarterlyStatus, RecomputeRequest
from metrics.selectors.job_runs import job_run_latest
from okrtracker.celery import app
from tests.factories import (
    DepartmentFactory,
    MetricFactory,
    QuarterFactory,
    UserFactory,
    observe_quarter,
)

pytestmark = pytest.mark.django_db

Q2_FY20 = FiscalQuarter(2020, 2)


def observe(metric, value="10"):
    observe_quarter(metric, Q2_FY20, value)


@pytest.mark.parametrize(
    "name",
    [
        "metrics.recompute_metric",
        "metrics.recompute_all",
        "metrics.recompute_pending",
        "metrics.send_status_reminders",
    ],
)
def test_tasks_are_registered_by_name_with_reliability_options(name):
    task = app.tasks[name]
    assert task.acks_late and task.reject_on_worker_lost
    assert task.time_limit > task.soft_time_limit > 0
    assert OperationalError in task.autoretry_for
    assert task.retry_backoff and task.max_retries


def test_the_beat_schedule_names_existing_tasks():
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks


def test_recompute_metric_recomputes_one_metric_and_records_the_run():
    chosen, other = MetricFactory(), MetricFactory()
    observe(chosen)
    observe(other)

    changed = tasks.recompute_metric.delay(chosen.pk).get()

    assert changed == 1
    assert QuarterlyStatus.objects.filter(metric=chosen).exists()
    assert not QuarterlyStatus.objects.filter(metric=other).exists()
    run = JobRun.objects.get()
    assert (run.scope, run.outcome, run.rows_changed) == (f"metric {chosen.pk}", "success", 1)
    assert run.finished_at >= run.started_at and run.duration_ms is not None


def test_recompute_all_twice_changes_nothing_the_second_time():
    observe(MetricFactory())

    assert tasks.recompute_all.delay().get() == 1
    assert tasks.recompute_all.delay().get() == 0
    assert [run.rows_changed for run in JobRun.objects.order_by("id")] == [1, 0]


def test_recompute_pending_processes_recorded_requests():
    metric = MetricFactory()
    observe(metric)
    RecomputeRequest.objects.create(metric=metric, reason="broker was down")

    assert tasks.recompute_pending.delay().get() == 1
    assert not RecomputeRequest.objects.exists()


def test_a_failed_run_is_recorded_with_its_error(monkeypatch):
    def broken(**kwargs):
        raise ValueError("no such column")

    monkeypatch.setattr("metrics.services.recompute_runs.metrics_recompute", broken)

    with pytest.raises(ValueError):
        tasks.recompute_all.apply(throw=True)

    run = JobRun.objects.get()
    assert run.outcome == "failure"
    assert "no such column" in run.error


def test_send_status_reminders_tells_the_leads_of_a_due_quarter_once(settings):
    settings.STATUS_REMINDER_DAYS = 7
    quarter = QuarterFactory(fiscal_year=2020, number=3)
    quarter.status_deadline = timezone.localdate() + timedelta(days=3)
    quarter.save()
    lead = UserFactory()
    DepartmentFactory().leads.add(lead)

    assert tasks.send_status_reminders.delay().get() == 1

    notice = Notification.objects.get()
    assert (notice.kind, notice.recipient) == ("checkin_due", lead)
    run = JobRun.objects.get(task_name="metrics.send_status_reminders")
    assert (run.scope, run.outcome, run.rows_changed) == ("due quarters", "success", 1)
    # Told once per quarter, department and kind: the next morning's run writes nothing.
    assert tasks.send_status_reminders.delay().get() == 0
    assert Notification.objects.count() == 1


def test_job_run_latest_is_the_last_successful_recompute():
    now = timezone.now()
    older = JobRun.objects.create(
        task_name="metrics.recompute_all",
        started_at=now - timedelta(hours=1),
        finished_at=now - timedelta(hours=1),
        outcome="success",
    )
    JobRun.objects.create(
        task_name="metrics.recompute_metric",
        started_at=now,
        finished_at=now,
        outcome="failure",
    )
    JobRun.objects.create(
        task_name="metrics.send_status_reminders",
        started_at=now,
        finished_at=now,
        outcome="success",
    )

    assert job_run_latest() == older


def test_job_run_latest_is_none_before_any_run():
    assert job_run_latest() is None


def test_a_run_left_running_by_a_lost_worker_is_marked_failed_by_the_next_run():
    lost = JobRun.objects.create(
        task_name="metrics.recompute_all", started_at=timezone.now() - timedelta(hours=2)
    )

    tasks.recompute_all.delay()

    lost.refresh_from_db()
    assert lost.outcome == "failure"
    assert "worker was lost" in lost.error


def test_the_powerpoint_build_has_a_queue_of_its_own_and_workers_consume_it():
    from django.conf import settings

    route = app.amqp.router.route({}, "metrics.deck_pptx_build")
    default = app.amqp.router.route({}, "metrics.recompute_metric")

    assert route["queue"].name == "pptx"
    assert default["queue"].name == app.conf.task_default_queue == "celery"
    assert {"celery", "pptx"} <= set(settings.WORKER_QUEUES)
    # Pool processes are replaced once a task has taken them past this (KiB).
    assert app.conf.worker_max_memory_per_child == settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD
