"""Prometheus metrics: what the processes measure, what the database says at scrape time.

Measured in the processes (counters and histograms, `prometheus_client`):
- `okr_http_request_duration_seconds{view,method,status}`: every request's latency by its
  route name (`metrics:session`, `api:metric-list`; `unresolved` for a 404 path), so the
  label set stays bounded whatever the URLs clients try.
- `okr_deck_build_duration_seconds{kind}`: deck builds (`deck`: the deck document a page
  reads, `pptx`: the PowerPoint file); its `_count` is the number of builds.

Under gunicorn each worker is a process of its own: set `PROMETHEUS_MULTIPROC_DIR` to a
directory the workers share, emptied before gunicorn starts, and the scrape adds up every
worker's files (prometheus_client's multiprocess mode; a restarted worker's counts stay in
the sum). Only counters and histograms live in the processes, so no gauge needs a dead
worker's clean-up.

Read from the database at each scrape (right across processes and hosts, nothing to add up):
- `okr_recompute_requests_pending`, `okr_recompute_requests_oldest_pending_seconds`
- `okr_outbox_pending{outbox}`, `okr_outbox_oldest_pending_seconds{outbox}`: every outbox
  registered with `outbox_register` (one line in `MetricsConfig.ready`).
- `okr_job_runs{task,outcome}`, `okr_job_duration_seconds_avg|max{task}` over the last hour,
  `okr_job_last_success_timestamp_seconds{task}` over the last week (JobRun rows).
- `okr_webhook_attempts{result}` over the last hour.

The scrape (`/metrics`) needs `Authorization: Bearer <METRICS_TOKEN>`; without the setting it
answers 404 (a reverse proxy on the same host would make every client look local, so
"loopback only" is no protection).
"""

import hmac
import logging
import os
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Avg, Count, Max, Min, Q, QuerySet
from django.http import HttpResponse, HttpResponseNotFound
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

from metrics.models import JobRun, RecomputeRequest, WebhookAttempt

logger = logging.getLogger(__name__)

