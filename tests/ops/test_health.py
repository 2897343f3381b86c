"""/healthz touches nothing; /readyz answers for the database, the cache and the broker,
503 when one is down (never showing a secret), and comes back with them."""

import json
import time

import pytest
from django.db import OperationalError
from django.test import Client

from okrtracker.celery import app
from tests.celery_helpers import broker_restore, broker_state, broker_switch

from .own_redis import OwnRedis

pytestmark = pytest.mark.django_db

PASSWORD = "s3cret-redis-pass"


@pytest.fixture
def own_redis(tmp_path):
    redis = OwnRedis(tmp_path, password=PASSWORD).start()
    yield redis
    redis.stop()


@pytest.fixture(
    params=[
        # The app's own cache, as the production settings configure it: during an outage it
        # falls through to a local store, so pages answer, but readiness must still see it.
        ("metrics.caching.backend.FallbackRedisCache", {"TIMEOUT_MS": 500}),
        ("django.core.cache.backends.redis.RedisCache", {"socket_connect_timeout": 0.5}),
    ],
    ids=["fallback-cache", "plain-redis-cache"],
)
def cache_and_broker_on(request, own_redis, settings):
    """The cache and the broker on the test's own Redis, as a deployment configures them."""
    backend, options = request.param
    settings.CACHES = {
        "default": {"BACKEND": backend, "LOCATION": own_redis.url(1), "OPTIONS": options}
    }
    settings.READYZ_TIMEOUT = 1.5
    saved = broker_state()
    app.conf.task_always_eager = False
    broker_switch(own_redis.url(2))
    yield own_redis
    broker_restore(saved)


def readyz():
    response = Client().get("/readyz")
    return response, json.loads(response.content)


def test_healthz_answers_without_touching_any_dependency(django_assert_num_queries, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    with django_assert_num_queries(0):
        response = Client().get("/healthz")

    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_readyz_times_each_dependency():
    response, body = readyz()

    assert response.status_code == 200
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    for check in body["checks"].values():
        assert check["ok"] is True
        assert isinstance(check["ms"], float)
    assert body["checks"]["broker"]["note"] == "in-process"  # tests run tasks eagerly


def test_readyz_is_503_when_the_database_is_down(monkeypatch):
    from django.db import connections

    def broken_cursor(*args, **kwargs):
        raise OperationalError("could not connect to server: password=hunter2 host=db")

    monkeypatch.setattr(connections["default"], "cursor", broken_cursor)

    response, body = readyz()

    assert response.status_code == 503
    assert body["checks"]["database"] == {
        "ok": False,
        "ms": body["checks"]["database"]["ms"],
        "error": "OperationalError",
    }
    assert "hunter2" not in response.content.decode()


def test_readyz_follows_redis_going_down_and_coming_back(cache_and_broker_on):
    redis = cache_and_broker_on
    response, body = readyz()
    assert response.status_code == 200, body
    assert body["checks"]["broker"].get("note") is None  # the real broker was checked

    redis.stop()
    started = time.monotonic()
    response, body = readyz()
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["broker"]["ok"] is False
    assert elapsed < 5
    text = response.content.decode()
    assert PASSWORD not in text and str(redis.port) not in text

    redis.start()
    response, body = readyz()
    assert response.status_code == 200, body


def test_a_hung_redis_does_not_hang_readyz(cache_and_broker_on):
    redis = cache_and_broker_on
    redis.freeze()
    try:
        started = time.monotonic()
        response, body = readyz()
        elapsed = time.monotonic() - started
    finally:
        redis.thaw()

    assert response.status_code == 503
    assert body["checks"]["cache"]["ok"] is False
    assert elapsed < 5


def test_probes_answer_over_plain_http_whatever_the_host(settings):
    """A Kubernetes probe comes to the pod's address over HTTP: no HTTPS redirect, no
    refused Host header."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["okr.example.org"]

    for path in ("/healthz", "/readyz"):
        response = Client().get(path, HTTP_HOST="10.1.2.3:8000")
        assert response.status_code == 200, path
