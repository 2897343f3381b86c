"""Pages and API reads are cached under the data version, never stale: after any write the
next read shows it. A reload with nothing changed is a 304; HTML and JSON are compressed."""

import gzip
from decimal import Decimal

import pytest
from django.urls import reverse

from metrics import models
from metrics.caching.versions import data_version_current
from metrics.services.statuses import quarterly_status_save
from tests.factories import UserFactory
from tests.selectors.builders import build_small_deck

pytestmark = pytest.mark.django_db


@pytest.fixture
def session():
    return build_small_deck()


@pytest.fixture
def viewer(client):
    client.force_login(UserFactory(roles=["Viewer"]))
    return client


def pages(session_id):
    return [
        reverse("metrics:session_metrics", kwargs={"session_id": session_id}),
        reverse("metrics:session_overview", kwargs={"session_id": session_id}),
        reverse(
            "metrics:metric",
            kwargs={"session_id": session_id, "metric_slug": "monthly-active-editors"},
        ),
        reverse("metrics:objective", kwargs={"session_id": session_id, "objective_slug": "armdeb"}),
        reverse("metrics:session_deck", kwargs={"session_id": session_id}),
        reverse("api:session-deck", kwargs={"version": "v1", "pk": session_id}),
    ]


def save_editors_q2(value, source="form"):
    quarterly_status_save(
        metric=models.Metric.objects.get(slug="monthly-active-editors"),
        segment=None,
        quarter=models.Quarter.objects.get(fiscal_year=2020, number=2),
        actor=UserFactory(is_superuser=True),
        source=source,
        value=value,
    )


@pytest.mark.parametrize("index", range(6))
def test_a_cached_page_shows_a_write_at_once(viewer, session, index):
    url = pages(session.id)[index]
    assert b"92K" in viewer.get(url).content
    assert b"92K" in viewer.get(url).content  # now from the cache

    save_editors_q2(Decimal("95500"))

    content = viewer.get(url).content
    assert b"96K" in content and b"92K/mo" not in content


def test_an_edit_through_the_admin_shows_at_once(client, session):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    url = reverse("metrics:session_appendix", kwargs={"session_id": session.id})
    assert b"GLAM" in client.get(url).content
    acronym = models.Acronym.objects.get(term="GLAM")

    response = client.post(
        reverse("admin:metrics_acronym_change", args=[acronym.pk]),
        {"session": session.pk, "term": "GLAMS", "meaning": "Galleries"},
    )

    assert response.status_code == 302
    assert b"GLAMS" in client.get(url).content


def test_a_reload_with_nothing_changed_is_a_304(viewer, session):
    for url in pages(session.id):
        first = viewer.get(url)
        assert first.status_code == 200 and first["ETag"]
        assert "no-cache" in first["Cache-Control"] and "private" in first["Cache-Control"]

        again = viewer.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

        assert again.status_code == 304, url
        assert again.content == b""


