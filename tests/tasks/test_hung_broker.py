"""A hung broker (its port accepts connections and never answers) costs a save at most about
a second: the enqueue gives up after its connect/send timeouts, the save is kept, and the
recompute request stays recorded for `metrics.recompute_pending`."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest

from metrics import broker, models
from metrics.services.observations import observations_upsert
from metrics.services.statuses import quarterly_status_save
from okrtracker.celery import app
from tests import factories
from tests.celery_helpers import broker_restore, broker_state, broker_switch
from tests.ports import free_port

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def hung_broker():
    """A TCP server that accepts every connection and never sends a byte."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    port = server.getsockname()[1]
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
    broker_switch(f"redis://127.0.0.1:{port}/0")
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

    assert broker.flush(timeout=10)
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

    assert broker.flush(timeout=10)
    assert hung_broker, "the push never reached the hung broker"
    print(f"save with a hung broker: {elapsed:.2f} s")
    assert elapsed < 2.0
    assert models.Observation.objects.filter(metric=metric).count() == 1
    assert models.RecomputeRequest.objects.filter(metric=metric).count() == 1


FIRST_SAVE = """
import json, logging, sys, time
import django

django.setup()
logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
from metrics import broker, models, tasks
from metrics.services.statuses import quarterly_status_save
from okrtracker.celery import app
from tests import factories

app.conf.task_always_eager = False
metric = factories.MetricFactory()
quarter = factories.QuarterFactory(fiscal_year=2020, number=2)
started = time.perf_counter()
quarterly_status_save(
    metric=metric, segment=None, quarter=quarter, actor=None, source="form", value=92000
)
elapsed = time.perf_counter() - started
publishing_after_the_answer = not broker.flush(timeout=0)
tried = broker.flush(timeout=10)
kept = models.RecomputeRequest.objects.filter(metric=metric).count()
# What beat's recompute_pending does later, here in-process.
app.conf.task_always_eager = True
tasks.recompute_pending.delay()
print(json.dumps({
    "elapsed": elapsed,
    "publishing_after_the_answer": publishing_after_the_answer,
    "tried": tried,
    "kept": kept,
    "left": models.RecomputeRequest.objects.count(),
    "value": str(models.QuarterlyStatus.objects.get(metric=metric).value),
}))
"""


@pytest.fixture
def frozen_redis(tmp_path):
    """A real redis-server, stopped with SIGSTOP: its port accepts connections (the kernel
    completes the handshake) and nothing ever answers."""
    if shutil.which("redis-server") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("redis-server is needed for the frozen-broker test (CI=true)")
        pytest.skip("redis-server is not installed")
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 15
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        if time.monotonic() > deadline:
            server.kill()
            pytest.fail("the frozen-broker test's Redis did not start")
        time.sleep(0.05)
    server.send_signal(signal.SIGSTOP)
    yield f"redis://127.0.0.1:{port}/0"
    server.send_signal(signal.SIGCONT)
    server.terminate()
    server.wait(timeout=10)


def test_the_first_save_of_a_fresh_process_against_a_frozen_redis_answers_within_a_second(
    frozen_redis, tmp_path
):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "okrtracker.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'first-save.sqlite3'}",
        "CELERY_BROKER_URL": frozen_redis,
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=BASE_DIR, env=env, check=True, timeout=300)

    child = subprocess.run(
        [sys.executable, "-c", FIRST_SAVE],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert child.returncode == 0, child.stderr
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    print(f"first save of a process, Redis frozen: {figures['elapsed']:.3f} s")
    assert figures["elapsed"] < 1.0
    # The answer did not wait for the broker at all: the publish was still being tried.
    assert figures["publishing_after_the_answer"]
    assert Decimal(figures["value"]) == 92000
    # The sender did try the frozen broker, gave up, and the request stayed for the next run.
    assert figures["tried"]
    assert "Could not enqueue the recompute of metrics" in child.stderr
    assert figures["kept"] == 1
    assert figures["left"] == 0
