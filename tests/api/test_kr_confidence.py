"""A key result's confidence through the API: written where its status is, read back, refused
with field errors when out of range, and not writable by another department's lead."""

from metrics import models
from tests.api.conftest import api_url


def test_the_lead_writes_and_reads_confidence(world, clients):
    response = clients["lead"].patch(
        api_url("key-result-status-detail", world.key_result_status.pk),
        {"confidence": "at_risk", "confidence_score": 6, "version": 1},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert (response.json()["confidence"], response.json()["confidence_score"]) == ("at_risk", 6)
    read = clients["viewer"].get(api_url("key-result-status-detail", world.key_result_status.pk))
    assert (read.json()["confidence"], read.json()["confidence_score"]) == ("at_risk", 6)
    listed = clients["viewer"].get(api_url("key-result-status-list") + "?confidence=at_risk")
    assert [row["id"] for row in listed.json()["results"]] == [world.key_result_status.pk]


def test_a_status_post_takes_confidence(world, clients):
    body = {"key_result": world.key_result.pk, "fiscal_year": 2020, "quarter_number": 3}

    response = clients["lead"].post(
        api_url("key-result-status-list"), body | {"confidence": "on_track"}, format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["confidence"] == "on_track"


def test_bad_confidence_is_a_400_with_field_errors(world, clients):
    url = api_url("key-result-status-detail", world.key_result_status.pk)

    response = clients["lead"].patch(
        url, {"confidence": "sure", "confidence_score": 11, "version": 1}, format="json"
    )

    assert response.status_code == 400
    assert {"confidence", "confidence_score"} <= set(response.json())
    world.key_result_status.refresh_from_db()
    assert world.key_result_status.confidence == ""


def test_another_departments_lead_cannot_set_confidence(world, clients):
    response = clients["other_lead"].patch(
        api_url("key-result-status-detail", world.key_result_status.pk),
        {"confidence": "off_track", "version": 1},
        format="json",
    )

    assert response.status_code == 403
    assert models.KeyResultStatus.objects.get(pk=world.key_result_status.pk).confidence == ""
