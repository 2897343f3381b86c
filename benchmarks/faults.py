"""Load with faults: saves at a fixed concurrency while the Celery worker is killed (kill -9),
Redis is restarted and the PostgreSQL server is restarted, then a check that nothing
acknowledged was lost.

    .venv/bin/python benchmarks/faults.py \
        --database-url postgres://postgres@127.0.0.1:5432/okr_faults_bench

At scale, on a throwaway PostgreSQL cluster (never the shared server: it is stopped mid-run)
holding a `generate_demo_data --scale 100` database built once as the template:

    initdb -D /tmp/okr-pg/data -U postgres --auth=trust   # then pg_ctl start on port 16210
    createdb -h 127.0.0.1 -p 16210 -U postgres okr_scale100
    DATABASE_URL=postgres://postgres@127.0.0.1:16210/okr_scale100 \
        .venv/bin/python manage.py migrate && ... generate_demo_data --scale 100
    .venv/bin/python benchmarks/faults.py \
        --database-url postgres://postgres@127.0.0.1:16210/okr_faults_bench \
        --template okr_scale100 --pg-data /tmp/okr-pg/data

With --template the run's database is a copy of that database (createdb -T, seconds) and
each department it uses gets a lead account; with --pg-data the server of --database-url is
stopped (pg_ctl -m fast) at --restart-db-at for --db-down seconds and started again: the
documented 503 window ("Back in a moment", JSON for the API) runs from the stop until
--db-grace seconds after the start.

Starts its own Redis (a spare port, append-only file in a temporary folder), a Celery worker
and gunicorn (production settings) on a freshly seeded database (the reference deck and the
demo accounts; a PostgreSQL database is dropped and created again, so its name must contain
"bench"; a sqlite:/// URL works too). Half the clients post the check-in form (a lead's own
row, a new comment each time), half push observations through the API upsert (a new month
each time). Mid-run the worker is killed with SIGKILL and started again, and Redis is
stopped and started again. Afterwards it checks that every save answered 2xx/3xx is in the
database, that no answer was a 5xx (503s are counted apart), and that every recorded
recompute request is processed once the worker runs (triggering the periodic
`metrics.recompute_pending` instead of waiting five minutes for beat). Prints the figures:
5xx outside the 503 window, 503s inside it, acknowledged saves and how many are found after.

`faults.py hosts [--seconds 24] [--writers 4]` runs the other scenario: two web hosts and a
worker host in network namespaces behind HAProxy, one web host killed under write load, the
PowerPoint downloaded from both web hosts without a shared folder (benchmarks/faults_hosts.py;
`faults.py hosts --help`).
"""

import argparse
import json
import os
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import date
from decimal import Decimal
from http.cookiejar import CookieJar
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "okrtracker-demo"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/okr_faults_bench"
        ),
    )
    parser.add_argument("--web-port", type=int, default=8400)
    parser.add_argument("--redis-port", type=int, default=6385)
    parser.add_argument("--concurrency", type=int, default=8, help="clients saving at once")
    parser.add_argument("--web-workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--duration", type=float, default=45.0, help="seconds of load")
    parser.add_argument("--kill-worker-at", type=float, default=10.0)
    parser.add_argument("--worker-down", type=float, default=5.0, help="seconds without worker")
    parser.add_argument("--restart-redis-at", type=float, default=25.0)
    parser.add_argument("--redis-down", type=float, default=5.0, help="seconds without Redis")
    parser.add_argument(
        "--template", default="", help="copy this database (generate_demo_data) instead of seeding"
    )
    parser.add_argument(
        "--pg-data", default="", help="data folder of the (throwaway) cluster to restart mid-run"
    )
    parser.add_argument("--restart-db-at", type=float, default=35.0)
    parser.add_argument("--db-down", type=float, default=5.0, help="seconds without PostgreSQL")
    parser.add_argument(
        "--db-grace", type=float, default=5.0, help="seconds of 503s allowed after the restart"
    )
    return parser.parse_args()


# --- the services ------------------------------------------------------------------------


