from datetime import date
from decimal import Decimal

import pytest

from metrics import models
from tests import factories
from tests.api.conftest import api_url

# (route name, World attribute of one row it lists)
RESOURCES = [
    ("department", "department"),
    ("priority", "priority"),
    ("quarter", "quarter"),
    ("outcome", "outcome"),
    ("metric", "metric"),
    ("observation", "observation"),
    ("quarterly-status", "status"),
    ("objective", "objective"),
    ("key-result", "key_result"),
    ("key-result-status", "key_result_status"),
    ("drilldown", "drilldown"),
    ("session", "session"),
    ("footnote", "footnote"),
    ("acronym", "acronym"),
]


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize(("name", "attribute"), RESOURCES)
def test_every_list_pages_its_rows(world, clients, name, attribute):
    response = clients["viewer"].get(api_url(f"{name}-list"))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert getattr(world, attribute).pk in ids(response)
    assert body["count"] == len(body["results"])


@pytest.mark.parametrize(("name", "attribute"), RESOURCES)
def test_every_detail_answers_its_row_and_404s_unknown_ids(world, clients, name, attribute):
    row = getattr(world, attribute)

    found = clients["viewer"].get(api_url(f"{name}-detail", row.pk))
    missing = clients["viewer"].get(api_url(f"{name}-detail", 987654))

    assert found.status_code == 200
    assert found.json()["id"] == row.pk
    assert missing.status_code == 404
    assert set(missing.json()) == {"detail"}


def test_metric_carries_its_segments_goal_and_department(world, clients):
    body = clients["viewer"].get(api_url("metric-detail", world.metric.pk)).json()

    assert body["slug"] == "editors"
    assert body["department"] == world.department.pk
    assert body["goal_kind"] == "yoy_change"
    assert Decimal(body["goal_value"]) == 5
    assert [segment["slug"] for segment in body["segments"]] == ["emerging"]


def test_quarterly_status_shows_its_quarter_and_yoy(world, clients):
    body = clients["viewer"].get(api_url("quarterly-status-detail", world.status.pk)).json()

    assert body["quarter"]["label"] == "Q2 FY20-21"
    assert Decimal(body["yoy_delta"]) == Decimal("0.081")
    assert body["footnote_markers"] == "*"
    assert body["version"] == 1


def test_key_results_carry_their_statuses_and_drilldowns_their_tables(world, clients):
    key_result = clients["viewer"].get(api_url("key-result-detail", world.key_result.pk)).json()
    drilldown = clients["viewer"].get(api_url("drilldown-detail", world.drilldown.pk)).json()

    assert [status["id"] for status in key_result["statuses"]] == [world.key_result_status.pk]
    table = drilldown["tables"][0]
    assert table["columns"] == ["FY19/20", "FY20/21"]
    assert [(row["label"], row["is_group_heading"], row["cells"]) for row in table["rows"]] == [
        ("Outcome A", True, []),
        ("Grants", False, ["10", "12"]),
    ]


def test_session_lists_its_deliverables_and_metric_definitions(world, clients):
    body = clients["viewer"].get(api_url("session-detail", world.session.pk)).json()

    assert body["quarter"]["label"] == "Q2 FY20-21"
    assert [item["title"] for item in body["key_deliverables"]] == ["ARMDEB"]
    assert [item["metric"] for item in body["metric_definitions"]] == [
        world.metric.pk,
        world.other_metric.pk,
    ]


