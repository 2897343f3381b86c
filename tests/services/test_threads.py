"""Comment threads' services: posting starts the thread, mentions resolve to people (and a
department's leads), replies stay one level deep, edits keep history, resolve/reopen, the
event a notification reads, and the refusals an attacker meets."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from metrics import models
from metrics.caching.versions import data_version_current
from metrics.models.threads import SESSION_KEY, key_result_cell_key, metric_cell_key, objective_key
from metrics.selectors.errors import NotFoundError
from metrics.services.errors import ConflictError, LockedError
from metrics.services.events import EventKind, event_subscribe, event_unsubscribe
from metrics.services.sessions import session_hold
from metrics.services.threads import (
    comment_edit,
    mentions_resolve,
    thread_comment_add,
    thread_reopen,
    thread_resolve,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    department = factories.DepartmentFactory(slug="product", name="Product")
    lead = factories.UserFactory(username="lena", roles=["Department lead"])
    department.leads.add(lead)
    metric = factories.MetricFactory(department=department, name="Active editors")
    segment = factories.SegmentFactory(metric=metric, name="Africa")
    key_result = factories.KeyResultFactory(objective__department=department)
    session = factories.TuningSessionFactory(quarter=factories.QuarterFactory(fiscal_year=2020))
    return {
        "department": department,
        "lead": lead,
        "metric": metric,
        "segment": segment,
        "key_result": key_result,
        "session": session,
        "executive": factories.UserFactory(username="erin", roles=["Executive"]),
        "viewer": factories.UserFactory(username="vic", roles=["Viewer"]),
        "facilitator": factories.UserFactory(username="fay", roles=["Facilitator"]),
    }


@pytest.fixture
def events():
    seen = []
    event_subscribe(name="test-threads", handler=seen.append)
    yield seen
    event_unsubscribe(name="test-threads")


def test_a_first_comment_starts_the_thread_on_its_cell_and_publishes_what_notifications_need(
    world, events
):
    key = metric_cell_key(world["metric"].pk, world["segment"].pk, 2020, 2)

    comment = thread_comment_add(
        actor=world["executive"],
        session=world["session"],
        target_key=key,
        body="Why did **Africa** drop? @lena @nobody",
    )

    thread = comment.thread
    assert thread.target == models.ThreadTarget.METRIC_CELL
    assert (thread.metric, thread.segment) == (world["metric"], world["segment"])
    assert (thread.quarter.fiscal_year, thread.quarter.number) == (2020, 2)
    assert thread.department == world["department"]
    assert thread.label == "Active editors · Africa, Q2 FY20-21"
    assert thread.comment_count == 1
    (event,) = [e for e in events if e.kind == EventKind.COMMENT_CREATED]
    assert event.actor_id == world["executive"].pk
    assert event.payload == {
        "comment_id": comment.pk,
        "thread_id": thread.pk,
        "target": "metric_cell",
        "target_key": key,
        "target_label": thread.label,
        "link": f"/sessions/{world['session'].pk}/threads/{key}/",
        "session_id": world["session"].pk,
        "department_id": world["department"].pk,
        "author_id": world["executive"].pk,
        "mentioned_user_ids": [world["lead"].pk],
        "participant_ids": [],
        "in_reply_to_author_id": None,
    }


def test_a_department_mention_means_its_leads_and_a_username_wins_over_a_slug(world):
    other_lead = factories.UserFactory(username="omar", roles=["Department lead"])
    world["department"].leads.add(other_lead)
    assert sorted(mentions_resolve("ask @product")) == sorted(
        [(world["lead"].pk, world["department"].pk), (other_lead.pk, world["department"].pk)]
    )
    person = factories.UserFactory(username="product", roles=["Executive"])
    assert mentions_resolve("ask @Product.") == [(person.pk, None)]
    # An email address is no mention; unknown names are plain text.
    assert mentions_resolve("write to lena@example.org or @ghost") == []


def test_replies_answer_a_top_level_comment_and_name_earlier_participants(world, events):
    session = world["session"]
    first = thread_comment_add(
        actor=world["executive"], session=session, target_key=SESSION_KEY, body="Question"
    )
    reply = thread_comment_add(
        actor=world["lead"], session=session, target_key=SESSION_KEY, body="Answer",
        in_reply_to=first,
    )  # fmt: skip
    answer_to_reply = thread_comment_add(
        actor=world["facilitator"], session=session, thread=first.thread, body="Noted",
        in_reply_to=reply,
    )  # fmt: skip

    assert reply.in_reply_to == first
    # One level: a reply to a reply answers the comment that one answered.
    assert answer_to_reply.in_reply_to == first
    last = events[-1].payload
    assert last["participant_ids"] == sorted([world["executive"].pk, world["lead"].pk])
    assert last["in_reply_to_author_id"] == world["executive"].pk
    first.thread.refresh_from_db()
    assert first.thread.comment_count == 3


def test_an_author_edits_their_comment_and_the_earlier_text_is_kept(world):
    comment = thread_comment_add(
        actor=world["lead"], session=world["session"], target_key=SESSION_KEY, body="Frist"
    )
    edited = comment_edit(actor=world["lead"], comment=comment, body="First", expected_version=1)

    assert (edited.body, edited.version) == ("First", 2)
    assert edited.edited_at is not None
    (revision,) = edited.revisions.all()
    assert revision.body == "Frist"
    with pytest.raises(ConflictError):
        comment_edit(actor=world["lead"], comment=comment, body="Third", expected_version=1)


def test_nobody_edits_someone_elses_comment(world):
    comment = thread_comment_add(
        actor=world["lead"], session=world["session"], target_key=SESSION_KEY, body="Mine"
    )
    for intruder in (
        world["executive"],
        world["facilitator"],
        factories.UserFactory(roles=["Admin"]),
    ):
        with pytest.raises(PermissionDenied):
            comment_edit(actor=intruder, comment=comment, body="Hijacked")
    comment.refresh_from_db()
    assert comment.body == "Mine" and not comment.revisions.exists()


def test_viewers_and_users_without_a_role_cannot_post(world):
    for reader in (world["viewer"], factories.UserFactory(username="nobody")):
        with pytest.raises(PermissionDenied):
            thread_comment_add(
                actor=reader, session=world["session"], target_key=SESSION_KEY, body="Hi"
            )
    assert not models.Comment.objects.exists()
    assert not models.Thread.objects.exists()


def test_resolve_and_reopen_by_the_starter_the_departments_leads_or_facilitators(world):
    key = key_result_cell_key(world["key_result"].pk, 2020, 2)
    comment = thread_comment_add(
        actor=world["executive"], session=world["session"], target_key=key, body="Late?"
    )
    thread = comment.thread

    thread = thread_resolve(actor=world["lead"], thread=thread)
    assert thread.is_resolved and thread.resolved_by == world["lead"]
    thread = thread_reopen(actor=world["executive"], thread=thread)
    assert not thread.is_resolved and thread.resolved_by is None
    thread_resolve(actor=world["facilitator"], thread=thread)

    other_executive = factories.UserFactory(roles=["Executive"])
    other_lead = factories.UserFactory(roles=["Department lead"])
    factories.DepartmentFactory().leads.add(other_lead)
    for outsider in (other_executive, other_lead, world["viewer"]):
        with pytest.raises(PermissionDenied):
            thread_reopen(actor=outsider, thread=thread)
    thread.refresh_from_db()
    assert thread.is_resolved


def test_a_held_session_refuses_posts_edits_and_resolutions(world):
    admin = factories.UserFactory(roles=["Admin"])
    comment = thread_comment_add(
        actor=world["lead"], session=world["session"], target_key=objective_key(
            world["key_result"].objective_id
        ), body="Before the hold",
    )  # fmt: skip
    session_hold(actor=admin, session=world["session"])
    world["session"].refresh_from_db()

    with pytest.raises(LockedError, match="part of its record and read-only"):
        thread_comment_add(
            actor=world["lead"], session=world["session"], thread=comment.thread, body="After"
        )
    with pytest.raises(LockedError):
        comment_edit(actor=world["lead"], comment=comment, body="Changed")
    with pytest.raises(LockedError):
        thread_resolve(actor=admin, thread=comment.thread)
    assert models.Comment.objects.count() == 1


def test_bad_input_is_a_clear_error(world):
    session = world["session"]
    with pytest.raises(ValidationError, match="Write something first"):
        thread_comment_add(actor=world["lead"], session=session, target_key=SESSION_KEY, body=" ")
    for key in (
        "m999999.s0.q2020-2",
        "kr1.q1800-1",
        "nonsense",
        f"m{world['metric'].pk}.s999.q2020-1",
    ):
        with pytest.raises(NotFoundError):
            thread_comment_add(actor=world["lead"], session=session, target_key=key, body="x")
    other_session = factories.TuningSessionFactory()
    comment = thread_comment_add(
        actor=world["lead"], session=other_session, target_key=SESSION_KEY, body="elsewhere"
    )
    with pytest.raises(ValidationError):
        thread_comment_add(
            actor=world["lead"], session=session, target_key=SESSION_KEY, body="x",
            in_reply_to=comment,
        )  # fmt: skip


def test_a_comment_bumps_the_data_version_so_cached_pages_show_it(world):
    before = data_version_current().key
    thread_comment_add(
        actor=world["lead"], session=world["session"], target_key=SESSION_KEY, body="New"
    )
    assert data_version_current().key != before


def test_a_comment_tells_the_mentioned_and_earlier_participants_by_the_cells_name(world):
    """The whole seam, through the real services: what the threads publish is what the
    notifications read (a hand-made payload once hid a key they disagreed on)."""
    key = metric_cell_key(world["metric"].pk, world["segment"].pk, 2020, 2)
    session = world["session"]
    question = thread_comment_add(
        actor=world["executive"], session=session, target_key=key, body="Why? @lena"
    )
    thread_comment_add(
        actor=world["facilitator"], session=session, thread=question.thread, body="Also asking"
    )
    thread_comment_add(
        actor=world["lead"], session=session, thread=question.thread, body="Because",
        in_reply_to=question,
    )  # fmt: skip

    told = models.Notification.objects.order_by("pk")
    mention = told.get(recipient=world["lead"], kind="mention")
    assert mention.summary == "You were mentioned on Active editors · Africa, Q2 FY20-21"
    # The lead's answer reaches both who spoke before: the replied-to and the participant.
    replies = told.filter(kind="reply", summary__contains="Active editors · Africa, Q2 FY20-21")
    assert {world["executive"].pk, world["facilitator"].pk} <= set(
        replies.values_list("recipient_id", flat=True)
    )