JOB_WINDOW = timedelta(hours=1)
LAST_SUCCESS_WINDOW = timedelta(days=7)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUEST_LATENCY = Histogram(
    "okr_http_request_duration_seconds",
    "Time to answer a request, by route name, method and status class.",
    ["view", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
DECK_BUILDS = Histogram(
    "okr_deck_build_duration_seconds",
    "Time to build a deck (kind: deck document, pptx file); _count is the builds.",
    ["kind"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0),
)


@contextmanager
def deck_build_timed(kind: str):
    started = time.perf_counter()
    try:
        yield
    finally:
        DECK_BUILDS.labels(kind=kind).observe(time.perf_counter() - started)


class RequestLatencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        REQUEST_LATENCY.labels(
            view=(match.view_name if match and match.view_name else "unresolved"),
            method=request.method if request.method in _METHODS else "other",
            status=f"{response.status_code // 100}xx",
        ).observe(time.perf_counter() - started)
        return response


# --- outboxes: rows waiting to be sent, counted at scrape time --------------------------------


@dataclass(frozen=True)
class Outbox:
    pending: Callable[[], QuerySet]  # the rows still owed
    since_field: str  # when a row started waiting


_outboxes: dict[str, Outbox] = {}


def outbox_register(*, name: str, pending: Callable[[], QuerySet], since_field: str) -> None:
    """Expose an outbox's pending rows as `okr_outbox_pending{outbox=name}` (idempotent)."""
    _outboxes[name] = Outbox(pending=pending, since_field=since_field)


class DatabaseCollector:
    """Gauges read from the database when Prometheus scrapes (a fixed number of queries)."""

    def collect(self):
        try:
            yield from self._collect(timezone.now())
        except DatabaseError as error:
            logger.warning("Metrics scrape could not read the database (%s).", type(error).__name__)
            failed = GaugeMetricFamily(
                "okr_scrape_database_error", "1 when the scrape could not read the database."
            )
            failed.add_metric([], 1)
            yield failed

    def _collect(self, now):
        yield from self._pending(
            "okr_recompute_requests",
            "Recompute requests waiting",
            [([], RecomputeRequest.objects.all(), "requested_at")],
            now,
        )
        outboxes = [
            ([name], outbox.pending(), outbox.since_field)
            for name, outbox in sorted(_outboxes.items())
        ]
        yield from self._pending("okr_outbox", "Outbox rows waiting to be sent", outboxes, now)
        yield from self._jobs(JobRun, now)
        attempts = GaugeMetricFamily(
            "okr_webhook_attempts",
            "Webhook attempts in the last hour, by result.",
            labels=["result"],
        )
        counts = WebhookAttempt.objects.filter(attempted_at__gte=now - JOB_WINDOW).aggregate(
            ok=Count("id", filter=Q(status_code__gte=200, status_code__lt=300)), all=Count("id")
        )
        attempts.add_metric(["ok"], counts["ok"])
        attempts.add_metric(["error"], counts["all"] - counts["ok"])
        yield attempts

    @staticmethod
    def _pending(prefix, what, sources, now):
        labels = ["outbox"] if prefix == "okr_outbox" else []
        pending = GaugeMetricFamily(f"{prefix}_pending", f"{what}.", labels=labels)
        oldest = GaugeMetricFamily(
            f"{prefix}_oldest_pending_seconds", f"{what}: age of the oldest.", labels=labels
        )
        for label_values, queryset, since_field in sources:
            row = queryset.aggregate(count=Count("pk"), oldest=Min(since_field))
            pending.add_metric(label_values, row["count"])
            age = (now - row["oldest"]).total_seconds() if row["oldest"] else 0.0
            oldest.add_metric(label_values, max(0.0, age))
        return [pending, oldest]

    @staticmethod
    def _jobs(job_run_model, now):
        runs = GaugeMetricFamily(
            "okr_job_runs", "Job runs started in the last hour.", labels=["task", "outcome"]
        )
        average = GaugeMetricFamily(
            "okr_job_duration_seconds_avg", "Mean job duration, last hour.", labels=["task"]
        )
        longest = GaugeMetricFamily(
            "okr_job_duration_seconds_max", "Longest job duration, last hour.", labels=["task"]
        )
        recent = job_run_model.objects.filter(started_at__gte=now - JOB_WINDOW)
        durations: dict[str, list] = {}
        for row in recent.values("task_name", "outcome").annotate(
            count=Count("id"), average=Avg("duration_ms"), longest=Max("duration_ms")
        ):
            runs.add_metric([row["task_name"], row["outcome"]], row["count"])
            if row["longest"] is not None:
                previous = durations.get(row["task_name"], [0, 0, 0])
                durations[row["task_name"]] = [
                    previous[0] + row["average"] * row["count"],
                    previous[1] + row["count"],
                    max(previous[2], row["longest"]),
                ]
        for task, (total, count, most) in sorted(durations.items()):
            average.add_metric([task], total / count / 1000)
            longest.add_metric([task], most / 1000)
        last_success = GaugeMetricFamily(
            "okr_job_last_success_timestamp_seconds",
            "When each job last succeeded (last week).",
            labels=["task"],
        )
        for row in (
            job_run_model.objects.filter(
                started_at__gte=now - LAST_SUCCESS_WINDOW, outcome="success"
            )
            .values("task_name")
            .annotate(last=Max("finished_at"))
        ):
            if row["last"] is not None:
                last_success.add_metric([row["task_name"]], row["last"].timestamp())
        return [runs, average, longest, last_success]


class _ThisProcess:
    """The in-process registry, when each process is scraped on its own."""

    def collect(self):
        yield from REGISTRY.collect()


def scrape_registry(*, database: bool = True) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    if database:
        registry.register(DatabaseCollector())
    return registry


def scrape_allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    if not token:
        return False
    given = request.headers.get("Authorization", "")
    scheme, _, credentials = given.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(credentials.strip(), token)


def scrape(request):
    """The Prometheus text format, behind the bearer token (404 otherwise: not advertised)."""
    if not scrape_allowed(request):
        return HttpResponseNotFound("Not found.", content_type="text/plain")
    response = HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
