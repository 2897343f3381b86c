"""Every list, and the deck, runs the same number of queries for 10x the data."""

from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics import models
from tests import factories
from tests.api.conftest import api_url
from tests.api.test_reads import RESOURCES

# Queries a list may run: token, role groups, count, page, and a few prefetches.
MAX_LIST_QUERIES = 8


def grow(world, n: int) -> None:
    """n more of every resource, each with the nested rows its endpoint prints."""
    for i in range(n):
        department = factories.DepartmentFactory()
        department.leads.add(factories.UserFactory())
        priority = factories.PriorityFactory()
        outcome = factories.OutcomeFactory(priority=world.priority)
        metric = factories.MetricFactory(outcome=outcome, department=department)
        segments = factories.SegmentFactory.create_batch(2, metric=metric)
        quarter = factories.QuarterFactory(fiscal_year=2000 + i, number=1 + i % 4)
        factories.ObservationFactory(metric=metric, period_start=date(2019, 1 + i % 12, 1))
        factories.ObservationFactory(
            metric=metric, segment=segments[0], period_start=date(2019, 1 + i % 12, 1)
        )
        factories.QuarterlyStatusFactory(metric=metric, quarter=world.quarter)
        factories.QuarterlyStatusFactory(metric=metric, segment=segments[1], quarter=quarter)
        objective = factories.ObjectiveFactory(priority=world.priority, department=department)
        key_result = factories.KeyResultFactory(objective=objective)
        factories.KeyResultStatusFactory(key_result=key_result, quarter=world.quarter)
        factories.KeyResultStatusFactory(key_result=key_result, quarter=world.year_earlier)
        session = factories.TuningSessionFactory(priority=priority, quarter=quarter)
        models.KeyDeliverable.objects.create(session=session, title="D", objective=objective)
        models.MetricDefinition.objects.create(
            session=world.session, metric=metric, outcome=outcome, name=metric.name
        )
        models.MetricDefinition.objects.create(
            session=session, metric=metric, outcome=outcome, name=metric.name
        )
        drilldown = models.Drilldown.objects.create(objective=objective, session=world.session)
        table = models.DrilldownTable.objects.create(drilldown=drilldown, columns=["A"])
        models.DrilldownRow.objects.create(table=table, label="row", cells=["1"])
        models.Footnote.objects.create(session=session, marker=f"m{i}")
        models.Acronym.objects.create(session=session, term=f"T{i}", meaning="t")


def queries_for(client, url) -> int:
    """A cold read's queries (the count and rendered responses are cached per version)."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"limit": 1000})
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(("name", "attribute"), RESOURCES)
def test_lists_run_the_same_queries_for_ten_times_the_data(world, clients, name, attribute):
    url = api_url(f"{name}-list")
    grow(world, 2)
    small = queries_for(clients["lead"], url)
    small_rows = clients["lead"].get(url, {"limit": 1000}).json()["count"]

    grow(world, 18)
    large = queries_for(clients["lead"], url)
    large_rows = clients["lead"].get(url, {"limit": 1000}).json()["count"]

    assert large_rows >= 5 * small_rows
    assert large == small
    assert large <= MAX_LIST_QUERIES


def test_csv_lists_run_the_same_queries_as_json(world, clients):
    grow(world, 3)
    url = api_url("quarterly-status-list")

    assert queries_for(clients["lead"], url + "?format=csv") == queries_for(clients["lead"], url)


def test_the_deck_runs_the_same_queries_for_ten_times_the_data(
    world, clients, django_assert_max_num_queries
):
    url = api_url("session-deck", world.session.pk)
    grow(world, 2)
    small = queries_for(clients["lead"], url)

    grow(world, 18)
    with django_assert_max_num_queries(small):
        response = clients["lead"].get(url)

    assert response.status_code == 200
    outcomes = response.json()["outcomes"]
    assert sum(len(outcome["metrics"]) for outcome in outcomes) == 22
