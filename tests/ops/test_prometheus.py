"""The Prometheus scrape: behind a bearer token, request latency by route name, backlogs and
jobs read from the database, deck builds, and sums across processes in multiprocess mode."""

import os
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from metrics.models import JobRun, RecomputeRequest, WebhookDelivery
from metrics.prometheus import deck_build_timed
from tests import factories

pytestmark = pytest.mark.django_db

TOKEN = "scrape-token-0123456789"
BASE_DIR = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN


def scrape() -> dict:
    response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return samples(response.content.decode())


def samples(text: str) -> dict:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_without_a_token_configured_the_scrape_is_not_there(settings):
    settings.METRICS_TOKEN = ""

    assert Client().get("/metrics").status_code == 404
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.parametrize("header", ["", "Bearer wrong", f"Token {TOKEN}", f"Bearer {TOKEN}x"])
def test_a_missing_or_wrong_token_is_refused(token, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}

    assert Client().get("/metrics", **extra).status_code == 404


def test_request_latency_is_labelled_by_route_name(token):
    user = factories.UserFactory(roles=["Viewer"])
    client = Client()
    client.force_login(user)
    client.get("/api/v1/departments/")
    client.get("/no/such/page/at/all/")

    found = scrape()

    assert (
        found[
            (
                "okr_http_request_duration_seconds_count",
                (("method", "GET"), ("status", "2xx"), ("view", "api:department-list")),
            )
        ]
        >= 1
    )
    assert (
        found[
            (
                "okr_http_request_duration_seconds_count",
                (("method", "GET"), ("status", "4xx"), ("view", "unresolved")),
            )
        ]
        >= 1
    )


def test_backlogs_and_jobs_are_read_from_the_database(token, django_assert_max_num_queries):
    metric = factories.MetricFactory()
    RecomputeRequest.objects.create(metric=metric, reason="test")
    RecomputeRequest.objects.create(metric=None, reason="test")
    endpoint = factories.WebhookEndpointFactory()
    WebhookDelivery.objects.create(
        endpoint=endpoint, event="status.saved", body="{}", next_attempt_at=timezone.now()
    )
    now = timezone.now()
    JobRun.objects.create(
        task_name="metrics.recompute_metric",
        started_at=now - timedelta(seconds=5),
        finished_at=now,
        duration_ms=1500,
        outcome="success",
    )
    JobRun.objects.create(
        task_name="metrics.recompute_metric",
        started_at=now - timedelta(seconds=5),
        finished_at=now,
        duration_ms=500,
        outcome="failure",
    )

    with django_assert_max_num_queries(8):
        found = scrape()

    assert found[("okr_recompute_requests_pending", ())] == 2
    assert found[("okr_outbox_pending", (("outbox", "webhooks"),))] == 1
    task = (("task", "metrics.recompute_metric"),)
    assert found[("okr_job_runs", (("outcome", "success"), *task))] == 1
    assert found[("okr_job_runs", (("outcome", "failure"), *task))] == 1
    assert found[("okr_job_duration_seconds_max", task)] == 1.5
    assert found[("okr_job_duration_seconds_avg", task)] == 1.0
    assert found[("okr_job_last_success_timestamp_seconds", task)] == pytest.approx(now.timestamp())


def test_a_new_outbox_is_one_registration(token):
    from metrics.prometheus import _outboxes, outbox_register

    outbox_register(
        name="reminders",
        pending=lambda: RecomputeRequest.objects.none(),
        since_field="requested_at",
    )
    try:
        found = scrape()
    finally:
        _outboxes.pop("reminders")

    assert found[("okr_outbox_pending", (("outbox", "reminders"),))] == 0


def test_deck_builds_are_counted_by_kind(token):
    before = scrape().get(("okr_deck_build_duration_seconds_count", (("kind", "deck"),)), 0)
    with deck_build_timed("deck"):
        pass

    after = scrape()[("okr_deck_build_duration_seconds_count", (("kind", "deck"),))]

    assert after == before + 1


def test_multiprocess_mode_adds_up_every_worker(tmp_path):
    """Two processes (as two gunicorn workers) record requests; a third scrapes their sum."""
    multiproc = tmp_path / "prometheus"
    multiproc.mkdir()
    environment = {
        "PROMETHEUS_MULTIPROC_DIR": str(multiproc),
        "DJANGO_SETTINGS_MODULE": "okrtracker.settings.test",
        "PYTHONPATH": str(BASE_DIR),
    }
    record = textwrap.dedent(
        """
        import django; django.setup()
        from metrics.prometheus import REQUEST_LATENCY
        for _ in range(3):
            REQUEST_LATENCY.labels(view="metrics:home", method="GET", status="2xx").observe(0.1)
        """
    )
    collect = textwrap.dedent(
        """
        import django; django.setup()
        from prometheus_client import generate_latest
        from metrics.prometheus import scrape_registry
        print(generate_latest(scrape_registry(database=False)).decode())
        """
    )
    env = {**os.environ, **environment}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", record], env=env, check=True, cwd=BASE_DIR)
    output = subprocess.run(
        [sys.executable, "-c", collect], env=env, check=True, cwd=BASE_DIR, capture_output=True
    ).stdout.decode()

    found = samples(output)
    key = (
        "okr_http_request_duration_seconds_count",
        (("method", "GET"), ("status", "2xx"), ("view", "metrics:home")),
    )
    assert found[key] == 6
