"""Two web hosts and a worker host, one web host killed under write load (issue 19):

    .venv/bin/python benchmarks/faults.py hosts --seconds 24 --writers 4

Each host is a network namespace on a private bridge (benchmarks/netns_hosts.py): web1 and
web2 run gunicorn with the production settings, worker runs a Celery worker on every queue.
The host namespace is the database host: the machine's PostgreSQL (a fresh database,
migrated and seeded with `seed_demo`, dropped at the end) reached through a TCP forwarder on
the bridge address, and a Redis of this run's own (broker and cache) listening there. Nothing
is shared between hosts but the database and Redis: each has its own static folder and
DECK_FILES_ROOT, and generated files go to the database (DECK_FILES_STORAGE=database).
HAProxy (Debian's package) balances the two web hosts, health-checking /readyz.

1. The PowerPoint of the held Q2 session is asked of web1 directly (202: queued for the
   worker), then of web2 until it answers 200, then of web1: the same file from both, their
   local folders empty.
2. --writers clients save quarterly statuses through HAProxy (`POST /api/v1/quarterly-
   statuses/`, each its own cell, a new comment and value each time, an Idempotency-Key per
   save, retried with that key after a 502/503/504 or no answer) for --seconds; at --kill-at
   every process of web2 (the gunicorn master and its workers) gets SIGKILL, or with
   `--kill link` its link is deleted, its processes left running (a partition; see
   --idle-in-transaction-timeout and docs/reliability.md for what that does to PostgreSQL).
3. Every acknowledged save (2xx with the comment and value sent) is looked up in the
   database afterwards: its history entry, and each cell's final row.

Prints the saves, the failed requests by status, the lost acknowledged saves (must be 0), the
latency per phase (both hosts, from the kill until HAProxy marks web2 down, one host),
HAProxy's view of each host over time and the load average; exits 1 when an acknowledged
save is missing or the PowerPoint differs. Cleans up (processes, namespaces, bridge, Redis,
HAProxy, database) on exit, Ctrl-C, SIGTERM or error; --keep-logs (or a failure) keeps the
run's folder of logs.
"""

import argparse
import atexit
import contextlib
import csv
import hashlib
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import requests
from netns_hosts import Network, forwarder_command

BASE_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "okrtracker-demo"
WEB_PORT = 8000
HOST_NAMES = ["web1", "web2", "worker"]
RETRIED = {0, 502, 503, 504}  # no answer, or the proxy's / the app's "try again"


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="faults.py hosts", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=24.0, help="seconds of write load")
    parser.add_argument("--writers", type=int, default=4, help="clients saving at once")
    parser.add_argument("--kill-at", type=float, help="seconds into the load (default: half)")
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/okr_faults_hosts_bench",
        help="created for the run and dropped after it (the name must contain 'bench')",
    )
    parser.add_argument(
        "--kill",
        choices=["processes", "link"],
        default="processes",
        help="SIGKILL every process of web2 (a crash), or delete its link (a partition)",
    )
    parser.add_argument(
        "--idle-in-transaction-timeout",
        type=int,
        default=None,
        metavar="SECONDS",
        help="every host's DATABASE_IDLE_IN_TRANSACTION_TIMEOUT (default: the app's, 60 s; "
        "0 turns the limit off, as before it existed)",
    )
    parser.add_argument("--subnet", default="10.77.0", help="the bridge's /24, first 3 octets")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers per host")
    parser.add_argument("--keep-logs", action="store_true", help="keep the run's folder")
    args = parser.parse_args(argv)
    if args.kill_at is None:
        args.kill_at = args.seconds / 2
    if "bench" not in urllib.parse.urlparse(args.database_url).path:
        parser.error("the database name must contain 'bench': the run drops it")
    return args


# --- the hosts ---------------------------------------------------------------------------------


