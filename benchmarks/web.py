"""Benchmark: the pages and API reads of the latest session served by gunicorn under wrk, each
against two floors measured on the same server in the same run.

    .venv/bin/python benchmarks/web.py \
        --database-url postgres://postgres@127.0.0.1:5432/okr_perf_s100

Fill the database first (`manage.py generate_demo_data --scale N`; its name must contain
"bench" or "perf" as a word: okr_bench_s1, okr_perf_s100). The run: collectstatic, gunicorn with production settings (sync workers, 2 x cores +
1), wrk with 16 connections for --duration seconds per URL, first for the two floors (a bare
template view with a 50-row loop, a bare `.values()` JSON list of 100 rows: BENCHMARK_FLOORS
routes them, for this run only), then every page, cached (the steady state: nothing written
between requests) and, for the pages, uncached (the cache emptied before each request is not
possible under wrk, so "uncached" is the in-process cold time, printed apart). Prints per URL:
req/s, p50, p95, errors, SQL queries per request (cached and cold, counted in-process), the
ratio of p95 to its floor, and the peak RSS of a worker. `--in-process` prints only the
in-process cold and cached timings.
"""

import argparse
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
LUA = """
done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %d %d %d %d\\n", summary.requests, latency:percentile(50),
    latency:percentile(95), errors))
end
"""
POST_LUA = """
counter = 0
request = function()
  counter = counter + 1
  local body = string.format(
    '{"rows": [{"metric": "%s", "period_start": "2020-12-01", "value": %d}]}', "METRIC", 1000 + counter)
  return wrk.format("POST", nil, nil, body)
end
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--port", type=int, default=8510)
    parser.add_argument("--duration", type=int, default=10, help="Seconds of wrk per URL.")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument(
        "--requests", type=int, default=8, help="In-process cold samples per page (0: none)."
    )
    parser.add_argument("--in-process", action="store_true")
    parser.add_argument(
        "--cache-url",
        default="",
        help="redis://... for one cache shared by the workers (default: local memory each).",
    )
    return parser.parse_args()


def setup(url: str) -> None:
    # The run writes (check-in saves): never against a database not made for it.
    if not {"bench", "perf"} & set(re.split(r"[^a-z0-9]+", url.rsplit("/", 1)[-1].lower())):
        sys.exit("The benchmark database's name must contain 'bench' or 'perf' (okr_perf_s1).")
    os.environ["DATABASE_URL"] = url
    # The server runs with the same key, so that the session made here signs it in.
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okrtracker.settings.test")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def percentile(values, fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def world():
    """The reader, their session cookie and API token, and the URLs to measure."""
    from django.contrib.auth.models import Group, User
    from django.contrib.sessions.backends.db import SessionStore
    from django.urls import reverse
    from rest_framework.authtoken.models import Token

    from metrics import models

    user, _ = User.objects.get_or_create(username="bench-admin")
    user.is_superuser = user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get_or_create(name="Admin")[0])
    store = SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store.create()
    token = Token.objects.get_or_create(user=user)[0].key
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
        "whole deck": reverse("metrics:session_deck", kwargs={"session_id": sid}),
    }
    api = {
        "deck API": reverse("api:session-deck", kwargs={"version": "v1", "pk": sid}),
        "statuses API list": reverse("api:quarterly-status-list", kwargs={"version": "v1"}),
        "observations API list": reverse("api:observation-list", kwargs={"version": "v1"}),
    }
    summary = (
        f"{models.Metric.objects.count():,} metrics, {models.Segment.objects.count():,} segments, "
        f"{models.Observation.objects.count():,} observations, "
        f"{models.QuarterlyStatus.objects.count():,} statuses, "
        f"{models.KeyResult.objects.count():,} key results; {session}"
    )
    return user, store.session_key, token, pages, api, definition.metric.slug, summary


def in_process(user, pages, api, samples):
    """{name: (cold p50 s, cold p95 s, cold queries, cached queries)}, in this process."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_ACCEPT_ENCODING="gzip")
    client.force_login(user)
    figures = {}
    for name, url in {**pages, **api}.items():
        cold, cold_queries = [0.0], 0  # --requests 0: no cold samples (figures read as 0)
        for _ in range(samples):
            cache.clear()
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            cold.append(time.perf_counter() - started)
            cold_queries = len(captured)
            assert response.status_code == 200, (url, response.status_code)
        cold = cold[1:] or cold
        client.get(url)  # cached from here on
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        figures[name] = (
            statistics.median(cold),
            percentile(cold, 0.95),
            cold_queries,
            len(captured),
        )
    return figures


def start_server(args) -> subprocess.Popen:
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="okrtracker.settings.production",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        BENCHMARK_FLOORS="1",
        LOG_LEVEL="WARNING",
    )
    env.pop("REDIS_URL", None)
    env["CACHE_URL"] = args.cache_url
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "okrtracker.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--timeout",
            "600",
        ],
        cwd=BASE_DIR,
        env=env,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{args.port}/bench/template/", timeout=2)
            return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    sys.exit("gunicorn did not start.")


