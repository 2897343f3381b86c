"""Filter values the way tools send them: yes/no filters as true/false/1/0 (anything else a
400 naming the filter, never silently ignored), and rows with a slug named by id or slug on
every list."""

from datetime import date

import pytest
from django_filters import BooleanFilter, FilterSet, ModelChoiceFilter

from metrics.api import filters
from tests import factories
from tests.api.conftest import api_url


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def flagged(world):
    """One row on each side of every yes/no filter."""
    segment_row = factories.ObservationFactory(
        metric=world.metric, segment=world.segment, period_start=date(2020, 11, 1)
    )
    derived = factories.ObservationFactory(
        metric=world.metric, period_start=date(2020, 12, 1), is_derived=True
    )
    segment_status = factories.QuarterlyStatusFactory(
        metric=world.metric, segment=world.segment, quarter=world.quarter
    )
    world.key_result_status.is_done = True
    world.key_result_status.save()
    return {
        ("observation-list", "has_segment"): (
            {segment_row.pk},
            {world.observation.pk, derived.pk},
        ),
        ("observation-list", "is_derived"): (
            {derived.pk},
            {world.observation.pk, segment_row.pk},
        ),
        ("quarterly-status-list", "has_segment"): (
            {segment_status.pk},
            {world.status.pk, world.other_status.pk},
        ),
        ("key-result-status-list", "is_done"): (
            {world.key_result_status.pk},
            {world.other_key_result_status.pk},
        ),
    }


BOOLEAN_FILTERS = [
    ("observation-list", "has_segment"),
    ("observation-list", "is_derived"),
    ("quarterly-status-list", "has_segment"),
    ("key-result-status-list", "is_done"),
]


@pytest.mark.parametrize(("name", "param"), BOOLEAN_FILTERS)
@pytest.mark.parametrize(
    ("value", "wanted"),
    [("true", True), ("TRUE", True), ("True", True), ("1", True)]
    + [("false", False), ("FALSE", False), ("False", False), ("0", False)],
)
def test_boolean_filters_take_true_false_1_0_in_any_case(
    world, clients, flagged, name, param, value, wanted
):
    yes, no = flagged[(name, param)]

    response = clients["viewer"].get(api_url(name), {param: value})

    assert response.status_code == 200, response.content
    assert ids(response) == (yes if wanted else no)


@pytest.mark.parametrize(("name", "param"), BOOLEAN_FILTERS)
@pytest.mark.parametrize("value", ["abc", "2", "3", "yes", "no", "on", "truee", "-1", "1.0"])
def test_unusable_boolean_filter_values_are_a_400_naming_the_filter(
    world, clients, name, param, value
):
    response = clients["viewer"].get(api_url(name), {param: value})

    assert response.status_code == 400, response.content
    assert set(response.json()) == {param}


def _filtersets():
    return [
        item
        for item in vars(filters).values()
        if isinstance(item, type) and issubclass(item, FilterSet) and item._meta.model
    ]


def test_every_boolean_filter_is_strict():
    loose = [
        f"{filterset.__name__}.{name}"
        for filterset in _filtersets()
        for name, found in filterset.base_filters.items()
        if isinstance(found, BooleanFilter) and not isinstance(found, filters.StrictBooleanFilter)
    ]

    assert loose == []


def test_every_filter_on_a_slugged_row_takes_its_id_or_slug():
    id_only = [
        f"{filterset.__name__}.{name}"
        for filterset in _filtersets()
        for name, found in filterset.base_filters.items()
        if isinstance(found, ModelChoiceFilter)
        and filters._has_unique_slug(found.queryset.model)
        and not isinstance(found, filters.IdOrSlugFilter)
    ]

    assert id_only == []


def test_the_schema_keeps_boolean_filters_boolean(users, clients):
    schema = clients["viewer"].get(api_url("schema"), {"format": "json"}).json()

    types = {
        (path, parameter["name"]): parameter["schema"]["type"]
        for path, operations in schema["paths"].items()
        for parameter in operations.get("get", {}).get("parameters", [])
        if parameter["name"] in {"has_segment", "is_derived", "is_done"}
    }

    assert {
        ("/api/v1/observations/", "has_segment"),
        ("/api/v1/observations/", "is_derived"),
        ("/api/v1/quarterly-statuses/", "has_segment"),
        ("/api/v1/key-result-statuses/", "is_done"),
    } <= set(types)
    assert set(types.values()) == {"boolean"}


@pytest.mark.parametrize(
    ("name", "params", "expected"),
    [
        ("metric-list", lambda w: {"department": "product"}, lambda w: {w.other_metric.pk}),
        ("metric-list", lambda w: {"department": w.department.pk}, lambda w: {w.metric.pk}),
        (
            "metric-list",
            lambda w: {"priority": "thriving"},
            lambda w: {w.metric.pk, w.other_metric.pk},
        ),
        (
            "objective-list",
            lambda w: {"department": "product"},
            lambda w: {w.other_objective.pk},
        ),
        (
            "objective-list",
            lambda w: {"priority": "thriving"},
            lambda w: {w.objective.pk, w.other_objective.pk},
        ),
        ("outcome-list", lambda w: {"priority": "thriving"}, lambda w: {w.outcome.pk}),
        ("drilldown-list", lambda w: {"objective": "ip-masking"}, lambda w: {w.other_drilldown.pk}),
        ("session-list", lambda w: {"priority": "thriving"}, lambda w: {w.session.pk}),
        (
            "quarterly-status-list",
            lambda w: {"department": "product"},
            lambda w: {w.other_status.pk},
        ),
        ("key-result-list", lambda w: {"department": "community"}, lambda w: {w.key_result.pk}),
    ],
)
def test_department_and_other_slugged_filters_take_an_id_or_a_slug_on_every_list(
    world, clients, name, params, expected
):
    response = clients["viewer"].get(api_url(name), params(world))

    assert response.status_code == 200, response.content
    assert ids(response) == expected(world)


@pytest.mark.parametrize("name", ["metric-list", "objective-list", "quarterly-status-list"])
@pytest.mark.parametrize("value", ["no-such-department", "../../etc", str(10**30)])
def test_an_unknown_department_is_a_400_naming_the_filter(world, clients, name, value):
    response = clients["viewer"].get(api_url(name), {"department": value})

    assert response.status_code == 400
    assert set(response.json()) == {"department"}


def test_updated_since_takes_any_offset_iso_8601_allows(world, clients):
    # PostgreSQL refuses an offset beyond 15:59 in SQL: the filter hands on the instant in UTC.
    response = clients["viewer"].get(
        api_url("observation-list"), {"updated_since": "2020-01-01T00:00:00+19:56"}
    )
    assert response.status_code == 200
    assert world.observation.pk in ids(response)
