"""The deck endpoint of a large session comes in parts (?part=N) that a client follows by
the Link header: the same document, each part with its outcomes and objectives, together
every row and objective once in deck order; the seed deck is one part, the document it always
was; a held session's parts are its deck as presented."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics import models
from metrics.management.commands.generate_demo_data import demo_data_generate
from metrics.selectors import deck_layout as layout_module
from metrics.selectors.deck import session_deck
from metrics.services.sessions import session_hold
from tests.api.conftest import api_url, client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# What the whole seed deck runs (up to 23: the reader, the session, the version, its header,
# the layout (3), the deck (DECK_QUERIES)) and one query more, the outcomes' order, for a part
# that holds some of them; a live session's document carries its comment threads (3: threads,
# their comments with authors, the revisions).
PART_QUERIES = 27
# A part of a large live deck read with nothing cached: its rows come from parts cached per
# department (selectors/deck_departments.py), so it also reads the deck's shell (texts and
# footnotes) and which departments each objective shows, once per structure version.
COLD_PART_QUERIES = PART_QUERIES + 6


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(layout_module, "METRICS_PER_PAGE", 4)
    monkeypatch.setattr(layout_module, "KEY_RESULTS_PER_PAGE", 5)


@pytest.fixture
def session():
    demo_data_generate(scale=3, seed=3)
    return models.TuningSession.objects.order_by(
        "-quarter__fiscal_year", "-quarter__number"
    ).first()


@pytest.fixture
def reader(db):
    return client_for(UserFactory(username="reader", roles=["Viewer"]))


def links(response) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response["Link"])}


def follow(client, session_id) -> list:
    """Every part, from the first by rel="next"."""
    responses = [client.get(api_url("session-deck", session_id))]
    while "next" in links(responses[-1]):
        responses.append(client.get(links(responses[-1])["next"]))
    return responses


def test_following_next_reads_every_row_and_objective_once_in_deck_order(
    reader, small_pages, session
):
    responses = follow(reader, session.id)
    whole = session_deck(session.id)
    count = len(responses)
    assert count >= 8
    parts = [r.json() for r in responses]
    for number, response in enumerate(responses, start=1):
        assert response.status_code == 200
        assert (response["X-Part"], response["X-Total-Parts"]) == (str(number), str(count))
        rels = links(response)
        assert rels["first"] == f"http://testserver{api_url('session-deck', session.id)}?part=1"
        assert rels["last"].endswith(f"?part={count}")
        assert ("prev" in rels) == (number > 1)
    rows = [m["slug"] for part in parts for o in part["outcomes"] for m in o["metrics"]]
    assert rows == [row.slug for row in whole.metric_rows]
    objectives = [o["slug"] for part in parts for o in part["objectives"]]
    assert objectives == [block.slug for block in whole.objectives]
    for part in parts:
        assert sum(len(o["metrics"]) for o in part["outcomes"]) <= 4
        assert sum(len(o["key_results"]) for o in part["objectives"]) <= 5 or (
            len(part["objectives"]) == 1
        )
        # The same document: every key, the session's texts in every part.
        assert list(part) == list(parts[0])
        assert (part["title"], part["acronyms"]) == (parts[0]["title"], parts[0]["acronyms"])


def test_the_seed_deck_is_one_part_the_document_it_always_was(seed_deck, reader):
    for session in models.TuningSession.objects.all():
        url = api_url("session-deck", session.id)
        response = reader.get(url)
        assert (response["X-Part"], response["X-Total-Parts"]) == ("1", "1")
        assert set(links(response)) == {"first", "last"}
        assert reader.get(url, {"part": 1}).content == response.content
        assert len(response.json()["objectives"]) == len(session_deck(session.id).objectives)
        refused = reader.get(url, {"part": 2})
        assert refused.status_code == 400
        assert "part" in refused.json()


@pytest.mark.parametrize("part", ["0", "999", "x", "-1", "²", "1.0"])
def test_a_bad_part_is_a_400_naming_it(reader, small_pages, session, part):
    response = reader.get(api_url("session-deck", session.id), {"part": part})
    assert response.status_code == 400
    assert list(response.json()) == ["part"]


def test_a_part_given_twice_is_a_400(reader, small_pages, session):
    response = reader.get(f"{api_url('session-deck', session.id)}?part=1&part=2")
    assert response.status_code == 400
    assert list(response.json()) == ["part"]


def test_each_part_has_its_etag_and_a_stored_part_keeps_its_links(reader, small_pages, session):
    url = api_url("session-deck", session.id)
    second = reader.get(url, {"part": 2})
    third = reader.get(url, {"part": 3})
    assert second["ETag"] != third["ETag"]
    assert reader.get(url, {"part": 2}, HTTP_IF_NONE_MATCH=second["ETag"]).status_code == 304
    assert reader.get(url, {"part": 3}, HTTP_IF_NONE_MATCH=second["ETag"]).status_code == 200
    again = reader.get(url, {"part": 2})  # the stored response
    assert again.content == second.content
    assert (again["Link"], again["X-Part"]) == (second["Link"], "2")


def test_a_held_sessions_parts_are_its_deck_as_presented(reader, small_pages, session):
    session_hold(actor=UserFactory(roles=["Admin"]), session=session)
    presented = session_deck(session.id)
    before = [r.content for r in follow(reader, session.id)]
    # Edits after the hold change none of the parts.
    models.MetricDefinition.objects.update(name="Renamed after the hold")
    models.MetricDefinition.objects.filter(session=session).order_by("id").first().delete()
    models.QuarterlyStatus.objects.update(comment="edited")
    cache.clear()
    after = follow(reader, session.id)
    assert [r.content for r in after] == before
    rows = [m["slug"] for r in after for o in r.json()["outcomes"] for m in o["metrics"]]
    assert rows == [row.slug for row in presented.metric_rows]


def test_every_part_runs_a_bounded_number_of_queries(
    reader, small_pages, session, django_assert_max_num_queries
):
    count = int(reader.get(api_url("session-deck", session.id))["X-Total-Parts"])
    for number in range(1, count + 1):
        cache.clear()
        with django_assert_max_num_queries(COLD_PART_QUERIES):
            response = reader.get(api_url("session-deck", session.id), {"part": number})
        assert response.status_code == 200


def test_the_seed_deck_runs_no_more_than_a_part(seed_deck, reader):
    session = models.TuningSession.objects.order_by("id").first()
    with CaptureQueriesContext(connection) as captured:
        assert reader.get(api_url("session-deck", session.id)).status_code == 200
    assert len(captured) <= PART_QUERIES
