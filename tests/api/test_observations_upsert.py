"""The bulk upsert data pipelines push monthly numbers through: keyed by (metric, segment,
period), idempotent, answered row by row, and followed by the YoY recompute on commit."""

from datetime import date
from decimal import Decimal

import pytest

from metrics import models
from tests import factories
from tests.api.conftest import api_url

MONTHS = ["2020-10-01", "2020-11-01", "2020-12-01"]


def push(client, rows, **extra):
    return client.post(api_url("observation-upsert"), {"rows": rows} | extra, format="json")


def editor_rows(value=92000):
    return [{"metric": "editors", "period_start": month, "value": value} for month in MONTHS]


def test_first_push_creates_and_the_same_push_again_changes_nothing(world, clients):
    first = push(clients["lead"], editor_rows())
    second = push(clients["lead"], editor_rows())

    assert first.status_code == 200
    # October exists already with the same value.
    assert first.json()["counts"] == {"created": 2, "updated": 0, "unchanged": 1, "rejected": 0}
    assert second.json()["counts"] == {"created": 0, "updated": 0, "unchanged": 3, "rejected": 0}
    assert models.Observation.objects.filter(metric=world.metric).count() == 3


def test_rows_answer_one_by_one_in_request_order(world, clients):
    rows = [
        {"metric": "editors", "period_start": "2020-10-01", "value": 93000},
        {
            "metric": str(world.metric.pk),
            "segment": "emerging",
            "period_start": "2020-10",
            "value": "15,000",
        },
        {"metric": "no-such-metric", "period_start": "2020-10-01", "value": 1},
        {
            "metric": "editors",
            "segment": "no-such-segment",
            "period_start": "2020-10-01",
            "value": 1,
        },
        {"metric": "editors", "period_start": "2020-10-15", "value": 1},
        {"metric": "editors", "period_start": "2020-11-01", "value": "lots"},
    ]

    body = push(clients["lead"], rows).json()

    assert [row["status"] for row in body["rows"]] == [
        "updated",
        "created",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
    ]
    assert [row["index"] for row in body["rows"]] == list(range(6))
    updated, created, *rejected = body["rows"]
    assert (Decimal(updated["old_value"]), Decimal(updated["value"])) == (92000, 93000)
    assert updated["observation"] == world.observation.pk
    assert updated["version"] == 2
    assert created["segment"] == world.segment.pk
    assert created["period_start"] == "2020-10-01"
    assert [set(row["errors"]) for row in rejected] == [
        {"metric"},
        {"segment"},
        {"period_start"},
        {"value"},
    ]
    world.observation.refresh_from_db()
    assert world.observation.value == Decimal("93000")


def test_a_row_naming_another_departments_metric_is_rejected_and_the_rest_written(world, clients):
    rows = editor_rows() + [{"metric": "page-views", "period_start": "2020-10-01", "value": 5}]

    body = push(clients["lead"], rows).json()

    assert body["counts"] == {"created": 2, "updated": 0, "unchanged": 1, "rejected": 1}
    assert body["rows"][3]["errors"] == {
        "metric": ["You may only write your own department's metrics."]
    }
    assert not models.Observation.objects.filter(metric=world.other_metric).exists()


@pytest.mark.parametrize("spelling", ["{pk}", "0{pk}", "00{pk}", "{slug}"])
def test_another_departments_metric_is_refused_however_it_is_spelled(world, clients, spelling):
    metric = world.other_metric
    name = spelling.format(pk=metric.pk, slug=metric.slug)

    body = push(clients["lead"], [{"metric": name, "period_start": "2020-10", "value": 5}]).json()

    assert body["counts"]["rejected"] == 1, body
    assert not models.Observation.objects.filter(metric=metric).exists()


def test_a_dry_run_reports_without_writing(world, clients):
    body = push(clients["lead"], editor_rows(), dry_run=True).json()

    assert body["dry_run"] is True
    assert body["counts"]["created"] == 2
    assert models.Observation.objects.filter(metric=world.metric).count() == 1


def test_a_stale_row_version_rejects_that_row(world, clients):
    rows = [{"metric": "editors", "period_start": "2020-10-01", "value": 1, "version": 5}]

    body = push(clients["lead"], rows).json()

    assert body["rows"][0]["status"] == "rejected"
    assert "someone else" in body["rows"][0]["errors"]["value"][0]


def test_rows_with_wrong_types_fail_the_request_naming_row_and_field(world, clients):
    response = push(
        clients["lead"],
        [
            {"metric": "editors", "period_start": "2020-10-01", "value": 1},
            {"metric": ["editors"], "period_start": "2020-10-01", "value": {"n": 1}},
        ],
    )

    assert response.status_code == 400
    errors = response.json()["rows"]
    assert list(errors) == ["1"]
    assert set(errors["1"]) == {"metric", "value"}
    assert models.Observation.objects.filter(metric=world.metric).count() == 1


def test_an_empty_batch_is_a_400(world, clients):
    assert push(clients["lead"], []).status_code == 400


def test_readers_cannot_push(world, clients):
    assert push(clients["executive"], editor_rows()).status_code == 403
    assert push(clients["anonymous"], editor_rows()).status_code == 401


def test_the_push_recomputes_the_yoy_once_committed(
    world, clients, django_capture_on_commit_callbacks
):
    for month in (10, 11, 12):
        factories.ObservationFactory(
            metric=world.metric, period_start=date(2019, month, 1), value=Decimal("85000")
        )
    models.QuarterlyStatus.objects.filter(pk=world.status.pk).update(yoy_delta=None)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = push(clients["lead"], editor_rows())

    assert response.status_code == 200
    assert len(callbacks) == 1
    status = clients["viewer"].get(api_url("quarterly-status-detail", world.status.pk)).json()
    assert Decimal(status["value"]) == Decimal("92000")
    assert round(Decimal(status["yoy_delta"]), 4) == Decimal("0.0824")
    assert not models.RecomputeRequest.objects.filter(claimed_at__isnull=True).exists()


@pytest.mark.parametrize("value", ["", "   ", None])
def test_a_blank_or_null_value_rejects_only_its_row(world, clients, value):
    rows = [
        {"metric": "editors", "period_start": "2020-11-01", "value": value},
        {"metric": "editors", "period_start": "2020-12-01", "value": 91000},
    ]

    response = push(clients["lead"], rows)

    assert response.status_code == 200, response.content
    blank, valid = response.json()["rows"]
    assert blank["status"] == "rejected"
    assert set(blank["errors"]) == {"value"}
    assert valid["status"] == "created"
    assert not models.Observation.objects.filter(
        metric=world.metric, period_start=date(2020, 11, 1)
    ).exists()


def test_a_value_with_more_than_six_decimals_is_rejected_not_rounded(world, clients):
    rows = [
        {"metric": "editors", "period_start": "2020-11-01", "value": "1.1234567"},
        {"metric": "editors", "period_start": "2020-12-01", "value": 1e-7},
        {"metric": "editors", "period_start": "2020-09-01", "value": 1.1234567},
        {"metric": "editors", "period_start": "2020-08-01", "value": "91000.123456"},
    ]

    response = push(clients["lead"], rows)

    assert response.status_code == 200, response.content
    *too_precise, valid = response.json()["rows"]
    assert [row["status"] for row in too_precise] == ["rejected"] * 3
    assert [set(row["errors"]) for row in too_precise] == [{"value"}] * 3
    assert valid["status"] == "created"
    assert set(
        models.Observation.objects.filter(metric=world.metric).values_list("value", flat=True)
    ) == {Decimal("92000"), Decimal("91000.123456")}
