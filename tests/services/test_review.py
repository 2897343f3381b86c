"""The review loop's services: every transition of a department's check-in, the refusals, the
read-only rule while it is under review, and the record a hold keeps of who had submitted."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from metrics import models
from metrics.selectors.review import (
    checkin_progress,
    checkin_states,
    deleted_session_of,
    held_checkins,
    held_progress,
)
from metrics.services import sessions as cycle
from metrics.services.errors import LockedError
from metrics.services.events import EventKind, event_subscribe, event_unsubscribe
from metrics.services.key_results import key_result_status_save
from metrics.services.observations import observations_upsert
from metrics.services.statuses import quarterly_status_save
from metrics.services.submissions import (
    UnderReviewError,
    submission_approve,
    submission_lock,
    submission_reopen,
    submission_return,
    submission_state_set,
    submission_submit,
    submission_unlock,
    submission_withdraw,
)
from tests import factories

pytestmark = pytest.mark.django_db

NAMES = ("Product", "Legal", "Advancement", "Technology", "Communications")


@pytest.fixture
def world():
    quarter = factories.QuarterFactory(fiscal_year=2020, number=3)
    departments = {
        name: factories.DepartmentFactory(name=name, slug=name.lower()) for name in NAMES
    }
    lead = factories.UserFactory(username="lead-product", roles=["Department lead"])
    departments["Product"].leads.add(lead)
    facilitator = factories.UserFactory(username="facilitator", roles=["Facilitator"])
    admin = factories.UserFactory(username="root", is_superuser=True, is_staff=True)
    metric = factories.MetricFactory(department=departments["Product"], slug="editors")
    key_result = factories.KeyResultFactory(
        objective=factories.ObjectiveFactory(department=departments["Product"])
    )
    session = factories.TuningSessionFactory(quarter=quarter, title="Tuning Session Q3")
    return type(
        "World",
        (),
        {
            "quarter": quarter,
            "product": departments["Product"],
            "departments": departments,
            "lead": lead,
            "facilitator": facilitator,
            "admin": admin,
            "metric": metric,
            "key_result": key_result,
            "session": session,
        },
    )


def state(world, department=None):
    return models.Submission.objects.get(
        department=department or world.product, quarter=world.quarter
    ).state


def step(service, world, actor, **kwargs):
    return service(department=world.product, quarter=world.quarter, actor=actor, **kwargs)


# --- transitions ------------------------------------------------------------------------------


def test_submit_return_resubmit_approve_withdraw_each_recorded_in_history(world):
    step(submission_submit, world, world.lead)
    returned = step(submission_return, world, world.facilitator, comment="Where is October?")
    assert (returned.state, returned.review_comment) == ("returned", "Where is October?")
    assert (returned.reviewed_by, returned.reviewed_at is not None) == (world.facilitator, True)
    step(submission_submit, world, world.lead)
    approved = step(submission_approve, world, world.facilitator)
    assert approved.state == "approved"
    step(submission_withdraw, world, world.lead)
    assert state(world) == "draft"

    transitions = models.HistoryEntry.objects.filter(field="state").order_by("id")
    assert [(h.old_value, h.new_value) for h in transitions] == [
        ("draft", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
        ("submitted", "approved"),
        ("approved", "draft"),
    ]
    comment = models.HistoryEntry.objects.get(field="review_comment")
    assert (comment.new_value, comment.actor) == ("Where is October?", world.facilitator)


def test_an_approved_check_in_can_be_returned_and_withdrawn(world):
    step(submission_submit, world, world.lead)
    step(submission_approve, world, world.admin)
    step(submission_return, world, world.admin, comment="One more look at KR2.")
    assert state(world) == "returned"
    step(submission_submit, world, world.lead)
    step(submission_approve, world, world.admin)
    step(submission_withdraw, world, world.lead)
    assert state(world) == "draft"


@pytest.mark.parametrize(
    ("before", "service", "kwargs"),
    [
        ("draft", submission_approve, {}),
        ("draft", submission_return, {"comment": "No."}),
        ("returned", submission_approve, {}),
        ("approved", submission_submit, {}),
        ("returned", submission_withdraw, {}),
    ],
)
def test_a_step_the_workflow_does_not_allow_is_refused_with_a_reason(
    world, before, service, kwargs
):
    models.Submission.objects.create(department=world.product, quarter=world.quarter, state=before)
    with pytest.raises(ValidationError) as refused:
        step(service, world, world.admin, **kwargs)
    assert "cannot become" in str(refused.value)
    assert state(world) == before


def test_returning_needs_a_comment_and_keeps_it_short(world):
    step(submission_submit, world, world.lead)
    for comment in ("", "   "):
        with pytest.raises(ValidationError) as refused:
            step(submission_return, world, world.facilitator, comment=comment)
        assert "comment" in refused.value.message_dict
    with pytest.raises(ValidationError):
        step(submission_return, world, world.facilitator, comment="x" * 2001)
    assert state(world) == "submitted"


def test_nobody_reviews_a_department_they_lead_not_even_an_admin(world):
    world.product.leads.add(world.admin)
    step(submission_submit, world, world.lead)
    for reviewer in (world.admin, world.lead):
        with pytest.raises(PermissionDenied):
            step(submission_approve, world, reviewer)
        with pytest.raises(PermissionDenied):
            step(submission_return, world, reviewer, comment="Fine by me.")
    assert state(world) == "submitted"


def test_a_locked_check_in_refuses_every_review_step(world):
    step(submission_submit, world, world.lead)
    step(submission_lock, world, world.admin)
    for service, kwargs in (
        (submission_approve, {}),
        (submission_return, {"comment": "Late."}),
        (submission_withdraw, {}),
    ):
        with pytest.raises(LockedError):
            step(service, world, world.facilitator, **kwargs)


@pytest.mark.parametrize("reviewed", ["approved", "returned"])
def test_unlocking_gives_back_an_approved_or_returned_state(world, reviewed):
    step(submission_submit, world, world.lead)
    if reviewed == "approved":
        step(submission_approve, world, world.facilitator)
    else:
        step(submission_return, world, world.facilitator, comment="Fix the total.")
    step(submission_lock, world, world.admin)
    assert step(submission_unlock, world, world.admin).state == reviewed


def test_submission_changed_carries_the_actor_and_the_return_comment(world):
    seen = []
    event_subscribe(name="test-review", handler=seen.append)
    try:
        step(submission_submit, world, world.lead)
        step(submission_return, world, world.facilitator, comment="Add the footnote.")
        step(submission_submit, world, world.lead)
        step(submission_withdraw, world, world.lead)
    finally:
        event_unsubscribe(name="test-review")
    changes = [e for e in seen if e.kind == EventKind.SUBMISSION_CHANGED]
    assert [(e.payload["from_state"], e.payload["to_state"]) for e in changes] == [
        ("draft", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
        ("submitted", "draft"),
    ]
    returned, withdrawn = changes[1], changes[3]
    assert (returned.payload["comment"], returned.payload["actor"]) == (
        "Add the footnote.",
        "facilitator",
    )
    assert returned.actor_id == world.facilitator.pk
    assert (withdrawn.payload["actor"], withdrawn.payload["actor_id"]) == (
        "lead-product",
        world.lead.pk,
    )


def test_the_admins_state_choice_walks_the_review_steps(world):
    def choose(state_name, **kwargs):
        return submission_state_set(
            department=world.product,
            quarter=world.quarter,
            state=state_name,
            actor=world.admin,
            source="admin",
            **kwargs,
        )

    with pytest.raises(ValidationError):
        choose("approved")  # a draft is not approved without a submission
    choose("submitted")
    with pytest.raises(ValidationError) as refused:
        choose("returned")
    assert "comment" in str(refused.value)
    assert choose("returned", comment="Check Q3's markers.").review_comment == (
        "Check Q3's markers."
    )
    choose("submitted")
    assert choose("approved").state == "approved"
    assert choose("locked").state == "locked"
    assert choose("draft").state == "draft"


# --- read-only while under review --------------------------------------------------------------


@pytest.mark.parametrize("under_review", ["submitted", "approved"])
def test_a_check_in_under_review_refuses_its_leads_saves_until_they_withdraw(world, under_review):
    step(submission_submit, world, world.lead)
    if under_review == "approved":
        step(submission_approve, world, world.facilitator)

    with pytest.raises(UnderReviewError) as refused:
        quarterly_status_save(
            metric=world.metric,
            segment=None,
            quarter=world.quarter,
            actor=world.lead,
            source="form",
            value=5,
        )
    assert "read-only until you withdraw it" in str(refused.value)
    with pytest.raises(UnderReviewError):
        key_result_status_save(
            key_result=world.key_result,
            quarter=world.quarter,
            actor=world.lead,
            source="form",
            text="Done",
        )
    upsert = observations_upsert(
        rows=[{"metric": "editors", "period_start": "2021-01-01", "value": 3}],
        actor=world.lead,
        source="import",
    )
    assert upsert.counts["rejected"] == 1
    assert "read-only until the lead withdraws it" in str(upsert.rejected[0].errors)
    assert not models.QuarterlyStatus.objects.exists()
    assert not models.Observation.objects.exists()

    step(submission_withdraw, world, world.lead)
    saved = quarterly_status_save(
        metric=world.metric,
        segment=None,
        quarter=world.quarter,
        actor=world.lead,
        source="form",
        value=5,
    )
    assert saved.value == Decimal(5)


def test_an_admin_may_still_correct_a_submitted_check_in(world):
    step(submission_submit, world, world.lead)
    saved = quarterly_status_save(
        metric=world.metric,
        segment=None,
        quarter=world.quarter,
        actor=world.admin,
        source="form",
        value=7,
    )
    assert saved.value == Decimal(7)
    assert state(world) == "submitted"


# --- who submitted, live and as held ----------------------------------------------------------


def test_not_started_is_nothing_entered_and_no_submission(world):
    quarterly_status_save(
        metric=world.metric,
        segment=None,
        quarter=world.quarter,
        actor=world.lead,
        source="form",
        value=5,
    )
    states = {item.department: item.state for item in checkin_states(world.quarter.pk)}
    assert states == {
        "Advancement": "",
        "Communications": "",
        "Legal": "",
        "Product": "draft",
        "Technology": "",
    }
    assert checkin_states(world.quarter.pk)[0].state_label == "Not started"


def test_holding_keeps_who_had_submitted_and_never_counts_the_holds_lock(world):
    step(submission_submit, world, world.lead)
    step(submission_approve, world, world.facilitator)

    live = checkin_progress(checkin_states(world.quarter.pk))
    assert live.summary == (
        "1 of 5 departments submitted (1 approved); Advancement, Communications, Legal and "
        "Technology have not submitted yet."
    )
    cycle.session_hold(actor=world.facilitator, session=world.session)

    assert set(models.Submission.objects.values_list("state", flat=True)) == {"locked"}
    held = held_progress(held_checkins(world.session.pk))
    assert held.summary == (
        "1 of 5 departments submitted (1 approved); Advancement, Communications, Legal and "
        "Technology had not submitted when the session was held."
    )
    # The live states read the lock as what it was locked from.
    assert checkin_progress(checkin_states(world.quarter.pk)).submitted == 1


def test_reopening_and_holding_again_keeps_the_record_true(world):
    cycle.session_hold(actor=world.facilitator, session=world.session)
    assert held_progress(held_checkins(world.session.pk)).submitted == 0

    cycle.session_reopen(actor=world.admin, session=world.session)
    assert held_checkins(world.session.pk) is None
    legal = world.departments["Legal"]
    submission_submit(department=legal, quarter=world.quarter, actor=world.admin)
    world.session.refresh_from_db()
    cycle.session_hold(actor=world.facilitator, session=world.session)

    held = held_progress(held_checkins(world.session.pk))
    assert (held.submitted, held.approved, held.total) == (1, 0, 5)
    assert held.missing == ("Advancement", "Communications", "Product", "Technology")


def test_a_hold_that_did_not_record_says_so():
    assert held_progress(None).summary == (
        "Who had submitted when this session was held was not recorded."
    )


def test_a_deleted_session_is_remembered_on_its_quarter(world):
    assert deleted_session_of(world.quarter) is None
    cycle.session_delete(actor=world.facilitator, session=world.session)

    deleted = deleted_session_of(world.quarter)
    assert (deleted.title, deleted.deleted_by) == ("Tuning Session Q3", "facilitator")
    factories.TuningSessionFactory(quarter=world.quarter)
    assert deleted_session_of(world.quarter) is None


def test_reopening_a_returned_check_in_is_an_admins_reset(world):
    step(submission_submit, world, world.lead)
    step(submission_return, world, world.facilitator, comment="Redo.")
    assert step(submission_reopen, world, world.admin).state == "draft"