def worker_pids(server) -> list[int]:
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(server.pid)], capture_output=True, text=True
    )
    return [int(pid) for pid in out.stdout.split()]


def peak_rss_mb(server) -> float:
    peaks = []
    for pid in worker_pids(server):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        if match:
            peaks.append(int(match.group(1)) / 1024)
    return max(peaks) if peaks else 0.0


def warm_up(args, url: str, headers: list[str]) -> None:
    """Requests enough for every worker first: wrk then measures the steady state (pages
    cached under the current version, and no worker paying its first request's imports and
    template loading); the cold rendering is measured in-process, apart. With a shared cache
    only the first of them renders."""
    request = urllib.request.Request(f"http://127.0.0.1:{args.port}{url}")
    for header in headers:
        name, value = header.split(": ", 1)
        request.add_header(name, value)
    for _ in range(args.workers * 2):
        urllib.request.urlopen(request, timeout=600).read()


def wrk(args, url: str, headers: list[str], script: str) -> tuple[float, float, float, int]:
    """(req/s, p50 ms, p95 ms, errors) of wrk at fixed concurrency for args.duration."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    command = ["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "-s", lua.name]
    for header in headers:
        command += ["-H", header]
    out = subprocess.run(
        command + [f"http://127.0.0.1:{args.port}{url}"], capture_output=True, text=True
    ).stdout
    os.unlink(lua.name)
    requests, p50, p95, errors = (int(x) for x in re.search(r"RESULT (.*)", out).group(1).split())
    return requests / args.duration, p50 / 1000, p95 / 1000, errors


def main() -> None:
    args = parse_args()
    setup(args.database_url)
    user, session_key, token, pages, api, metric_slug, summary = world()
    print(summary)
    figures = in_process(user, pages, api, args.requests)
    if args.in_process:
        for name, (p50, p95, cold_q, cached_q) in figures.items():
            print(f"{name:<22} cold p50 {p50 * 1000:.0f} ms p95 {p95 * 1000:.0f} ms, "
                  f"{cold_q} queries cold, {cached_q} cached")  # fmt: skip
        return
    server = start_server(args)
    try:
        # A browser's cookies after its first visit: the session and the CSRF secret (without
        # it every page is rendered for a new secret, as for a first visit).
        csrf = secrets.token_hex(16)
        page_headers = [
            f"Cookie: sessionid={session_key}; csrftoken={csrf}",
            "Accept-Encoding: gzip",
        ]
        api_headers = [f"Authorization: Token {token}", "Accept-Encoding: gzip"]
        # Every worker booted and warmed before the first figure (wrk counted the first
        # requests' timeouts against the floor as errors).
        warm_up(args, "/bench/template/", page_headers)
        warm_up(args, "/bench/values/", page_headers)
        floors = {
            "template": wrk(args, "/bench/template/", page_headers, LUA),
            "values": wrk(args, "/bench/values/", page_headers, LUA),
        }
        print(
            f"\ngunicorn {args.workers} sync workers, wrk {args.connections} connections, "
            f"{args.duration} s per URL, production settings, "
            f"{'Redis' if args.cache_url else 'local-memory'} cache, after a warm-up request"
        )
        header = (
            f"{'URL':<22} {'req/s':>7} {'p50':>8} {'p95':>8} {'err':>4} {'x floor':>8} "
            f"{'q cached':>8} {'cold p50':>9} {'q cold':>6} {'x floor':>8} {'RSS MB':>7}"
        )
        print(header)
        for name, (rps, p50, p95, errors) in floors.items():
            print(f"floor: {name:<15} {rps:>7.0f} {p50:>6.1f}ms {p95:>6.1f}ms {errors:>4}")
        for urls, headers, floor in (
            (pages, page_headers, floors["template"][2]),
            (api, api_headers, floors["values"][2]),
        ):
            for name, url in urls.items():
                warm_up(args, url, headers)
                rps, p50, p95, errors = wrk(args, url, headers, LUA)
                cold_p50, _, cold_q, cached_q = figures[name]
                print(
                    f"{name:<22} {rps:>7.0f} {p50:>6.1f}ms {p95:>6.1f}ms {errors:>4} "
                    f"{p95 / floor:>7.1f}x {cached_q:>8} {cold_p50 * 1000:>7.0f}ms {cold_q:>6} "
                    f"{cold_p50 * 1000 / floor:>7.1f}x {peak_rss_mb(server):>7.0f}"
                )
        from django.urls import reverse

        upsert = reverse("api:observation-upsert", kwargs={"version": "v1"})
        rps, p50, p95, errors = wrk(
            args,
            upsert,
            api_headers + ["Content-Type: application/json"],
            POST_LUA.replace("METRIC", metric_slug) + LUA,
        )
        print(
            f"{'check-in save (API)':<22} {rps:>7.0f} {p50:>6.1f}ms {p95:>6.1f}ms {errors:>4} "
            f"{p95 / floors['values'][2]:>7.1f}x {'':>8} {'':>9} {'':>6} {'':>8} "
            f"{peak_rss_mb(server):>7.0f}"
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