def _filter_cases():
    return [
        ("metric-list", lambda w: {"department": w.department.pk}, lambda w: {w.metric.pk}),
        (
            "metric-list",
            lambda w: {"outcome": w.outcome.pk},
            lambda w: {w.metric.pk, w.other_metric.pk},
        ),
        ("metric-list", lambda w: {"state": "paused"}, lambda w: set()),
        (
            "metric-list",
            lambda w: {"session": w.session.pk},
            lambda w: {w.metric.pk, w.other_metric.pk},
        ),
        ("observation-list", lambda w: {"metric": w.metric.pk}, lambda w: {w.observation.pk}),
        ("observation-list", lambda w: {"period_from": "2020-11-01"}, lambda w: set()),
        ("observation-list", lambda w: {"period_to": "2020-10-31"}, lambda w: {w.observation.pk}),
        ("observation-list", lambda w: {"fiscal_year": 2020}, lambda w: {w.observation.pk}),
        ("observation-list", lambda w: {"fiscal_year": 2019}, lambda w: set()),
        ("observation-list", lambda w: {"quarter": w.quarter.pk}, lambda w: {w.observation.pk}),
        ("observation-list", lambda w: {"department": w.other_department.pk}, lambda w: set()),
        (
            "quarterly-status-list",
            lambda w: {"department": w.department.pk},
            lambda w: {w.status.pk},
        ),
        (
            "quarterly-status-list",
            lambda w: {"fiscal_year": 2020, "quarter_number": 2},
            lambda w: {w.status.pk, w.other_status.pk},
        ),
        ("quarterly-status-list", lambda w: {"fiscal_year": 2019}, lambda w: set()),
        (
            "quarterly-status-list",
            lambda w: {"session": w.session.pk},
            lambda w: {w.status.pk, w.other_status.pk},
        ),
        (
            "quarterly-status-list",
            lambda w: {"metric": w.other_metric.pk},
            lambda w: {w.other_status.pk},
        ),
        ("quarterly-status-list", lambda w: {"state": "paused"}, lambda w: set()),
        (
            "quarterly-status-list",
            lambda w: {"outcome": w.outcome.pk, "has_segment": "false"},
            lambda w: {w.status.pk, w.other_status.pk},
        ),
        (
            "quarterly-status-list",
            lambda w: {"updated_since": "2999-01-01T00:00:00Z"},
            lambda w: set(),
        ),
        ("objective-list", lambda w: {"department": w.department.pk}, lambda w: {w.objective.pk}),
        (
            "objective-list",
            lambda w: {"session": w.session.pk},
            lambda w: {w.objective.pk, w.other_objective.pk},
        ),
        ("objective-list", lambda w: {"fiscal_year": 2021}, lambda w: set()),
        ("key-result-list", lambda w: {"objective": w.objective.pk}, lambda w: {w.key_result.pk}),
        (
            "key-result-status-list",
            lambda w: {"department": w.department.pk},
            lambda w: {w.key_result_status.pk},
        ),
        (
            "key-result-status-list",
            lambda w: {"session": w.session.pk},
            lambda w: {w.key_result_status.pk, w.other_key_result_status.pk},
        ),
        (
            "drilldown-list",
            lambda w: {"session": w.session.pk, "department": w.other_department.pk},
            lambda w: {w.other_drilldown.pk},
        ),
        (
            "session-list",
            lambda w: {"fiscal_year": 2020, "quarter_number": 2},
            lambda w: {w.session.pk},
        ),
        ("session-list", lambda w: {"quarter_number": 3}, lambda w: set()),
        ("footnote-list", lambda w: {"session": w.session.pk}, lambda w: {w.footnote.pk}),
        ("acronym-list", lambda w: {"fiscal_year": 2019}, lambda w: set()),
        ("outcome-list", lambda w: {"session": w.session.pk}, lambda w: {w.outcome.pk}),
        ("department-list", lambda w: {"slug": "product"}, lambda w: {w.other_department.pk}),
        (
            "quarterly-status-list",
            lambda w: {"metric": w.metric.slug, "department": w.department.slug},
            lambda w: set(w.metric.statuses.values_list("pk", flat=True)),
        ),
        (
            "observation-list",
            lambda w: {"metric": w.metric.slug},
            lambda w: set(w.metric.observations.values_list("pk", flat=True)),
        ),
        ("key-result-list", lambda w: {"objective": w.objective.slug}, lambda w: {w.key_result.pk}),
    ]


@pytest.mark.parametrize(("name", "params", "expected"), _filter_cases())
def test_filters_narrow_the_list(world, clients, name, params, expected):
    response = clients["viewer"].get(api_url(name), params(world))

    assert response.status_code == 200, response.content
    assert ids(response) == expected(world)


@pytest.mark.parametrize(
    "params",
    [
        {"session": 987654},
        {"fiscal_year": "twenty"},
        {"fiscal_year": 10**30},
        {"department": 10**30},
        {"metric": "no-such-metric"},
        {"department": "../../etc"},
    ],
)
def test_unusable_filter_values_are_a_400_naming_the_filter(world, clients, params):
    response = clients["viewer"].get(api_url("quarterly-status-list"), params)

    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_ordering_and_pagination(world, clients):
    factories.ObservationFactory(metric=world.metric, period_start=date(2020, 9, 1), value=1)
    client = clients["viewer"]

    ascending = client.get(api_url("observation-list"), {"ordering": "period_start"}).json()
    descending = client.get(api_url("observation-list"), {"ordering": "-period_start"}).json()
    first_page = client.get(api_url("observation-list"), {"limit": 1}).json()

    starts = [row["period_start"] for row in ascending["results"]]
    assert starts == sorted(starts)
    assert [row["id"] for row in descending["results"]] == [
        row["id"] for row in reversed(ascending["results"])
    ]
    assert first_page["count"] == 2
    assert len(first_page["results"]) == 1
    assert "offset=1" in first_page["next"]


def test_page_size_is_capped(world, clients):
    factories.ObservationFactory.create_batch(3, metric=world.other_metric)

    body = clients["viewer"].get(api_url("observation-list"), {"limit": 10**9}).json()

    assert body["count"] == 4
    assert len(body["results"]) == 4


def test_session_auth_reads_like_a_browser(world, users):
    from tests.api.conftest import client_for

    response = client_for(users["executive"], token=False).get(api_url("metric-list"))

    assert response.status_code == 200
    assert models.Metric.objects.count() == response.json()["count"]


def test_statuses_carry_the_text_the_dashboards_print(world, clients):
    body = clients["viewer"].get(api_url("quarterly-status-detail", world.status.pk)).json()

    assert body["display"] == "+8.1% YoY (92K/mo*)"
