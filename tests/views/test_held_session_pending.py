"""A held session's pages while its snapshot is still queued (services/sessions/snapshots.py)
show the deck it stores: the same pages before and after it lands."""

import re

import pytest
from django.urls import reverse

from metrics import models, tasks
from metrics.selectors.session_pages import session_header
from metrics.services import jobs
from metrics.services import sessions as cycle
from tests import factories

PAGES = [
    ("session", {}),
    ("session_overview", {}),
    ("session_metrics", {}),
    ("metric", {"metric_slug": "monthly-active-editors"}),
    ("objective", {"objective_slug": "armdeb"}),
    ("session_appendix", {}),
    ("session_deck", {}),
]


@pytest.fixture
def pending_q3(seed_deck, django_capture_on_commit_callbacks):
    admin = factories.UserFactory(username="root", is_superuser=True)
    cycle.session_freeze_presented(actor=admin)
    q2 = models.TuningSession.objects.get(quarter__number=2)
    q3 = cycle.session_open_next(actor=admin, source=q2, notify=False).session
    previous = jobs._queue
    jobs.job_queue_register(
        queue=jobs.JobQueue(send=lambda *args: None, runs_in_process=lambda: False)
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            cycle.session_hold(actor=admin, session=q3)
    finally:
        jobs.job_queue_register(queue=previous)
    assert not session_header(q3.pk).frozen
    return q3


def _normalised(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_the_pages_before_and_after_the_snapshot_lands_are_the_same(
    client, pending_q3, name, kwargs
):
    client.force_login(factories.UserFactory(roles=["Executive"]))
    url = reverse(f"metrics:{name}", kwargs={"session_id": pending_q3.pk, **kwargs})
    before = client.get(url)
    assert before.status_code == 200

    assert tasks.session_snapshot_build(pending_q3.pk)
    assert session_header(pending_q3.pk).frozen
    after = client.get(url)

    assert _normalised(after.content.decode()) == _normalised(before.content.decode())


def test_the_deck_api_before_and_after_the_snapshot_lands_is_the_same(pending_q3):
    from tests.api.conftest import api_url, client_for

    client = client_for(factories.UserFactory(username="reader", roles=["Viewer"]))
    before = client.get(api_url("session-deck", pending_q3.pk)).json()
    tasks.session_snapshot_build(pending_q3.pk)
    after = client.get(api_url("session-deck", pending_q3.pk)).json()

    assert before["session_state"] == "held" and after == before
