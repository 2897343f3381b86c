"""The role x resource x method matrix: every role reads; admins write everything; a lead
writes only their own department's statuses, observations, key-result statuses and texts;
executives, viewers and users without a role write nothing; anonymous requests get a 401."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import api_url, client_for
from tests.api.test_reads import RESOURCES

READ_STATUS = {
    "admin": 200,
    "executive": 200,
    "lead": 200,
    "other_lead": 200,
    "viewer": 200,
    "no_role": 403,
    "anonymous": 401,
}


@pytest.mark.parametrize("role", READ_STATUS)
@pytest.mark.parametrize(("name", "attribute"), RESOURCES)
def test_reading(world, clients, role, name, attribute):
    listed = clients[role].get(api_url(f"{name}-list"))
    detail = clients[role].get(api_url(f"{name}-detail", getattr(world, attribute).pk))

    assert listed.status_code == READ_STATUS[role]
    assert detail.status_code == READ_STATUS[role]


@dataclass
class Write:
    name: str
    method: str
    url: Callable
    body: Callable
    success: int


WRITES = [
    Write(
        "status create",
        "post",
        lambda w: api_url("quarterly-status-list"),
        lambda w: {"metric": w.metric.pk, "quarter": w.year_earlier.pk, "value": 85000},
        201,
    ),
    Write(
        "status update",
        "patch",
        lambda w: api_url("quarterly-status-detail", w.status.pk),
        lambda w: {"value": 93000, "version": 1},
        200,
    ),
    Write(
        "observation create",
        "post",
        lambda w: api_url("observation-list"),
        lambda w: {"metric": w.metric.pk, "period_start": "2020-11-01", "value": 91000},
        201,
    ),
    Write(
        "observation update",
        "patch",
        lambda w: api_url("observation-detail", w.observation.pk),
        lambda w: {"value": 91000, "version": 1},
        200,
    ),
    Write(
        "key result status create",
        "post",
        lambda w: api_url("key-result-status-list"),
        lambda w: {
            "key_result": w.key_result.pk,
            "fiscal_year": 2020,
            "quarter_number": 3,
            "text": "Done",
        },
        201,
    ),
    Write(
        "key result status update",
        "patch",
        lambda w: api_url("key-result-status-detail", w.key_result_status.pk),
        lambda w: {"text": "540 teachers", "version": 1},
        200,
    ),
    Write(
        "objective narrative",
        "patch",
        lambda w: api_url("objective-detail", w.objective.pk),
        lambda w: {"narrative": "- We trained 540 teachers", "version": 1},
        200,
    ),
    Write(
        "drilldown texts",
        "patch",
        lambda w: api_url("drilldown-detail", w.drilldown.pk),
        lambda w: {"next_steps": "Scale up", "version": 1},
        200,
    ),
]

# Who may write the lead's department's rows (all WRITES target that department).
WRITE_STATUS = {
    "admin": "success",
    "lead": "success",
    "other_lead": 403,
    "executive": 403,
    "viewer": 403,
    "no_role": 403,
    "anonymous": 401,
}


@pytest.mark.parametrize("role", WRITE_STATUS)
@pytest.mark.parametrize("write", WRITES, ids=lambda write: write.name)
def test_writing(world, clients, role, write):
    response = getattr(clients[role], write.method)(
        write.url(world), write.body(world), format="json"
    )

    expected = write.success if WRITE_STATUS[role] == "success" else WRITE_STATUS[role]
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert "detail" in response.json()


@pytest.mark.parametrize(("name", "attribute"), RESOURCES)
@pytest.mark.parametrize("method", ["put", "delete"])
def test_nobody_replaces_or_deletes_through_the_api(world, clients, name, attribute, method):
    url = api_url(f"{name}-detail", getattr(world, attribute).pk)

    assert getattr(clients["admin"], method)(url, {}, format="json").status_code == 405
    assert getattr(clients["viewer"], method)(url, {}, format="json").status_code == 403


@pytest.mark.parametrize("name", ["department", "priority", "outcome", "metric", "session"])
def test_shared_resources_are_read_only(world, clients, name):
    assert clients["admin"].post(api_url(f"{name}-list"), {}, format="json").status_code == 405


def test_admin_writes_rows_that_belong_to_no_department(world, clients):
    world.metric.department = None
    world.metric.save()
    body = {"value": 93000, "version": 1}
    url = api_url("quarterly-status-detail", world.status.pk)

    assert clients["lead"].patch(url, body, format="json").status_code == 403
    assert clients["admin"].patch(url, body, format="json").status_code == 200


def test_session_writes_need_the_csrf_token(world, users):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(users["admin"])
    url = api_url("quarterly-status-detail", world.status.pk)

    refused = client.patch(url, {"value": 93000, "version": 1}, format="json")

    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]


def test_token_and_session_auth_see_the_same(world, users):
    url = api_url("quarterly-status-list")

    by_token = client_for(users["lead"]).get(url).json()
    by_session = client_for(users["lead"], token=False).get(url).json()

    assert by_token == by_session


def test_a_wrong_token_is_a_401(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = client.get(api_url("metric-list"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
