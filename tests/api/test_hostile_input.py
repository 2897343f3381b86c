"""What the bad-input sweep found answering 500, answered 4xx in the API's format: JSON
nested ~1000 deep (every JSON endpoint, the anonymous token endpoint too), digits other than
0-9 ("²", "٣") in id and number filters and in CSV cells, date-times whose offset leaves
the calendar; and an error the code did not expect is JSON under /api/, never HTML."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from metrics.api.parsers import MAX_JSON_DEPTH
from tests.api.conftest import api_url
from tests.entry_world import entry_world_build

DEEP_ARRAY = "[" * 1000 + "]" * 1000
DEEP_OBJECT = '{"a":' * 1000 + "1" + "}" * 1000
FOREIGN_DIGITS = ["²", "٣", "٢٠٢٠", "２"]


def schema_operations(client):
    schema = client.get(api_url("schema"), {"format": "json"}).json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path.replace("{version}", "v1"), method, operation


def concrete(path: str, world) -> str:
    """The path with the id of a row that exists for its resource: a missing row would be a
    404 before the body is read (ids differ between databases and test orders)."""
    from metrics.api.urls import router

    for prefix, viewset, _ in router.registry:
        if path.startswith(f"/api/v1/{prefix}/"):
            row = viewset.queryset.model._default_manager.order_by("pk").first()
            if row is not None:
                for name in ("{id}", "{pk}"):
                    path = path.replace(name, str(row.pk))
    for name in ("{id}", "{pk}"):
        path = path.replace(name, str(world.status.pk))
    return path


def test_deep_json_is_a_400_on_every_json_endpoint(world, clients):
    from tests.factories import WebhookEndpointFactory

    WebhookEndpointFactory()  # a row for /webhooks/{id}/ (else a 404 before any body is read)
    client = clients["admin"]
    client.raise_request_exception = False
    answers = {}
    for path, method, operation in schema_operations(client):
        # Actions without a body (hold, reopen) never parse one.
        if method not in ("post", "put", "patch") or "requestBody" not in operation:
            continue
        for body in (DEEP_ARRAY, DEEP_OBJECT):
            response = client.generic(
                method.upper(), concrete(path, world), body, "application/json"
            )
            answers[(method, path, body[:1])] = (response.status_code, response["Content-Type"])
    assert len(answers) >= 20
    assert set(answers.values()) == {(400, "application/json")}, [
        (key, answer) for key, answer in answers.items() if answer[0] != 400
    ]


def test_deep_json_to_the_anonymous_token_endpoint_is_a_400(db):
    client = APIClient(raise_request_exception=False)
    for body in (DEEP_ARRAY, DEEP_OBJECT):
        response = client.generic("POST", api_url("obtain-token"), body, "application/json")
        assert response.status_code == 400
        assert "nested" in response.json()["detail"]


def lists_in_lists(count: int):
    """`count` lists nested in each other: as a field of the body (the body's object is level
    1) the innermost list sits at level count + 1."""
    value = 1
    for _ in range(count):
        value = [value]
    return value


def test_json_one_level_deeper_than_the_limit_is_refused_by_the_parser(world, clients):
    body = {"metric": world.metric.pk, "quarter": world.quarter.pk, "value": 1}
    response = clients["admin"].post(
        api_url("quarterly-status-list"),
        {**body, "comment": lists_in_lists(MAX_JSON_DEPTH)},
        format="json",
    )

    assert response.status_code == 400
    assert "nested deeper than" in response.json()["detail"]


def test_json_at_the_limit_reaches_the_fields_checks(world, clients):
    body = {"metric": world.metric.pk, "quarter": world.quarter.pk, "value": 1}
    response = clients["admin"].post(
        api_url("quarterly-status-list"),
        {**body, "comment": lists_in_lists(MAX_JSON_DEPTH - 1)},
        format="json",
    )

    # Parsed: refused by the serializer for what the field holds, not for its depth.
    assert response.status_code == 400
    assert "comment" in response.json()
    assert "nested" not in str(response.json())


def test_a_write_nested_32_levels_is_taken_and_33_levels_is_refused_writing_nothing(world, clients):
    """The limit in effect, as docs/reliability.md states it (32 levels): the same edit is
    saved with a key the serializer ignores nested 32 levels deep (the body's object is level
    1), and refused whole, before any field is read, one level deeper."""
    url = api_url("quarterly-status-detail", world.status.pk)
    edit = {"comment": "Checked", "version": 1}

    deeper = clients["admin"].patch(url, {**edit, "note": lists_in_lists(32)}, format="json")

    assert deeper.status_code == 400
    assert deeper.json() == {"detail": "JSON parse error - nested deeper than 32 levels."}
    world.status.refresh_from_db()
    assert (world.status.comment, world.status.version) == ("", 1)

    at_limit = clients["admin"].patch(url, {**edit, "note": lists_in_lists(31)}, format="json")

    assert at_limit.status_code == 200
    world.status.refresh_from_db()
    assert (world.status.comment, world.status.version) == ("Checked", 2)


def numeric_query_parameters(client):
    for path, method, operation in schema_operations(client):
        if method != "get" or "{" in path:
            continue
        for parameter in operation.get("parameters", []):
            if (
                parameter["in"] == "query"
                and parameter["name"] not in ("limit", "offset")
                and parameter.get("schema", {}).get("type") == "integer"
            ):
                yield path, parameter["name"]


def test_foreign_digits_in_id_and_number_filters_are_a_400_naming_the_filter(world, clients):
    client = clients["admin"]
    client.raise_request_exception = False
    parameters = list(numeric_query_parameters(client))
    wrong = []
    for path, name in parameters:
        for digits in FOREIGN_DIGITS:
            response = client.get(path, {name: digits})
            if response.status_code != 400 or name not in response.json():
                wrong.append((path, name, digits, response.status_code))
    assert len(parameters) >= 25
    assert not wrong


@pytest.mark.parametrize(
    "moment",
    [
        "0001-01-01T00:00:00+23:59",
        "9999-12-31T23:59:59-23:59",
        "2020-01-01T00:00:00+99:00",
        "٢٠٢٠-٠١-٠١T00:00:00Z",
    ],
)
def test_date_times_out_of_the_calendar_are_a_400(world, clients, moment):
    client = clients["admin"]
    client.raise_request_exception = False
    for name in ("observation-list", "quarterly-status-list", "metric-list"):
        response = client.get(api_url(name), {"updated_since": moment})
        assert response.status_code == 400, (name, response.content[:200])
        assert "updated_since" in response.json()


@pytest.mark.parametrize(
    ("field", "row"),
    [
        ("metric", {"metric": "²", "period_start": "2020-10-01", "value": "1"}),
        ("value", {"period_start": "2020-10-01", "value": "٩٢٠٠٠"}),
        ("period_start", {"period_start": "٢٠٢٠-١٠-٠١", "value": "1"}),
    ],
)
def test_foreign_digits_in_upserted_rows_are_field_errors(world, clients, field, row):
    client = clients["admin"]
    client.raise_request_exception = False
    before = list(world.metric.observations.values_list("period_start", "value"))

    response = client.post(
        api_url("observation-upsert"), {"rows": [{"metric": world.metric.pk, **row}]}, format="json"
    )

    assert response.status_code in (200, 400), response.content[:300]
    assert field in str(response.json())
    assert list(world.metric.observations.values_list("period_start", "value")) == before


@pytest.mark.django_db
def test_foreign_digits_in_csv_import_cells_are_row_errors(client):
    world = entry_world_build()
    client.force_login(world.lead_product)
    client.raise_request_exception = False
    csv = (
        "metric,segment,period_start,value\n"
        "²,,2020-10-01,1\n"
        f"{world.editors.slug},²,2020-10-01,1\n"
        f"{world.editors.slug},,2020-10-01,٩٢٠٠٠\n"
        f"{world.editors.slug},,2020-1²-01,1\n"
    )
    upload = SimpleUploadedFile("obs.csv", csv.encode(), content_type="text/csv")

    preview = client.post(
        reverse("metrics:entry-import", kwargs={"department": "product"}),
        {"file": upload, "preview": "1"},
    )

    assert preview.status_code == 200
    assert [row.status for row in preview.context["result"].rows] == ["rejected"] * 4


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        lambda world: reverse("metrics:session_compare") + "?before=²&after=٣",
        lambda world: reverse("metrics:cell_history", args=[world.status.pk]) + "?session=²",
    ],
)
def test_foreign_digits_in_page_parameters_are_a_400_page_naming_the_parameter(
    world, users, url, client
):
    client.force_login(users["admin"])
    client.raise_request_exception = False

    response = client.get(url(world))

    assert response.status_code == 400
    assert "must be a whole number written with the digits 0-9" in response.content.decode()


def test_an_unexpected_api_error_is_json(world, clients, monkeypatch):
    from metrics.api.views import resources

    def explode(self, request, *args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(resources.DepartmentViewSet, "list", explode)
    client = clients["admin"]
    client.raise_request_exception = False

    response = client.get(api_url("department-list"))

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert "a bug" not in response.content.decode()
    assert "detail" in response.json()


def test_a_request_django_refuses_under_the_api_is_json(world, clients, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    client = clients["admin"]
    client.raise_request_exception = False

    response = client.get(api_url("department-list"), HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
