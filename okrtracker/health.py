"""Probes for load balancers and orchestrators.

- `/healthz` (liveness): the process answers. It touches no database, cache or broker, so a
  dependency's outage never gets healthy processes restarted.
- `/readyz` (readiness): the database, the cache and the broker each answer, with the time
  each took. 503 when one does not. The answer names each check's error by its class only
  (`OperationalError`, `TimeoutError`): messages can carry URLs, hosts or passwords.

The cache and broker checks run in threads with a deadline (`READYZ_TIMEOUT`), on top of their
own socket timeouts, so a hung Redis (port open, no answer) cannot hang the probe. The
database check runs in the request's thread (its connection is the request's) and is bounded
by the connect timeout (`DATABASE_CONNECT_TIMEOUT`).

`ProbeMiddleware` answers these paths (and the Prometheus scrape) before the rest of the
stack: a probe to the pod's address over plain HTTP is neither redirected to HTTPS nor
refused for its Host header, and the probes stay cheap.
"""

import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from metrics.caching.store import round_trip as cache_round_trip
from metrics.prometheus import scrape
from okrtracker.celery import app

_checks_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="readyz")


def healthz(request):
    return _no_store(JsonResponse({"status": "ok"}))


def readyz(request):
    checks = {
        "database": _timed(_database_ok),
        "cache": _timed_with_deadline(_cache_ok),
        "broker": _timed_with_deadline(_broker_ok),
    }
    ready = all(check["ok"] for check in checks.values())
    return _no_store(
        JsonResponse(
            {"status": "ok" if ready else "unavailable", "checks": checks},
            status=200 if ready else 503,
        )
    )


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


def _database_ok() -> str | None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return None


def _cache_ok() -> str | None:
    cache_round_trip()
    return None


def _broker_ok() -> str | None:
    if app.conf.task_always_eager or str(app.conf.broker_url).startswith("memory://"):
        return "in-process"  # no broker configured: tasks run in the web process
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, timeout=settings.READYZ_TIMEOUT)
        # The Redis transport pings when its first channel opens.
        connection.default_channel  # noqa: B018 - opening it is the check
    return None


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        note = check()
    except Exception as error:  # noqa: BLE001 - a failed dependency is an answer, not a 500
        return _result(False, started, error=type(error).__name__)
    return _result(True, started, note=note)


def _timed_with_deadline(check) -> dict:
    started = time.perf_counter()
    future = _checks_pool.submit(_timed, check)
    try:
        return future.result(timeout=settings.READYZ_TIMEOUT)
    except FutureTimeout:
        return _result(False, started, error="TimeoutError")


def _result(ok: bool, started: float, *, error: str = "", note: str | None = None) -> dict:
    result = {"ok": ok, "ms": round((time.perf_counter() - started) * 1000, 1)}
    if error:
        result["error"] = error
    if note:
        result["note"] = note
    return result


healthz = never_cache(healthz)
readyz = never_cache(readyz)


class ProbeMiddleware:
    """Outermost: serves the probes and the scrape before host checks, HTTPS redirects,
    sessions or compression run."""

    def __init__(self, get_response):
        self.get_response = get_response

        self.paths = {"/healthz": healthz, "/readyz": readyz, "/metrics": scrape}

    def __call__(self, request):
        view = self.paths.get(request.path.rstrip("/") or "/")
        if view is not None:
            return view(request)
        return self.get_response(request)
