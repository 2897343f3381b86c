"""Benchmark: the first reader after a write, in process, against a floor read the same way.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/okr_cache \
        .venv/bin/python benchmarks/first_read.py --rounds 15

Fill the database first (`manage.py generate_demo_data --scale 10`). Each round saves one
quarterly status of the latest session (a check-in save through `quarterly_status_save`, its
recompute run in process) and then reads, once each and in turn: the bare template floor
(`views/bench_floors.py`), the executive overview, the first and the last metrics table, the metric
page of another department than the one written, the written metric's page
and the deck API's first part. Every read is the first after a write (the write comes again
before each read), so the floor pays the same write-then-read as the pages. Prints per URL the
p50 and p95 of the first read, and the p50 as a multiple of the floor's p50.

Runs against whichever code is on PYTHONPATH (this worktree, or main for "before"); the load
average is printed beside the figures.
"""

import argparse
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okrtracker.settings.test")
    os.environ["BENCHMARK_FLOORS"] = "1"
    os.environ.pop("CACHE_URL", None)
    os.environ.pop("REDIS_URL", None)
    if not os.environ.get("PYTHONPATH"):
        sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from metrics import models
    from metrics.services.statuses import quarterly_status_save

    session = models.TuningSession.objects.order_by("-quarter__start_date").first()
    definitions = list(
        models.MetricDefinition.objects.filter(session=session, is_retired=False)
        .select_related("metric")
        .order_by("order", "id")
    )
    # A check-in save: a department whose check-in of the quarter is still open.
    locked = set(
        models.Submission.objects.filter(
            quarter=session.quarter, state=models.SubmissionState.LOCKED
        ).values_list("department_id", flat=True)
    )
    written = next(d.metric for d in definitions if d.metric.department_id not in locked)
    other = next(d.metric for d in definitions if d.metric.department_id != written.department_id)
    pages = (len(definitions) + 24) // 25
    user = get_user_model().objects.filter(is_superuser=True).first()
    if user is None:
        user = get_user_model().objects.create_superuser("bench-first-read", "b@example.org", "x")
    client = Client()
    client.force_login(user)
    kw = {"session_id": session.pk}
    urls = {
        "floor (template)": "/bench/template/",
        "overview": reverse("metrics:session_overview", kwargs=kw),
        "metrics table p1": reverse("metrics:session_metrics", kwargs=kw),
        f"metrics table p{pages}": reverse("metrics:session_metrics", kwargs=kw) + f"?page={pages}",
        "metric (other dept)": reverse("metrics:metric", kwargs={**kw, "metric_slug": other.slug}),
        "metric (written)": reverse("metrics:metric", kwargs={**kw, "metric_slug": written.slug}),
        "deck API part 1": reverse("api:session-deck", kwargs={"version": "v1", "pk": session.pk})
        + "?part=1",
    }
    quarter = session.quarter
    counter = [0]

    def write():
        counter[0] += 1
        quarterly_status_save(
            metric=written,
            segment=None,
            quarter=quarter,
            actor=user,
            source="form",
            value=Decimal(1 + counter[0] % 90),  # valid for every unit, a percentage too
        )

    for url in urls.values():  # warm: every page cached once, as a running site has them
        assert client.get(url).status_code == 200, url
    timings = {name: [] for name in urls}
    for _ in range(args.rounds):
        for name, url in urls.items():
            write()
            started = time.perf_counter()
            response = client.get(url)
            timings[name].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
    floor = statistics.median(timings["floor (template)"])
    print(f"first read after a write, {args.rounds} rounds, {pages} metrics pages, "
          f"load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    print(f"{'URL':<32} {'p50':>8} {'p95':>8} {'x floor':>8}")
    for name, values in timings.items():
        values.sort()
        p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
        print(
            f"{name:<32} {statistics.median(values):>6.1f}ms {p95:>6.1f}ms "
            f"{statistics.median(values) / floor:>7.1f}x"
        )


if __name__ == "__main__":
    main()
