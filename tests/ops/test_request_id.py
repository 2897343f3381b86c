"""A request id on every log line of a request, echoed to the caller, carried by the tasks
the request publishes; JSON logs switchable by LOG_FORMAT (the production default)."""

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from pythonjsonlogger.json import JsonFormatter

from metrics import broker
from okrtracker.celery import app
from okrtracker.logs import RequestIdFilter, request_id_var
from tests.celery_helpers import broker_restore, broker_state, broker_switch

ROOT = Path(__file__).resolve().parents[2]


def test_a_sane_incoming_id_is_kept_and_echoed(db):
    response = Client().get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a.9c21:0001")

    assert response["X-Request-ID"] == "lb-7f3a.9c21:0001"


@pytest.mark.parametrize(
    "incoming", ["", "x" * 129, "has space", "new\nline", "<script>", "-starts-with-dash"]
)
def test_an_insane_or_missing_id_is_replaced_by_a_new_one(db, incoming):
    extra = {"HTTP_X_REQUEST_ID": incoming} if incoming else {}

    response = Client().get("/healthz", **extra)

    generated = response["X-Request-ID"]
    assert generated != incoming
    assert len(generated) == 32 and int(generated, 16) >= 0


def test_log_lines_of_a_request_carry_its_id_as_json(db):
    """The production formatter: one JSON object a line, the request id a field of it."""
    formatter_config = django_settings.LOGGING["formatters"]["json"]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        JsonFormatter(formatter_config["fmt"], rename_fields=formatter_config["rename_fields"])
    )
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        Client().get("/no/such/page/", HTTP_X_REQUEST_ID="req-42")
    finally:
        logger.removeHandler(handler)

    line = json.loads(stream.getvalue().splitlines()[0])
    assert line["request_id"] == "req-42"
    assert line["level"] == "WARNING"
    assert line["logger"] == "django.request"
    assert "Not Found" in line["message"]


def test_outside_a_request_the_id_is_a_dash():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", (), None)

    RequestIdFilter().filter(record)

    assert record.request_id == "-"


@pytest.fixture
def publishing_to_memory():
    """Tasks published for real (not run eagerly) to an in-memory broker."""
    saved = broker_state()
    app.conf.task_always_eager = False
    broker_switch("memory://")
    with app.connection_for_write() as connection:
        connection.SimpleQueue("celery").clear()
    yield
    broker_restore(saved)


def next_message_headers() -> dict:
    with app.connection_for_read() as connection:
        queue = connection.SimpleQueue("celery")
        message = queue.get(timeout=5)
        message.ack()
        queue.close()
        return message.headers


def test_a_task_published_during_a_request_carries_its_id(publishing_to_memory):
    from metrics.tasks import recompute_all

    token = request_id_var.set("req-from-the-web")
    try:
        recompute_all.delay()
    finally:
        request_id_var.reset(token)

    assert next_message_headers()["request_id"] == "req-from-the-web"


def test_a_publish_from_the_sender_thread_keeps_the_callers_id(publishing_to_memory):
    from metrics.tasks import recompute_all

    token = request_id_var.set("req-via-sender")
    try:
        broker.send_in_background(recompute_all.delay, what="a test publish")
    finally:
        request_id_var.reset(token)
    assert broker.flush(5)

    assert next_message_headers()["request_id"] == "req-via-sender"


def test_the_worker_side_sets_the_id_around_the_task_only():
    from okrtracker.logs import _on_task_end, _on_task_start

    class FakeRequest:
        request_id = "req-in-task"

    class FakeTask:
        request = FakeRequest()

    _on_task_start(task=FakeTask())
    inside = request_id_var.get()
    _on_task_end(task=FakeTask())

    assert inside == "req-in-task"
    assert request_id_var.get() is None


def settings_value(module: str, expression: str, **environment) -> str:
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env.update(
        SECRET_KEY="x7#kq-production-like-secret-for-the-settings-test-9f2a1c0d5e8b3a6f",
        PYTHONPATH=str(ROOT),
        **environment,
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import {module} as s; print({expression})"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 or "ImproperlyConfigured" in result.stderr, result.stderr
    return result.stdout.strip() or result.stderr


def test_production_logs_json_by_default_and_text_on_request():
    handler = "s.LOGGING['handlers']['console']['formatter']"

    assert settings_value("okrtracker.settings.production", handler) == "json"
    assert settings_value("okrtracker.settings.production", handler, LOG_FORMAT="text") == "plain"
    assert settings_value("okrtracker.settings.test", handler) == "plain"
    assert "LOG_FORMAT must be json or text" in settings_value(
        "okrtracker.settings.production", handler, LOG_FORMAT="xml"
    )
