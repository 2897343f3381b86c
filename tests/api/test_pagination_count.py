"""A list's COUNT(*) is read once per data version and query, never stale."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from metrics import models
from tests.factories import UserFactory
from tests.selectors.builders import build_small_deck
from tests.views.test_page_cache import save_editors_q2

pytestmark = pytest.mark.django_db


def count_queries(captured) -> int:
    return sum("COUNT(*)" in q["sql"] for q in captured.captured_queries)


def test_pages_of_a_list_share_one_count_until_a_write(client):
    build_small_deck()
    client.force_login(UserFactory(roles=["Viewer"]))
    url = reverse("api:quarterly-status-list", kwargs={"version": "v1"})
    total = client.get(url).json()["count"]

    with CaptureQueriesContext(connection) as captured:
        second = client.get(url + "?limit=2&offset=1").json()
    assert second["count"] == total and count_queries(captured) == 0

    save_editors_q2(Decimal("95500"))  # updates a status, adds none
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url + "?limit=2").json()["count"] == total
    assert count_queries(captured) == 1


def test_a_filtered_list_has_its_own_count(client):
    build_small_deck()
    client.force_login(UserFactory(roles=["Viewer"]))
    url = reverse("api:quarterly-status-list", kwargs={"version": "v1"})
    total = client.get(url).json()["count"]

    editors = models.Metric.objects.get(slug="monthly-active-editors")
    some = client.get(url + f"?metric={editors.id}").json()

    assert 0 < some["count"] < total
    assert some["count"] == len(some["results"])
