"""GET /api/v1/quarterly-statuses/{id}/history/: every change of one cell."""

import pytest

from metrics.services.statuses import quarterly_status_save
from tests.api.conftest import api_url

pytestmark = pytest.mark.django_db


def history_url(status_id):
    from django.urls import reverse

    return reverse("api:quarterly-status-history", kwargs={"version": "v1", "pk": status_id})


def test_the_history_lists_each_save_with_its_changes_and_display(world, clients, users):
    status = world.status
    quarterly_status_save(
        metric=status.metric,
        segment=status.segment,
        quarter=status.quarter,
        actor=users["lead"],
        source="api",
        value="93000",
        footnote_markers="*",
        expected_version=status.version,
    )

    response = clients["viewer"].get(history_url(status.pk))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == status.pk
    newest = body["versions"][0]
    assert newest["source"] == "API"
    assert newest["actor"] == users["lead"].get_username()
    assert {"field": "value", "old_value": "92000", "new_value": "93000"} in newest["changes"]
    assert newest["display"] == body["display"]


def test_anonymous_gets_401_and_an_unknown_cell_404(world, clients):
    from rest_framework.test import APIClient

    assert APIClient().get(history_url(world.status.pk)).status_code == 401
    assert clients["viewer"].get(history_url(987654)).status_code == 404


def test_the_history_is_in_the_schema(clients):
    schema = clients["viewer"].get(api_url("schema"), {"format": "json"}).json()

    assert "/api/v1/quarterly-statuses/{id}/history/" in schema["paths"]


def test_a_key_result_cell_has_its_history_too(world, clients, users):
    from django.urls import reverse

    from metrics.services.key_results import key_result_status_save

    kr_status = world.key_result_status
    key_result_status_save(
        key_result=kr_status.key_result,
        quarter=kr_status.quarter,
        actor=users["lead"],
        source="api",
        text="Launched",
        expected_version=kr_status.version,
    )
    url = reverse("api:key-result-status-history", kwargs={"version": "v1", "pk": kr_status.pk})

    body = clients["viewer"].get(url).json()

    assert body["display"] == "Launched"
    assert body["versions"][0]["changes"][0]["new_value"] == "Launched"
