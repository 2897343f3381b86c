"""The database goes away under load: gunicorn (production settings, the README's command)
against a throwaway PostgreSQL cluster that the test stops and restarts while clients save.
Requests in flight get a clean 503 with Retry-After (JSON for the API), never a 500; the app
recovers by itself; every save that was acknowledged is there afterwards."""

import itertools
import threading
import time
from datetime import date

import pytest
import requests
from django.db import OperationalError
from django.urls import reverse

from tests import factories
from tests.deploy.postgres import Cluster, wait_until
from tests.deploy.servers import (
    SECRET,
    Server,
    clean_env,
    free_port,
    manage,
    readme_gunicorn_command,
)

PASSWORD = "outage-test-password-61"


def test_a_lost_database_connection_is_a_503_not_a_500(db, client, monkeypatch):
    from metrics.api.views import resources

    def lost(self, request, *args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(resources.DepartmentViewSet, "list", lost)
    monkeypatch.setattr("metrics.views.homes.HomeView.get", lost)
    client.force_login(factories.UserFactory(username="exec", roles=["Executive"]))
    client.raise_request_exception = False

    api = client.get(reverse("api:department-list", kwargs={"version": "v1"}))
    page = client.get(reverse("metrics:home"))

    assert (api.status_code, api["Content-Type"], api["Retry-After"]) == (
        503,
        "application/json",
        "5",
    )
    assert (page.status_code, page["Retry-After"]) == (503, "5")
    assert "Back in a moment" in page.content.decode()


@pytest.fixture
def served(tmp_path):
    cluster = Cluster()
    server = None
    try:
        cluster.start()
        cluster.createdb()
        env = clean_env(
            tmp_path,
            SECRET_KEY=SECRET,
            ALLOWED_HOSTS="127.0.0.1",
            DATABASE_URL=cluster.url,
            BEHIND_TLS_PROXY="1",
            DEMO_PASSWORD=PASSWORD,
        )
        manage("migrate", "--noinput", env=env)
        manage("collectstatic", "--noinput", env=env)
        manage("seed_demo", env=env)
        server = Server(
            readme_gunicorn_command(free_port()), env=env, log_path=tmp_path / "gunicorn.log"
        ).start()
        yield cluster, server
    finally:
        if server:
            server.stop()
        cluster.destroy()


def test_a_database_restart_under_load_is_503s_then_recovery_with_nothing_lost(served):
    cluster, server = served
    headers = {"X-Forwarded-Proto": "https"}
    token = requests.post(
        server.url + "/api/v1/auth/token/",
        json={"username": "admin", "password": PASSWORD},
        headers=headers,
        timeout=30,
    ).json()["token"]
    headers["Authorization"] = f"Token {token}"
    months = itertools.count()
    lock = threading.Lock()
    answers: list[tuple[float, int, str]] = []
    acknowledged: dict[date, int] = {}
    stop = threading.Event()

    def client():
        session = requests.Session()
        while not stop.is_set():
            with lock:
                index = next(months)
            # From 1960: months before the seed's quarters (which the seed locks), whatever
            # the number of saves a fast machine gets through.
            month = date(1960 + index // 12, index % 12 + 1, 1)
            try:
                response = session.post(
                    server.url + "/api/v1/observations/upsert/",
                    json={
                        "rows": [
                            {
                                "metric": "monthly-active-editors",
                                "period_start": month.isoformat(),
                                "value": 1000 + index,
                            }
                        ]
                    },
                    headers=headers,
                    timeout=30,
                )
            except requests.RequestException as error:
                answers.append((time.monotonic(), 0, type(error).__name__))
                continue
            answers.append(
                (time.monotonic(), response.status_code, response.headers.get("Retry-After", ""))
            )
            if response.status_code == 200 and response.json()["rows"][0]["status"] in (
                "created",
                "updated",
            ):
                acknowledged[month] = 1000 + index
            elif response.status_code == 503:
                time.sleep(0.2)

    threads = [threading.Thread(target=client) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(3)
        stopped_at = time.monotonic()
        cluster.stop()
        time.sleep(5)
        cluster.start()
        restarted_at = time.monotonic()
        recovered = wait_until(
            lambda: any(at > restarted_at and status == 200 for at, status, _ in answers), 30
        )
        time.sleep(2)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

    statuses = [status for _, status, _ in answers]
    during = [status for at, status, _ in answers if stopped_at <= at <= restarted_at]
    assert recovered, (
        f"no save succeeded after the restart: {statuses[-20:]}\n{server.output()[-3000:]}"
    )
    assert 500 not in statuses, server.output()[-3000:]
    assert set(statuses) <= {200, 503}, sorted(set(statuses))
    assert 503 in during
    assert all(retry == "5" for _, status, retry in answers if status == 503)
    first_after = min(at for at, status, _ in answers if at > restarted_at and status == 200)

    import psycopg2

    with psycopg2.connect(cluster.url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT o.period_start, o.value FROM metrics_observation o "
            "JOIN metrics_metric m ON m.id = o.metric_id "
            "WHERE m.slug = 'monthly-active-editors' AND o.segment_id IS NULL "
            "AND o.period_start < '2020-01-01'"
        )
        stored = {row[0]: int(row[1]) for row in cursor.fetchall()}
    missing = {month: value for month, value in acknowledged.items() if stored.get(month) != value}
    assert not missing
    print(
        f"\nFIGURES saves={len(statuses)} acknowledged={len(acknowledged)} "
        f"503={statuses.count(503)} 500={statuses.count(500)} "
        f"recovered_after={first_after - restarted_at:.1f}s outage={restarted_at - stopped_at:.1f}s"
    )
