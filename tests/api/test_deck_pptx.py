"""The deck endpoint's PowerPoint form: `/deck.pptx`, `?format=pptx` or the Accept header,
for whoever may read the deck; errors stay JSON; the schema documents both forms."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from metrics.pptx_export import PPTX_CONTENT_TYPE
from tests.api.conftest import api_url, client_for
from tests.pptx_export.reading import open_deck, title_of
from tests.selectors.builders import add_bulk

pytestmark = pytest.mark.django_db


def pptx_url(session_id) -> str:
    return reverse("api:session-deck", kwargs={"version": "v1", "pk": session_id, "format": "pptx"})


@pytest.mark.parametrize("role", ["viewer", "lead", "executive"])
def test_every_reader_downloads_the_deck_as_pptx(world, clients, role):
    response = clients[role].get(pptx_url(world.session.pk))

    assert response.status_code == 200
    assert response["Content-Type"] == PPTX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith("attachment; filename=")
    deck = open_deck(response.content)
    assert title_of(deck.slides[0]) == world.session.title


def test_format_parameter_and_accept_header_give_the_same_file(world, clients):
    url = api_url("session-deck", world.session.pk)
    by_query = clients["viewer"].get(url, {"format": "pptx"})
    by_accept = clients["viewer"].get(url, HTTP_ACCEPT=PPTX_CONTENT_TYPE)
    assert by_query["Content-Type"] == by_accept["Content-Type"] == PPTX_CONTENT_TYPE
    assert [title_of(s) for s in open_deck(by_query.content).slides] == [
        title_of(s) for s in open_deck(by_accept.content).slides
    ]
    # Without asking, the deck is JSON as before.
    assert clients["viewer"].get(url)["Content-Type"] == "application/json"


def test_errors_of_the_pptx_form_are_json(world, clients):
    missing = clients["viewer"].get(pptx_url(world.session.pk + 999))
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/json"
    assert "detail" in missing.json()
    anonymous = clients["anonymous"].get(pptx_url(world.session.pk))
    assert anonymous.status_code == 401
    assert anonymous["Content-Type"] == "application/json"
    no_role = clients["no_role"].get(pptx_url(world.session.pk))
    assert no_role.status_code == 403
    assert no_role["Content-Type"] == "application/json"


def test_the_schema_documents_the_pptx_form(users):
    response = client_for(users["viewer"]).get(
        reverse("api:schema", kwargs={"version": "v1"}), {"format": "json"}
    )
    operation = response.json()["paths"]["/api/v1/sessions/{id}/deck/"]["get"]
    content = operation["responses"]["200"]["content"]
    assert set(content) == {"application/json", PPTX_CONTENT_TYPE}
    assert content[PPTX_CONTENT_TYPE]["schema"]["format"] == "binary"
    assert any(p["name"] == "format" for p in operation["parameters"])


def test_the_pptx_runs_the_same_queries_for_more_data(world, clients):
    url = pptx_url(world.session.pk)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = clients["viewer"].get(url)
        assert response.status_code == 200
        return len(captured.captured_queries)

    small = count()
    add_bulk(world.session, copies=5)
    assert count() == small
