"""Benchmark: the header's search, in process on PostgreSQL, before and after the stored
search vectors (docs/threads.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/okr_threads \\
        .venv/bin/python benchmarks/search.py [--comments 20000] [--repeat 30]

Fill the database first (`manage.py generate_demo_data --scale N`). `--comments N` adds N
comments (bulk, in one session's threads) if the database has fewer, so that the comment
search has rows to look through. For each query it prints the median and p95 of:
- "scan": what the search did before issue 18, `to_tsvector` computed over every row of
  metrics, objectives, key results and sessions on each request (the four kinds it had);
- "indexed": the selector now, seven kinds (narratives, status texts and comments added),
  each an index lookup on the stored, GIN-indexed `search_vector`;
- "cached": the search page's second read under the same data version (a cache lookup);
- "floor": one bare indexed query returning ten rows, measured the same way;
with the load average beside them.
"""

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
QUERIES = ("disinformation", "MaxMind", "active editors", "armd", "campaign", "zzzznothing")


def setup() -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okrtracker.settings.dev")
    os.environ.setdefault("DEBUG", "0")  # no query log: time the queries, not their record
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    import django

    django.setup()


def scan_search(text: str) -> int:
    """The search before issue 18: four kinds, `to_tsvector` computed per row and request."""
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
    from django.db.models import Q

    from metrics import models

    kinds = (
        (models.Metric, (("name", "A"), ("description", "B")), ("name", "slug")),
        (
            models.Objective,
            (("short_name", "A"), ("title", "A"), ("statement", "B"), ("narrative", "C")),
            ("short_name", "title", "statement"),
        ),
        (models.KeyResult, (("description", "A"), ("goal_text", "B")), ("description", "code")),
        (models.TuningSession, (("title", "A"), ("overview", "B"), ("actions", "C")), ("title",)),
    )
    found = 0
    for model, weighted, plain in kinds:
        contains = Q()
        for field in plain:
            contains |= Q(**{f"{field}__icontains": text})
        vector = SearchVector(*(SearchVector(f, weight=w, config="english") for f, w in weighted))
        query = SearchQuery(text, search_type="websearch", config="english")
        found += len(
            list(
                model.objects.annotate(document=vector, rank=SearchRank(vector, query))
                .filter(Q(document=query) | contains)
                .order_by("-rank", "pk")[:10]
            )
        )
    return found


def floor() -> int:
    from metrics import models

    return len(list(models.Metric.objects.order_by("pk").values("pk", "name")[:10]))


def comments_ensure(count: int) -> None:
    from django.contrib.auth import get_user_model

    from metrics import models
    from metrics.models.threads import SESSION_KEY

    have = models.Comment.objects.count()
    if have >= count:
        return
    session = models.TuningSession.objects.order_by("pk").first()
    author = get_user_model().objects.get_or_create(username="bench-commenter")[0]
    thread, _ = models.Thread.objects.get_or_create(
        session=session,
        target_key=SESSION_KEY,
        defaults={"target": models.ThreadTarget.SESSION, "label": session.title},
    )
    words = ("budget", "campaign", "editors", "retention", "survey", "latency", "grants")
    models.Comment.objects.bulk_create(
        [
            models.Comment(
                thread=thread,
                author=author,
                body=f"Comment {n} about the **{words[n % len(words)]}** figure, week {n % 52}.",
            )
            for n in range(have, count)
        ],
        batch_size=2000,
    )


def timed(call, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from metrics.selectors.page_cache import cached, data_version_current
    from metrics.selectors.search import search

    assert connection.vendor == "postgresql", "Run it on PostgreSQL (DATABASE_URL)."
    comments_ensure(args.comments)
    reader = get_user_model().objects.filter(is_superuser=True).first() or get_user_model()(
        is_superuser=True, is_active=True
    )
    from metrics import models

    sizes = {
        model.__name__: model.objects.count()
        for model in (
            models.Metric,
            models.Objective,
            models.KeyResult,
            models.KeyResultStatus,
            models.SessionObjective,
            models.TuningSession,
            models.Comment,
        )
    }
    print("rows:", ", ".join(f"{name} {count:,}" for name, count in sizes.items()))
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    floor_ms = timed(floor, args.repeat)
    print(f"floor (10 rows by primary key): p50 {floor_ms[0]:.2f} ms, p95 {floor_ms[1]:.2f} ms")
    print(f"{'query':<16} {'scan p50/p95 ms':>18} {'indexed p50/p95 ms':>20} {'cached p50 ms':>14}")
    for text in QUERIES:
        scan = timed(lambda text=text: scan_search(text), args.repeat)
        indexed = timed(lambda text=text: search(text, user=reader), args.repeat)
        version = data_version_current()
        key = ("bench-search", text)
        cached(version, key, lambda text=text: search(text, user=reader))
        hit = timed(lambda key=key: cached(data_version_current(), key, lambda: None), args.repeat)
        print(
            f"{text:<16} {scan[0]:>8.1f} / {scan[1]:<8.1f} {indexed[0]:>9.1f} / {indexed[1]:<8.1f}"
            f" {hit[0]:>12.2f}"
        )
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
