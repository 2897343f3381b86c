"""Every dashboard page runs a bounded number of queries, the same with ten times the data;
rendered once per data version, a page read again runs only the reader's and the version's."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from metrics import models
from tests.factories import UserFactory
from tests.selectors.builders import add_bulk

pytestmark = pytest.mark.django_db

# Session and user lookups (3), the data version (1), the session's header (1), its sidebar
# (2) and switcher (1), then what the page itself reads: the whole deck (14, content blocks
# included) for the pages that print all of it (and the objective page), one metric (4) and its
# chart data (3), the acronyms; a session in preparation's check-in progress (2); the whole
# deck also prints the earlier session's metrics table (S17: its id and its deck, 16; for a
# held session, as stored when it was held: one read of its snapshot, 1). The whole deck
# comes in parts: its layout and the earlier session's (header and rows: 1 to 5 more), each
# part's deck and the earlier table's built for the part alone (the earlier table's without
# objectives: 7 fewer). The metrics tables,
# the overview and the objective page build only their page's part of the deck, after the
# layout that cuts it in pages (3 queries, cached under the version, which every page's
# sidebar reads too: it lists the page's part); the overview's tally reads plain rows (3); the
# comparison reads both sessions' headers and layouts to build only its page of both decks.
# The overview, the first time after a structure write, also reads the deck's shell (its
# texts and footnotes, cached under the structure version), which departments each objective
# shows, and its check-in states, tallies and rows per department (selectors/deck_departments.py,
# overview_departments.py): 5 more, a fixed number whatever the data.
PAGE_BOUNDS = {
    "session": 28,
    "session_overview": 39,
    "session_metrics": 24,
    "metric": 18,
    "objective": 26,
    "session_appendix": 12,
    "session_deck": 46,
    "session_compare": 39,
}
# Read again with nothing changed: the reader (3) and the version (1); the overview adds what
# moves without a version bump, the last recompute and the pending count (1; its submissions
# are cached under the version).
CACHED_BOUNDS = dict.fromkeys(PAGE_BOUNDS, 4) | {"session_overview": 5}


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


@pytest.mark.parametrize("name", list(PAGE_BOUNDS))
def test_a_page_read_again_comes_from_the_cache(viewer, q2_session, name):
    url = urls(q2_session.id)[name]
    first = viewer.get(url)

    with CaptureQueriesContext(connection) as captured:
        again = viewer.get(url)

    assert len(captured) <= CACHED_BOUNDS[name]
    assert _without_csrf(again.content) == _without_csrf(first.content)


def _without_csrf(content: bytes) -> bytes:
    import re

    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)


def test_query_counts_do_not_grow_with_ten_times_the_seed(viewer, q2_session):
    pages = urls(q2_session.id)
    before = {name: count_queries(viewer, url) for name, url in pages.items()}
    cache.clear()
    metrics_before = models.Metric.objects.count()
    objectives_before = models.Objective.objects.count()
    add_bulk(q2_session, copies=10 * metrics_before)
    assert models.Metric.objects.count() >= 10 * metrics_before
    assert models.Objective.objects.count() >= 10 * objectives_before
    assert models.QuarterlyStatus.objects.count() > 10 * 41
    cache.clear()
    after = {name: count_queries(viewer, url) for name, url in pages.items()}
    # The whole deck at 10x comes in parts: its first one prints only metrics tables, less than
    # the seed's one part (tests/views/test_print_deck_parts.py bounds every part).
    assert after.pop("session_deck") <= before.pop("session_deck")
    assert after == before