def test_after_a_write_the_old_etag_gets_the_new_page(viewer, session):
    url = pages(session.id)[0]
    etag = viewer.get(url)["ETag"]

    save_editors_q2(Decimal("95500"))
    response = viewer.get(url, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response["ETag"] != etag


def test_another_reader_does_not_get_a_304_for_the_first_readers_copy(client, session):
    url = pages(session.id)[0]
    client.force_login(UserFactory(roles=["Viewer"]))
    etag = client.get(url)["ETag"]

    client.force_login(UserFactory(roles=["Executive"]))

    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_api_lists_answer_304_too(viewer, session):
    url = reverse("api:quarterly-status-list", kwargs={"version": "v1"})
    etag = viewer.get(url)["ETag"]

    assert viewer.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert viewer.get(url + "?limit=1", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_pages_and_json_are_compressed_for_clients_that_accept_it(viewer, session):
    for url in pages(session.id):
        response = viewer.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert response["Content-Encoding"] == "gzip", url
        assert b"92K" in gzip.decompress(response.content)


def test_the_token_page_is_never_compressed(viewer):
    response = viewer.get(reverse("api:token"), HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 200
    assert "Content-Encoding" not in response


def all_reads(session_id):
    return [*pages(session_id), reverse("api:quarterly-status-list", kwargs={"version": "v1"})]


@pytest.mark.parametrize("encoding", ["gzip", ""])
def test_the_same_request_again_is_sent_the_stored_bytes(
    viewer, session, encoding, django_assert_max_num_queries
):
    viewer.get(pages(session.id)[0])  # a first visit: the CSRF cookie
    for url in all_reads(session.id):
        first = viewer.get(url, HTTP_ACCEPT_ENCODING=encoding)

        # Session, user, role, version and the page's own lookups or live strip; no rendering
        # (the CSRF token's fresh mask and the compressor's random padding would differ).
        with django_assert_max_num_queries(7):
            again = viewer.get(url, HTTP_ACCEPT_ENCODING=encoding)

        assert again.status_code == 200
        assert again.content == first.content, url
        assert again["Content-Type"] == first["Content-Type"]
        assert again["ETag"] == first["ETag"]
        assert again.get("Content-Encoding") == first.get("Content-Encoding")


def test_a_stored_response_is_never_sent_after_a_write(viewer, session):
    for url in all_reads(session.id):
        viewer.get(url, HTTP_ACCEPT_ENCODING="gzip")
    save_editors_q2(Decimal("95500"))

    for url in all_reads(session.id):
        response = viewer.get(url, HTTP_ACCEPT_ENCODING="gzip")
        content = gzip.decompress(response.content)
        assert b"95500" in content or b"96K" in content, url


def test_the_overview_live_strip_is_never_stored_stale(viewer, session):
    url = reverse("metrics:session_overview", kwargs={"session_id": session.id})
    assert b"waiting for a recompute" not in viewer.get(url).content

    # Owed recomputes are bookkeeping, no write of shown data: the data version stays.
    models.RecomputeRequest.objects.create(metric=models.Metric.objects.first())

    assert b"waiting for a recompute" in viewer.get(url).content


def test_a_recompute_that_changes_nothing_shows_on_the_next_overview(
    viewer, session, django_assert_max_num_queries
):
    from metrics.selectors.job_runs import job_run_latest
    from metrics.services.recompute_requests import recompute_request
    from metrics.services.recompute_runs import recompute_pending_run, recompute_run

    url = reverse("metrics:session_overview", kwargs={"session_id": session.id})
    recompute_run(task_name="metrics.recompute_all", metric_ids=None)
    # Owed and then fulfilled without changing a figure: no data-version bump either way.
    recompute_request(metric_ids=[models.Metric.objects.first().pk], reason="a save")
    version = data_version_current().version
    assert b"1 metric waiting for a recompute" in viewer.get(url).content

    recompute_pending_run(task_name="metrics.recompute_pending")

    assert data_version_current().version == version
    response = viewer.get(url)
    assert b"waiting for a recompute" not in response.content
    assert response.context["recomputed_at"] == job_run_latest().finished_at
    # Read again: the reader (3), the version (1) and the recompute strip (1), nothing else.
    with django_assert_max_num_queries(5):
        assert viewer.get(url).status_code == 200


def test_pages_of_one_version_build_the_whole_deck_once_and_parts_only_where_shown(
    viewer, session, monkeypatch
):
    from metrics.selectors import deck as deck_selectors

    whole, parts = [], []
    real = deck_selectors._session_deck

    def recording(sid, *, presented, window=deck_selectors.WHOLE_DECK):
        (whole if window == deck_selectors.WHOLE_DECK else parts).append(sid)
        return real(sid, presented=presented, window=window)

    monkeypatch.setattr(deck_selectors, "_session_deck", recording)
    for url in pages(session.id):
        viewer.get(url)
    # The whole deck page and the deck API share one build; the metrics tables, the overview
    # and the objective page each build only the part they show (the first two from rows
    # cached per department, around a shell of the deck's texts built once: one more).
    assert whole == [session.id]
    assert parts == [session.id] * 4

    save_editors_q2(Decimal("95500"))
    assert b"96K" in viewer.get(pages(session.id)[0]).content
    assert whole == [session.id]
    assert b"96K" in viewer.get(pages(session.id)[4]).content
    assert whole == [session.id, session.id]


def test_an_api_client_without_cookies_gets_304s_and_stored_bytes(session):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    token = Token.objects.create(user=UserFactory(roles=["Viewer"]))
    api = APIClient(enforce_csrf_checks=True)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_ENCODING="gzip")
    url = reverse("api:quarterly-status-list", kwargs={"version": "v1"})

    first = api.get(url)
    api.cookies.clear()  # a client that keeps no cookie
    again = api.get(url)

    assert again.content == first.content and again["ETag"] == first["ETag"]
    api.cookies.clear()
    assert api.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_a_first_visit_without_the_csrf_cookie_is_not_stored(client, session):
    from django.core.cache import cache

    client.force_login(UserFactory(roles=["Viewer"]))
    client.cookies.pop("csrftoken", None)
    cache.clear()

    client.get(pages(session.id)[0])

    assert not [key for key in cache._cache if "okr:response:" in key]
