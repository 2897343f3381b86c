"""Recomputes done by a real Celery worker on the Redis broker (not eager)."""

import sqlite3
from decimal import Decimal

import pytest
from django.db import connection

from metrics import tasks
from metrics.fiscal import FiscalQuarter
from metrics.models import HistoryEntry, JobRun, QuarterlyStatus, RecomputeRequest
from metrics.services.statuses import quarterly_status_save
from tests.factories import (
    MetricFactory,
    ObservationFactory,
    QuarterFactory,
    QuarterlyStatusFactory,
    UserFactory,
)

from .conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

Q2_FY20 = FiscalQuarter(2020, 2)
Q2_FY19 = FiscalQuarter(2019, 2)


def observe(metric, quarter: FiscalQuarter, value: str, *, is_derived=False):
    ObservationFactory(
        metric=metric,
        period_start=quarter.start_date,
        period_end=quarter.end_date,
        value=Decimal(value),
        is_derived=is_derived,
    )


def editors_metric():
    """Monthly active editors: 92K in Q2 FY20-21, 85,106 a year earlier (+8.1%)."""
    metric = MetricFactory(name="Monthly active editors")
    observe(metric, Q2_FY19, "85106.382979", is_derived=True)
    return metric


def save_status(metric, value="92000"):
    return quarterly_status_save(
        metric=metric,
        segment=None,
        quarter=QuarterFactory(fiscal_year=2020, number=2),
        actor=UserFactory(roles=["Admin"]),
        source="form",
        value=Decimal(value),
    )


def recomputed(metric):
    return QuarterlyStatus.objects.filter(metric=metric, yoy_delta__isnull=False).first()


def test_a_saved_status_is_recomputed_by_a_real_worker(publish_to, start_worker):
    worker = start_worker()
    metric = editors_metric()

    status = save_status(metric)

    assert status.yoy_delta is None  # not eager: the worker does it
    status = wait_for(
        lambda: recomputed(metric), message=lambda: f"the recompute\n{worker.output()}"
    )
    assert (status.value, status.yoy_delta, status.state, status.attainment) == (
        Decimal("92000"),
        Decimal("0.081"),
        "reported",
        "on_track",
    )
    wait_for(
        lambda: JobRun.objects.filter(task_name="metrics.recompute_metric", outcome="success"),
        message="the job run",
    )
    assert not RecomputeRequest.objects.exists()
    assert "Task metrics.recompute_metric" in worker.output()


def test_with_the_broker_down_the_save_succeeds_and_a_worker_catches_up(
    publish_to, start_worker, redis_broker
):
    metric = editors_metric()
    publish_to("redis://127.0.0.1:9/0")  # nothing listens there

    status = save_status(metric)

    status.refresh_from_db()
    assert (status.value, status.yoy_delta) == (Decimal("92000"), None)
    assert RecomputeRequest.objects.filter(metric=metric).count() == 1

    publish_to(redis_broker)
    start_worker()
    tasks.recompute_pending.delay()  # what celery beat sends every five minutes

    status = wait_for(lambda: recomputed(metric), message="the pending recompute")
    assert status.yoy_delta == Decimal("0.081")
    wait_for(lambda: not RecomputeRequest.objects.exists(), message="the request to be done")