class Services:
    def __init__(self, args, workdir: Path):
        self.args, self.workdir = args, workdir
        self.redis = self.worker = self.web = None
        self.pg_options = None  # set while this run has the database stopped
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "okrtracker.settings.production",
            "DATABASE_URL": args.database_url,
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{args.redis_port}/0",
            "SECRET_KEY": "faults-benchmark-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "DEMO_PASSWORD": PASSWORD,
            "PYTHONUNBUFFERED": "1",
        }

    def manage(self, *command):
        env = {**self.env}
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=BASE_DIR,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start_redis(self):
        self.redis = subprocess.Popen(
            [
                "redis-server",
                "--port", str(self.args.redis_port),
                "--bind", "127.0.0.1",
                "--dir", str(self.workdir),
                "--appendonly", "yes",
                "--appendfsync", "everysec",
                "--save", "",
            ],
            stdout=open(self.workdir / "redis.log", "a"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for_port(self.args.redis_port)

    def stop_redis(self):
        self.redis.send_signal(signal.SIGTERM)  # flushes the append-only file, as a restart
        self.redis.wait(timeout=30)

    def start_worker(self):
        self.worker = subprocess.Popen(
            [
                str(BIN / "celery"), "-A", "okrtracker", "worker", "--concurrency", "2",
                "--loglevel", "warning", "--without-gossip", "--without-mingle",
                "-Q", "celery,webhooks", "-n", f"faults-{os.getpid()}@%h",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=open(self.workdir / "worker.log", "a"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def kill_worker(self):
        # The whole process group: the main process and its pool children, as a lost machine.
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait(timeout=30)

    def start_web(self):
        self.web = subprocess.Popen(
            [
                str(BIN / "gunicorn"), "okrtracker.wsgi",
                "--bind", f"127.0.0.1:{self.args.web_port}",
                "--workers", str(self.args.web_workers),
                "--timeout", "60",
                "--access-logfile", str(self.workdir / "access.log"),
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=open(self.workdir / "gunicorn.log", "a"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for_port(self.args.web_port)

    def _pg_ctl(self, *args):
        binary = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))[-1]
        command = [str(binary), "-D", self.args.pg_data, *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode:
            raise SystemExit(f"pg_ctl {args[-1]} failed: {done.stdout}{done.stderr}")

    def stop_database(self):
        self.pg_options = (Path(self.args.pg_data) / "postmaster.opts").read_text()
        self._pg_ctl("-m", "fast", "-w", "stop")

    def start_database(self):
        # The options it was started with (port, socket folder...), from postmaster.opts,
        # read before the stop: the program and its -D are pg_ctl's.
        options = shlex.split(self.pg_options)[1:]
        if "-D" in options:
            del options[options.index("-D") : options.index("-D") + 2]
        # The log goes next to the cluster: the server runs as its owner, who may not write
        # to this run's folder.
        log = Path(self.args.pg_data).parent / "restart.log"
        self._pg_ctl("-l", str(log), "-w", "-o", shlex.join(options), "start")
        self.pg_options = None

    def stop_all(self):
        if self.pg_options is not None:
            self.start_database()  # never leave the cluster stopped
        for process in (self.web, self.worker, self.redis):
            if process is not None and process.poll() is None:
                if process is self.worker:
                    os.killpg(process.pid, signal.SIGTERM)
                else:
                    process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()


def wait_for_port(port: int, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"nothing listens on port {port} after {timeout:.0f} s")


def database_reset(url: str, template: str = ""):
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme.startswith("postgres"):
        name = parsed.path.lstrip("/")
        if "bench" not in name:
            raise SystemExit(f"refusing to drop {name!r}: the database name must contain 'bench'")
        host = ["-h", parsed.hostname or "127.0.0.1", "-p", str(parsed.port or 5432)]
        user = ["-U", parsed.username or "postgres"]
        subprocess.run(["dropdb", *host, *user, "--if-exists", "--force", name], check=True)
        copy = ["-T", template] if template else []
        subprocess.run(["createdb", *host, *user, *copy, name], check=True)
    elif parsed.scheme == "sqlite":
        path = Path(parsed.path[1:] if parsed.path.startswith("//") else parsed.path)
        path.unlink(missing_ok=True)


# --- the clients ---------------------------------------------------------------------------


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.answers = []  # (seconds since start, kind, status, latency)
        self.acknowledged_comments = {}  # row prefix -> last comment answered 302
        self.acknowledged_observations = {}  # (metric slug, segment slug, month) -> value
        self.upsert_rows = Counter()  # the upsert's answer per row: created, rejected...
        self.rejections = Counter()
        self.checkin_saves = 0
        self.started = time.monotonic()

    def record(self, kind, status, latency):
        with self.lock:
            self.answers.append((time.monotonic() - self.started, kind, status, latency))


def http(opener, method, url, *, data=None, headers=None, timeout=60):
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    started = time.monotonic()
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.read(), time.monotonic() - started, response
    except urllib.error.HTTPError as error:
        return error.code, error.read(), time.monotonic() - started, error
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError):
        return 0, b"", time.monotonic() - started, None


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def session_opener(base: str, username: str):
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    status, body, _latency, _ = http(opener, "GET", f"{base}/accounts/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = urllib.parse.urlencode(
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    status, _body, _latency, _ = http(
        opener, "POST", f"{base}/accounts/login/", data=form, headers={"Referer": base + "/"}
    )
    if status != 302:
        raise SystemExit(f"{username} could not sign in ({status}): {_body[:300]!r}")
    return opener


INPUT = re.compile(rb"<(input|textarea|select)\b([^>]*)>(.*?)(?=<)", re.S)
ATTRIBUTE = re.compile(rb'([a-z_-]+)="([^"]*)"')


def row_fields(body: bytes, prefix: str) -> dict:
    """The check-in form's fields of one row, as the browser would post them back."""
    import html

    fields = {}
    for tag, attributes, content in INPUT.findall(body):
        attrs = {
            key.decode(): html.unescape(value.decode())
            for key, value in ATTRIBUTE.findall(attributes)
        }
        name = attrs.get("name", "")
        if not name.startswith(prefix + "-") and name != "csrfmiddlewaretoken":
            continue
        if tag == b"textarea":
            fields[name] = html.unescape(content.decode()).lstrip("\n")
        elif tag == b"select":
            selected = re.search(
                rb'<option value="([^"]*)"[^>]*selected', body[body.find(attributes) :]
            )
            fields[name] = selected.group(1).decode() if selected else ""
        elif attrs.get("type") == "checkbox":
            if "checked" in attributes.decode():
                fields[name] = "on"
        else:
            fields[name] = attrs.get("value", "")
    return fields


def checkin_client(base, recorder, stop, *, username, url, prefix, client_id):
    opener = session_opener(base, username)
    iteration = 0
    while not stop.is_set():
        iteration += 1
        status, body, latency, _ = http(opener, "GET", base + url)
        recorder.record("checkin GET", status, latency)
        if status != 200:
            time.sleep(0.2)
            continue
        fields = row_fields(body, prefix)
        comment = f"faults c{client_id} i{iteration}"
        fields[f"{prefix}-comment"] = comment
        data = urllib.parse.urlencode(fields).encode()
        status, _body, latency, response = http(
            opener, "POST", base + url, data=data, headers={"Referer": base + url}
        )
        recorder.record("checkin POST", status, latency)
        location = response.headers.get("Location", "") if response is not None else ""
        if status == 302 and location.rstrip("/").endswith(url.rstrip("/")):
            with recorder.lock:
                recorder.acknowledged_comments[prefix] = comment
                recorder.checkin_saves += 1


def api_client(base, recorder, stop, *, token, series, client_id, months):
    """Each push writes months no other client writes: one acknowledged value per month."""
    opener = urllib.request.build_opener()
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    for index, month in enumerate(months):
        if stop.is_set():
            return
        metric, segment = series
        value = 1 + index % 90 + client_id / 10  # fits every unit, percentages included
        row = {"metric": metric, "period_start": month.isoformat()[:7], "value": value}
        if segment:
            row["segment"] = segment
        status, body, latency, _ = http(
            opener,
            "POST",
            f"{base}/api/v1/observations/upsert/",
            data=json.dumps({"rows": [row]}).encode(),
            headers=headers,
        )
        recorder.record("api upsert", status, latency)
        answer = json.loads(body)["rows"][0] if status == 200 else {}
        row_status = answer.get("status")
        with recorder.lock:
            recorder.upsert_rows[row_status or f"HTTP {status}"] += 1
            if row_status == "rejected":
                recorder.rejections[json.dumps(answer.get("errors"))] += 1
        if row_status in ("created", "updated"):
            with recorder.lock:
                recorder.acknowledged_observations[(metric, segment, month)] = value


# --- the run ---------------------------------------------------------------------------------


def django_setup(services):
    os.environ.update({**services.env, "DJANGO_SETTINGS_MODULE": "okrtracker.settings.production"})
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def plan(args):
    """Who saves what: check-in rows for leads, months of monthly series for the API."""
    from rest_framework.authtoken.models import Token

    from metrics.models import Cadence, Department, Metric, Quarter
    from metrics.selectors.checkin import checkin_get

    quarter = Quarter.objects.get_or_create_fiscal(2020, 3)
    checkin_rows = []
    for department in Department.objects.filter(leads__isnull=False).distinct():
        lead = department.leads.first()
        checkin = checkin_get(department=department, quarter=quarter)
        for row in checkin.status_rows:
            checkin_rows.append((lead.username, department.slug, row.prefix))
    series = []
    monthly = Metric.objects.filter(cadence=Cadence.MONTHLY, department__leads__isnull=False)
    # Enough series for the API clients (a generated organisation has thousands).
    for metric in monthly.distinct().order_by("pk")[: args.concurrency]:
        series.append((metric, None))
        series += [(metric, segment) for segment in metric.segments.all()]
    tokens = {}
    for metric, _segment in series:
        lead = metric.department.leads.first()
        tokens[metric.pk] = Token.objects.get_or_create(user=lead)[0].key
    return checkin_rows, series, tokens


def leads_ensure(args):
    """A generated organisation has no accounts: a lead (role and Department.leads) for each
    department the clients write to, signing in with the demo password."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from metrics.models import Cadence, Department

    group = Group.objects.get_or_create(name="Department lead")[0]
    departments = (
        Department.objects.filter(metrics__cadence=Cadence.MONTHLY, leads__isnull=True)
        .distinct()
        .order_by("slug")[: args.concurrency]
    )
    for department in departments:
        user = get_user_model().objects.create_user(
            username=f"lead-{department.slug}"[:150], password=PASSWORD
        )
        user.groups.add(group)
        department.leads.add(user)


def months_back(count: int) -> list[date]:
    """`count` calendar months going back from December 2017 (before the seed's own data).
    Each client writes its own series, so each acknowledged month has one value."""
    last = 2017 * 12 + 11
    return [date((last - offset) // 12, (last - offset) % 12 + 1, 1) for offset in range(count)]


def main():
    if sys.argv[1:2] == ["hosts"]:
        import faults_hosts

        sys.exit(faults_hosts.main(sys.argv[2:]))
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="okr-faults-"))
    services = Services(args, workdir)
    base = f"http://127.0.0.1:{args.web_port}"
    print(f"database {args.database_url}; logs in {workdir}", flush=True)
    figures = {}
    try:
        if args.pg_data and not (Path(args.pg_data) / "postmaster.opts").exists():
            raise SystemExit(f"--pg-data {args.pg_data}: not a cluster this machine started")
        database_reset(args.database_url, args.template)
        services.manage("migrate", "--noinput")
        if not args.template:
            services.manage("seed_demo")
        services.manage("collectstatic", "--noinput")
        services.start_redis()
        services.start_worker()
        services.start_web()
        django_setup(services)
        if args.template:
            leads_ensure(args)
        checkin_rows, series, tokens = plan(args)
        figures.update(run(args, services, base, checkin_rows, series, tokens))
        report(args, figures)
    finally:
        services.stop_all()
        if figures.get("unexpected"):
            print(f"logs kept in {workdir} (gunicorn.log, access.log, worker.log)")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def run(args, services, base, checkin_rows, series, tokens):
    recorder, stop = Recorder(), threading.Event()
    threads = []
    checkin_clients = args.concurrency // 2
    for client_id in range(checkin_clients):
        username, department, prefix = checkin_rows[client_id % len(checkin_rows)]
        url = f"/checkin/{department}/2020/q3/"
        threads.append(
            threading.Thread(
                target=checkin_client,
                args=(base, recorder, stop),
                kwargs={
                    "username": username,
                    "url": url,
                    "prefix": prefix,
                    "client_id": client_id,
                },
            )
        )
    api_clients = args.concurrency - checkin_clients
    if api_clients > len(series):
        raise SystemExit(f"at most {len(series)} API clients: one series each")
    for client_id in range(api_clients):
        metric, segment = series[client_id]
        threads.append(
            threading.Thread(
                target=api_client,
                args=(base, recorder, stop),
                kwargs={
                    "token": tokens[metric.pk],
                    "series": (metric.slug, segment.slug if segment else None),
                    "client_id": client_id,
                    "months": months_back(800),
                },
            )
        )
    events = []
    started = time.monotonic()
    for thread in threads:
        thread.start()

    def at(seconds):
        time.sleep(max(0.0, started + seconds - time.monotonic()))
        return round(time.monotonic() - started, 1)

    schedule = [
        (args.kill_worker_at, "worker killed (SIGKILL)", services.kill_worker),
        (args.kill_worker_at + args.worker_down, "worker started", services.start_worker),
        (args.restart_redis_at, "Redis stopped", services.stop_redis),
        (args.restart_redis_at + args.redis_down, "Redis started", services.start_redis),
    ]
    if args.pg_data:
        schedule += [
            (args.restart_db_at, "PostgreSQL stopped", services.stop_database),
            (args.restart_db_at + args.db_down, "PostgreSQL started", services.start_database),
        ]
    try:
        for seconds, event, action in sorted(schedule, key=lambda step: step[0]):
            events.append((at(seconds), event))
            action()
            if event == "PostgreSQL started":
                events.append((round(time.monotonic() - started, 1), "PostgreSQL accepting"))
        at(args.duration)
    finally:
        # A fault step that fails must not leave the clients running (the process would
        # never exit).
        stop.set()
    for thread in threads:
        thread.join(timeout=120)
    load_seconds = time.monotonic() - started
    # This process's own connection died with the restart: a new one for the checks.
    from django.db import connection

    connection.close()
    return {
        "recorder": recorder,
        "events": events,
        "load_seconds": load_seconds,
        "lost": check_lost(recorder),
        "recompute": check_recompute(),
    }


def check_lost(recorder) -> dict:
    from metrics.models import Observation, QuarterlyStatus

    lost_comments = []
    for prefix, comment in recorder.acknowledged_comments.items():
        _, metric_id, segment_id = prefix.split("-")
        stored = QuarterlyStatus.objects.filter(
            metric_id=int(metric_id),
            segment_id=int(segment_id) or None,
            quarter__fiscal_year=2020,
            quarter__number=3,
        ).values_list("comment", flat=True)
        if comment not in stored:
            lost_comments.append(prefix)
    stored = {
        (metric, segment, start): value
        for metric, segment, start, value in Observation.objects.values_list(
            "metric__slug", "segment__slug", "period_start", "value"
        )
    }
    lost_observations = [
        key
        for key, value in recorder.acknowledged_observations.items()
        if stored.get(key) != Decimal(str(value))
    ]
    return {
        "check-in saves acknowledged": recorder.checkin_saves,
        "rows whose last acknowledged comment is not stored": len(lost_comments),
        "observations acknowledged": len(recorder.acknowledged_observations),
        "observations lost": len(lost_observations),
    }


def check_recompute(timeout: float = 300.0) -> dict:
    from metrics import tasks
    from metrics.models import JobOutcome, JobRun, RecomputeRequest

    pending_after_load = RecomputeRequest.objects.count()
    started = time.monotonic()
    # What beat does every five minutes; retried while the broker reconnects.
    while True:
        try:
            tasks.recompute_pending.delay()
            break
        except Exception:  # noqa: BLE001
            if time.monotonic() - started > 30:
                raise
            time.sleep(1)
    while RecomputeRequest.objects.exists() and time.monotonic() - started < timeout:
        time.sleep(1)
    return {
        "requests pending when the load stopped": pending_after_load,
        "requests pending at the end": RecomputeRequest.objects.count(),
        "seconds to process them": round(time.monotonic() - started, 1),
        "job runs": dict(Counter(JobRun.objects.values_list("outcome", flat=True))),
        "runs left 'running' (lost with the killed worker)": JobRun.objects.filter(
            outcome=JobOutcome.RUNNING
        ).count(),
    }


def report(args, figures):
    recorder = figures["recorder"]
    answers = recorder.answers
    print(
        f"\n{args.concurrency} clients ({args.concurrency // 2} check-in, "
        f"{args.concurrency - args.concurrency // 2} API), {args.web_workers} gunicorn workers, "
        f"{figures['load_seconds']:.0f} s of load"
    )
    for seconds, event in figures["events"]:
        print(f"  t={seconds:5.1f} s  {event}")
    print(f"\n{'requests':<14}{'count':>7}{'2xx/3xx':>9}{'4xx':>6}{'503':>6}{'other 5xx':>11}"
          f"{'no answer':>11}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}")  # fmt: skip
    for kind in sorted({answer[1] for answer in answers}):
        rows = [answer for answer in answers if answer[1] == kind]
        statuses = Counter(answer[2] for answer in rows)
        latencies = sorted(answer[3] * 1000 for answer in rows)
        print(
            f"{kind:<14}{len(rows):>7}"
            f"{sum(n for s, n in statuses.items() if 200 <= s < 400):>9}"
            f"{sum(n for s, n in statuses.items() if 400 <= s < 500):>6}"
            f"{statuses.get(503, 0):>6}"
            f"{sum(n for s, n in statuses.items() if s >= 500 and s != 503):>11}"
            f"{statuses.get(0, 0):>11}"
            f"{statistics.median(latencies):>8.0f}"
            f"{latencies[int(len(latencies) * 0.95)]:>8.0f}{latencies[-1]:>8.0f}"
        )
    events = {event: seconds for seconds, event in figures["events"]}
    windows = {
        "without worker": (events["worker killed (SIGKILL)"], events["worker started"]),
        "without Redis": (events["Redis stopped"], events["Redis started"]),
    }
    if "PostgreSQL stopped" in events:
        windows["without PostgreSQL"] = (
            events["PostgreSQL stopped"],
            events["PostgreSQL accepting"],
        )
    for name, (start, end) in windows.items():
        inside = [
            answer[3] * 1000
            for answer in answers
            if answer[1] != "checkin GET" and start <= answer[0] - answer[3] <= end
        ]
        if inside:
            print(
                f"saves started {name} ({end - start:.0f} s): {len(inside)}, "
                f"median {statistics.median(inside):.0f} ms, max {max(inside):.0f} ms"
            )
    # The documented 503 window: from the stop until --db-grace seconds after the restart.
    # An answer belongs to it when the request was in flight at some moment of it.
    window = None
    if "PostgreSQL stopped" in events:
        window = (events["PostgreSQL stopped"], events["PostgreSQL accepting"] + args.db_grace)

    def in_window(answer):
        return window is not None and answer[0] >= window[0] and answer[0] - answer[3] <= window[1]

    inside = [answer for answer in answers if in_window(answer)]
    outside = [answer for answer in answers if not in_window(answer)]
    if window is not None:
        statuses = Counter(answer[2] for answer in inside)
        print(
            f"503 window t={window[0]:.1f}-{window[1]:.1f} s: {len(inside)} requests, "
            f"{statuses.get(503, 0)} answered 503, "
            f"{sum(n for s, n in statuses.items() if s >= 500 and s != 503)} other 5xx, "
            f"{sum(n for s, n in statuses.items() if 200 <= s < 400)} 2xx/3xx, "
            f"{statuses.get(0, 0)} no answer"
        )
    fives = [answer for answer in outside if answer[2] >= 500 or answer[2] == 0]
    figures["unexpected"] = len(fives)
    print(f"5xx or no answer outside the 503 window: {len(fives)}")
    if fives:
        print(f"  at t = {', '.join(f'{a[0]:.1f} s ({a[1]}, {a[2]})' for a in fives[:20])}")
    print("upsert rows:", json.dumps(dict(recorder.upsert_rows)))
    for errors, count in recorder.rejections.most_common(3):
        print(f"  rejected {count}: {errors}")
    print("\nsaves:", json.dumps(figures["lost"]))
    print("recompute:", json.dumps(figures["recompute"]))
    saves_per_second = sum(1 for a in answers if a[1] != "checkin GET") / figures["load_seconds"]
    print(f"throughput: {saves_per_second:.1f} saves/s")


if __name__ == "__main__":
    main()
