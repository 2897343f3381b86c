"""Search reaches what people write: session texts, objective narratives, key-result status
texts and comments (only for readers of the session), with plain-text snippets. On
PostgreSQL (run with DATABASE_URL=postgres://...) through the stored, GIN-indexed vectors."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from metrics import models
from metrics.models.threads import SESSION_KEY
from metrics.search_index import SEARCHED
from metrics.selectors.search import search
from metrics.services.threads import thread_comment_add
from tests.factories import KeyResultStatusFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    call_command("loaddata", "seed_deck", verbosity=0)
    models.TuningSession.objects.update(state="draft")
    return models.TuningSession.objects.get(quarter__fiscal_year=2020, quarter__number=2)


def kinds(results):
    return {group.kind: group.hits for group in results.groups}


def test_the_seed_decks_narratives_are_found_with_plain_snippets(client, seeded):
    reader = UserFactory(roles=["Viewer"])
    disinformation = kinds(search("disinformation", user=reader))
    (session_hit,) = disinformation["session"]
    assert session_hit.obj == seeded
    assert "disinformation" in session_hit.snippet
    # The Markdown's marks are gone: "**COVID-19** disinformation" reads as words.
    assert "**" not in session_hit.snippet

    maxmind = kinds(search("MaxMind", user=reader))
    found = [hit for hits in maxmind.values() for hit in hits]
    assert found and all(
        "MaxMind" in hit.snippet or hit.kind not in ("narrative",) for hit in found
    )
    assert {"objective", "narrative"} & set(maxmind)

    client.force_login(reader)
    # The progress text's "**COVID-19** disinformation infographics", as words.
    page = client.get(reverse("metrics:search"), {"q": "infographics"}).content.decode()
    assert "COVID-19 disinformation infographics" in page and "**" not in page


def test_status_texts_and_comments_are_found_and_comments_only_by_readers(seeded):
    key_result = models.KeyResult.objects.first()
    quarter = models.Quarter.objects.get(fiscal_year=2020, number=2)
    KeyResultStatusFactory(
        key_result=key_result,
        quarter=models.Quarter.objects.get_or_create_fiscal(2020, 3),
        text="Blocked on the *Zanzibar* migration",
    )
    executive = UserFactory(roles=["Executive"])
    thread_comment_add(
        actor=executive, session=seeded, target_key=SESSION_KEY, body="What about **quokkas**?"
    )
    assert quarter

    assert kinds(search("zanzibar", user=executive))["status_text"][0].snippet == (
        "Blocked on the Zanzibar migration"
    )
    comments = kinds(search("quokkas", user=UserFactory(roles=["Viewer"])))["comment"]
    assert comments[0].snippet == "What about quokkas?"
    assert "comment" not in kinds(search("quokkas", user=UserFactory(username="roleless")))
    assert "comment" not in kinds(search("quokkas"))


def test_the_search_page_is_cached_until_the_next_write(
    client, seeded, django_assert_max_num_queries
):
    executive = UserFactory(roles=["Executive"])
    client.force_login(executive)
    client.get(reverse("metrics:search"), {"q": "platypus"})
    thread_comment_add(actor=executive, session=seeded, target_key=SESSION_KEY, body="platypus")
    page = client.get(reverse("metrics:search"), {"q": "platypus"}).content.decode()
    assert "comment by" in page


def test_on_postgresql_each_search_is_an_index_lookup_elsewhere_a_substring_match(seeded):
    if connection.vendor != "postgresql":
        assert search("maxmind").full_text is False
        assert kinds(search("MaxMin"))["narrative"]
        return
    with connection.cursor() as cursor:
        for table in SEARCHED:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexname = %s",
                [table, f"{table}_search_gin"],
            )
            (definition,) = cursor.fetchone()
            assert "gin (search_vector)" in definition
        # With scans discouraged, the planner reads the narratives through the GIN index.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM metrics_sessionobjective WHERE search_vector @@ "
            "websearch_to_tsquery('english', 'maxmind')"
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "metrics_sessionobjective_search_gin" in plan
    # Stemmed English and word beginnings.
    assert kinds(search("infographic"))["session"]
    assert kinds(search("maxm"))
    assert search("maxmind").full_text is True
