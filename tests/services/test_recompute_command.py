"""`manage.py recompute`: the same recompute, synchronously, printing what changed."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from metrics.fiscal import FiscalQuarter
from metrics.models import JobRun, QuarterlyStatus
from tests.factories import MetricFactory, observe_quarter

pytestmark = pytest.mark.django_db


def observe(metric, quarter, value):
    observe_quarter(metric, quarter, value, is_derived=quarter.fiscal_year < 2020)


def run(*args) -> str:
    out = StringIO()
    call_command("recompute", *args, stdout=out)
    return out.getvalue()


def test_the_command_recomputes_and_prints_each_change():
    metric = MetricFactory()
    observe(metric, FiscalQuarter(2019, 2), "85106.382979")
    observe(metric, FiscalQuarter(2020, 2), "92000")

    output = run("--metric", str(metric.pk))

    status = QuarterlyStatus.objects.get(metric=metric)
    assert f"status {status.pk}: yoy_delta - -> 0.081" in output
    assert f"status {status.pk}: value - -> 92000" in output
    assert "1 statuses created, 1 updated" in output
    assert JobRun.objects.get().task_name == "manage.py recompute"


def test_a_second_run_reports_no_change():
    observe(MetricFactory(), FiscalQuarter(2020, 2), "5")
    run()

    assert "0 statuses created, 0 updated, 0 fields changed" in run()


def test_an_unknown_metric_is_a_clear_error():
    with pytest.raises(CommandError, match="No metric with id 999"):
        run("--metric", "999")
