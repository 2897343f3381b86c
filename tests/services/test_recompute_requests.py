"""Recording pending recomputes and enqueueing them after commit, broker up or down."""

import logging
from decimal import Decimal

import pytest

from metrics import broker
from metrics.fiscal import FiscalQuarter
from metrics.models import JobRun, QuarterlyStatus, RecomputeRequest
from metrics.services.recompute_requests import recompute_request
from okrtracker.celery import app
from tests.celery_helpers import broker_restore, broker_state, broker_switch
from tests.factories import MetricFactory, observe_quarter

pytestmark = pytest.mark.django_db

Q2_FY20 = FiscalQuarter(2020, 2)


def observe(metric, value="92000"):
    observe_quarter(metric, Q2_FY20, value)


@pytest.fixture
def unreachable_broker():
    """A real (not eager) Celery app whose broker is a closed port."""
    saved = broker_state()
    app.conf.task_always_eager = False
    broker_switch("redis://127.0.0.1:9/0")
    yield
    broker_restore(saved)


def test_a_request_is_recorded_in_the_callers_transaction(django_capture_on_commit_callbacks):
    metric = MetricFactory()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        recompute_request(metric_ids=[metric.pk, metric.pk], reason="status saved")

    assert list(RecomputeRequest.objects.values_list("metric", "reason")) == [
        (metric.pk, "status saved")
    ]
    assert len(callbacks) == 1  # the task is only sent once the transaction commits


def test_a_request_for_everything_has_no_metric(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        recompute_request(metric_ids=None, reason="import")

    assert RecomputeRequest.objects.get().metric is None


def test_no_metrics_records_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        recompute_request(metric_ids=[], reason="nothing touched")

    assert not RecomputeRequest.objects.exists()
    assert callbacks == []


def test_after_commit_the_eager_task_recomputes_and_fulfils_the_request(
    django_capture_on_commit_callbacks,
):
    metric = MetricFactory()
    observe(metric)

    with django_capture_on_commit_callbacks(execute=True):
        recompute_request(metric_ids=[metric.pk], reason="observation pushed")

    assert QuarterlyStatus.objects.get(metric=metric).value == Decimal("92000")
    assert not RecomputeRequest.objects.exists()
    run = JobRun.objects.get()
    assert (run.task_name, run.outcome, run.rows_changed) == (
        "metrics.recompute_metric",
        "success",
        1,
    )


def test_with_the_broker_down_the_caller_succeeds_and_the_request_stays(
    unreachable_broker, django_capture_on_commit_callbacks, caplog
):
    metric = MetricFactory()
    observe(metric)

    with caplog.at_level(logging.WARNING, logger="metrics.services.recompute_requests"):
        with django_capture_on_commit_callbacks(execute=True):
            recompute_request(metric_ids=[metric.pk], reason="status saved")
        # The publish runs in the process's sender thread, after the caller has its answer.
        assert broker.flush(timeout=10)

    assert RecomputeRequest.objects.filter(metric=metric).count() == 1
    assert not QuarterlyStatus.objects.exists()
    assert "Could not enqueue the recompute of metrics" in caplog.text


def test_a_failing_in_process_recompute_does_not_fail_the_committed_save(
    django_capture_on_commit_callbacks, monkeypatch, caplog
):
    metric = MetricFactory()

    def broken(**kwargs):
        raise RuntimeError("bug in the recompute")

    monkeypatch.setattr("metrics.services.recompute_runs.metrics_recompute", broken)
    with django_capture_on_commit_callbacks(execute=True):
        recompute_request(metric_ids=[metric.pk], reason="status saved")

    assert RecomputeRequest.objects.filter(metric=metric).exists()
    assert JobRun.objects.get().outcome == "failure"
    assert "bug in the recompute" in caplog.text


def test_a_bulk_change_is_recomputed_by_one_pending_run(django_capture_on_commit_callbacks):
    metrics = MetricFactory.create_batch(12)
    for metric in metrics:
        observe(metric, "5")

    with django_capture_on_commit_callbacks(execute=True):
        recompute_request(metric_ids=[metric.pk for metric in metrics], reason="import")

    assert QuarterlyStatus.objects.count() == 12
    assert list(JobRun.objects.values_list("task_name", flat=True)) == ["metrics.recompute_pending"]
    assert not RecomputeRequest.objects.exists()


@pytest.fixture
def sent(monkeypatch):
    """A job queue with a broker (tasks not run in-process) that records what it is sent."""
    from metrics.services import jobs

    recorded = []
    monkeypatch.setattr(
        jobs,
        "_queue",
        jobs.JobQueue(send=lambda task, *args: recorded.append((task, args)), runs_in_process=bool),
    )
    return recorded


def request_committed(metric, callbacks_fixture) -> None:
    with callbacks_fixture(execute=True):
        recompute_request(metric_ids=[metric.pk], reason="status saved")
    assert broker.flush(timeout=10)


def test_saves_of_a_metric_whose_task_waits_in_the_queue_send_no_other(
    sent, django_capture_on_commit_callbacks
):
    metric, other = MetricFactory(), MetricFactory()

    for _ in range(3):
        request_committed(metric, django_capture_on_commit_callbacks)
    request_committed(other, django_capture_on_commit_callbacks)

    assert sent == [
        ("metrics.recompute_metric", (metric.pk,)),
        ("metrics.recompute_metric", (other.pk,)),
    ]
    # Every save's request is kept for the one task to fulfil.
    assert RecomputeRequest.objects.filter(metric=metric).count() == 3


def test_a_save_after_the_task_started_sends_a_task_of_its_own(
    sent, django_capture_on_commit_callbacks
):
    from metrics.services.recompute_requests import recompute_queue_started

    metric = MetricFactory()
    request_committed(metric, django_capture_on_commit_callbacks)
    recompute_queue_started(metric_id=metric.pk)  # the worker took it: it may miss later saves

    request_committed(metric, django_capture_on_commit_callbacks)

    assert sent == [("metrics.recompute_metric", (metric.pk,))] * 2


def test_a_task_queued_too_long_ago_is_sent_again_and_its_requests_are_pending(
    sent, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from metrics.services.recompute import recompute_pending_process
    from metrics.services.recompute_requests import QUEUED_STALE_AFTER

    metric = MetricFactory()
    observe(metric)
    request_committed(metric, django_capture_on_commit_callbacks)
    RecomputeRequest.objects.update(claimed_at=timezone.now() - QUEUED_STALE_AFTER * 2)

    request_committed(metric, django_capture_on_commit_callbacks)
    assert len(sent) == 2

    # A lost task: the periodic pending run takes its requests.
    assert recompute_pending_process() is not None
    assert QuarterlyStatus.objects.get(metric=metric).value == Decimal("92000")
    assert not RecomputeRequest.objects.exists()
