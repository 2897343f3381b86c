"""Every dashboard page runs a bounded number of queries, the same with ten times the data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from metrics import models
from tests.factories import UserFactory
from tests.selectors.builders import add_bulk

pytestmark = pytest.mark.django_db

# Session and user lookups (3) + the deck (14) + the page's own (charts 3, overview 4,
# a session in preparation's check-in progress 2, compare a second deck).
PAGE_BOUNDS = {
    "session": 21,
    "session_overview": 23,
    "session_metrics": 19,
    "metric": 22,
    "objective": 19,
    "session_appendix": 19,
    "session_deck": 22,
    "session_compare": 31,
}


def urls(session_id):
    return {
        "session": reverse("metrics:session", kwargs={"session_id": session_id}),
        "session_overview": reverse("metrics:session_overview", kwargs={"session_id": session_id}),
        "session_metrics": reverse("metrics:session_metrics", kwargs={"session_id": session_id}),
        "metric": reverse(
            "metrics:metric",
            kwargs={"session_id": session_id, "metric_slug": "monthly-active-editors"},
        ),
        "objective": reverse(
            "metrics:objective", kwargs={"session_id": session_id, "objective_slug": "grantmaking"}
        ),
        "session_appendix": reverse("metrics:session_appendix", kwargs={"session_id": session_id}),
        "session_deck": reverse("metrics:session_deck", kwargs={"session_id": session_id}),
        "session_compare": reverse("metrics:session_compare"),
    }


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


@pytest.fixture
def q2_session(seed_deck):
    return models.TuningSession.objects.get(quarter__fiscal_year=2020, quarter__number=2)


@pytest.fixture
def viewer(client):
    client.force_login(UserFactory(roles=["Viewer"]))
    return client


@pytest.mark.parametrize("name", list(PAGE_BOUNDS))
def test_page_query_count_is_bounded(viewer, q2_session, name, django_assert_max_num_queries):
    with django_assert_max_num_queries(PAGE_BOUNDS[name]):
        response = viewer.get(urls(q2_session.id)[name])
    assert response.status_code == 200


def test_query_counts_do_not_grow_with_ten_times_the_seed(viewer, q2_session):
    pages = urls(q2_session.id)
    before = {name: count_queries(viewer, url) for name, url in pages.items()}
    metrics_before = models.Metric.objects.count()
    objectives_before = models.Objective.objects.count()
    add_bulk(q2_session, copies=10 * metrics_before)
    assert models.Metric.objects.count() >= 10 * metrics_before
    assert models.Objective.objects.count() >= 10 * objectives_before
    assert models.QuarterlyStatus.objects.count() > 10 * 41
    after = {name: count_queries(viewer, url) for name, url in pages.items()}
    assert after == before
