"""Two recomputes of the same metric at once: the second waits for the first (a row lock on
PostgreSQL, the write lock on SQLite), then finds nothing left to do."""

import threading

import pytest
from django.db import connection

from metrics.fiscal import FiscalQuarter
from metrics.models import HistoryEntry, QuarterlyStatus
from metrics.services.recompute import metrics_recompute
from tests.factories import MetricFactory, observe_quarter


@pytest.mark.django_db(transaction=True)
def test_concurrent_recomputes_of_one_metric_write_its_figures_once():
    metric = MetricFactory(goal_kind="yoy_change", goal_value=5)
    observe_quarter(metric, FiscalQuarter(2019, 2), "85000", is_derived=True)
    observe_quarter(metric, FiscalQuarter(2020, 2), "92000")
    start = threading.Barrier(2)
    results, errors = [], []

    def recompute():
        try:
            start.wait(timeout=10)
            results.append(metrics_recompute(metric_ids=[metric.pk]))
        except Exception as error:  # reported below, with the other thread's outcome
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=recompute) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert sorted(result.history_entries for result in results)[0] == 0
    written = max(result.history_entries for result in results)
    assert written > 0
    assert HistoryEntry.objects.count() == written
    status = QuarterlyStatus.objects.get(metric=metric)
    assert str(status.yoy_delta) == "0.082353"
