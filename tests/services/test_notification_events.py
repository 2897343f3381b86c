"""Each domain event notifies the right people, never the actor, never twice."""

from datetime import date

import pytest
from django.db import transaction

from metrics.models import Notification, NotificationPreference
from metrics.services import sessions as cycle
from metrics.services.events import Event, EventKind, event_publish
from metrics.services.notification_events import on_event
from metrics.services.submissions import submission_reopen, submission_submit
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    product = factories.DepartmentFactory(name="Product", slug="product")
    legal = factories.DepartmentFactory(name="Legal", slug="legal")
    lead = factories.UserFactory(username="lead-a", roles=["Department lead"])
    other_lead = factories.UserFactory(username="lead-b", roles=["Department lead"])
    product.leads.add(lead)
    legal.leads.add(other_lead)
    return {
        "product": product,
        "legal": legal,
        "lead": lead,
        "other_lead": other_lead,
        "facilitator": factories.UserFactory(username="fac", roles=["Facilitator"]),
        "admin": factories.UserFactory(username="adm", roles=["Admin"]),
        "executive": factories.UserFactory(username="exe", roles=["Executive"]),
        "quarter": factories.QuarterFactory(fiscal_year=2020, number=3),
    }


def told(kind=None):
    rows = Notification.objects.all()
    if kind:
        rows = rows.filter(kind=kind)
    return sorted(rows.values_list("recipient__username", flat=True))


def submission_event(people, *, actor, from_state, to_state, **extra):
    return event_publish(
        kind=EventKind.SUBMISSION_CHANGED,
        actor=actor,
        payload={
            "submission_id": 1,
            "department_id": people["product"].pk,
            "department": "Product",
            "fiscal_year": 2020,
            "quarter_number": 3,
            "quarter": "Q3 FY20-21",
            "from_state": from_state,
            "to_state": to_state,
            "source": "form",
            **extra,
        },
    )


def test_a_submission_tells_the_reviewers_not_the_lead_nor_the_executive(people):
    submission_submit(department=people["product"], quarter=people["quarter"], actor=people["lead"])

    assert told("checkin_submitted") == ["adm", "fac"]
    notice = Notification.objects.get(recipient=people["facilitator"])
    assert notice.summary == "Product submitted its check-in for Q3 FY20-21"
    assert notice.link == "/checkin/product/2020/q3/"
    assert notice.actor == people["lead"] and notice.email_state == "pending"


def test_a_lead_withdrawing_tells_the_reviewers(people):
    submission_submit(department=people["product"], quarter=people["quarter"], actor=people["lead"])
    submission_reopen(department=people["product"], quarter=people["quarter"], actor=people["lead"])

    assert told("checkin_withdrawn") == ["adm", "fac"]


def test_returned_and_approved_tell_the_departments_leads_with_the_comment(people):
    submission_event(
        people,
        actor=people["facilitator"],
        from_state="submitted",
        to_state="returned",
        comment="Please explain the Q3 dip.",
    )
    submission_event(
        people, actor=people["facilitator"], from_state="submitted", to_state="approved"
    )

    assert told("checkin_returned") == ["lead-a"]
    assert told("checkin_approved") == ["lead-a"]
    returned = Notification.objects.get(kind="checkin_returned")
    assert "Please explain the Q3 dip." in returned.body


def test_an_approved_check_in_withdrawn_by_its_lead_tells_the_reviewers(people):
    submission_event(people, actor=people["lead"], from_state="approved", to_state="draft")
    assert told() == ["adm", "fac"]


def test_a_reviewer_sending_it_back_to_draft_reads_as_returned_to_the_leads(people):
    submission_event(people, actor=people["admin"], from_state="submitted", to_state="draft")
    assert told("checkin_returned") == ["lead-a"]


def test_the_actor_is_never_told_of_their_own_action(people):
    people["product"].leads.add(people["admin"])
    submission_event(people, actor=people["admin"], from_state="submitted", to_state="approved")
    assert told() == ["lead-a"]


def test_the_same_event_published_again_tells_nobody_twice(people):
    event = Event(
        kind=EventKind.SUBMISSION_CHANGED,
        actor_id=people["lead"].pk,
        payload={
            "submission_id": 9,
            "department_id": people["product"].pk,
            "fiscal_year": 2020,
            "quarter_number": 3,
            "quarter": "Q3 FY20-21",
            "from_state": "draft",
            "to_state": "submitted",
        },
    )
    on_event(event)
    on_event(event)
    assert told() == ["adm", "fac"]


def test_a_rolled_back_action_tells_nobody(people):
    with pytest.raises(RuntimeError), transaction.atomic():
        submission_submit(
            department=people["product"], quarter=people["quarter"], actor=people["lead"]
        )
        raise RuntimeError("the save failed after the transition")
    assert told() == []


@pytest.fixture
def q2(seed_deck):
    from metrics.models import TuningSession

    return TuningSession.objects.get(quarter__fiscal_year=2020, quarter__number=2)


