"""What a bulk row's text fields hold (a NUL, control characters, spaces, an id as a JSON
number) is that row's answer, never a 400 for the whole batch: the schema allows these values
(schemathesis' positive_data_acceptance holds the API to it)."""

import pytest

from tests.api.conftest import api_url

pytestmark = pytest.mark.django_db


def push(client, rows):
    return client.post(api_url("observation-upsert"), {"rows": rows}, format="json")


@pytest.mark.parametrize(
    "row",
    [
        {"period_start": "2020-10-01", "value": "1\x00"},
        {"period_start": "\x1f", "value": "1"},
        {"period_start": "2020-10\x00", "value": "1"},
        {"period_start": "   ", "value": "1"},
        {"period_start": "2020-10-01", "period_end": "\x1c", "value": "1"},
    ],
)
def test_odd_text_in_a_row_rejects_that_row_and_writes_the_others(world, clients, row):
    good = {"metric": world.metric.slug, "period_start": "2020-11-01", "value": "91000"}

    response = push(clients["lead"], [{"metric": world.metric.slug, **row}, good])

    assert response.status_code == 200, response.content
    answers = response.json()["rows"]
    assert answers[0]["status"] == "rejected"
    assert answers[1]["status"] == "created"


def test_a_metric_given_as_a_json_number_is_its_id(world, clients):
    rows = [{"metric": world.metric.pk, "period_start": "2020-11-01", "value": 91000}]

    response = push(clients["lead"], rows)

    assert response.status_code == 200
    assert response.json()["rows"][0]["status"] == "created"