class RecomputeBlocker:
    """Holds the worker's recompute transaction open after it has written part of its
    changes. PostgreSQL: a row lock on the status its UPDATE reaches. SQLite (one writer
    at a time): a read transaction, taken once the run has started, so that its COMMIT
    waits for the lock."""

    def __init__(self, *, worker, blocked_status_id: int):
        self.worker = worker
        self.blocked_status_id = blocked_status_id
        self.postgres = connection.vendor == "postgresql"
        self.worker_backend_pid = None
        self.connection = None

    def __enter__(self):
        if self.postgres:
            self.connection = self._postgres_connect()
            # pg_stat_activity is read once per transaction: watch from a connection of its own.
            self.observer = self._postgres_connect()
            self.observer.autocommit = True
            self.connection.cursor().execute(
                "SELECT id FROM metrics_quarterlystatus WHERE id = %s FOR UPDATE",
                [self.blocked_status_id],
            )
        return self

    def _postgres_connect(self):
        import psycopg2

        settings = connection.settings_dict
        return psycopg2.connect(
            dbname=settings["NAME"],
            user=settings.get("USER") or None,
            password=settings.get("PASSWORD") or None,
            host=settings.get("HOST") or "127.0.0.1",
            port=settings.get("PORT") or None,
        )

    def _sqlite_connect(self, **options):
        return sqlite3.connect(connection.settings_dict["NAME"], **options)

    def worker_is_blocked_mid_transaction(self) -> bool:
        if self.postgres:
            cursor = self.observer.cursor()
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query LIKE %s",
                ["%UPDATE metrics_quarterlystatus%"],
            )
            row = cursor.fetchone()
            self.worker_backend_pid = row[0] if row else None
            return row is not None
        if self.connection is None:
            # The JobRun row commits just before the recompute transaction begins.
            probe = self._sqlite_connect()
            try:
                started = probe.execute(
                    "SELECT count(*) FROM metrics_jobrun WHERE outcome = 'running'"
                ).fetchone()[0]
            finally:
                probe.close()
            if started:
                self.connection = self._sqlite_connect(isolation_level=None)
                self.connection.execute("BEGIN")
                self.connection.execute("SELECT count(*) FROM metrics_metric").fetchall()
            return False
        # The run logs its counts inside its transaction, just before it commits.
        return "Recompute of all metrics:" in self.worker.output()

    def release_and_wait_for_the_dead_transaction(self):
        if not self.postgres:
            self.connection.execute("ROLLBACK")
            return
        self.connection.rollback()
        cursor = self.observer.cursor()

        def backend_gone():
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [self.worker_backend_pid]
            )
            return cursor.fetchone()[0] == 0

        wait_for(backend_gone, message="the killed worker's transaction to end")

    def __exit__(self, *exc):
        if self.connection is not None:
            self.connection.close()
        if self.postgres:
            self.observer.close()


def slow_down_sqlite_recompute():
    """On SQLite the blocker has to catch the run between its start and its commit: daily
    observations of many metrics stretch that window to about half a second."""
    if connection.vendor != "sqlite":
        return
    filler_ids = [metric.pk for metric in MetricFactory.create_batch(120)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO metrics_observation (
                created_at, updated_at, version, updated_by_id, metric_id, segment_id,
                period_start, period_end, value, is_derived, source)
            WITH RECURSIVE days(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM days WHERE n < 730)
            SELECT '2021-01-01 00:00:00', '2021-01-01 00:00:00', 1, NULL, m.id, NULL,
                   date('2019-07-01', '+' || n || ' days'),
                   date('2019-07-01', '+' || n || ' days'), n %% 97, 0, ''
            FROM days CROSS JOIN metrics_metric m
            WHERE m.id IN ({", ".join(["%s"] * len(filler_ids))})
            """,
            filler_ids,
        )


def figures():
    return {
        status.pk: (status.value, status.yoy_delta, status.arrow, status.attainment, status.state)
        for status in QuarterlyStatus.objects.all()
    }


def test_a_worker_killed_mid_recompute_leaves_the_old_figures_and_a_rerun_completes(
    publish_to, start_worker
):
    metrics = [MetricFactory() for _ in range(12)]
    quarter = QuarterFactory(fiscal_year=2020, number=2)
    for index, metric in enumerate(metrics):
        observe(metric, Q2_FY19, "100")
        observe(metric, Q2_FY20, str(110 + index))
        if index % 2:  # the others' statuses are created by the recompute
            QuarterlyStatusFactory(metric=metric, quarter=quarter, value=Decimal("1"))
    slow_down_sqlite_recompute()
    blocked = QuarterlyStatus.objects.order_by("-id").first()
    before = figures()
    RecomputeRequest.objects.create(metric=None, reason="nightly")
    worker = start_worker()

    with RecomputeBlocker(worker=worker, blocked_status_id=blocked.pk) as blocker:
        tasks.recompute_all.delay()
        wait_for(
            blocker.worker_is_blocked_mid_transaction,
            interval=0.05,
            message=lambda: f"the recompute to block mid-way\n{worker.output()}",
        )
        worker.kill()
        blocker.release_and_wait_for_the_dead_transaction()

    # All old: no status created, none changed, no history, the request still pending.
    assert figures() == before
    assert not HistoryEntry.objects.filter(source="recompute").exists()
    assert RecomputeRequest.objects.count() == 1
    assert JobRun.objects.get(task_name="metrics.recompute_all").outcome == "running"

    start_worker()
    tasks.recompute_pending.delay()
    wait_for(lambda: not RecomputeRequest.objects.exists(), message="the rerun")

    # All new: every metric has its status with the recomputed figures.
    after = {status.metric_id: status for status in QuarterlyStatus.objects.all()}
    assert {metric.pk for metric in metrics} <= set(after)
    for index, metric in enumerate(metrics):
        assert after[metric.pk].value == Decimal(110 + index)
        assert after[metric.pk].yoy_delta == Decimal(10 + index) / 100
