"""Real Celery workers for the tests in this directory.

A worker is a separate process (`celery -A okrtracker worker`) on the Redis broker, reading
and writing the same test database as the test: PostgreSQL (as in CI), or SQLite when the
test database is a file. The tests use `transactional_db` so that their rows are committed
and visible to the worker.

Without Redis these tests skip with the reason, except in CI (CI=true), where they fail.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from okrtracker.celery import app
from tests.celery_helpers import broker_restore, broker_state, broker_switch

BASE_DIR = Path(__file__).resolve().parent.parent.parent
REDIS_URL = os.environ.get("OKR_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
WORKER_START_TIMEOUT = 60
# Every queue the app routes to, as the README's worker consumes them.


def unavailable(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: worker tests must run)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def redis_broker():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        unavailable(f"Redis is not reachable at {REDIS_URL} ({error})")
    return REDIS_URL


def worker_database_url() -> str:
    """The test database as a DATABASE_URL the worker process can use."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(settings["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            unavailable("The SQLite test database is in memory: a worker process cannot open it")
        return f"sqlite:///{name}"
    if connection.vendor == "postgresql":
        user = settings.get("USER") or ""
        password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
        credentials = f"{user}{password}@" if user else ""
        host = settings.get("HOST") or "127.0.0.1"
        port = f":{settings['PORT']}" if settings.get("PORT") else ""
        return f"postgres://{credentials}{host}{port}/{settings['NAME']}"
    unavailable(f"Worker tests do not know how to share a {connection.vendor} database")


class Worker:
    """One `celery worker` process group, consuming a queue of its own."""

    def __init__(self, *, broker_url: str, queue: str, log_path: Path):
        self.broker_url = broker_url
        self.queue = queue
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.log = None

    def start(self) -> "Worker":
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "okrtracker.settings.test",
            "DATABASE_URL": worker_database_url(),
            "DATABASE_CONN_MAX_AGE": "0",
            "CELERY_BROKER_URL": self.broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "PYTHONUNBUFFERED": "1",
        }
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "okrtracker",
                "worker",
                "--loglevel=INFO",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-Q",
                self.queue,
                "-n",
                f"okr-test-{os.getpid()}-{id(self)}@%h",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill the pool children too
        )
        deadline = time.monotonic() + WORKER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The worker exited at start:\n{self.output()}")
            if " ready." in self.output():
                return self
            time.sleep(0.2)
        self.kill()
        raise RuntimeError(f"The worker did not start in time:\n{self.output()}")

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes, as an out-of-memory kill would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        if self.log:
            self.log.close()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=20)
        if self.log:
            self.log.close()


@pytest.fixture
def publish_to(redis_broker):
    """Make this process publish tasks for real (not eagerly) to an emptied Redis database
    of the tests' own; returns a function switching the broker URL (to break it)."""
    import redis

    redis.Redis.from_url(redis_broker).flushdb()
    saved = broker_state()
    app.conf.task_always_eager = False
    broker_switch(redis_broker)
    yield broker_switch
    broker_restore(saved)


@pytest.fixture
def start_worker(redis_broker, tmp_path):
    workers: list[Worker] = []

    def start() -> Worker:
        worker = Worker(
            broker_url=redis_broker,
            queue=",".join(settings.WORKER_QUEUES),
            log_path=tmp_path / f"worker-{len(workers)}.log",
        )
        workers.append(worker)
        return worker.start()

    yield start
    for worker in workers:
        worker.stop()


def wait_for(condition, *, timeout: float = 60, interval: float = 0.25, message=""):
    """Poll `condition` until it returns something true; `message` (or a function giving
    it, for output read at the time of failure) explains a timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    explanation = message() if callable(message) else message
    pytest.fail(f"Timed out after {timeout}s waiting for {explanation or condition}")