def test_opening_tells_each_departments_leads_with_the_link_and_deadline(q2, people):
    result = cycle.session_open_next(
        actor=people["facilitator"], source=q2, status_deadline=date(2021, 4, 15)
    )

    assert result.emailed == 2
    assert told("checkin_opened") == ["lead-a", "lead-b"]
    notice = Notification.objects.get(recipient=people["lead"])
    assert notice.summary == "Check-in for Q3 FY20-21 is open: Product"
    assert notice.link == "/checkin/product/2020/q3/"
    assert "Thursday 15 April 2021" in notice.body


def test_opening_without_notifying_tells_nobody(q2, people):
    result = cycle.session_open_next(actor=people["facilitator"], source=q2, notify=False)
    assert result.emailed == 0 and told() == []


def test_holding_tells_the_leads_once_not_per_locked_check_in(q2, people):
    q3 = cycle.session_open_next(actor=people["facilitator"], source=q2, notify=False).session
    submission_submit(department=people["product"], quarter=q3.quarter, actor=people["lead"])
    Notification.objects.all().delete()

    cycle.session_hold(actor=people["facilitator"], session=q3)

    assert told() == ["lead-a", "lead-b"]
    assert set(Notification.objects.values_list("kind", flat=True)) == {"session_held"}

    Notification.objects.all().delete()
    cycle.session_reopen(actor=people["admin"], session=q3)
    # The unlock restores Product's submission: no "submitted" notice, only the reopening.
    assert set(Notification.objects.values_list("kind", flat=True)) == {"session_reopened"}
    assert told() == ["lead-a", "lead-b"]


def test_deleting_tells_the_leads_their_link_no_longer_applies(q2, people):
    q3 = cycle.session_open_next(actor=people["facilitator"], source=q2, notify=False).session

    cycle.session_delete(actor=people["facilitator"], session=q3)

    assert told("session_deleted") == ["lead-a", "lead-b"]
    assert "no longer applies" in Notification.objects.first().body


def comment_event(author, **payload):
    return event_publish(
        kind=EventKind.COMMENT_CREATED,
        actor=author,
        payload={
            "comment_id": 41,
            "thread_id": 7,
            "target": "metric_cell",
            "target_label": "Monthly active editors, Q3 FY20-21",
            "link": "/sessions/3/metrics/monthly-active-editors/#thread-7",
            "session_id": 3,
            "department_id": None,
            "author_id": author.pk,
            "mentioned_user_ids": [],
            "participant_ids": [],
            "in_reply_to_author_id": None,
            **payload,
        },
    )


def test_a_mention_tells_the_mentioned_person(people):
    comment_event(people["executive"], mentioned_user_ids=[people["other_lead"].pk])

    assert told("mention") == ["lead-b"]
    notice = Notification.objects.get()
    assert notice.summary == "You were mentioned on Monthly active editors, Q3 FY20-21"
    assert notice.link.endswith("#thread-7")


def test_a_reply_tells_the_replied_to_author_and_participants_once_each(people):
    comment_event(
        people["lead"],
        in_reply_to_author_id=people["executive"].pk,
        participant_ids=[people["executive"].pk, people["facilitator"].pk, people["lead"].pk],
        mentioned_user_ids=[people["facilitator"].pk],
    )

    # The facilitator, mentioned and a participant, gets the mention only; the author nothing.
    assert told() == ["exe", "fac"]
    assert told("mention") == ["fac"] and told("reply") == ["exe"]


def test_a_comment_on_a_departments_cell_tells_its_leads(people):
    comment_event(people["executive"], department_id=people["product"].pk)

    assert told("department_thread") == ["lead-a"]
    assert Notification.objects.get().email_state == "digest"


def test_people_without_a_role_are_not_told(people):
    stranger = factories.UserFactory(username="no-role")
    comment_event(people["executive"], mentioned_user_ids=[stranger.pk])
    assert told() == []


def test_preferences_choose_the_channel(people):
    lead = people["lead"]
    NotificationPreference.objects.create(user=lead, kind="checkin_returned", channel="off")
    NotificationPreference.objects.create(user=lead, kind="checkin_approved", channel="in_app")
    NotificationPreference.objects.create(user=lead, kind="mention", channel="digest")

    submission_event(people, actor=people["admin"], from_state="submitted", to_state="returned")
    submission_event(people, actor=people["admin"], from_state="submitted", to_state="approved")
    comment_event(people["executive"], mentioned_user_ids=[lead.pk])

    states = dict(Notification.objects.values_list("kind", "email_state"))
    assert states == {"checkin_approved": "skipped", "mention": "digest"}


def test_a_person_without_an_email_address_is_told_in_the_app_only(people):
    people["facilitator"].email = ""
    people["facilitator"].save()
    submission_submit(department=people["product"], quarter=people["quarter"], actor=people["lead"])
    assert Notification.objects.get(recipient=people["facilitator"]).email_state == "skipped"


def test_an_admins_lock_outside_a_hold_tells_the_leads(people):
    from metrics.services.submissions import submission_lock

    submission_lock(department=people["product"], quarter=people["quarter"], actor=people["admin"])

    assert told("checkin_locked") == ["lead-a"]


def test_a_broken_payload_never_fails_the_write(people, caplog):
    event_publish(kind=EventKind.COMMENT_CREATED, actor=people["executive"], payload={})
    assert told() == [] and "notifications" in caplog.text
