"""The cache is an accelerator, never a dependency: with the test's own Redis stopped or frozen
(SIGSTOP) while several clients read, no page, API read or sign-in answers 5xx, none waits
for Redis more than its short timeout, and each outage is logged once, not per request."""

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from metrics.caching import backend
from tests.caching.redis_server import RedisServer
from tests.factories import UserFactory
from tests.selectors.builders import build_small_deck

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pass-word-123"
CLIENTS = 3
# A request may wait for Redis once per outage window (100 ms), never seconds.
SLOWEST = 2.0


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_cache(redis_server, settings):
    backend._BREAKERS.clear()
    settings.CACHES = {
        "default": {
            "BACKEND": "metrics.caching.backend.FallbackRedisCache",
            "LOCATION": redis_server.url,
            "OPTIONS": {"TIMEOUT_MS": 100, "RETRY_SECONDS": 1},
        }
    }
    yield redis_server
    backend._BREAKERS.clear()


@pytest.fixture
def world():
    session = build_small_deck()
    viewer = UserFactory(roles=["Viewer"])
    return session, viewer


def _reads(session_id) -> list[tuple[str, str]]:
    """(kind, url) of the reads probed: dashboard pages and API reads."""
    kw = {"session_id": session_id}
    pages = [
        reverse("metrics:session", kwargs=kw),
        reverse("metrics:session_overview", kwargs=kw),
        reverse("metrics:session_metrics", kwargs=kw),
        reverse("metrics:metric", kwargs={**kw, "metric_slug": "monthly-active-editors"}),
        reverse("metrics:objective", kwargs={**kw, "objective_slug": "armdeb"}),
    ]
    api = [
        reverse("api:quarterly-status-list", kwargs={"version": "v1"}),
        reverse("api:department-list", kwargs={"version": "v1"}),
        reverse("api:session-deck", kwargs={"version": "v1", "pk": session_id}),
    ]
    return [("page", url) for url in pages] + [("api", url) for url in api]


def _one_client_round(session_id, viewer) -> list[tuple[str, int, float]]:
    """What one client gets: every read, the sign-in page and a sign-in, a token."""
    answers = []

    def timed(kind, call):
        started = time.monotonic()
        response = call()
        answers.append((kind, response.status_code, time.monotonic() - started))
        return response

    browser = Client()
    timed("sign-in page", lambda: browser.get(reverse("login")))
    signed_in = timed(
        "sign-in",
        lambda: browser.post(reverse("login"), {"username": viewer.username, "password": PASSWORD}),
    )
    assert signed_in.status_code == 302, signed_in.status_code
    for kind, url in _reads(session_id):
        timed(kind, lambda url=url: browser.get(url, HTTP_ACCEPT="application/json"))
        timed(kind, lambda url=url: browser.get(url))  # again: from the cache when there is one
    timed(
        "token",
        lambda: APIClient().post(
            reverse("api:obtain-token", kwargs={"version": "v1"}),
            {"username": viewer.username, "password": PASSWORD},
            format="json",
        ),
    )
    return answers


def _under_load(session_id, viewer, rounds=2) -> list[tuple[str, int, float]]:
    def client():
        answers = []
        for _ in range(rounds):
            answers += _one_client_round(session_id, viewer)
        return answers

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(lambda _: client(), range(CLIENTS)))
    return [answer for answers in results for answer in answers]


def _failures(answers):
    return [(kind, status) for kind, status, _ in answers if status >= 500]


def _outage_logs(caplog):
    return [r for r in caplog.records if r.name == "metrics.caching" and "unreachable" in r.msg]


def test_reads_and_sign_in_answer_with_redis_frozen_then_stopped(world, redis_cache, caplog):
    session, viewer = world
    caplog.set_level(logging.WARNING, logger="metrics.caching")
    up = _under_load(session.pk, viewer, rounds=1)
    assert _failures(up) == [] and _outage_logs(caplog) == []

    redis_cache.freeze()
    frozen = _under_load(session.pk, viewer)
    redis_cache.thaw()
    assert _failures(frozen) == []
    assert max(seconds for *_, seconds in frozen) < SLOWEST
    assert len(_outage_logs(caplog)) == 1  # one line for the outage, not one per request

    time.sleep(1.1)  # past the breaker's retry: Redis answers again
    _under_load(session.pk, viewer, rounds=1)
    assert any("answers again" in r.msg for r in caplog.records)

    redis_cache.stop()
    time.sleep(0.1)
    stopped = _under_load(session.pk, viewer)
    assert _failures(stopped) == []
    assert max(seconds for *_, seconds in stopped) < SLOWEST
    assert len(_outage_logs(caplog)) == 2
    kinds = {kind for kind, *_ in stopped}
    assert {"page", "api", "sign-in page", "sign-in", "token"} <= kinds


def test_a_frozen_redis_costs_one_timeout_then_is_skipped(world, redis_cache):
    from django.core.cache import cache

    cache.set("probe", 1)
    redis_cache.freeze()
    started = time.monotonic()
    assert cache.get("probe") is None  # a miss, not an error
    first = time.monotonic() - started
    started = time.monotonic()
    for _ in range(50):
        cache.get("probe")
    skipped = time.monotonic() - started
    redis_cache.thaw()

    assert first < 0.5
    assert skipped < 0.05  # the breaker is open: Redis is not asked


def test_during_an_outage_values_are_kept_in_the_process(world, redis_cache):
    """Pages built during an outage are kept locally (keyed as in Redis, so never stale), and
    sign-in failures still count, per process."""
    from django.core.cache import cache

    redis_cache.stop()
    cache.set("kept", "value")
    assert cache.get("kept") == "value"
    cache.add("count", 0)
    assert cache.incr("count") == 1


def test_sign_in_limits_still_hold_per_process_during_an_outage(world, redis_cache, settings):
    session, viewer = world
    settings.LOGIN_FAILURES_PER_ACCOUNT = 3
    redis_cache.stop()
    client = Client()
    for _ in range(3):
        client.post(reverse("login"), {"username": viewer.username, "password": "wrong"})

    refused = client.post(reverse("login"), {"username": viewer.username, "password": PASSWORD})

    assert refused.status_code == 429


def test_threads_share_one_breaker(world, redis_cache):
    """Django makes a cache object per thread; the outage is noticed once for all of them."""
    from django.core.cache import caches

    redis_cache.freeze()
    timings = []

    def read():
        started = time.monotonic()
        caches["default"].get("anything")
        timings.append(time.monotonic() - started)

    first = threading.Thread(target=read)
    first.start()
    first.join()
    others = [threading.Thread(target=read) for _ in range(8)]
    for thread in others:
        thread.start()
    for thread in others:
        thread.join()
    redis_cache.thaw()

    assert sorted(timings)[-1] < 0.5
    assert sum(timings[1:]) < 0.05
