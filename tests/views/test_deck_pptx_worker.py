"""GET /sessions/<id>/deck.pptx with a worker: the file is built there, the link answers
"being prepared" (202) until it is stored, then sends it; a write makes a new one."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from metrics.caching.versions import data_version_bump
from metrics.pptx_export import PPTX_CONTENT_TYPE
from metrics.services import deck_files, jobs
from metrics.tasks import deck_pptx_build
from tests.factories import UserFactory
from tests.pptx_export.reading import open_deck, title_of
from tests.selectors.builders import build_small_deck

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch, settings, tmp_path):
    """A worker's queue that records what it is sent; files stored under tmp_path."""
    settings.DECK_FILES_ROOT = tmp_path
    cache.clear()
    sent = []
    monkeypatch.setattr(
        jobs,
        "_queue",
        jobs.JobQueue(
            send=lambda task, *args: sent.append((task, args)), runs_in_process=lambda: False
        ),
    )
    return sent


@pytest.fixture
def session():
    return build_small_deck()


@pytest.fixture
def viewer(client):
    client.force_login(UserFactory(roles=["Viewer"]))
    return client


def url(session_id) -> str:
    return reverse("metrics:session_deck_pptx", kwargs={"session_id": session_id})


def test_the_link_says_being_prepared_and_queues_the_build_once(viewer, session, sent):
    browser = viewer.get(url(session.id), HTTP_ACCEPT="text/html,*/*")
    script = viewer.get(url(session.id), HTTP_ACCEPT="*/*")

    assert browser.status_code == script.status_code == 202
    assert browser["Retry-After"] == script["Retry-After"] == "5"
    assert b'http-equiv="refresh"' in browser.content
    assert session.title.encode() in browser.content
    assert script["Content-Type"].startswith("text/plain")
    assert sent == [(deck_files.TASK, (session.id,))]


def test_the_stored_file_is_sent_once_the_worker_built_it(viewer, session, sent):
    viewer.get(url(session.id))
    assert deck_pptx_build(session.id) is True
    assert deck_pptx_build(session.id) is False  # idempotent: stored already

    response = viewer.get(url(session.id))

    assert response.status_code == 200
    assert response["Content-Type"] == PPTX_CONTENT_TYPE
    assert response["Content-Disposition"] == (
        'attachment; filename="thriving-movement-tuning-session-q2-fy20-21.pptx"'
    )
    assert title_of(open_deck(response.content).slides[0]) == session.title
    assert len(sent) == 1


def test_a_write_makes_the_next_download_build_a_new_file(viewer, session, sent, tmp_path):
    viewer.get(url(session.id))
    deck_pptx_build(session.id)
    data_version_bump()

    assert viewer.get(url(session.id)).status_code == 202
    assert len(sent) == 2
    deck_pptx_build(session.id)
    assert viewer.get(url(session.id)).status_code == 200
    # The session's older file is removed when its new one is stored.
    assert len(list(tmp_path.glob(f"session-{session.id}-*.pptx"))) == 1


def test_without_a_broker_to_take_it_the_request_builds_the_file(
    viewer, session, sent, monkeypatch
):
    def refuse(task, *args):
        raise ConnectionError("broker down")

    monkeypatch.setattr(jobs, "_queue", jobs.JobQueue(send=refuse, runs_in_process=lambda: False))

    response = viewer.get(url(session.id))

    assert response.status_code == 200
    assert title_of(open_deck(response.content).slides[0]) == session.title


def test_an_unknown_session_is_a_404_with_a_worker_too(viewer, session, sent):
    assert viewer.get(url(session.id + 999)).status_code == 404
    assert sent == []


def test_in_the_database_storage_the_file_is_stored_once_and_a_new_version_replaces_it(
    viewer, session, sent, settings
):
    from metrics import models

    settings.STORAGES = {
        **settings.STORAGES,
        "deck_files": {"BACKEND": "metrics.storage.DatabaseStorage"},
    }
    assert deck_pptx_build(session.id) is True
    assert deck_pptx_build(session.id) is False  # stored already: kept
    stored = viewer.get(url(session.id))
    assert stored.status_code == 200 and stored["Content-Type"] == PPTX_CONTENT_TYPE

    data_version_bump()
    assert deck_pptx_build(session.id) is True
    assert models.StoredFile.objects.count() == 1  # the older version's file is gone


def test_saving_sign_in_counts_answers_and_files_never_invalidates_the_pages(
    db, settings, tmp_path
):
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    from metrics.accounts import signin_failure_record
    from metrics.models import DataVersion

    settings.DECK_FILES_ROOT = tmp_path
    before = DataVersion.objects.values_list("version", flat=True).first()
    signin_failure_record(None, "someone")
    storages["deck_files"].save("probe.txt", ContentFile(b"x"))
    storages["deck_files"].delete("probe.txt")

    assert DataVersion.objects.values_list("version", flat=True).first() == before
