"""Operations on a real deployment: gunicorn with the README's command (4 workers) and the
production settings. Probes answer over plain HTTP whatever the Host; the Prometheus scrape
adds up every worker (multiprocess mode); log lines are JSON with the request id."""

import json

import pytest
import requests

from tests.deploy.servers import (
    SECRET,
    Server,
    clean_env,
    free_port,
    manage,
    readme_gunicorn_command,
)

TOKEN = "deploy-scrape-token-0123456789"
REQUESTS = 40


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("gunicorn-probes")
    multiproc = tmp_path / "prometheus"
    multiproc.mkdir()
    env = clean_env(
        tmp_path,
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="okr.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        BEHIND_TLS_PROXY="1",
        METRICS_TOKEN=TOKEN,
        PROMETHEUS_MULTIPROC_DIR=str(multiproc),
    )
    manage("migrate", "--noinput", env=env)
    manage("collectstatic", "--noinput", env=env)
    server = Server(
        readme_gunicorn_command(free_port()), env=env, log_path=tmp_path / "gunicorn.log"
    ).start()
    yield server
    server.stop()


def get(server, path, **headers):
    return requests.get(server.url + path, headers=headers, allow_redirects=False, timeout=30)


def test_probes_answer_over_plain_http_to_the_pods_address(server):
    for path in ("/healthz", "/readyz"):
        response = get(server, path, Host="10.0.0.7:8000")
        assert response.status_code == 200, (path, response.text, server.output()[-2000:])
    assert response.json()["checks"]["database"]["ok"] is True


def test_the_scrape_adds_up_every_worker(server):
    host = {"Host": "okr.example.org", "X-Forwarded-Proto": "https"}
    for _ in range(REQUESTS):
        assert get(server, "/accounts/login/", **host).status_code == 200

    scraped = get(server, "/metrics", Authorization=f"Bearer {TOKEN}")

    assert scraped.status_code == 200
    line = next(
        line
        for line in scraped.text.splitlines()
        if line.startswith("okr_http_request_duration_seconds_count")
        and 'view="login"' in line
        and 'status="2xx"' in line
    )
    assert float(line.rsplit(" ", 1)[1]) == REQUESTS
    assert get(server, "/metrics").status_code == 404


def test_log_lines_are_json_with_the_request_id(server):
    get(
        server,
        "/no/such/page/",
        Host="okr.example.org",
        **{"X-Forwarded-Proto": "https", "X-Request-ID": "deploy-req-0042"},
    )

    lines = [line for line in server.output().splitlines() if "deploy-req-0042" in line]
    assert lines, server.output()[-2000:]
    record = json.loads(lines[0])
    assert record["request_id"] == "deploy-req-0042"
    assert record["level"] == "WARNING"
