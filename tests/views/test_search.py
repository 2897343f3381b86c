"""The header's search: metrics, objectives, key results and sessions, linked to their
pages, in a bounded number of queries. Full-text search on PostgreSQL (run this file with
DATABASE_URL=postgres://...), a plain substring match elsewhere."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from metrics import models
from metrics.selectors.search import MAX_QUERY_LENGTH, search
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    call_command("loaddata", "seed_deck", verbosity=0)
    return models.TuningSession.objects.get(quarter__fiscal_year=2020, quarter__number=2)


def kinds(results):
    return {group.kind: [hit.obj for hit in group.hits] for group in results.groups}


def test_the_page_finds_each_kind_and_links_to_its_page(
    client, seeded, django_assert_max_num_queries
):
    client.force_login(UserFactory(roles=["Viewer"]))
    client.get(reverse("metrics:search"), {"q": "warm up"})

    # One query per kind (seven), the latest session, the data version, the reader.
    with django_assert_max_num_queries(12):
        response = client.get(reverse("metrics:search"), {"q": "active editors"})
    # Asked again under the same data version: the cached results.
    with django_assert_max_num_queries(5):
        client.get(reverse("metrics:search"), {"q": "active editors"})

    html = response.content.decode()
    metric = models.Metric.objects.get(slug="monthly-active-editors")
    assert metric in kinds(response.context["results"])["metric"]
    assert (
        reverse("metrics:metric", kwargs={"session_id": seeded.id, "metric_slug": metric.slug})
        in html
    )
    # The header's box on every page.
    assert 'role="search"' in html and f'action="{reverse("metrics:search")}"' in html

    objective = models.Objective.objects.get(short_name="ARMDEB")
    assert objective in kinds(search("ARMDEB"))["objective"]
    key_result = models.KeyResult.objects.exclude(description="").order_by("pk").first()
    word = max(key_result.description.split(), key=len).strip(".,;:()*")
    assert key_result in kinds(search(word)).get("key_result", [])
    assert seeded in kinds(search("Tuning Session"))["session"]
    # A substring everywhere; on PostgreSQL full-text search as well.
    results = search("diverse")
    assert results.full_text is (connection.vendor == "postgresql")
    assert kinds(results)["metric"]
    if connection.vendor == "postgresql":
        # The name says "editors": the English stemmer matches "editor" and "retaining".
        assert metric in kinds(search("editor"))["metric"]
        assert kinds(search("retaining"))["objective"]


def test_hostile_and_empty_queries_are_harmless(client, seeded):
    client.force_login(UserFactory(roles=["Viewer"]))
    for query in ("", "   ", "%", "_", "'; drop table metrics; --", "<script>x</script>", "!!&|"):
        response = client.get(reverse("metrics:search"), {"q": query})
        assert response.status_code == 200
        assert "<script>x</script>" not in response.content.decode()
    assert len(search("x" * 5000).query) == MAX_QUERY_LENGTH


def test_anonymous_visitors_sign_in_first(client):
    response = client.get(reverse("metrics:search"), {"q": "x"})
    assert response.status_code == 302
