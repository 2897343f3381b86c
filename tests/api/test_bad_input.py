"""Bad input is a 4xx with a message naming the field, never a 500 and never lost data."""

import json
from decimal import Decimal

import pytest
from django.test import override_settings

from metrics import models
from tests import factories
from tests.api.conftest import api_url


def post_status(client, body):
    return client.post(api_url("quarterly-status-list"), body, format="json")


def test_malformed_json_is_a_400(world, clients):
    response = clients["admin"].generic(
        "POST", api_url("quarterly-status-list"), '{"metric": 1, "value": ', "application/json"
    )

    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_a_body_that_is_not_an_object_is_a_400(world, clients):
    response = clients["admin"].generic(
        "POST", api_url("observation-list"), "[1, 2]", "application/json"
    )

    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_a_non_json_content_type_is_a_415(world, clients):
    response = clients["admin"].generic(
        "POST", api_url("observation-list"), "metric=1", "application/x-www-form-urlencoded"
    )

    assert response.status_code == 415


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("value", "ninety"),
        ("value", [1]),
        ("value", True),
        ("state", "sunny"),
        ("footnote_markers", {"a": 1}),
        ("metric", "editors"),
        ("quarter", "Q2"),
    ],
)
def test_wrong_types_are_a_400_on_the_field(world, clients, field, value):
    body = {"metric": world.metric.pk, "quarter": world.quarter.pk, "value": 1} | {field: value}

    response = post_status(clients["admin"], body)

    assert response.status_code == 400
    assert field in response.json()


def test_unknown_metric_and_segment_are_a_400(world, clients):
    unknown_metric = post_status(
        clients["admin"], {"metric": 987654, "quarter": world.quarter.pk, "value": 1}
    )
    unknown_segment = post_status(
        clients["admin"],
        {"metric": world.metric.pk, "segment": 987654, "quarter": world.quarter.pk, "value": 1},
    )
    foreign_segment = post_status(
        clients["admin"],
        {
            "metric": world.other_metric.pk,
            "segment": world.segment.pk,
            "quarter": world.quarter.pk,
            "value": 1,
        },
    )

    assert unknown_metric.status_code == 400
    assert "metric" in unknown_metric.json()
    assert unknown_segment.status_code == 400
    assert "segment" in unknown_segment.json()
    assert foreign_segment.status_code == 400
    assert "is not a segment" in foreign_segment.json()["segment"][0]


def test_a_missing_quarter_is_a_400(world, clients):
    response = post_status(clients["admin"], {"metric": world.metric.pk, "value": 1})

    assert response.status_code == 400
    assert "quarter" in response.json()


@pytest.mark.parametrize(
    ("period_start", "period_end"),
    [("2020-10-15", None), ("2020-10-01", "2020-11-30"), ("2030-01-01", None)],
)
def test_a_period_outside_the_cadence_is_a_400(world, clients, period_start, period_end):
    body = {"metric": world.metric.pk, "period_start": period_start, "value": 1}
    if period_end:
        body["period_end"] = period_end

    response = clients["admin"].post(api_url("observation-list"), body, format="json")

    assert response.status_code == 400
    assert {"period_start", "period_end"} & set(response.json())


def test_a_quarterly_metric_refuses_a_month(world, clients):
    quarterly = factories.MetricFactory(
        outcome=world.outcome, department=world.department, cadence=models.Cadence.QUARTERLY
    )

    response = clients["admin"].post(
        api_url("observation-list"),
        {
            "metric": quarterly.pk,
            "period_start": "2020-10-01",
            "period_end": "2020-10-31",
            "value": 1,
        },
        format="json",
    )

    assert response.status_code == 400
    assert "whole quarters" in response.json()["period_start"][0]


@pytest.mark.parametrize(
    ("unit", "value"),
    [("percent", 150), ("percent", -1), ("count", -5), ("count", "1e30"), ("count", "0.1234567")],
)
def test_values_out_of_range_are_a_400(world, clients, unit, value):
    world.metric.unit = unit
    world.metric.save()

    response = clients["admin"].patch(
        api_url("quarterly-status-detail", world.status.pk),
        {"value": value, "version": 1},
        format="json",
    )

    assert response.status_code == 400
    assert "value" in response.json()
    world.status.refresh_from_db()
    assert world.status.value == Decimal("92000")


def test_too_many_milestones_is_a_400(world, clients):
    world.key_result.milestone_total = 4
    world.key_result.save()

    response = clients["admin"].patch(
        api_url("key-result-status-detail", world.key_result_status.pk),
        {"milestones_done": 5, "version": 1},
        format="json",
    )

    assert response.status_code == 400
    assert "4 milestones" in response.json()["milestones_done"][0]


def test_an_update_without_its_version_is_a_400(world, clients):
    response = clients["admin"].patch(
        api_url("objective-detail", world.objective.pk), {"narrative": "x"}, format="json"
    )

    assert response.status_code == 400
    assert "version" in response.json()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
def test_an_oversized_body_is_a_413(world, clients):
    rows = [{"metric": "editors", "period_start": "2020-10-01", "value": 1}] * 500

    response = clients["admin"].post(
        api_url("observation-upsert"), json.dumps({"rows": rows}), content_type="application/json"
    )

    assert response.status_code == 413
    assert "larger than the server accepts" in response.json()["detail"]
    assert models.Observation.objects.count() == 1


def test_unknown_api_paths_and_versions_are_json_404s(world, clients):
    for path in ("/api/v2/metrics/", "/api/v1/nothing/", "/api/v1/metrics/1.5/"):
        response = clients["admin"].get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("fmt", ["", "yaml"])
def test_a_format_the_api_cannot_serve_is_a_404_even_when_empty(world, clients, fmt):
    response = clients["admin"].get(api_url("outcome-list") + f"?format={fmt}")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert clients["admin"].get(api_url("outcome-list") + "?format=json").status_code == 200
