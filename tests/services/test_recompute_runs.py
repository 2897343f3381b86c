"""recompute_run: the recompute recorded as a job run, whoever starts it."""

from decimal import Decimal

import pytest

from metrics.fiscal import FiscalQuarter
from metrics.models import JobOutcome, JobRun, QuarterlyStatus
from metrics.services.recompute_runs import recompute_pending_run, recompute_run, recompute_scope
from tests.factories import MetricFactory, observe_quarter

pytestmark = pytest.mark.django_db


def measured_metric(value="7"):
    metric = MetricFactory()
    observe_quarter(metric, FiscalQuarter(2020, 2), value)
    return metric


def test_a_run_records_its_scope_rows_and_success():
    metric = measured_metric()

    result = recompute_run(task_name="manage.py recompute", metric_ids=[metric.pk])

    run = JobRun.objects.get()
    assert run.outcome == JobOutcome.SUCCESS
    assert run.scope == f"metric {metric.pk}"
    assert run.rows_changed == result.rows_changed == 1
    assert QuarterlyStatus.objects.get(metric=metric).value == Decimal("7")


def test_a_rerun_with_nothing_changed_records_zero_rows():
    metric = measured_metric()
    recompute_run(task_name="metrics.recompute_all", metric_ids=None)

    recompute_run(task_name="metrics.recompute_all", metric_ids=None)

    assert list(JobRun.objects.order_by("id").values_list("rows_changed", flat=True)) == [1, 0]
    assert metric.statuses.count() == 1


def test_a_failing_run_is_recorded_as_a_failure(monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("metrics.services.recompute_runs.metrics_recompute", broken)

    with pytest.raises(RuntimeError):
        recompute_run(task_name="metrics.recompute_all", metric_ids=None)

    run = JobRun.objects.get()
    assert run.outcome == JobOutcome.FAILURE
    assert "disk full" in run.error


def test_nothing_pending_is_a_run_with_no_rows():
    assert recompute_pending_run(task_name="metrics.recompute_pending") is None
    assert JobRun.objects.get().rows_changed == 0


@pytest.mark.parametrize(
    ("metric_ids", "scope"),
    [(None, "all metrics"), ([4], "metric 4"), ([9, 4, 4], "metrics 4, 9")],
)
def test_scope_names_what_was_recomputed(metric_ids, scope):
    assert recompute_scope(metric_ids) == scope
