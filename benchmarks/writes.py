"""Benchmark: the write paths against floors measured the same way in the same run.

    .venv/bin/python benchmarks/writes.py upsert \
        --database-url postgres://postgres@127.0.0.1:5432/okr_perf_s10
    .venv/bin/python benchmarks/writes.py recompute --database-url ...   (one metric)
    .venv/bin/python benchmarks/writes.py hold --database-url ...        (hold, open next)

In process, on a database filled by `manage.py generate_demo_data --scale N` (its name must
contain "bench" or "perf" as a word: these runs write). Every figure is printed with the load
average beside it, and each ratio divides by a floor timed in the same run:

- upsert: 5,000 existing observations changed through `observations_upsert` (service) and
  `POST /api/v1/observations/upsert/` (API, DRF validation included) against a plain SQL
  `UPDATE ... FROM unnest(...)` of the same rows by their natural key (value, version and
  updated_at set: no history, no validation). Medians of --repeat runs, each changing every
  row (the values alternate).
- recompute: `metrics_recompute(metric_ids=[one])` of one metric after a change of one of its
  observations, against `SELECT` of that metric's observations and statuses (the rows it
  reads); the temporary tables it leaves in pg_class are counted before and after.
- hold: `session_hold` of the latest session as the request runs it with a worker (the session
  before it held first, as in a real cycle), the snapshot task's body
  (`session_snapshot_store`), and `session_open_next`, each in a fresh process that reports
  its peak RSS; the floor reads the quarter's statuses and writes a document of the stored
  snapshot's size. The latest session is reopened and the opened one deleted afterwards; the
  one before stays held.
- pptx: the PowerPoint of the latest session (`deck_pptx`, what the worker runs), with its
  CPU time and the process's peak RSS, against building the deck it prints (`session_deck`).
"""

import argparse
import os
import re
import resource
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=("upsert", "recompute", "hold", "hold-step", "pptx"))
    parser.add_argument("--step", choices=("request", "task", "open-next"), default="request")
    parser.add_argument("--session", type=int, default=0)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    return parser.parse_args()


def setup(url: str, migrate: bool = True) -> None:
    if not {"bench", "perf"} & set(re.split(r"[^a-z0-9]+", url.rsplit("/", 1)[-1].lower())):
        sys.exit("The benchmark database's name must contain 'bench' or 'perf' (okr_perf_s10).")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okrtracker.settings.test")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.core.management import call_command

    if migrate:  # not in a hold step's process: its peak RSS is the step's
        call_command("migrate", verbosity=0)
    # As with a broker: the recompute a write asks for is recorded and left to a worker, not
    # run inside the timing (the test settings run tasks in-process).
    from metrics.services.jobs import JobQueue, job_queue_register

    job_queue_register(queue=JobQueue(send=lambda *args: None, runs_in_process=lambda: False))


