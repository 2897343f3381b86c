"""Benchmark: the pages and API reads of the latest session served by gunicorn, each against
a floor measured on the same server, the same way, in the same run.

    .venv/bin/python benchmarks/web.py \
        --database-url postgres://postgres@127.0.0.1:5432/okr_perf_s100 \
        --cache-url redis://127.0.0.1:6379/1 --broker-url redis://127.0.0.1:6379/2

Fill the database first (`manage.py generate_demo_data --scale N`; its name must contain
"bench" or "perf" as a word: okr_bench_s1, okr_perf_s100). The run: collectstatic, gunicorn with
production settings (sync workers, 2 x cores + 1) and, with --broker-url, a Celery worker; then

1. cached reads: wrk at --connections for --duration seconds per URL, after a warm-up (the
   steady state: nothing written between requests), against the floors measured the same way
   (a bare template view with a 50-row loop for pages, a bare `.values()` JSON list of 100 rows
   for the API: BENCHMARK_FLOORS routes them, for this run only);
2. the first read after a write, over HTTP: each client saves a status through the API, then
   reads the URL, with 1 client and with --connections clients; the floor is the same write
   followed by a read of the floor view. The ratio is read p50 over floor p50, same clients;
3. a check-in week: --connections writers saving statuses while as many readers browse every
   URL, for --week-seconds, once per --think time (0: each client's next request as soon as
   the last is answered; 1: a second, +-50%, between them, as people work); the save and read
   p50/p95 and the worker's backlog (pending recompute requests plus messages queued at the
   broker) every few seconds.

Every section prints the load average beside its figures: this machine is noisy. SQL queries
per request (cached, and cold with the cache emptied) are counted in-process. `--in-process`
prints only the in-process timings and query counts (no ratios: nothing there is measured
like a floor).
"""

import argparse
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import writeload  # noqa: E402
from writeload import Write, percentile  # noqa: E402

