"""GET /sessions/<id>/deck.pptx: the session's deck as PowerPoint for whoever reads its
pages, linked from every session page, in a bounded number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from metrics.pptx_export import PPTX_CONTENT_TYPE
from tests.factories import UserFactory
from tests.pptx_export.reading import open_deck, title_of
from tests.selectors.builders import add_bulk, build_small_deck

pytestmark = pytest.mark.django_db

# Session and user (3), this session's state and deck (14), the earlier session (2), the chart data (3).
DOWNLOAD_QUERIES = 22


def url(session_id) -> str:
    return reverse("metrics:session_deck_pptx", kwargs={"session_id": session_id})


@pytest.fixture
def session():
    return build_small_deck()


@pytest.mark.parametrize("role", ["Viewer", "Executive", "Department lead", "Admin"])
def test_every_reader_downloads_the_deck(client, session, role):
    client.force_login(UserFactory(roles=[role]))
    response = client.get(url(session.id))

    assert response.status_code == 200
    assert response["Content-Type"] == PPTX_CONTENT_TYPE
    assert response["Content-Disposition"] == (
        'attachment; filename="thriving-movement-tuning-session-q2-fy20-21.pptx"'
    )
    assert title_of(open_deck(response.content).slides[0]) == session.title


def test_visitors_sign_in_first_and_users_without_a_role_are_refused(client, session):
    anonymous = client.get(url(session.id))
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("login"))

    client.force_login(UserFactory(roles=[]))
    assert client.get(url(session.id)).status_code == 403


def test_an_unknown_session_is_a_404(client, session):
    client.force_login(UserFactory(roles=["Viewer"]))
    assert client.get(url(session.id + 999)).status_code == 404


@pytest.mark.parametrize("page", ["session", "session_metrics", "session_appendix", "session_deck"])
def test_session_pages_link_the_download(client, session, page):
    client.force_login(UserFactory(roles=["Viewer"]))
    html = client.get(reverse(f"metrics:{page}", kwargs={"session_id": session.id})).content
    assert f'href="{url(session.id)}"'.encode() in html


def test_the_download_runs_the_same_queries_for_more_data(client, session):
    client.force_login(UserFactory(roles=["Viewer"]))

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url(session.id))
        assert response.status_code == 200
        return len(captured.captured_queries)

    small = count()
    add_bulk(session, copies=6)
    assert small <= DOWNLOAD_QUERIES
    assert count() == small