def load() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def peak_rss_mb() -> float:
    """This process's peak resident memory: VmHWM where /proc has it (ru_maxrss of a process
    started by a larger one counts the parent's memory at the fork), else ru_maxrss."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(function, *args):
    """(seconds, what function(*args) returned)."""
    start = time.perf_counter()
    value = function(*args)
    return time.perf_counter() - start, value


def report(name: str, seconds: float, floor: float | None = None, rows: int | None = None):
    parts = [f"{name:<34} {seconds * 1000:9.1f} ms"]
    if rows:
        parts.append(f"{rows / seconds:10,.0f} rows/s")
    if floor:
        parts.append(f"{seconds / floor:6.1f}x floor")
    parts.append(load())
    print("  ".join(parts), flush=True)


def bench_user():
    from django.contrib.auth.models import User

    user, _ = User.objects.get_or_create(username="bench-admin")
    user.is_superuser = user.is_staff = True
    user.save()
    return user


def upsert(args) -> None:
    from django.db import connection, transaction
    from rest_framework.test import APIClient

    from metrics.models import ChangeSource, Observation
    from metrics.services.observations import observations_upsert
    from metrics.services.recompute_requests import recompute_batched

    user = bench_user()
    # The latest observations: the earlier quarters of the generated data are locked.
    observations = list(
        Observation.objects.order_by("-period_start", "id").values(
            "metric_id", "segment_id", "period_start", "period_end", "value"
        )[: args.rows]
    )
    keys = [
        (row["metric_id"], row["segment_id"], row["period_start"], row["period_end"])
        for row in observations
    ]
    values = [abs(row["value"]) for row in observations]

    def rows_with(offset: Decimal) -> list[dict]:
        return [
            {
                "metric": metric_id,
                "segment": segment_id,
                "period_start": start.isoformat(),
                "period_end": end.isoformat(),
                # Every run moves every row (a percentage stays a percentage).
                "value": str((value * offset / 100).quantize(Decimal("0.01"))),
            }
            for (metric_id, segment_id, start, end), value in zip(keys, values, strict=True)
        ]

    def floor(offset: Decimal) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE metrics_observation AS o
                SET value = wanted.value, version = o.version + 1, updated_at = now()
                FROM unnest(%s::bigint[], %s::bigint[], %s::date[], %s::date[], %s::numeric[])
                     AS wanted(metric_id, segment_id, period_start, period_end, value)
                WHERE o.metric_id = wanted.metric_id AND o.period_start = wanted.period_start
                  AND o.segment_id IS NOT DISTINCT FROM wanted.segment_id
                  AND o.period_end = wanted.period_end
                """,
                [
                    *([key[column] for key in keys] for column in range(4)),
                    [row["value"] for row in rows_with(offset)],
                ],
            )

    def service(offset: Decimal) -> dict:
        with recompute_batched():
            result = observations_upsert(
                rows=rows_with(offset), actor=user, source=ChangeSource.API
            )
        if result.rejected:
            print("  first rejection:", result.rejected[0].errors)
        return result.counts

    client = APIClient()
    client.force_authenticate(user)

    def api(offset: Decimal) -> dict:
        answer = client.post(
            "/api/v1/observations/upsert/", {"rows": rows_with(offset)}, format="json"
        )
        assert answer.status_code == 200, answer.content[:500]
        return answer.json()["counts"]

    print(f"upsert of {len(keys):,} existing observations, {connection.vendor}; {load()}")
    floors, services, apis = [], [], []
    for run in range(args.repeat):
        base = Decimal(50 + run * 3)
        floors.append(timed(floor, base)[0])
        seconds, counts = timed(service, base + 1)
        services.append(seconds)
        seconds, api_counts = timed(api, base + 2)
        apis.append(seconds)
        print(f"  run {run + 1}: service {counts}, API {api_counts}", flush=True)
    floor_median = statistics.median(floors)
    report("floor: UPDATE ... FROM unnest", floor_median, rows=len(keys))
    report("observations_upsert (service)", statistics.median(services), floor_median, len(keys))
    report("POST /observations/upsert/ (API)", statistics.median(apis), floor_median, len(keys))


def recompute(args) -> None:
    from django.db import connection, transaction

    from metrics.models import Metric, Observation, QuarterlyStatus
    from metrics.services.recompute import metrics_recompute

    # A metric with segments, as most are; the middle one by id.
    ids = list(
        Metric.objects.filter(segments__isnull=False)
        .order_by("id")
        .values_list("id", flat=True)
        .distinct()
    )
    metric_id = ids[len(ids) // 2]
    latest = Observation.objects.filter(metric_id=metric_id).order_by("-period_start").first()

    def floor() -> None:
        list(Observation.objects.filter(metric_id=metric_id).values_list("id", "value"))
        list(QuarterlyStatus.objects.filter(metric_id=metric_id).values_list("id", "value"))

    def catalog_rows_inserted() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_stat_get_xact_tuples_inserted('pg_class'::regclass)"
                " + pg_stat_get_xact_tuples_inserted('pg_attribute'::regclass)"
            )
            return cursor.fetchone()[0]

    def run(step: int) -> tuple[float, int]:
        # One figure changed, as a save does, then the recompute of its metric (in the same
        # transaction, to count the catalog rows it inserts: temporary tables).
        Observation.objects.filter(pk=latest.pk).update(value=latest.value + step)
        with transaction.atomic():
            before = catalog_rows_inserted() if connection.vendor == "postgresql" else 0
            seconds, _ = timed(lambda: metrics_recompute(metric_ids=[metric_id]))
            after = catalog_rows_inserted() if connection.vendor == "postgresql" else 0
        return seconds, after - before

    observations = Observation.objects.count()
    print(
        f"recompute of metric {metric_id} of {Metric.objects.count():,} "
        f"({observations:,} observations), {connection.vendor}; {load()}"
    )
    floors, runs, catalog = [], [], 0
    for step in range(args.repeat):
        floors.append(timed(floor)[0])
        seconds, catalog = run(step + 1)
        runs.append(seconds)
    Observation.objects.filter(pk=latest.pk).update(value=latest.value)
    metrics_recompute(metric_ids=[metric_id])
    floor_median = statistics.median(floors)
    report("floor: SELECT its rows", floor_median)
    report("metrics_recompute(one metric)", statistics.median(runs), floor_median)
    print(f"  catalog rows inserted per run (temporary tables): {catalog}")


