"""Benchmark: the set-based recompute against the same work done with Django's bulk_update.

    .venv/bin/python benchmarks/recompute.py --scale 1000000 \
        --database-url postgres://postgres@127.0.0.1:5432/okr_bench

Builds a synthetic data set on PostgreSQL (metrics with four segments each, monthly
observations over five fiscal years, a quarterly status per series and quarter, figures
still to be computed), then prints observations per second for

1. the full recompute (metrics.services.recompute.metrics_recompute),
2. a rerun with nothing changed,
3. the same work in Python: load the observations, aggregate, compute YoY, arrows,
   attainment and states, bulk_create the history and bulk_update the statuses,

and the ratio between 3 and 1. The database is emptied first: its name must contain "bench".
"""

import argparse
import os
import sys
import time
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from urllib.parse import urlparse

BASE_DIR = Path(__file__).resolve().parent.parent
YEARS = 5
FIRST_FISCAL_YEAR = 2016
SEGMENTS_PER_METRIC = 4
SERIES_PER_METRIC = SEGMENTS_PER_METRIC + 1  # the metric itself and its segments
MONTHS = YEARS * 12
SIX_PLACES = Decimal("0.000001")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale",
        type=int,
        action="append",
        help="Number of observations (repeatable; default 100000 and 1000000).",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/okr_bench"
        ),
    )
    parser.add_argument(
        "--skip-bulk-update", action="store_true", help="Only time the set-based recompute."
    )
    return parser.parse_args()


