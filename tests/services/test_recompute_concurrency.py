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


@pytest.mark.django_db(transaction=True)
def test_a_save_of_a_metric_being_recomputed_does_not_wait_for_the_recompute(monkeypatch):
    """The recompute locks its metric against a second recompute, not against the saves
    that insert rows referencing it (PostgreSQL: FOR NO KEY UPDATE, not FOR UPDATE)."""
    import os
    import time

    from metrics import broker
    from metrics.services import jobs
    from metrics.services import recompute as recompute_module
    from metrics.services.statuses import quarterly_status_save
    from tests.factories import QuarterFactory

    if connection.vendor != "postgresql":
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true: this lock test must run on PostgreSQL")
        pytest.skip("needs PostgreSQL (row locks; SQLite has one writer at a time)")
    metric = MetricFactory()
    observe_quarter(metric, FiscalQuarter(2020, 2), "92000")
    quarter = QuarterFactory(fiscal_year=2020, number=3)
    holding, release = threading.Event(), threading.Event()
    original = recompute_module._Recompute._mark_requests_done

    def hold_the_locks(self):
        original(self)
        holding.set()
        release.wait(timeout=20)

    monkeypatch.setattr(recompute_module._Recompute, "_mark_requests_done", hold_the_locks)
    # As with a broker: the save's own recompute is sent to a worker, not run in-process
    # (where it would rightly queue behind the one holding the metric).
    sent = []
    monkeypatch.setattr(
        jobs, "_queue", jobs.JobQueue(send=lambda *args: sent.append(args), runs_in_process=bool)
    )
    errors = []

    def recompute():
        try:
            metrics_recompute(metric_ids=[metric.pk])
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            holding.set()
            connection.close()

    thread = threading.Thread(target=recompute)
    thread.start()
    try:
        assert holding.wait(timeout=20)
        started = time.perf_counter()
        quarterly_status_save(
            metric=metric, segment=None, quarter=quarter, actor=None, source="form", value=5
        )
        waited = time.perf_counter() - started
    finally:
        release.set()
        thread.join(timeout=30)

    assert not errors, errors
    assert waited < 2, f"the save waited {waited:.1f} s for the recompute"
    assert broker.flush(timeout=10)
    assert sent == [("metrics.recompute_metric", metric.pk)]