class Cluster:
    """The run's processes and namespaces; `close()` undoes whatever was started."""

    def __init__(self, args, workdir: Path):
        self.args, self.workdir = args, workdir
        self.net = Network(args.subnet, HOST_NAMES)
        self.database = urllib.parse.urlparse(args.database_url)
        self.processes: dict[str, subprocess.Popen] = {}
        self.redis_port = free_port()
        self.proxy_port = free_port()
        self.database_created = False

    # environments

    def env(self, *, database_host: str, folder: Path) -> dict:
        port = self.database.port or 5432
        name = self.database.path.lstrip("/")
        addresses = [host.address for host in self.net.hosts.values()]
        redis = f"redis://{self.net.gateway}:{self.redis_port}"
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "okrtracker.settings.production",
            "DATABASE_URL": f"postgres://{self.database.username or 'postgres'}"
            f"@{database_host}:{port}/{name}",
            "CELERY_BROKER_URL": f"{redis}/0",
            "CACHE_URL": f"{redis}/1",
            "SECRET_KEY": "faults-hosts-benchmark-" + "x" * 40,
            "ALLOWED_HOSTS": ",".join(["127.0.0.1", "localhost", *addresses]),
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "TRUSTED_PROXY_COUNT": "1",
            "DECK_FILES_STORAGE": "database",
            "DECK_FILES_ROOT": str(folder / "deck-files"),
            "STATIC_ROOT": str(folder / "static"),
            "DEMO_PASSWORD": PASSWORD,
            **self.idle_limit_env(),
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }

    def idle_limit_env(self) -> dict:
        seconds = self.args.idle_in_transaction_timeout
        return {} if seconds is None else {"DATABASE_IDLE_IN_TRANSACTION_TIMEOUT": str(seconds)}

    def host_env(self, name: str) -> dict:
        return self.env(database_host=self.net.gateway, folder=self.workdir / name)

    def local_env(self) -> dict:
        return self.env(
            database_host=self.database.hostname or "127.0.0.1", folder=self.workdir / "local"
        )

    # the database

    def database_create(self):
        host = ["-h", self.database.hostname or "127.0.0.1", "-p", str(self.database.port or 5432)]
        user = ["-U", self.database.username or "postgres"]
        name = self.database.path.lstrip("/")
        subprocess.run(
            ["dropdb", *host, *user, "--if-exists", "--force", name],
            check=True,
            stderr=subprocess.DEVNULL,
        )
        subprocess.run(["createdb", *host, *user, name], check=True)
        self.database_created = True
        self._drop = ["dropdb", *host, *user, "--if-exists", "--force", name]
        for command in (["migrate", "--noinput"], ["seed_demo"]):
            self.manage(*command)

    def manage(self, *command: str, env: dict | None = None):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=BASE_DIR,
            env=env or self.local_env(),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def static_collect(self):
        """Collected once, then copied into each web host's own folder (a release's files)."""
        self.manage("collectstatic", "--noinput")
        for name in ("web1", "web2"):
            shutil.copytree(self.workdir / "local" / "static", self.workdir / name / "static")
        for name in ("web1", "web2", "worker"):
            (self.workdir / name / "deck-files").mkdir(parents=True, exist_ok=True)

    # processes

    def start(self, name: str, argv: list[str], *, env: dict | None = None):
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 (the process keeps it)
        self.processes[name] = subprocess.Popen(
            argv, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()

    def start_support(self):
        """The database host's part: Redis on the bridge address, the PostgreSQL forwarder."""
        gateway = self.net.gateway
        self.start(
            "redis",
            ["redis-server", "--bind", gateway, "--port", str(self.redis_port),
             "--protected-mode", "no", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)],
        )  # fmt: skip
        database = f"{self.database.hostname or '127.0.0.1'}:{self.database.port or 5432}"
        self.start(
            "forwarder",
            forwarder_command({f"{gateway}:{self.database.port or 5432}": database}),
        )
        wait_for_port(gateway, self.redis_port)
        wait_for_port(gateway, self.database.port or 5432)

    def start_web(self, name: str):
        host = self.net.hosts[name]
        argv = host.command(
            str(BIN / "gunicorn"), "okrtracker.wsgi",
            "--bind", f"{host.address}:{WEB_PORT}",
            "--workers", str(self.args.web_workers),
            "--timeout", "30",
            *control_socket(self.workdir / name),
        )  # fmt: skip
        self.start(name, argv, env=self.host_env(name))

    def start_worker(self, queues: str):
        argv = self.net.hosts["worker"].command(
            str(BIN / "celery"), "-A", "okrtracker", "worker", "-Q", queues,
            "--concurrency", "1", "--loglevel", "warning",
            "--without-gossip", "--without-mingle", "-n", "faults-hosts@worker",
        )  # fmt: skip
        self.start("worker", argv, env=self.host_env("worker"))

    def start_proxy(self):
        config = self.workdir / "haproxy.cfg"
        config.write_text(haproxy_config(self))
        subprocess.run(["haproxy", "-c", "-q", "-f", str(config)], check=True)
        self.start("haproxy", ["haproxy", "-db", "-f", str(config)])

    def wait_ready(self, timeout: float = 120.0):
        for name in ("web1", "web2"):
            wait_for_port(self.net.hosts[name].address, WEB_PORT, timeout, self.processes[name])
            self.warm_up(name)
        deadline = time.monotonic() + timeout
        # HAProxy counts a server up until its first checks fail: wait for passed checks.
        while proxy_states(self) != {"web1": "UP", "web2": "UP"} or proxy_states(
            self, "check_status"
        ) != {"web1": "L7OK", "web2": "L7OK"}:
            if time.monotonic() > deadline:
                raise SystemExit(f"HAProxy never saw both web hosts up: {proxy_states(self)}")
            time.sleep(0.2)

    def warm_up(self, name: str):
        """Each worker's first requests import the views: done before the health checks
        count (on a loaded machine a cold worker's first /readyz can take seconds)."""
        base = f"http://{self.net.hosts[name].address}:{WEB_PORT}"
        for _ in range(2 * self.args.web_workers):
            for path in ("/readyz", "/accounts/login/", "/api/v1/"):
                with contextlib.suppress(requests.RequestException):
                    requests.get(base + path, timeout=60)

    def close(self):
        self.net.destroy()  # every process in a namespace: gunicorn, its workers, Celery
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
        self.processes.clear()
        if self.database_created:  # --force ends this process's own connection too
            subprocess.run(self._drop, check=False, capture_output=True)
            self.database_created = False


