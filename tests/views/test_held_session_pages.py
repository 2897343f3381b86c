"""A held session's pages print what was presented, also around the deck (the session bar),
whatever is renamed afterwards."""

import pytest
from django.urls import reverse

from metrics import models
from metrics.selectors.snapshots import snapshot_build
from metrics.services import sessions as cycle
from tests import factories


@pytest.fixture
def held_q3(seed_deck):
    facilitator = factories.UserFactory(username="facilitator", roles=["Facilitator"])
    q2 = models.TuningSession.objects.get(quarter__number=2)
    # As seed_demo leaves it: the earlier session (the deck's last slide) held as presented.
    models.TuningSession.objects.filter(pk=q2.pk).update(snapshot=snapshot_build(q2.pk))
    q3 = cycle.session_open_next(actor=facilitator, source=q2, notify=False).session
    return cycle.session_hold(actor=facilitator, session=q3)


PAGES = [
    ("session", {}),
    ("session_overview", {}),
    ("session_metrics", {}),
    ("metric", {"metric_slug": "monthly-active-editors"}),
    ("objective", {"objective_slug": "armdeb"}),
    ("session_appendix", {}),
    ("session_deck", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_a_renamed_priority_leaves_the_held_sessions_pages_as_presented(
    client, held_q3, name, kwargs
):
    client.force_login(factories.UserFactory(roles=["Executive"]))
    url = reverse(f"metrics:{name}", kwargs={"session_id": held_q3.pk, **kwargs})
    presented = client.get(url).content.decode()
    assert "Thriving Movement ·" in presented

    priority = held_q3.priority
    priority.name = "Renamed Priority"
    priority.save()  # as the admin does; the save bumps the data version

    assert "Renamed Priority" not in client.get(url).content.decode()
