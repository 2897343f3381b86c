"""The hold's loop through a real worker: the hold returns with the session held and its
snapshot queued; the worker stores it, and the session's pages switch to the stored deck."""

import re

import pytest

from metrics import models
from metrics.selectors.session_pages import session_header
from metrics.services import sessions as cycle
from tests import factories

from .conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_worker_stores_the_snapshot_the_hold_queued(seed_deck, publish_to, start_worker):
    admin = factories.UserFactory(username="root", is_superuser=True)
    cycle.session_freeze_presented(actor=admin)
    q2 = models.TuningSession.objects.get(quarter__number=2)
    q3 = cycle.session_open_next(actor=admin, source=q2, notify=False).session
    worker = start_worker()

    held = cycle.session_hold(actor=admin, session=q3)

    assert held.state == models.SessionState.HELD
    wait_for(
        lambda: session_header(q3.pk).frozen,
        timeout=90,
        message=lambda: f"no snapshot stored:\n{worker.output()}",
    )
    stored = models.TuningSession.objects.get(pk=q3.pk)
    assert stored.snapshot_head["complete"] is True
    assert stored.snapshot["earlier"]["session_id"] == q2.pk
    # Stored by the worker's run (True), not in the hold's request (the run would find it
    # stored and return False).
    wait_for(
        lambda: re.search(
            r"session_snapshot_build\[[^]]+\] succeeded in [^:]+: True", worker.output()
        ),
        timeout=30,
        message=worker.output,
    )
