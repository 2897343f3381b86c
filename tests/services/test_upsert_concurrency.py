"""Two data pipelines upserting the same new observation rows at the same moment, in real
threads with their own PostgreSQL connections: both succeed, no duplicates, no deadlock.

PostgreSQL only (SQLite runs one writer at a time): skipped elsewhere, failing under CI=true."""

import os
import threading
from datetime import date

import pytest
from django.db import connection, connections

from metrics import models
from metrics.services.observations import observations_upsert
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

PIPELINES = 4
ROUNDS = 5
MONTHS = [date(2019 + (m + 6) // 12, (m + 6) % 12 + 1, 1) for m in range(12)]


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true: the concurrent upsert test must run on PostgreSQL")
        pytest.skip("needs PostgreSQL (row locks and concurrent transactions)")


def test_concurrent_upserts_of_the_same_new_rows_all_succeed_without_duplicates():
    metrics = [factories.MetricFactory() for _ in range(3)]
    segments = [factories.SegmentFactory(metric=metric) for metric in metrics]
    failures, counts = [], []
    lock = threading.Lock()

    def rows_for(round_number: int, reverse: bool) -> list[dict]:
        rows = [
            {
                "metric": metric.pk,
                "segment": segment,
                "period_start": month,
                "value": 100 + round_number,
            }
            for metric in metrics
            for segment in (None, segments[metrics.index(metric)].pk)
            for month in MONTHS
        ]
        # Each pipeline sends its rows in another order: locks must not follow row order.
        return list(reversed(rows)) if reverse else rows

    def pipeline(number: int, start: threading.Barrier):
        try:
            for round_number in range(ROUNDS):
                start.wait(timeout=30)
                try:
                    result = observations_upsert(
                        rows=rows_for(round_number, reverse=number % 2 == 1),
                        actor=None,
                        source="api",
                    )
                except Exception as error:  # noqa: BLE001 - every failure is the finding
                    with lock:
                        failures.append(f"{type(error).__name__}: {error}")
                    continue
                with lock:
                    counts.append((round_number, result.counts))
        finally:
            connections.close_all()

    start = threading.Barrier(PIPELINES)
    threads = [
        threading.Thread(target=pipeline, args=(number, start)) for number in range(PIPELINES)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    rows_per_batch = len(metrics) * 2 * len(MONTHS)
    assert failures == []
    assert len(counts) == PIPELINES * ROUNDS
    assert models.Observation.objects.count() == rows_per_batch
    first_round = [c for round_number, c in counts if round_number == 0]
    # Exactly one pipeline created the rows; the others found them there.
    assert sum(c["created"] for c in first_round) == rows_per_batch
    assert all(c["rejected"] == 0 for _, c in counts)
    assert set(models.Observation.objects.values_list("value", flat=True).distinct()) == {
        100 + ROUNDS - 1
    }