def haproxy_config(cluster: Cluster) -> str:
    servers = "\n".join(
        f"    server {name} {cluster.net.hosts[name].address}:{WEB_PORT} check"
        for name in ("web1", "web2")
    )
    return f"""global
    maxconn 512
    stats socket {cluster.workdir}/haproxy.sock mode 600 level admin

defaults
    mode http
    timeout connect 1s
    timeout client 60s
    timeout server 60s
    retries 2
    option redispatch
    option forwardfor

frontend web
    bind 127.0.0.1:{cluster.proxy_port}
    default_backend hosts

backend hosts
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    timeout check 3s
    default-server inter 1s fall 2 rise 2
    http-response set-header X-Served-By %s
{servers}
"""


def proxy_states(cluster: Cluster, column: str = "status") -> dict[str, str]:
    """Each web host's state as HAProxy sees it ("UP", "DOWN"...; or another column of its
    stats: "check_status" is "L7OK" after a passed check), from its stats socket."""
    with socket.socket(socket.AF_UNIX) as sock:
        try:
            sock.connect(str(cluster.workdir / "haproxy.sock"))
        except OSError:
            return {}
        sock.sendall(b"show stat\n")
        data = b"".join(iter(lambda: sock.recv(65536), b""))
    rows = csv.DictReader(io.StringIO(data.decode().lstrip("# ")))
    return {
        row["svname"]: (row[column].split() or [""])[0]
        for row in rows
        if row["pxname"] == "hosts" and row["svname"] in ("web1", "web2")
    }


