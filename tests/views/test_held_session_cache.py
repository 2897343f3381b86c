"""A held session's pages show its stored deck, which no write changes: their content, the
deck and the ETag are keyed by the hold, so a save anywhere else leaves them cached. What
they show besides the deck (the session switcher) still follows every write, and reopening
or holding again shows the deck anew."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from metrics import models
from metrics.caching.versions import data_version_current
from metrics.services import sessions as cycle
from metrics.services.recompute_runs import recompute_run
from metrics.services.statuses import quarterly_status_save
from tests.factories import UserFactory
from tests.selectors.builders import build_small_deck

pytestmark = pytest.mark.django_db

PAGES = [
    ("session", {}),
    ("session_overview", {}),
    ("session_metrics", {}),
    ("metric", {"metric_slug": "monthly-active-editors"}),
    ("objective", {"objective_slug": "armdeb"}),
    ("session_appendix", {}),
    ("session_deck", {}),
]
# After a write: the reader (3), the version (1), the header (1) and the switcher (1); the
# overview adds its department filter, its submissions and its recompute strip (3).
AFTER_A_WRITE = dict.fromkeys(dict(PAGES), 6) | {"session_overview": 9}
# A read of the stored deck selects the snapshot column itself (the header only looks into it).
DECK_READ = re.compile(r'(SELECT|,) "metrics_tuningsession"\."snapshot"(,| FROM)')


@pytest.fixture
def admin():
    return UserFactory(is_superuser=True)


@pytest.fixture
def held(admin):
    session = build_small_deck()
    # A recompute has run: the overview says "recomputed 0 minutes ago" before and after
    # the saves below (whose recompute runs in process).
    recompute_run(task_name="metrics.recompute_all", metric_ids=None)
    return cycle.session_hold(actor=admin, session=session)


@pytest.fixture
def open_next(held, admin):
    """The next quarter's session, in preparation: where the check-ins now go."""
    return cycle.session_open_next(actor=admin, source=held, notify=False).session


@pytest.fixture
def viewer(client):
    client.force_login(UserFactory(roles=["Viewer"]))
    return client


def url_of(session, name, kwargs):
    return reverse(f"metrics:{name}", kwargs={"session_id": session.pk, **kwargs})


@pytest.fixture
def save_editors(django_capture_on_commit_callbacks):
    """A check-in save, committed: its recompute runs (in process) and fulfils its request."""

    def save(quarter, value):
        with django_capture_on_commit_callbacks(execute=True):
            quarterly_status_save(
                metric=models.Metric.objects.get(slug="monthly-active-editors"),
                segment=None,
                quarter=quarter,
                actor=UserFactory(is_superuser=True),
                source="form",
                value=value,
            )

    return save


def without_csrf(content: bytes) -> bytes:
    # And the time of the last recompute (the overview's live strip), which the save's
    # recompute moves.
    content = re.sub(rb'<time datetime="[^"]+">', b"", content)
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_a_save_in_the_open_session_leaves_the_held_sessions_page_cached(
    viewer, held, open_next, save_editors, name, kwargs, django_assert_max_num_queries
):
    url = url_of(held, name, kwargs)
    first = viewer.get(url)
    version_before = data_version_current().version

    save_editors(open_next.quarter, Decimal("101000"))
    assert data_version_current().version > version_before

    with (
        CaptureQueriesContext(connection) as captured,
        django_assert_max_num_queries(AFTER_A_WRITE[name]),
    ):
        again = viewer.get(url)
    assert again.status_code == 200
    assert not [q["sql"] for q in captured.captured_queries if DECK_READ.search(q["sql"])]
    assert without_csrf(again.content) == without_csrf(first.content)
    assert again["ETag"] == first["ETag"]


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_a_held_session_page_reloaded_after_a_write_elsewhere_is_a_304(
    viewer, held, open_next, save_editors, name, kwargs
):
    url = url_of(held, name, kwargs)
    etag = viewer.get(url)["ETag"]

    save_editors(open_next.quarter, Decimal("101000"))

    assert viewer.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_the_held_deck_is_not_built_again_after_a_write(
    viewer, held, open_next, save_editors, monkeypatch
):
    from metrics.selectors import deck as deck_selectors

    built = []
    real = deck_selectors.session_deck
    monkeypatch.setattr(deck_selectors, "session_deck", lambda sid: built.append(sid) or real(sid))
    viewer.get(url_of(held, "session_metrics", {}))
    save_editors(open_next.quarter, Decimal("101000"))

    viewer.get(url_of(held, "session_deck", {}))  # not rendered yet: reads the deck
    assert built == [held.pk]


def test_the_switcher_of_a_held_session_shows_a_session_opened_since(viewer, held, admin):
    url = url_of(held, "session_metrics", {})
    first = viewer.get(url)
    assert b"Q3" not in first.content.split(b"session-switcher")[1].split(b"</nav>")[0]

    opened = cycle.session_open_next(actor=admin, source=held, notify=False).session

    again = viewer.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert reverse("metrics:session", kwargs={"session_id": opened.pk}).encode() in again.content


def test_reopening_and_holding_again_show_the_deck_anew(viewer, held, admin, save_editors):
    url = url_of(held, "metric", {"metric_slug": "monthly-active-editors"})
    assert b"Held: as presented" in viewer.get(url).content
    presented = b"+7.2% YoY (91K/mo"  # the Q2 cell
    assert presented in viewer.get(url).content

    session = cycle.session_reopen(actor=admin, session=held)
    reopened = viewer.get(url).content
    assert b"In preparation" in reopened

    save_editors(session.quarter, Decimal("95500"))
    assert b"96K" in viewer.get(url).content

    cycle.session_hold(actor=admin, session=session)
    held_again = viewer.get(url).content
    assert b"Held: as presented" in held_again
    assert b"96K" in held_again and presented not in held_again


def test_the_held_sessions_deck_document_is_a_304_after_a_write_elsewhere(
    viewer, held, open_next, save_editors
):
    url = reverse("api:session-deck", kwargs={"version": "v1", "pk": held.pk})
    first = viewer.get(url)

    save_editors(open_next.quarter, Decimal("101000"))

    assert viewer.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert viewer.get(url).content == first.content
