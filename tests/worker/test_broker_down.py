"""Broker down: with a Redis of the test's own stopped, saving a status and pushing
observations succeed, the recompute requests persist, the check-in page says the figures are
pending, and a worker picks the requests up once the broker is back."""

import socket
import subprocess
import time
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from metrics import tasks
from metrics.models import Observation, QuarterlyStatus, RecomputeRequest
from metrics.services.observations import observations_upsert
from tests.factories import DepartmentFactory, UserFactory

from .conftest import Worker, wait_for
from .test_worker import Q2_FY20, editors_metric, save_status

pytestmark = pytest.mark.django_db(transaction=True)

OWN_REDIS_PORT = 6390


class OwnRedis:
    """A throwaway redis-server on a port of this test's own, stopped and started at will."""

    def __init__(self, port: int, directory):
        self.port, self.directory, self.process = port, directory, None
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self) -> "OwnRedis":
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._answers, timeout=15, message="the test's Redis to start")
        return self

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def own_redis(tmp_path):
    try:
        redis = OwnRedis(OWN_REDIS_PORT, tmp_path).start()
    except FileNotFoundError:
        pytest.fail("redis-server is needed for the broker-down test")
    yield redis
    redis.stop()


def test_with_the_broker_stopped_saves_succeed_and_a_worker_catches_up(
    publish_to, own_redis, tmp_path
):
    metric = editors_metric()
    metric.department = DepartmentFactory(slug="product")
    metric.save()
    publish_to(own_redis.url)
    own_redis.stop()

    started = time.perf_counter()
    status = save_status(metric)
    result = observations_upsert(
        rows=[{"metric": metric.pk, "period_start": "2020-10", "value": 91000}],
        actor=None,
        source="api",
    )
    elapsed = time.perf_counter() - started

    status.refresh_from_db()
    assert status.value == Decimal("92000") and status.yoy_delta is None
    assert result.counts["created"] == 1 and Observation.objects.count() == 3
    assert RecomputeRequest.objects.filter(metric=metric).count() == 2
    assert elapsed < 5, elapsed
    client = Client()
    client.force_login(UserFactory(roles=["Admin"]))
    checkin = reverse(
        "metrics:checkin",
        kwargs={"department": "product", "fiscal_year": 2020, "number": Q2_FY20.number},
    )
    page = client.get(checkin).content.decode()
    assert "Figures pending" in page

    own_redis.start()
    worker = Worker(broker_url=own_redis.url, queue="celery", log_path=tmp_path / "w.log")
    worker.start()
    try:
        tasks.recompute_pending.delay()  # what celery beat sends every five minutes
        wait_for(
            lambda: not RecomputeRequest.objects.exists(),
            message=lambda: f"the pending requests to be done; worker said:\n{worker.output()}",
        )
    finally:
        worker.stop()
    status = QuarterlyStatus.objects.get(pk=status.pk)
    assert status.yoy_delta == Decimal("0.081")
    assert "Figures pending" not in client.get(checkin).content.decode()
