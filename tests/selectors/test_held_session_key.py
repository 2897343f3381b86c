"""What a held session's pages are cached under (SessionHeader.frozen, page_cache.HoldToken):
its stored deck, named by the hold and the snapshot; empty, so the data version, whenever
its pages could read anything live."""

import pytest

from metrics import models
from metrics.caching.versions import HoldToken, data_version_current, session_content_version
from metrics.selectors.session_pages import session_header
from metrics.selectors.snapshots import snapshot_head
from metrics.services import sessions as cycle
from tests.factories import UserFactory
from tests.selectors.builders import build_small_deck

pytestmark = pytest.mark.django_db


@pytest.fixture
def held():
    return cycle.session_hold(actor=UserFactory(is_superuser=True), session=build_small_deck())


def test_a_session_in_preparation_follows_the_data_version():
    header = session_header(build_small_deck().pk)
    version = data_version_current()
    assert header.frozen == ""
    assert session_content_version(version, header) is version


def test_a_held_session_is_keyed_by_its_hold(held):
    header = session_header(held.pk)
    token = session_content_version(data_version_current(), header)
    assert token == HoldToken(held.pk, header.frozen)
    assert f"{held.held_at.timestamp():.6f}" in token.key


def test_a_snapshot_stored_again_at_the_same_hold_time_is_another_deck(held):
    first = session_header(held.pk).frozen
    # As a reseed does: the session loaded held, without its snapshot, then frozen again.
    models.TuningSession.objects.filter(pk=held.pk).update(snapshot=None, snapshot_head=None)
    assert session_header(held.pk).frozen == ""

    cycle.session_freeze_presented()

    second = session_header(held.pk).frozen
    assert second and second != first


@pytest.mark.parametrize("missing", ["charts", "earlier"])
def test_a_snapshot_that_leaves_pages_to_live_figures_follows_the_data_version(held, missing):
    snapshot = models.TuningSession.objects.defer(None).get(pk=held.pk).snapshot
    del snapshot[missing]
    models.TuningSession.objects.filter(pk=held.pk).update(
        snapshot=snapshot, snapshot_head=snapshot_head(snapshot)
    )

    header = session_header(held.pk)

    assert header.is_held and header.frozen == ""


def test_the_header_reads_the_snapshot_head_not_the_snapshot(held):
    """Reading a key out of the stored snapshot decompresses all of it (tens of MB at
    scale): the header reads the small head stored beside it."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        header = session_header(held.pk)
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert not re.search(r'"snapshot"\s*(->|#>)|json_extract\([^,]*"snapshot",', sql, re.I)
    assert header.is_held and header.frozen
    assert header.title == held.title
