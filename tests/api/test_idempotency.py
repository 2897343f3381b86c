"""Safe retries: an API write with an Idempotency-Key runs once per user and key; a retry gets
the first answer (never a 409 for its own write), another request under the same key a 422,
and the key and the write commit together."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from metrics import models
from metrics.services.idempotency import idempotent_requests_purge
from tests.api.conftest import api_url, client_for


def key() -> str:
    return str(uuid.uuid4())


def patch_comment(client, world, comment, *, version=1, idempotency_key=None):
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
    return client.patch(
        api_url("quarterly-status-detail", world.status.pk),
        {"comment": comment, "version": version},
        format="json",
        headers=headers,
    )


def test_a_retried_patch_gets_the_first_answer_not_a_409(world, clients):
    sent = key()
    first = patch_comment(clients["lead"], world, "Estimated", idempotency_key=sent)
    retry = patch_comment(clients["lead"], world, "Estimated", idempotency_key=sent)

    assert first.status_code == 200
    assert retry.status_code == 200
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert models.QuarterlyStatus.objects.get(pk=world.status.pk).version == 2
    assert models.HistoryEntry.objects.filter(field="comment", new_value="Estimated").count() == 1
    # Without a key, a write at the version read before is what it always was: stale.
    assert patch_comment(clients["lead"], world, "Estimated again").status_code == 409


def test_a_retried_post_creates_one_row_and_answers_201_twice(world, clients):
    body = {
        "metric": world.metric.pk,
        "quarter": world.quarter.pk,
        "segment": world.segment.pk,
        "value": 15000,
    }
    sent = key()
    url = api_url("quarterly-status-list")
    answers = [
        clients["lead"].post(url, body, format="json", headers={"Idempotency-Key": sent})
        for _ in range(3)
    ]

    assert [answer.status_code for answer in answers] == [201, 201, 201]
    assert len({answer.json()["id"] for answer in answers}) == 1
    assert models.QuarterlyStatus.objects.filter(segment=world.segment).count() == 1


def test_the_same_key_with_another_body_is_a_422_and_runs_nothing(world, clients):
    sent = key()
    patch_comment(clients["lead"], world, "Estimated", idempotency_key=sent)

    other = patch_comment(clients["lead"], world, "Something else", idempotency_key=sent)

    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["detail"]
    assert models.QuarterlyStatus.objects.get(pk=world.status.pk).comment == "Estimated"


def test_keys_are_per_user(world, clients):
    sent = key()
    patch_comment(clients["lead"], world, "Estimated", idempotency_key=sent)

    admin = patch_comment(clients["admin"], world, "Admin's", version=2, idempotency_key=sent)

    assert admin.status_code == 200
    assert "Idempotent-Replayed" not in admin
    assert models.QuarterlyStatus.objects.get(pk=world.status.pk).comment == "Admin's"


def test_a_refused_or_failed_request_keeps_no_answer_so_the_retry_runs(world, clients, users):
    sent = key()
    refused = patch_comment(client_for(users["viewer"]), world, "x", idempotency_key=sent)
    anonymous = patch_comment(client_for(None), world, "x", idempotency_key=sent)

    assert (refused.status_code, anonymous.status_code) == (403, 401)
    assert not models.IdempotentRequest.objects.exists()


def test_a_client_error_is_the_first_answer_too(world, clients):
    sent = key()
    first = patch_comment(clients["lead"], world, "x", version=7, idempotency_key=sent)
    models.QuarterlyStatus.objects.filter(pk=world.status.pk).update(version=7)
    retry = patch_comment(clients["lead"], world, "x", version=7, idempotency_key=sent)

    assert first.status_code == retry.status_code == 409
    assert retry["Idempotent-Replayed"] == "true"


@pytest.mark.parametrize("bad", ["", " spaced key ", "é", "x" * 256])
def test_a_malformed_key_is_a_400_naming_the_header(world, clients, bad):
    response = clients["lead"].patch(
        api_url("quarterly-status-detail", world.status.pk),
        {"comment": "x", "version": 1},
        format="json",
        HTTP_IDEMPOTENCY_KEY=bad,
    )

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert models.QuarterlyStatus.objects.get(pk=world.status.pk).version == 1


def test_answers_are_kept_for_a_day_then_the_key_runs_afresh(world, clients):
    sent = key()
    patch_comment(clients["lead"], world, "Estimated", idempotency_key=sent)
    models.IdempotentRequest.objects.update(created_at=timezone.now() - timedelta(hours=25))

    again = patch_comment(clients["lead"], world, "Estimated", idempotency_key=sent)

    assert "Idempotent-Replayed" not in again  # ran afresh
    assert models.IdempotentRequest.objects.get().created_at > timezone.now() - timedelta(hours=1)
    models.IdempotentRequest.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert idempotent_requests_purge() == 1


def test_the_answer_is_stored_in_the_writes_transaction(world, clients, monkeypatch):
    """A write that fails after its service ran leaves neither the row change nor the key:
    the two commit together or not at all."""
    from metrics.api.views import writes

    real = writes.Response

    def broken(*args, **kwargs):
        raise RuntimeError("the server failed after the save")

    monkeypatch.setattr(writes, "Response", broken)
    sent = key()
    clients["lead"].raise_request_exception = False
    failed = patch_comment(clients["lead"], world, "Estimated", idempotency_key=sent)
    monkeypatch.setattr(writes, "Response", real)

    assert failed.status_code == 500
    assert not models.IdempotentRequest.objects.exists()
    assert models.QuarterlyStatus.objects.get(pk=world.status.pk).comment == ""
    retry = patch_comment(clients["lead"], world, "Estimated", idempotency_key=sent)
    assert retry.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_two_requests_with_one_key_at_once_run_the_write_once(world, users):
    sent = key()
    answers, start = [], threading.Barrier(2)

    def send():
        try:
            start.wait(timeout=5)
            response = patch_comment(client_for(users["lead"]), world, "Once", idempotency_key=sent)
            answers.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert answers == [200, 200]
    assert models.HistoryEntry.objects.filter(field="comment", new_value="Once").count() == 1


def test_the_hourly_purge_task_drops_expired_answers_and_sign_in_windows(world, clients):
    from metrics.tasks import safety_records_purge

    patch_comment(clients["lead"], world, "Estimated", idempotency_key=key())
    models.IdempotentRequest.objects.update(created_at=timezone.now() - timedelta(days=2))

    assert safety_records_purge.delay().get() == {
        "idempotent_requests": 1,
        "signin_failure_counts": 0,
    }
