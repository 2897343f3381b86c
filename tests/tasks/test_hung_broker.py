"""A hung broker (its port accepts connections and never answers) costs a save at most about
a second: the enqueue gives up after its connect/send timeouts, the save is kept, and the
recompute request stays recorded for `metrics.recompute_pending`."""

import socket
import threading
import time
from decimal import Decimal

import pytest

from metrics import models
from metrics.services.observations import observations_upsert
from metrics.services.statuses import quarterly_status_save
from okrtracker.celery import app
from tests import factories
from tests.celery_helpers import broker_restore, broker_state, broker_switch

pytestmark = pytest.mark.django_db

HUNG_PORT = 8201


@pytest.fixture
def hung_broker():
    """A TCP server that accepts every connection and never sends a byte."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", HUNG_PORT))
    server.listen(16)
    accepted, stop = [], threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    state = broker_state()
    app.conf.task_always_eager = False
    broker_switch(f"redis://127.0.0.1:{HUNG_PORT}/0")
    yield accepted
    broker_restore(state)
    stop.set()
    thread.join(timeout=2)
    for connection in accepted:
        connection.close()
    server.close()


def timed_save(function, capture):
    started = time.perf_counter()
    with capture(execute=True):
        function()
    return time.perf_counter() - started


def test_a_status_save_returns_within_two_seconds_and_the_request_is_kept(
    hung_broker, django_capture_on_commit_callbacks
):
    metric = factories.MetricFactory()
    quarter = factories.QuarterFactory(fiscal_year=2020, number=2)

    elapsed = timed_save(
        lambda: quarterly_status_save(
            metric=metric, segment=None, quarter=quarter, actor=None, source="form", value=92000
        ),
        django_capture_on_commit_callbacks,
    )

    assert hung_broker, "the save never reached the hung broker"
    print(f"save with a hung broker: {elapsed:.2f} s")
    assert elapsed < 2.0
    status = models.QuarterlyStatus.objects.get(metric=metric)
    assert status.value == Decimal("92000")
    assert models.RecomputeRequest.objects.filter(metric=metric).count() == 1


def test_an_observation_push_returns_within_two_seconds_and_the_request_is_kept(
    hung_broker, django_capture_on_commit_callbacks
):
    metric = factories.MetricFactory()
    rows = [{"metric": metric.pk, "period_start": "2020-10", "value": 1}]

    elapsed = timed_save(
        lambda: observations_upsert(rows=rows, actor=None, source="api"),
        django_capture_on_commit_callbacks,
    )

    print(f"save with a hung broker: {elapsed:.2f} s")
    assert elapsed < 2.0
    assert models.Observation.objects.filter(metric=metric).count() == 1
    assert models.RecomputeRequest.objects.filter(metric=metric).count() == 1
