"""Benchmark (in-process, one client): each page and API read of the latest session, cold
(cache emptied before every request: the per-page selectors and the rendering) and cached
(read again under the same data version), with the SQL queries of each.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/okr_bench_perf100 \
        .venv/bin/python benchmarks/web.py --requests 20

Fill the database first with `manage.py generate_demo_data --scale N` (its name must contain
"bench"). This is the in-process half of issue 11's benchmark: the served half (gunicorn,
wrk with 16 clients, template and .values() floors) is still to be written (docs/scaling.md).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def setup() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if "bench" not in url:
        sys.exit("Set DATABASE_URL to a database whose name contains 'bench'.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okrtracker.settings.test")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def percentile(values, fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    setup()
    from django.contrib.auth.models import Group, User
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from metrics import models

    user, _ = User.objects.get_or_create(username="bench-viewer")
    user.groups.add(Group.objects.get_or_create(name="Viewer")[0])
    session = models.TuningSession.objects.order_by(
        "-quarter__fiscal_year", "-quarter__number"
    ).first()
    definition = models.MetricDefinition.objects.filter(session=session).order_by("order").first()
    objective = models.Objective.objects.filter(
        priority=session.priority, fiscal_year=session.quarter.fiscal_year
    ).first()
    sid = session.id
    pages = {
        "executive overview": reverse("metrics:session_overview", kwargs={"session_id": sid}),
        "metrics table": reverse("metrics:session_metrics", kwargs={"session_id": sid}),
        "metric page": reverse(
            "metrics:metric", kwargs={"session_id": sid, "metric_slug": definition.metric.slug}
        ),
        "objective page": reverse(
            "metrics:objective", kwargs={"session_id": sid, "objective_slug": objective.slug}
        ),
        "appendix": reverse("metrics:session_appendix", kwargs={"session_id": sid}),
        "whole deck": reverse("metrics:session_deck", kwargs={"session_id": sid}),
        "deck API": reverse("api:session-deck", kwargs={"version": "v1", "pk": sid}),
        "statuses API": reverse("api:quarterly-status-list", kwargs={"version": "v1"}),
        "observations API": reverse("api:observation-list", kwargs={"version": "v1"}),
    }
    client = Client(HTTP_ACCEPT_ENCODING="gzip")
    client.force_login(user)
    print(
        f"{models.Metric.objects.count():,} metrics, "
        f"{models.Observation.objects.count():,} observations, "
        f"{models.QuarterlyStatus.objects.count():,} statuses; session {session}"
    )
    print(
        f"{'page':<20} {'cold p50':>9} {'cold p95':>9} {'q':>3} {'cached p50':>11} "
        f"{'cached p95':>11} {'q':>3} {'bytes (gzip)':>13}"
    )
    for name, url in pages.items():
        cold, cold_queries = [], 0
        for _ in range(max(3, args.requests // 4)):
            cache.clear()
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            cold.append(time.perf_counter() - started)
            cold_queries = len(captured)
            assert response.status_code == 200, (url, response.status_code)
        warm, warm_queries = [], 0
        for _ in range(args.requests):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            warm.append(time.perf_counter() - started)
            warm_queries = len(captured)
        size = len(response.content)
        print(
            f"{name:<20} {statistics.median(cold) * 1000:>7.0f}ms {percentile(cold, 0.95) * 1000:>7.0f}ms"
            f" {cold_queries:>3} {statistics.median(warm) * 1000:>9.1f}ms"
            f" {percentile(warm, 0.95) * 1000:>9.1f}ms {warm_queries:>3} {size:>13,}"
        )


if __name__ == "__main__":
    main()