def control_socket(folder: Path) -> list[str]:
    """gunicorn 27's control socket in the host's own folder (its default is one path in
    root's home, which the two web hosts would share)."""
    done = subprocess.run([str(BIN / "gunicorn"), "--help"], capture_output=True, text=True)
    return (
        ["--control-socket", str(folder / "gunicorn.ctl")]
        if "--control-socket" in done.stdout
        else []
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(host: str, port: int, timeout: float = 60.0, process=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise SystemExit(f"{process.args[3]} exited ({process.returncode}): see its log")
        with socket.socket() as sock:
            sock.settimeout(1)
            if sock.connect_ex((host, port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"nothing listens on {host}:{port} after {timeout:.0f} s")


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- the data the writers use ------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    metric: int
    segment: int | None
    fiscal_year: int
    quarter_number: int
    token: str
    owner: str  # the account whose token writes it


def cells_plan(writers: int) -> list[Cell]:
    """One cell per writer: the monthly metrics (and segments) of Q3 and Q4 FY20-21, the
    quarters after the held sessions. A department's lead writes its metrics, the admin
    the metrics of no department."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from metrics.models import Cadence, Metric

    admin = get_user_model().objects.get(username="admin")
    cells = []
    for quarter_number in (3, 4):
        metrics = Metric.objects.filter(cadence=Cadence.MONTHLY).order_by("department", "pk")
        for metric in metrics.prefetch_related("segments", "department__leads"):
            owner = metric.department.leads.first() if metric.department else None
            owner = owner or admin
            token = Token.objects.get_or_create(user=owner)[0].key
            for segment in [None, *metric.segments.all()]:
                segment_id = segment.pk if segment else None
                cell = Cell(metric.pk, segment_id, 2020, quarter_number, token, owner.username)
                cells.append(cell)
    if writers > len(cells):
        raise SystemExit(f"at most {len(cells)} writers: one cell each")
    return cells[:writers]


def django_setup(cluster: Cluster):
    os.environ.update(cluster.local_env())
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


# --- 1. the PowerPoint from both web hosts ----------------------------------------------------


def deck_check(cluster: Cluster, timeout: float = 240.0) -> dict:
    """Queued on web1, built by the worker, downloaded from web2 and from web1."""
    from metrics.models import StoredFile, TuningSession
    from metrics.pptx_export import PPTX_CONTENT_TYPE

    session_id = TuningSession.objects.order_by("-held_at").values_list("pk", flat=True)[0]
    cookies = sign_in(f"http://127.0.0.1:{cluster.proxy_port}", "viewer")
    path = f"/sessions/{session_id}/deck.pptx"

    def get(name):
        url = f"http://{cluster.net.hosts[name].address}:{WEB_PORT}{path}"
        return requests.get(url, cookies=cookies, headers={"Accept": "*/*"}, timeout=60)

    started = time.monotonic()
    first = get("web1").status_code
    while (second := get("web2")).status_code != 200:
        if time.monotonic() - started > timeout:
            raise SystemExit(f"web2 still answers {second.status_code} after {timeout:.0f} s")
        time.sleep(1)
    built = time.monotonic() - started
    again = get("web1")
    folders = [cluster.workdir / name / "deck-files" for name in ("web1", "web2")]
    return {
        "session": session_id,
        "web1 first": first,
        "seconds until web2 answered 200": round(built, 1),
        "web2": second.status_code,
        "a PowerPoint": second.headers.get("Content-Type") == PPTX_CONTENT_TYPE,
        "web1 after": again.status_code,
        "same bytes": second.content == again.content and second.content.startswith(b"PK"),
        "size": len(second.content),
        "sha256": hashlib.sha256(second.content).hexdigest()[:16],
        "files in the web hosts' folders": sum(len(os.listdir(f)) for f in folders),
        "stored files in the database": StoredFile.objects.count(),
    }


def sign_in(base: str, username: str) -> dict:
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=30)
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if found is None:
        raise SystemExit(f"no sign-in form at {base}: {page.status_code}")
    token = found.group(1)
    answer = session.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/accounts/login/"},
        allow_redirects=False,
        timeout=30,
    )
    if answer.status_code != 302:
        raise SystemExit(f"{username} could not sign in: {answer.status_code}")
    return session.cookies.get_dict()


# --- 2. the load ------------------------------------------------------------------------------


class Attempt(NamedTuple):
    started: float  # seconds since the load began
    outcome: str  # "201", "502", "ConnectionError (RemoteDisconnected)"...
    latency: float
    served_by: str  # HAProxy's X-Served-By: web1, web2, or "" (no server answered)

    @property
    def ok(self) -> bool:
        return self.outcome in ("200", "201")


@dataclass
class Save:
    writer: int
    cell: Cell
    comment: str
    value: Decimal
    started: float  # seconds since the load began
    attempts: list[Attempt] = field(default_factory=list)
    acknowledged: bool = False
    replayed: bool = False
    status_id: int | None = None
    latency: float = 0.0


class Load:
    def __init__(self, base: str, cells: list[Cell], max_attempts: int = 10):
        self.base, self.cells, self.max_attempts = base, cells, max_attempts
        self.saves: list[Save] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()  # no new saves
        self.watched = threading.Event()  # every writer done
        self.started = time.monotonic()

    def now(self) -> float:
        return time.monotonic() - self.started

    def writer(self, number: int):
        cell = self.cells[number]
        http = requests.Session()
        http.headers.update({"Authorization": f"Token {cell.token}"})
        count = 0
        while not self.stop.is_set():
            count += 1
            save = Save(
                writer=number,
                cell=cell,
                comment=f"faults hosts w{number} s{count}",
                value=Decimal(f"{10 + count % 80}.{number % 100:02d}"),
                started=self.now(),
            )
            self.save(http, save)
            with self.lock:
                self.saves.append(save)

    def save(self, http: requests.Session, save: Save):
        """One save: the first attempt and its retries with the same Idempotency-Key."""
        body = {
            "metric": save.cell.metric,
            "segment": save.cell.segment,
            "fiscal_year": save.cell.fiscal_year,
            "quarter_number": save.cell.quarter_number,
            "value": str(save.value),
            "comment": save.comment,
        }
        key = str(uuid.uuid4())
        begun = time.monotonic()
        for _attempt in range(self.max_attempts):
            started = self.now()
            status, label, answer, served_by, latency = post(http, self.base, body, key)
            save.attempts.append(Attempt(started, label, latency, served_by))
            if status not in RETRIED:
                break
            time.sleep(0.25)
        save.latency = time.monotonic() - begun
        if status in (200, 201):
            row = answer.json()
            save.status_id = row["id"]
            save.replayed = answer.headers.get("Idempotent-Replayed") == "true"
            save.acknowledged = (
                row["comment"] == save.comment and Decimal(row["value"]) == save.value
            )


def post(http: requests.Session, base: str, body: dict, key: str):
    started = time.monotonic()
    try:
        answer = http.post(
            f"{base}/api/v1/quarterly-statuses/",
            json=body,
            headers={"Idempotency-Key": key},
            timeout=15,
        )
    except requests.RequestException as error:
        return 0, error_label(error), None, "", time.monotonic() - started
    latency = time.monotonic() - started
    served_by = answer.headers.get("X-Served-By", "")
    return answer.status_code, str(answer.status_code), answer, served_by, latency


def error_label(error: requests.RequestException) -> str:
    """ "ConnectionError (RemoteDisconnected)": the exception and, when it wraps one, the
    cause (urllib3 nests it in its arguments)."""
    cause = error.args[0] if error.args else None
    while isinstance(cause, BaseException) and cause.args:
        inner = cause.args[-1] if isinstance(cause.args[-1], BaseException) else None
        if inner is None:
            break
        cause = inner
    name = type(error).__name__
    return f"{name} ({type(cause).__name__})" if isinstance(cause, BaseException) else name


def web_host_kill(cluster: Cluster, host) -> str:
    if cluster.args.kill == "link":
        cluster.net.unplug(host)
        return f"its link {host.link} deleted, its processes left running"
    pids = cluster.net.kill(host)
    return f"SIGKILL to its {len(pids)} processes (gunicorn's master and workers)"


def load_run(cluster: Cluster, cells: list[Cell]) -> tuple[Load, dict]:
    """The writers for --seconds, web2 killed at --kill-at; HAProxy's view of each web host
    recorded throughout (`transitions`)."""
    args = cluster.args
    load = Load(f"http://127.0.0.1:{cluster.proxy_port}", cells)
    threads = [
        threading.Thread(target=load.writer, args=(number,), daemon=True)
        for number in range(len(cells))
    ]
    events = {"load average at the start": load_average(), "transitions": []}
    watcher = threading.Thread(target=proxy_watch, args=(cluster, load, events), daemon=True)
    for thread in [watcher, *threads]:
        thread.start()
    try:
        time.sleep(max(0.0, args.kill_at - load.now()))
        events["kill"] = load.now()
        events["killed"] = web_host_kill(cluster, cluster.net.hosts["web2"])
        time.sleep(max(0.0, args.seconds - load.now()))
    finally:
        events["stop"] = load.now()
        load.stop.set()
    events["database at the stop"] = database_sessions()
    for thread in threads:
        thread.join(timeout=180)
    events["writers done"] = load.now()
    load.watched.set()
    watcher.join(timeout=5)
    events["load average at the end"] = load_average()
    down = [
        t
        for t, name, state in events["transitions"]
        if name == "web2" and state != "UP" and t >= events["kill"]
    ]
    events["down"] = min(down, default=events["stop"])
    return load, events


def database_sessions() -> str:
    """The run database's sessions by state: a host cut off mid-transaction leaves one "idle
    in transaction", holding its locks, and whoever needs them "waiting on a lock"."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT state, wait_event_type = 'Lock', "
            "EXTRACT(EPOCH FROM now() - state_change) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        rows = cursor.fetchall()
    counts = Counter("waiting on a lock" if waiting else state for state, waiting, _ in rows)
    stuck = [age for state, _, age in rows if state == "idle in transaction"]
    oldest = f" (the oldest for {max(stuck):.0f} s)" if stuck else ""
    return ", ".join(f"{count} {state}" for state, count in sorted(counts.items())) + oldest


def proxy_watch(cluster: Cluster, load: Load, events: dict):
    """Every change of a web host's state in HAProxy, with its time, until the last writer
    has its answer."""
    last = {}
    while not load.watched.is_set():
        for name, state in proxy_states(cluster).items():
            if last.get(name) != state:
                events["transitions"].append((load.now(), name, state))
                last[name] = state
        time.sleep(0.05)


# --- 3. every acknowledged save read back ------------------------------------------------------


def lost_check(saves: list[Save]) -> dict:
    """Each acknowledged save's comment in its row's history; each cell's final row holding
    its last acknowledged save or a later one whose answer never came."""
    from django.contrib.contenttypes.models import ContentType

    from metrics.models import HistoryEntry, QuarterlyStatus

    acknowledged = [save for save in saves if save.acknowledged]
    ids = {save.status_id for save in acknowledged}
    history = set(
        HistoryEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(QuarterlyStatus),
            object_id__in=ids,
            field="comment",
        ).values_list("object_id", "new_value")
    )
    lost = [save for save in acknowledged if (save.status_id, save.comment) not in history]
    rows = {
        pk: (comment, value)
        for pk, comment, value in QuarterlyStatus.objects.filter(pk__in=ids).values_list(
            "pk", "comment", "value"
        )
    }
    stale = [
        writer
        for writer, (status_id, allowed) in final_candidates(saves).items()
        if rows.get(status_id) not in allowed
    ]
    return {"acknowledged": len(acknowledged), "lost": lost, "cells not as last saved": stale}


def final_candidates(saves: list[Save]) -> dict[int, tuple[int, set]]:
    """Per writer, what its cell may hold at the end: its last acknowledged save, or any save
    after it that got no answer (it may have been written)."""
    by_writer: dict[int, list] = {}
    for save in saves:
        by_writer.setdefault(save.writer, []).append(save)
    candidates = {}
    for writer, own in by_writer.items():
        last = max((i for i, save in enumerate(own) if save.acknowledged), default=None)
        if last is None:
            continue
        candidates[writer] = (
            own[last].status_id,
            {(save.comment, save.value) for save in own[last:]},
        )
    return candidates


# --- the report -------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else 0.0


def phases(events: dict) -> list[tuple[str, float, float]]:
    return [
        ("both hosts", 0.0, events["kill"]),
        ("kill until marked down", events["kill"], events["down"]),
        # Until the last writer has its answer: the retries of saves begun before the stop.
        ("one host", events["down"], max(events["stop"], events["writers done"])),
    ]


def report(cluster: Cluster, deck: dict, load: Load, events: dict, lost: dict) -> bool:
    """Prints the figures; True when nothing acknowledged was lost and the PowerPoint came
    whole from both web hosts."""
    args = cluster.args
    print(f"\n{args.writers} writers for {events['stop']:.1f} s through HAProxy (the last "
          f"finished at t={events['writers done']:.1f} s); web2 killed at "
          f"t={events['kill']:.1f} s: {events['killed']}")  # fmt: skip
    print(f"load average (1, 5, 15 min): {events['load average at the start']} at the start, "
          f"{events['load average at the end']} at the end")  # fmt: skip
    print(f"PostgreSQL sessions at the stop: {events['database at the stop']}")
    print(
        "HAProxy's view:", ", ".join(f"t={t:.1f} s {n} {st}" for t, n, st in events["transitions"])
    )
    print("\nPowerPoint (no shared folder):", ", ".join(f"{k} {v}" for k, v in deck.items()))
    report_saves(load.saves, lost)
    report_phases(load.saves, events)
    deck_ok = deck["same bytes"] and deck["a PowerPoint"]
    deck_ok = deck_ok and not deck["files in the web hosts' folders"]
    return deck_ok and not lost["lost"] and not lost["cells not as last saved"]


def report_saves(saves: list[Save], lost: dict):
    attempts = [attempt for save in saves for attempt in save.attempts]
    failed = Counter(a.outcome for a in attempts if not a.ok)
    print(f"\nsaves {len(saves)}: acknowledged {lost['acknowledged']}, not acknowledged "
          f"{sum(not s.acknowledged for s in saves)}; requests {len(attempts)}, failed "
          f"{sum(failed.values())} {dict(failed) or ''}; saves retried with their key "
          f"{sum(len(s.attempts) > 1 for s in saves)}, of which answered from the first "
          f"attempt's stored answer (Idempotent-Replayed) {sum(s.replayed for s in saves)}")  # fmt: skip
    print(f"LOST acknowledged saves: {len(lost['lost'])} of {lost['acknowledged']}; cells not "
          f"holding their last save: {len(lost['cells not as last saved'])}")  # fmt: skip
    for save in lost["lost"][:10]:
        print(f"  lost: writer {save.writer} {save.comment!r} (status {save.status_id})")


def report_phases(saves: list[Save], events: dict):
    """Saves by the phase they started in (latency from the first attempt to the answer,
    retries included); failed requests by the phase they were sent in."""
    print(f"\n{'phase':<24}{'seconds':>8}{'saves':>7}{'acked':>7}"
          f"{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}  failed requests; served by")  # fmt: skip
    attempts = [attempt for save in saves for attempt in save.attempts]
    for name, start, end in phases(events):
        inside = [save for save in saves if start <= save.started < end]
        latencies = [save.latency * 1000 for save in inside if save.acknowledged]
        sent = [a for a in attempts if start <= a.started < end]
        failed = dict(Counter(a.outcome for a in sent if not a.ok))
        served = dict(sorted(Counter(a.served_by or "-" for a in sent).items()))
        print(f"{name:<24}{end - start:>8.1f}{len(inside):>7}{len(latencies):>7}"
              f"{percentile(latencies, 0.5):>8.0f}{percentile(latencies, 0.95):>8.0f}"
              f"{max(latencies, default=0):>8.0f}  {failed or 0}; {served}")  # fmt: skip


# --- the run ----------------------------------------------------------------------------------


def setup(cluster: Cluster):
    steps = [
        ("database created, migrated, seeded", cluster.database_create),
        ("static files collected", cluster.static_collect),
        ("namespaces and bridge", cluster.net.create),
        ("Redis and the PostgreSQL forwarder", cluster.start_support),
    ]
    for label, step in steps:
        began = time.monotonic()
        step()
        print(f"  {label} ({time.monotonic() - began:.0f} s)", flush=True)
    django_setup(cluster)
    from django.conf import settings

    cluster.start_web("web1")
    cluster.start_web("web2")
    cluster.start_worker(",".join(settings.WORKER_QUEUES))
    cluster.start_proxy()
    began = time.monotonic()
    cluster.wait_ready()
    print(f"  web1, web2, worker and HAProxy up ({time.monotonic() - began:.0f} s)", flush=True)


def topology(cluster: Cluster) -> str:
    hosts = ", ".join(f"{h.name} {h.address}" for h in cluster.net.hosts.values())
    return (
        f"bridge {cluster.net.bridge} {cluster.net.gateway}/24 (PostgreSQL forwarded to "
        f"{cluster.database.hostname}:{cluster.database.port or 5432}, Redis "
        f":{cluster.redis_port}); namespaces {hosts}; HAProxy 127.0.0.1:{cluster.proxy_port}"
    )


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    Network(args.subnet, HOST_NAMES).preflight()
    if not shutil.which("haproxy"):
        raise SystemExit("haproxy is missing: apt-get install -y haproxy")
    cluster = Cluster(args, Path(tempfile.mkdtemp(prefix="okr-faults-hosts-")))
    try:
        return run(cluster)
    except KeyboardInterrupt:
        print("interrupted: what the run started is stopped and removed", file=sys.stderr)
        return 130


def run(cluster: Cluster) -> int:
    args, ok = cluster.args, False
    with contextlib.ExitStack() as stack:
        atexit.register(stack.close)  # also on an exit the with block does not see
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwinds like Ctrl-C
        # Ctrl-C too when started in the background (`&` starts it with SIGINT ignored).
        signal.signal(signal.SIGINT, signal.default_int_handler)
        stack.callback(remove_workdir, cluster.workdir, args)
        stack.callback(cluster.close)
        print(f"logs in {cluster.workdir}", flush=True)
        try:
            setup(cluster)
            print(topology(cluster), flush=True)
            deck = deck_check(cluster)
            load, events = load_run(cluster, cells_plan(args.writers))
            ok = report(cluster, deck, load, events, lost_check(load.saves))
        finally:
            args.keep_logs = args.keep_logs or not ok
    return 0 if ok else 1


def remove_workdir(workdir: Path, args):
    if args.keep_logs:
        print(f"logs kept in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