def hold(args) -> None:
    """Holds the latest session the way a facilitator does in a check-in cycle: the session
    before it is held first (so its deck is stored, as it is for real), then the latest one;
    then opens the session after it. The hold request, the snapshot task and the opening each
    run in a fresh process (`hold-step`), which reports its time and peak RSS. The latest is
    reopened and the opened one deleted afterwards; the one before stays held."""
    import json
    import subprocess

    from django.db import connection, transaction

    from metrics.models import QuarterlyStatus, TuningSession
    from metrics.services.sessions import session_delete, session_hold, session_reopen

    user = bench_user()
    sessions = list(TuningSession.objects.order_by("-quarter__fiscal_year", "-quarter__number")[:2])
    latest, earlier = sessions
    print(f"hold of session {latest.pk} ({latest.title}), {connection.vendor}; {load()}")
    if earlier.state != "held":
        seconds, _ = timed(lambda: session_hold(actor=user, session=earlier, source="admin"))
        report(f"session_hold (earlier {earlier.pk}, in one request)", seconds)

    def step(name: str, session_id: int) -> dict:
        command = [sys.executable, __file__, "hold-step", "--step", name]
        command += ["--session", str(session_id), "--database-url", args.database_url]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        return json.loads(output.strip().splitlines()[-1])

    request = step("request", latest.pk)
    task = step("task", latest.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT snapshot::text FROM metrics_tuningsession WHERE id = %s", [latest.pk]
        )
        text = cursor.fetchone()[0] or ""

    def floor() -> None:
        # What a hold cannot avoid: read the quarter's figures and write the document.
        list(QuarterlyStatus.objects.filter(quarter=latest.quarter).values_list("id", "value"))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE metrics_tuningsession SET snapshot_head = %s::jsonb WHERE id = %s",
                [text, latest.pk],
            )
            transaction.set_rollback(True)

    floor_seconds = timed(floor)[0]
    report(f"floor: read statuses, write {len(text) / 1e6:.0f} MB", floor_seconds)
    for name, figures in (("session_hold (the request)", request), ("snapshot task", task)):
        report(name, figures["seconds"], floor_seconds)
        print(f"  peak RSS: {figures['rss_mb']:.0f} MB ({figures['start_mb']:.0f} MB set up)")
    opened = step("open-next", latest.pk)
    report("session_open_next", opened["seconds"])
    print(f"  peak RSS: {opened['rss_mb']:.0f} MB ({opened['start_mb']:.0f} MB set up)")
    opened_session = TuningSession.objects.get(pk=opened["session_id"])
    session_delete(actor=user, session=opened_session, source="admin")
    session_reopen(actor=user, session=TuningSession.objects.get(pk=latest.pk), source="admin")


def hold_step(args) -> None:
    """One step of `hold` in this (fresh) process: its time and this process's peak RSS, as
    a JSON line. "request": session_hold with a worker's queue (the snapshot queued, not
    run); "task": the snapshot task's body; "open-next": session_open_next."""
    import json

    from django.urls import get_resolver

    from metrics.models import TuningSession
    from metrics.services.sessions import session_hold, session_open_next
    from metrics.services.sessions.snapshots import session_snapshot_store

    get_resolver().reverse_dict  # noqa: B018 - loaded once per process, as a web worker has it
    start_mb = peak_rss_mb()
    user = bench_user()
    session = TuningSession.objects.defer("snapshot").get(pk=args.session)
    result = {}
    if args.step == "request":
        seconds = timed(lambda: session_hold(actor=user, session=session, source="admin"))[0]
    elif args.step == "task":
        seconds, _ = timed(lambda: session_snapshot_store(session_id=session.pk))
    else:
        seconds, opened = timed(
            lambda: session_open_next(actor=user, source=session, source_of_change="admin")
        )
        result["session_id"] = opened.session.pk
    result.update(seconds=seconds, rss_mb=peak_rss_mb(), start_mb=start_mb)
    print(json.dumps(result))


def pptx(args) -> None:
    """The PowerPoint of the latest session, as the worker builds it, with this process's
    peak RSS; the floor is the deck it is built from (session_deck)."""
    from django.db import connection

    from metrics.models import TuningSession
    from metrics.pptx_export import deck_pptx
    from metrics.selectors.deck import session_deck

    session = TuningSession.objects.order_by("-quarter__fiscal_year", "-quarter__number").first()
    print(f"PowerPoint of session {session.pk}, {connection.vendor}; {load()}")
    floor_seconds = timed(session_deck, session.pk)[0]
    report("floor: session_deck", floor_seconds)
    cpu = time.process_time()
    seconds, built = timed(deck_pptx, session.pk)
    cpu = time.process_time() - cpu
    report(f"deck_pptx ({len(built.content) / 1e6:.0f} MB)", seconds, floor_seconds)
    # Beside the wall clock: the process's own CPU time, which other work on the machine
    # (the load average) does not lengthen as much.
    print(f"  CPU time of deck_pptx: {cpu:.1f} s; peak RSS of this process: {peak_rss_mb():.0f} MB")


def main() -> None:
    args = parse_args()
    setup(args.database_url, migrate=args.what != "hold-step")
    steps = {"upsert": upsert, "recompute": recompute, "hold": hold, "hold-step": hold_step}
    {**steps, "pptx": pptx}[args.what](args)


if __name__ == "__main__":
    main()