BASE_DIR = Path(__file__).resolve().parent.parent
LUA = """
done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %d %d %d %d\\n", summary.requests, latency:percentile(50),
    latency:percentile(95), errors))
end
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--port", type=int, default=0, help="0: a free port.")
    parser.add_argument("--duration", type=int, default=10, help="Seconds of wrk per URL.")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument(
        "--requests", type=int, default=8, help="In-process cold samples per page (0: none)."
    )
    parser.add_argument(
        "--rounds", type=int, default=10, help="Write-then-read rounds per client and URL."
    )
    parser.add_argument("--week-seconds", type=int, default=30, help="0: no check-in week.")
    parser.add_argument(
        "--think",
        type=float,
        nargs="*",
        default=[0.0, 1.0],
        help="Check-in weeks to run, one per think time (s a client waits between its requests; "
        "0: none, a saturation test).",
    )
    parser.add_argument(
        "--broker-url", default="", help="redis://... to run a Celery worker (default: eager)."
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
    if session.state == models.SessionState.HELD:
        # A check-in week is the session in preparation: its quarter open for entry, its pages
        # live. Opening it is idempotent (a second run finds it).
        from metrics.services.sessions import session_open_next

        session = session_open_next(actor=user, source=session, notify=False).session
    definition = models.MetricDefinition.objects.filter(session=session).order_by("order").first()
    objective = models.Objective.objects.filter(
        priority=session.priority, fiscal_year=session.quarter.fiscal_year
    ).first()
    sid = session.id
    status_url = reverse("api:quarterly-status-list", kwargs={"version": "v1"})
    # One department's figure per writer, in the session's quarter: what check-in saves write.
    locked = models.Submission.objects.filter(
        quarter=session.quarter, state=models.SubmissionState.LOCKED
    ).values("department")
    metrics_of_session = list(
        models.MetricDefinition.objects.filter(session=session)
        .exclude(metric__department__in=locked)
        .order_by("order")
        .values_list("metric_id", flat=True)[:16]
    )
    writes = [Write(status_url, metric_id, session.quarter_id) for metric_id in metrics_of_session]
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
    return user, store.session_key, token, pages, api, writes, summary


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


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min)"


def print_in_process(figures) -> None:
    print(f"\nin-process, {load()}")
    for name, (p50, p95, cold_q, cached_q) in figures.items():
        print(f"{name:<22} cold p50 {p50 * 1000:.0f} ms p95 {p95 * 1000:.0f} ms, "
              f"{cold_q} queries cold, {cached_q} cached")  # fmt: skip


def cached_reads(args, server, pages, api, page_headers, api_headers, figures) -> None:
    warm_up(args, "/bench/template/", page_headers)
    warm_up(args, "/bench/values/", page_headers)
    floors = {
        "template": wrk(args, "/bench/template/", page_headers, LUA),
        "values": wrk(args, "/bench/values/", page_headers, LUA),
    }
    print(
        f"\n1. cached reads: wrk {args.connections} connections, {args.duration} s per URL, "
        f"after a warm-up; {load()}"
    )
    print(
        f"{'URL':<22} {'req/s':>7} {'p50':>8} {'p95':>8} {'err':>4} {'p95/floor':>9} "
        f"{'q cached':>8} {'q cold':>6} {'RSS MB':>7}"
    )
    for name, (rps, p50, p95, errors) in floors.items():
        print(f"floor: {name:<15} {rps:>7.0f} {p50:>6.1f}ms {p95:>6.1f}ms {errors:>4}")
    for urls, headers, floor in (
        (pages, page_headers, floors["template"][2]),
        (api, api_headers, floors["values"][2]),
    ):
        for name, url in urls.items():
            warm_up(args, url, headers)
            rps, p50, p95, errors = wrk(args, url, headers, LUA)
            _, _, cold_q, cached_q = figures[name]
            print(
                f"{name:<22} {rps:>7.0f} {p50:>6.1f}ms {p95:>6.1f}ms {errors:>4} "
                f"{p95 / floor:>8.1f}x {cached_q:>8} {cold_q:>6} {peak_rss_mb(server):>7.0f}"
            )


def first_reads_after_writes(args, make_client, pages, api, writes) -> None:
    print(
        f"\n2. the first read after a write (each client: save a status, read the URL), "
        f"{args.rounds} rounds per client; ratio: read p50 / the floor's read p50 measured the "
        "same way"
    )
    for clients in (1, args.connections):
        print(f"{clients} client{'s' if clients > 1 else ''}; {load()}")
        print(f"{'URL':<22} {'read p50':>9} {'read p95':>9} {'p50/floor':>9} {'errors':>6}")
        floors = {}
        for name, url, api_read in (
            ("floor: template", "/bench/template/", False),
            ("floor: values", "/bench/values/", True),
        ):
            reads, failed = writeload.first_reads(
                make_client, url=url, api=api_read, writes=writes, clients=clients,
                rounds=args.rounds,
            )  # fmt: skip
            floors[api_read] = percentile(reads, 0.5) or float("nan")
            print(f"{name:<22} {floors[api_read] * 1000:>7.1f}ms "
                  f"{percentile(reads, 0.95) * 1000:>7.1f}ms {'':>9} {failed:>6}")  # fmt: skip
        for urls, api_read in ((pages, False), (api, True)):
            for name, url in urls.items():
                reads, failed = writeload.first_reads(
                    make_client, url=url, api=api_read, writes=writes, clients=clients,
                    rounds=args.rounds,
                )  # fmt: skip
                p50 = percentile(reads, 0.5)
                print(f"{name:<22} {p50 * 1000:>7.1f}ms {percentile(reads, 0.95) * 1000:>7.1f}ms "
                      f"{p50 / floors[api_read]:>8.1f}x {failed:>6}")  # fmt: skip


def backlog_counter(broker_url: str):
    from metrics.models import RecomputeRequest

    redis_client = None
    if broker_url:
        import redis

        redis_client = redis.Redis.from_url(broker_url, socket_timeout=1)

    def now() -> int:
        queued = 0
        if redis_client is not None:
            try:
                queued = sum(redis_client.llen(name) for name in redis_client.keys("celery*"))
            except redis.RedisError:
                queued = -1
        return RecomputeRequest.objects.count() + max(queued, 0)

    return now


def checkin_week(args, make_client, pages, api, writes) -> None:
    if not args.week_seconds:
        return
    for think in args.think:
        pacing = f"{think:g} s think time (+-50%)" if think else "no think time (saturation)"
        print(
            f"\n3. a check-in week: {args.connections} writers saving statuses "
            f"({len(writes)} metrics) while {args.connections} readers browse every URL, "
            f"{args.week_seconds} s, {pacing}; "
            f"{'a Celery worker' if args.broker_url else 'eager recomputes'}; {load()}"
        )
        figures = writeload.checkin_week(
            make_client,
            pages=[(url, False) for url in pages.values()] + [(url, True) for url in api.values()],
            writes=writes,
            writers=args.connections,
            readers=args.connections,
            duration=args.week_seconds,
            backlog_now=backlog_counter(args.broker_url),
            think=think,
        )
        for what, values in (("saves", figures.saves), ("reads", figures.reads)):
            print(f"{what:<6} {len(values):>6} done, p50 {percentile(values, 0.5) * 1000:.0f} ms, "
                  f"p95 {percentile(values, 0.95) * 1000:.0f} ms")  # fmt: skip
        print(f"errors {figures.errors}; {load()}")
        samples = figures.backlog[:: max(1, len(figures.backlog) // 10)]
        print("backlog (s: pending) " + ", ".join(f"{t:.0f}: {n}" for t, n in samples))


def start_worker(args) -> subprocess.Popen | None:
    if not args.broker_url:
        return None
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="okrtracker.settings.production",
        CELERY_BROKER_URL=args.broker_url,
        CACHE_URL=args.cache_url,
        LOG_LEVEL="WARNING",
    )
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("celery")), "-A", "okrtracker", "worker",
         "--concurrency", "2", "--loglevel", "WARNING"],
        cwd=BASE_DIR, env=env,
    )  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    args = parse_args()
    args.port = args.port or free_port()
    if args.broker_url:
        os.environ["CELERY_BROKER_URL"] = args.broker_url
    setup(args.database_url)
    user, session_key, token, pages, api, writes, summary = world()
    print(summary)
    figures = in_process(user, pages, api, args.requests)
    if args.in_process:
        print_in_process(figures)
        return
    server, worker = start_server(args), start_worker(args)
    try:
        # A browser's cookies after its first visit: the session and the CSRF secret (without
        # it every page is rendered for a new secret, as for a first visit).
        csrf = secrets.token_hex(16)
        cookie = f"sessionid={session_key}; csrftoken={csrf}"
        page_headers = [f"Cookie: {cookie}", "Accept-Encoding: gzip"]
        api_headers = [f"Authorization: Token {token}", "Accept-Encoding: gzip"]
        print(
            f"\ngunicorn {args.workers} sync workers, production settings, "
            f"{'Redis' if args.cache_url else 'local-memory'} cache"
        )
        cached_reads(args, server, pages, api, page_headers, api_headers, figures)

        def make_client():
            return writeload.Client(f"http://127.0.0.1:{args.port}", cookie, token)

        first_reads_after_writes(args, make_client, pages, api, writes)
        checkin_week(args, make_client, pages, api, writes)
        print(f"\npeak worker RSS {peak_rss_mb(server):.0f} MB; {load()}")
    finally:
        for process in (server, worker):
            if process is not None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)


if __name__ == "__main__":
    main()
