"""A held session's pages print what was presented, also around the deck (the session bar),
whatever is renamed afterwards."""

import pytest
from django.urls import reverse

from metrics import models
from metrics.selectors.snapshots import snapshot_build, snapshot_head
from metrics.services import sessions as cycle
from tests import factories


@pytest.fixture
def held_q3(seed_deck):
    facilitator = factories.UserFactory(username="facilitator", roles=["Facilitator"])
    q2 = models.TuningSession.objects.get(quarter__number=2)
    # As seed_demo leaves it: the earlier session (the deck's last slide) held as presented.
    snapshot = snapshot_build(q2.pk)
    models.TuningSession.objects.filter(pk=q2.pk).update(
        snapshot=snapshot, snapshot_head=snapshot_head(snapshot)
    )
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


def _pptx_text(content: bytes) -> str:
    from io import BytesIO

    from pptx import Presentation

    texts = []
    for slide in Presentation(BytesIO(content)).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts.extend(cell.text for row in shape.table.rows for cell in row.cells)
    return "\n".join(texts)


def test_the_earlier_sessions_slide_stays_as_presented_when_that_session_is_revised(
    client, held_q3
):
    """The deck ends with the earlier session's table (S17): reopening that session, revising
    a row and holding it again changes its own deck, not the one presented after it."""
    admin = factories.UserFactory(username="root", is_superuser=True)
    q2 = models.TuningSession.objects.get(quarter__number=2)
    cycle.session_reopen(actor=admin, session=q2)
    definition = q2.metric_definitions.get(metric__slug="monthly-active-editors")
    cycle.definition_update(definition=definition, actor=admin, name="Revised after Q3")
    cycle.session_hold(actor=admin, session=q2)
    client.force_login(factories.UserFactory(roles=["Executive"]))

    page = client.get(reverse("metrics:session_deck", kwargs={"session_id": held_q3.pk}))
    pptx = client.get(reverse("metrics:session_deck_pptx", kwargs={"session_id": held_q3.pk}))

    assert "Monthly active editors increase YoY" in page.content.decode()
    assert "Revised after Q3" not in page.content.decode()
    assert "Revised after Q3" not in _pptx_text(pptx.content)
    # The earlier session's own pages show the revision.
    revised = client.get(reverse("metrics:session_metrics", kwargs={"session_id": q2.pk}))
    assert "Revised after Q3" in revised.content.decode()
