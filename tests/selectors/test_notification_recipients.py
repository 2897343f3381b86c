"""Who will be notified, said before the action: the same people the action then tells."""

import re

import pytest
from django.urls import reverse

from metrics.models import Notification, NotificationPreference
from metrics.selectors.notifications import notification_recipients_preview
from metrics.services.submissions import submission_submit
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return build_people()


@pytest.fixture
def seeded_people(seed_deck):
    """The same people, on the seed's departments (loaded first)."""
    return build_people()


def build_people():
    product = factories.DepartmentFactory(name="Product", slug="product")
    legal = factories.DepartmentFactory(name="Legal", slug="legal")
    lead = factories.UserFactory(username="lead-a", roles=["Department lead"])
    other = factories.UserFactory(username="lead-b", roles=["Department lead"])
    product.leads.add(lead)
    legal.leads.add(other)
    factories.UserFactory(username="fac", roles=["Facilitator"])
    factories.UserFactory(username="adm", roles=["Admin"])
    factories.UserFactory(username="exe", roles=["Executive"])
    return product, lead


def test_the_preview_of_a_submission_names_whom_the_submission_tells(people):
    product, lead = people
    preview = notification_recipients_preview(kind="checkin_submitted", actor=lead)
    assert (preview.names, preview.count) == (["adm", "fac"], 2)

    submission_submit(department=product, quarter=factories.QuarterFactory(), actor=lead)
    told = sorted(Notification.objects.values_list("recipient__username", flat=True))
    assert told == preview.names


def test_the_preview_leaves_out_the_actor_and_those_who_turned_the_kind_off(people):
    product, lead = people
    admin = factories.UserFactory(username="adm")
    NotificationPreference.objects.create(
        user=factories.UserFactory(username="fac"), kind="checkin_submitted", channel="off"
    )
    assert notification_recipients_preview(kind="checkin_submitted", actor=admin).names == []
    held = notification_recipients_preview(kind="session_held", actor=lead)
    assert held.names == ["lead-b"]
    returned = notification_recipients_preview(kind="checkin_returned", department_id=product.pk)
    assert returned.names == ["lead-a"]


def test_the_check_in_and_the_session_editor_show_it_beside_their_buttons(client, seeded_people):
    from metrics.models import TuningSession
    from metrics.services import sessions as cycle

    product, lead = seeded_people
    client.force_login(lead)
    page = client.get(
        reverse(
            "metrics:checkin", kwargs={"department": "product", "fiscal_year": 2020, "number": 2}
        )
    ).content.decode()
    assert 'data-kind="checkin_submitted"' in page and "Notifies 2 people: adm, fac" in page

    facilitator = factories.UserFactory(username="fac")
    q2 = TuningSession.objects.get(quarter__fiscal_year=2020, quarter__number=2)
    q3 = cycle.session_open_next(actor=facilitator, source=q2, notify=False).session
    client.force_login(facilitator)
    page = client.get(reverse("metrics:session_edit", kwargs={"session_id": q3.pk})).content
    page = page.decode()
    assert 'data-kind="session_held"' in page and 'data-kind="session_deleted"' in page
    assert "Notifies 2 people: lead-a, lead-b" in page, re.findall(r"Notifies[^<]*", page)