def ensure_database(url: str) -> None:
    import psycopg2

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"Refusing to empty {name!r}: the benchmark database's name must contain 'bench'.")
    admin = psycopg2.connect(
        dbname="postgres",
        user=parsed.username,
        password=parsed.password,
        host=parsed.hostname,
        port=parsed.port,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okrtracker.settings.test")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("The benchmark runs on PostgreSQL.")
    call_command("migrate", verbosity=0)


def build_data_set(observations: int) -> dict:
    """Metrics x 5 series x 60 months, made in the database with generate_series."""
    from django.db import connection

    from metrics.models import Department, Metric, Outcome, Priority, Quarter, Segment

    metric_count = max(1, round(observations / (SERIES_PER_METRIC * MONTHS)))
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE metrics_historyentry, metrics_recomputerequest, metrics_jobrun, "
            "metrics_metricfingerprint, "
            "metrics_observation, metrics_quarterlystatus, metrics_segment, metrics_metric, "
            "metrics_outcome, metrics_priority, metrics_department, metrics_quarter CASCADE"
        )
    priority = Priority.objects.create(name="Benchmark", slug="benchmark")
    outcome = Outcome.objects.create(priority=priority, statement="We will be fast.")
    department = Department.objects.create(name="Benchmark", slug="benchmark")
    for fiscal_year in range(FIRST_FISCAL_YEAR, FIRST_FISCAL_YEAR + YEARS):
        for number in (1, 2, 3, 4):
            Quarter.objects.create(fiscal_year=fiscal_year, number=number)
    Metric.objects.bulk_create(
        [
            Metric(
                outcome=outcome,
                department=department,
                name=f"Metric {index}",
                slug=f"metric-{index}",
                baseline_value=Decimal(1000),
                goal_kind="yoy_change",
                goal_value=Decimal(5),
            )
            for index in range(metric_count)
        ],
        batch_size=5000,
    )
    Segment.objects.bulk_create(
        [
            Segment(
                metric=metric,
                name=f"Segment {index}",
                slug=f"segment-{index}",
                baseline_value=Decimal(250),
                goal_kind="none",
            )
            for metric in Metric.objects.only("id")
            for index in range(SEGMENTS_PER_METRIC)
        ],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        # One observation per series and month; values grow by a few percent a year.
        cursor.execute(
            """
            INSERT INTO metrics_observation (
                created_at, updated_at, version, updated_by_id, metric_id, segment_id,
                period_start, period_end, value, is_derived, source)
            SELECT now(), now(), 1, NULL, series.metric_id, series.segment_id,
                   (DATE %s + make_interval(months => month))::date,
                   (DATE %s + make_interval(months => month + 1) - INTERVAL '1 day')::date,
                   ROUND((1000 + (series.metric_id * 37 + COALESCE(series.segment_id, 0) * 11
                          + month * 13) %% 200) * (1 + month / 200.0), 2),
                   false, 'benchmark'
            FROM (SELECT id AS metric_id, NULL::bigint AS segment_id FROM metrics_metric
                  UNION ALL
                  SELECT metric_id, id FROM metrics_segment) series
            CROSS JOIN generate_series(0, %s) AS month
            """,
            [f"{FIRST_FISCAL_YEAR}-07-01", f"{FIRST_FISCAL_YEAR}-07-01", MONTHS - 1],
        )
        # The quarterly cells exist (entered as empty statuses); their figures do not yet.
        cursor.execute(
            """
            INSERT INTO metrics_quarterlystatus (
                created_at, updated_at, version, updated_by_id, metric_id, segment_id,
                quarter_id, state, value, value_basis, unused_observations, yoy_delta, arrow,
                attainment, footnote_markers, state_markers, comment, computed_at)
            SELECT now(), now(), 1, NULL, series.metric_id, series.segment_id, q.id,
                   'reported', NULL, '', 0, NULL, '', 'no_data', '', '', '', NULL
            FROM (SELECT id AS metric_id, NULL::bigint AS segment_id FROM metrics_metric
                  UNION ALL
                  SELECT metric_id, id FROM metrics_segment) series
            CROSS JOIN metrics_quarter q
            """
        )
        cursor.execute("SELECT count(*) FROM metrics_observation")
        observation_count = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM metrics_quarterlystatus")
        status_count = cursor.fetchone()[0]
        cursor.execute("VACUUM ANALYZE")
        # Write out the build's dirty pages now, so that no checkpoint runs during the timings.
        cursor.execute("CHECKPOINT")
    return {"metrics": metric_count, "observations": observation_count, "statuses": status_count}


def reset_figures() -> None:
    """Back to the state before any recompute (not timed)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE metrics_quarterlystatus SET value = NULL, yoy_delta = NULL, arrow = '', "
            "attainment = 'no_data', state = 'reported', computed_at = NULL, value_basis = '', "
            "unused_observations = 0"
        )
        cursor.execute("TRUNCATE metrics_historyentry")
        cursor.execute("VACUUM ANALYZE metrics_quarterlystatus")


def figures_snapshot() -> dict:
    from metrics.models import QuarterlyStatus

    return {
        row[0]: row[1:]
        for row in QuarterlyStatus.objects.values_list(
            "id", "value", "yoy_delta", "arrow", "attainment", "state"
        ).iterator(chunk_size=50000)
    }


def timed(function):
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


def recompute_with_bulk_update() -> int:
    """The same work in Python: every status's value, YoY, arrow, attainment and state, the
    history of each changed field, then bulk_update. (The synthetic metrics all aggregate
    by mean and have YoY goals on an increase, which is all this version implements.)"""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from metrics.fiscal import quarter_of
    from metrics.models import HistoryEntry, Metric, Observation, QuarterlyStatus, Segment
    from metrics.services.history import history_value

    totals = defaultdict(lambda: [Decimal(0), 0])
    for metric_id, segment_id, period_start, value in Observation.objects.values_list(
        "metric_id", "segment_id", "period_start", "value"
    ).iterator(chunk_size=50000):
        quarter = quarter_of(period_start)
        total = totals[(metric_id, segment_id, quarter.fiscal_year * 4 + quarter.number - 1)]
        total[0] += value
        total[1] += 1
    values = {
        key: (total / count).quantize(SIX_PLACES, ROUND_HALF_UP)
        for key, (total, count) in totals.items()
    }
    metrics = {
        metric.pk: metric
        for metric in Metric.objects.only("id", "baseline_value", "goal_value", "state")
    }
    segment_baselines = dict(Segment.objects.values_list("id", "baseline_value"))

    statuses = list(
        QuarterlyStatus.objects.select_related("quarter").only(
            "id",
            "metric_id",
            "segment_id",
            "value",
            "yoy_delta",
            "arrow",
            "attainment",
            "state",
            "quarter__fiscal_year",
            "quarter__number",
        )
    )
    statuses.sort(
        key=lambda s: (s.metric_id, s.segment_id or 0, s.quarter.fiscal_year, s.quarter.number)
    )
    content_type = ContentType.objects.get_for_model(QuarterlyStatus)
    now = timezone.now()
    history, changed = [], []
    previous_series, previous_value = None, None
    for status in statuses:
        series = (status.metric_id, status.segment_id)
        if series != previous_series:
            previous_series, previous_value = series, None
        index = status.quarter.fiscal_year * 4 + status.quarter.number - 1
        metric = metrics[status.metric_id]
        # The observations are the one source of truth: no observations, no value.
        value = values.get((*series, index))
        prior_year = values.get((*series, index - 4))
        yoy = None
        if value is not None and prior_year:
            yoy = (value / prior_year - 1).quantize(SIX_PLACES, ROUND_HALF_UP)
        baseline = (
            metric.baseline_value
            if status.segment_id is None
            else segment_baselines[status.segment_id]
        )
        reference = previous_value if previous_value is not None else baseline
        arrow = ""
        if value is not None and reference is not None:
            arrow = "up" if value > reference else "down" if value < reference else "flat"
        if value is None or yoy is None:
            attainment = "no_data"
        elif yoy * 100 >= metric.goal_value:
            attainment = "on_track"
        else:
            attainment = "at_risk" if yoy > 0 else "off_track"
        state = status.state
        if state in ("reported", "not_available") and value is not None:
            state = "not_available" if yoy is None else "reported"
        new = {
            "value": value,
            "yoy_delta": yoy,
            "arrow": arrow,
            "attainment": attainment,
            "state": state,
        }
        differences = {
            field: (getattr(status, field), new_value)
            for field, new_value in new.items()
            if history_value(getattr(status, field)) != history_value(new_value)
        }
        if differences:
            for field, (old, new_value) in differences.items():
                history.append(
                    HistoryEntry(
                        content_type=content_type,
                        object_id=status.pk,
                        field=field,
                        old_value=history_value(old),
                        new_value=history_value(new_value),
                        source="recompute",
                        changed_at=now,
                    )
                )
                setattr(status, field, new_value)
            status.computed_at = now
            changed.append(status)
        if value is not None:
            previous_value = value
    HistoryEntry.objects.bulk_create(history, batch_size=5000)
    QuarterlyStatus.objects.bulk_update(
        changed,
        ["value", "yoy_delta", "arrow", "attainment", "state", "computed_at"],
        batch_size=1000,
    )
    return len(changed)


def run_scale(observations: int, *, skip_bulk_update: bool) -> None:
    from metrics.services.recompute import metrics_recompute

    print(f"\n== scale {observations:,} observations ==")
    sizes, build_seconds = timed(lambda: build_data_set(observations))
    print(
        f"data set: {sizes['metrics']:,} metrics, {sizes['observations']:,} observations, "
        f"{sizes['statuses']:,} statuses (built in {build_seconds:.1f}s)"
    )
    count = sizes["observations"]

    full, full_seconds = timed(lambda: metrics_recompute())
    print(
        f"full recompute:      {full_seconds:8.2f}s  {count / full_seconds:12,.0f} obs/s  "
        f"({full.statuses_updated:,} statuses, {full.history_entries:,} history entries)"
    )
    rerun, rerun_seconds = timed(lambda: metrics_recompute())
    print(
        f"rerun, no change:    {rerun_seconds:8.2f}s  {count / rerun_seconds:12,.0f} obs/s  "
        f"({rerun.statuses_updated:,} statuses, {rerun.history_entries:,} history entries)"
    )
    # What the nightly recompute_all runs: only the metrics whose fingerprint changed.
    skipped, skipped_seconds = timed(lambda: metrics_recompute(only_changed=True))
    print(
        f"rerun, changed only: {skipped_seconds:8.2f}s  "
        f"({skipped.statuses_updated:,} statuses, {skipped.history_entries:,} history entries)"
    )
    if skip_bulk_update:
        return
    set_based = figures_snapshot()
    reset_figures()
    updated, bulk_seconds = timed(recompute_with_bulk_update)
    identical = figures_snapshot() == set_based
    print(
        f"bulk_update (Python): {bulk_seconds:7.2f}s  {count / bulk_seconds:12,.0f} obs/s  "
        f"({updated:,} statuses; same figures as the set-based run: {identical})"
    )
    print(
        f"ratio: set-based recompute is {bulk_seconds / full_seconds:.1f}x faster than bulk_update"
    )


def main():
    args = parse_args()
    ensure_database(args.database_url)
    setup_django(args.database_url)
    for observations in args.scale or [100_000, 1_000_000]:
        run_scale(observations, skip_bulk_update=args.skip_bulk_update)


if __name__ == "__main__":
    main()
