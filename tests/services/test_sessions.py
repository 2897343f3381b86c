"""The quarterly cycle's services: open the next session, delete, hold, reopen, author."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from metrics import models
from metrics.selectors.deck import session_deck
from metrics.services import sessions as cycle
from metrics.services.errors import LockedError
from metrics.services.narratives import objective_update
from metrics.services.statuses import quarterly_status_save
from metrics.services.submissions import submission_submit
from tests import factories

Q2_TITLE = "Thriving Movement Tuning Session Q2 FY20-21"


@pytest.fixture
def facilitator(db):
    return factories.UserFactory(username="facilitator", roles=["Facilitator"])


@pytest.fixture
def q2(seed_deck):
    return models.TuningSession.objects.get(title=Q2_TITLE)


@pytest.fixture
def leads(seed_deck):
    product = models.Department.objects.get(slug="product")
    lead = factories.UserFactory(username="lead-product", roles=["Department lead"])
    product.leads.add(lead)
    return lead


def test_open_next_copies_rows_without_statuses_sets_deadline_and_emails_leads(
    q2, facilitator, leads, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://okr.example.org"
    # The leads' mails go out once the opening has committed (as notifications).
    with django_capture_on_commit_callbacks(execute=True):
        result = cycle.session_open_next(actor=facilitator, source=q2)

    q3 = result.session
    assert result.created and q3.quarter.label == "Q3 FY20-21"
    assert q3.title == "Thriving Movement Tuning Session Q3 FY20-21"
    assert q3.state == models.SessionState.DRAFT
    assert q3.quarter.status_deadline == date(2021, 3, 31) + timedelta(
        days=settings.SESSION_STATUS_DEADLINE_DAYS
    )
    names = lambda s: list(  # noqa: E731
        s.metric_definitions.filter(is_retired=False).values_list("name", "baseline_text")
    )
    assert names(q3) == names(q2)
    assert [d.title for d in q3.key_deliverables.all()] == [
        d.title for d in q2.key_deliverables.all()
    ]
    assert q3.footnotes.count() == q2.footnotes.count()
    assert q3.acronyms.count() == q2.acronyms.count()
    assert q3.session_objectives.count() == q2.session_objectives.count()
    assert not models.QuarterlyStatus.objects.filter(quarter=q3.quarter).exists()

    deck = session_deck(q3.pk)
    assert deck.quarter_label == "Q3 FY20-21"
    assert [o.slug for o in deck.objectives] == [o.slug for o in session_deck(q2.pk).objectives]
    assert all(kr.cells[2].display == "-" for o in deck.objectives for kr in o.key_results)

    assert result.emailed == 1 and len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [leads.email]
    assert "Q3 FY20-21" in message.subject
    assert "https://okr.example.org/checkin/product/2020/q3/" in message.body


def test_open_next_twice_creates_nothing_new(q2, facilitator):
    first = cycle.session_open_next(actor=facilitator, source=q2, notify=False)
    counts = (models.TuningSession.objects.count(), models.MetricDefinition.objects.count())
    second = cycle.session_open_next(actor=facilitator, source=q2, notify=False)
    assert not second.created and second.session.pk == first.session.pk
    assert (models.TuningSession.objects.count(), models.MetricDefinition.objects.count()) == counts


def test_open_next_refuses_a_quarter_that_is_not_the_next_one(q2, facilitator):
    with pytest.raises(ValidationError, match="Q4 FY20-21 is not the next quarter"):
        cycle.session_open_next(actor=facilitator, source=q2, fiscal_year=2020, number=4)
    q1 = models.TuningSession.objects.get(quarter__number=1)
    with pytest.raises(ValidationError, match="already open"):
        cycle.session_open_next_validate(source=q1)


def test_open_next_from_an_older_session_is_refused(q2, facilitator):
    q3 = cycle.session_open_next(actor=facilitator, source=q2, notify=False).session
    cycle.session_open_next(actor=facilitator, source=q3, notify=False)
    with pytest.raises(ValidationError, match="already open"):
        cycle.session_open_next_validate(source=q2)


def test_a_session_without_statuses_can_be_deleted_one_with_statuses_cannot(q2, facilitator):
    q3 = cycle.session_open_next(actor=facilitator, source=q2, notify=False).session
    cycle.session_delete(actor=facilitator, session=q3)
    assert not models.TuningSession.objects.filter(pk=q3.pk).exists()

    q3 = cycle.session_open_next(actor=facilitator, source=q2, notify=False).session
    metric = models.Metric.objects.get(slug="monthly-active-editors")
    quarterly_status_save(
        metric=metric, segment=None, quarter=q3.quarter, actor=None, source="form", value="95000"
    )
    with pytest.raises(ValidationError, match="entered status"):
        cycle.session_delete(actor=facilitator, session=q3)
    assert models.TuningSession.objects.filter(pk=q3.pk).exists()


def test_holding_freezes_the_deck_and_locks_the_quarter(q2, facilitator):
    q3 = cycle.session_open_next(actor=facilitator, source=q2, notify=False).session
    metric = models.Metric.objects.get(slug="monthly-active-editors")
    quarterly_status_save(
        metric=metric, segment=None, quarter=q3.quarter, actor=None, source="form", value="95000"
    )
    before = session_deck(q3.pk)
    cycle.session_hold(actor=facilitator, session=q3)
    q3.refresh_from_db()
    assert q3.state == models.SessionState.HELD and q3.held_by == facilitator
    assert (
        models.Submission.objects.filter(
            quarter=q3.quarter, state=models.SubmissionState.LOCKED
        ).count()
        == models.Department.objects.count()
    )
    with pytest.raises(LockedError):
        quarterly_status_save(
            metric=metric, segment=None, quarter=q3.quarter, actor=None, source="api", value="1"
        )

    objective = models.Objective.objects.get(slug="ip-masking")
    objective_update(objective=objective, actor=None, source="form", narrative="Changed later.")
    models.Metric.objects.filter(pk=metric.pk).update(name="Renamed")
    after = session_deck(q3.pk)
    assert after.session_state == "held"
    assert after.objectives == before.objectives
    assert after.outcomes == before.outcomes
    assert after.metric("monthly-active-editors").cells[2].value == Decimal("95000")


def test_held_sessions_refuse_every_authoring_write(q2, facilitator):
    q3 = cycle.session_open_next(actor=facilitator, source=q2, notify=False).session
    cycle.session_hold(actor=facilitator, session=q3)
    q3.refresh_from_db()
    definition = q3.metric_definitions.first()
    row = q3.session_objectives.first()
    deliverable = q3.key_deliverables.first()
    attempts = [
        lambda: cycle.session_update(session=q3, actor=facilitator, overview="x"),
        lambda: cycle.session_update(
            session=q3,
            actor=facilitator,
            quarter=models.Quarter.objects.get_or_create_fiscal(2020, 4),
        ),
        lambda: cycle.deliverable_add(session=q3, actor=facilitator, title="New"),
        lambda: cycle.deliverable_remove(deliverable=deliverable, actor=facilitator),
        lambda: cycle.deliverable_move(deliverable=deliverable, actor=facilitator, step=1),
        lambda: cycle.definition_update(definition=definition, actor=facilitator, is_retired=True),
        lambda: cycle.definition_move(definition=definition, actor=facilitator, step=1),
        lambda: cycle.session_objective_update(row=row, actor=facilitator, narrative="x"),
        lambda: cycle.session_delete(actor=facilitator, session=q3),
    ]
    for attempt in attempts:
        with pytest.raises(cycle.SessionHeldError, match="held"):
            attempt()


def test_editing_a_held_sessions_quarter_is_refused_with_the_reason(q2, facilitator):
    q2.state = models.SessionState.HELD
    q2.save()
    with pytest.raises(cycle.SessionHeldError, match="its quarter cannot change"):
        cycle.session_update(
            session=q2,
            actor=facilitator,
            quarter=models.Quarter.objects.get_or_create_fiscal(2020, 4),
        )


def test_reopen_is_recorded_and_unlocks(q2, facilitator):
    q3 = cycle.session_open_next(actor=facilitator, source=q2, notify=False).session
    cycle.session_hold(actor=facilitator, session=q3)
    admin = factories.UserFactory(username="boss", roles=["Admin"])
    cycle.session_reopen(actor=admin, session=q3)
    q3.refresh_from_db()
    assert q3.state == models.SessionState.DRAFT and q3.snapshot is None
    assert not models.Submission.objects.filter(
        quarter=q3.quarter, state=models.SubmissionState.LOCKED
    ).exists()
    from django.contrib.contenttypes.models import ContentType

    entry = models.HistoryEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(models.TuningSession),
        object_id=q3.pk,
        field="state",
    ).first()
    assert (entry.old_value, entry.new_value, entry.actor_id) == ("held", "draft", admin.pk)


def test_narratives_are_kept_per_session(q2, facilitator):
    q1 = models.TuningSession.objects.get(quarter__number=1)
    q2_narrative = session_deck(q2.pk).objective("ip-masking").narrative
    assert q2_narrative
    assert session_deck(q1.pk).objective("ip-masking").narrative == ""

    q3 = cycle.session_open_next(actor=facilitator, source=q2, notify=False).session
    objective = models.Objective.objects.get(slug="ip-masking")
    objective_update(objective=objective, actor=None, source="form", narrative="In Q3 ...")
    assert session_deck(q3.pk).objective("ip-masking").narrative == "In Q3 ..."
    assert session_deck(q2.pk).objective("ip-masking").narrative == q2_narrative


def test_authoring_deliverables_metric_rows_and_objectives(q2, facilitator):
    q3 = cycle.session_open_next(actor=facilitator, source=q2, notify=False).session
    objective = models.Objective.objects.get(slug="grantmaking")
    added = cycle.deliverable_add(
        session=q3, actor=facilitator, title="Q3 grants round", objective=objective
    )
    cycle.deliverable_move(deliverable=added, actor=facilitator, step=-1)
    deck = session_deck(q3.pk)
    assert [d.title for d in deck.key_deliverables][-2:] == [
        "Q3 grants round",
        "Safe and Secure Spaces",
    ]
    assert deck.key_deliverables[-2].objective_slug == "grantmaking"

    definition = q3.metric_definitions.get(metric__slug="new-editor-retention")
    cycle.definition_update(definition=definition, actor=facilitator, goal_text="+6% YoY")
    assert session_deck(q3.pk).metric("new-editor-retention").goal_text == "+6% YoY"
    assert session_deck(q2.pk).metric("new-editor-retention").goal_text != "+6% YoY"
    definition.refresh_from_db()
    cycle.definition_update(definition=definition, actor=facilitator, is_retired=True)
    assert session_deck(q3.pk).metric("new-editor-retention") is None
    q4 = cycle.session_open_next(actor=facilitator, source=q3, notify=False).session
    assert not q4.metric_definitions.filter(metric__slug="new-editor-retention").exists()

    row = q3.session_objectives.get(objective=objective)
    cycle.session_objective_update(row=row, actor=facilitator, is_retired=True)
    assert session_deck(q3.pk).objective("grantmaking") is None
    assert models.HistoryEntry.objects.filter(field="is_retired", object_id=row.pk).exists()


def test_authoring_checks_the_version_read(q2, facilitator):
    from metrics.services.errors import ConflictError

    q3 = cycle.session_open_next(actor=facilitator, source=q2, notify=False).session
    cycle.session_update(session=q3, actor=facilitator, expected_version=q3.version, overview="A")
    with pytest.raises(ConflictError):
        cycle.session_update(
            session=q3, actor=facilitator, expected_version=q3.version, overview="B"
        )


def test_seed_demo_holds_the_presented_sessions(db):
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", verbosity=0, stdout=StringIO())
    held = models.TuningSession.objects.filter(state=models.SessionState.HELD)
    assert held.count() == 2 and all(s.snapshot for s in held)
    q2 = held.get(quarter__number=2)
    assert session_deck(q2.pk).metric("monthly-active-editors").cells[1].display == (
        "+8.1% YoY (92K/mo*)"
    )


def test_objectives_and_key_results_authored_in_a_session(q2, facilitator):
    q3 = cycle.session_open_next(actor=facilitator, source=q2, notify=False).session
    product = models.Department.objects.get(slug="product")
    row = cycle.objective_add(
        session=q3,
        actor=facilitator,
        short_name="Search",
        title="Better search",
        statement="Make search find things.",
        department=product,
    )
    kr = cycle.key_result_add(
        session=q3, objective=row.objective, actor=facilitator, code="KR1", description="Faster"
    )
    deck = session_deck(q3.pk)
    assert deck.objectives[-1].short_name == "Search"
    assert [k.code for k in deck.objectives[-1].key_results] == ["KR1"]
    assert session_deck(q2.pk).objective(row.objective.slug) is None

    # Move a key result to another objective, reorder, retire.
    grantmaking = models.Objective.objects.get(slug="grantmaking")
    cycle.key_result_update(session=q3, key_result=kr, actor=facilitator, objective=grantmaking)
    kr.refresh_from_db()
    assert kr.objective == grantmaking
    cycle.key_result_move(session=q3, key_result=kr, actor=facilitator, step=-1)
    codes = [k.key_result_id for k in session_deck(q3.pk).objective("grantmaking").key_results]
    assert codes[-2] == kr.pk
    cycle.key_result_update(session=q3, key_result=kr, actor=facilitator, is_retired=True)
    assert kr.pk not in [
        k.key_result_id for k in session_deck(q3.pk).objective("grantmaking").key_results
    ]
    with pytest.raises(ValidationError, match="not part of the session"):
        other = factories.ObjectiveFactory()
        cycle.key_result_update(session=q3, key_result=kr, actor=facilitator, objective=other)

    # Duplicate into the next quarter: refused until it is open, then copied with its KRs.
    ip = q3.session_objectives.get(objective__slug="ip-masking")
    with pytest.raises(ValidationError, match="Open the Q4 FY20-21 session first"):
        cycle.objective_duplicate_next_quarter(row=ip, actor=facilitator)
    q4 = cycle.session_open_next(actor=facilitator, source=q3, notify=False).session
    copy = cycle.objective_duplicate_next_quarter(row=ip, actor=facilitator)
    assert copy.session == q4
    assert (
        copy.objective.key_results.count()
        == ip.objective.key_results.filter(is_retired=False).count()
    )
    assert not models.KeyResultStatus.objects.filter(key_result__objective=copy.objective).exists()


def test_objective_and_key_result_authoring_refused_on_a_held_session(q2, facilitator):
    q3 = cycle.session_open_next(actor=facilitator, source=q2, notify=False).session
    cycle.session_hold(actor=facilitator, session=q3)
    objective = models.Objective.objects.get(slug="ip-masking")
    kr = objective.key_results.first()
    for attempt in (
        lambda: cycle.objective_add(
            session=q3, actor=facilitator, short_name="X", title="X", statement="X"
        ),
        lambda: cycle.key_result_add(
            session=q3, objective=objective, actor=facilitator, description="X"
        ),
        lambda: cycle.key_result_update(
            session=q3, key_result=kr, actor=facilitator, is_retired=True
        ),
        lambda: cycle.key_result_move(session=q3, key_result=kr, actor=facilitator, step=1),
    ):
        with pytest.raises(cycle.SessionHeldError):
            attempt()


def test_a_held_session_stays_as_presented_through_observations_and_recomputes(q2, facilitator):
    from metrics.services.observations import observation_save
    from metrics.services.recompute_runs import recompute_run

    recompute_run(task_name="test", metric_ids=None)
    q3 = cycle.session_open_next(actor=facilitator, source=q2, notify=False).session
    metric = models.Metric.objects.get(slug="monthly-active-editors")
    quarterly_status_save(
        metric=metric, segment=None, quarter=q3.quarter, actor=None, source="form", value="95000"
    )
    cycle.session_hold(actor=facilitator, session=q3)
    before = session_deck(q3.pk)
    # A month of the held quarter pushed later (the quarter is locked: refused) and a
    # revised Q1 month (allowed: Q1's session is not this one), then a full recompute.
    with pytest.raises(LockedError):
        observation_save(
            metric=metric,
            segment=None,
            period_start=date(2021, 1, 1),
            value="1",
            actor=None,
            source="api",
        )
    models.Submission.objects.filter(quarter__number=1).delete()
    observation_save(
        metric=metric,
        segment=None,
        period_start=date(2020, 7, 1),
        period_end=date(2020, 9, 30),
        value="1000",
        actor=None,
        source="api",
    )
    recompute_run(task_name="test", metric_ids=None)
    from metrics.selectors.deck import build_live_deck

    assert (
        build_live_deck(q3.pk).metric(metric.slug).cells[0] != before.metric(metric.slug).cells[0]
    )
    assert session_deck(q3.pk) == before


def test_deleting_a_new_years_session_deletes_the_objectives_its_opening_copied(q2, facilitator):
    q3 = cycle.session_open_next(actor=facilitator, source=q2, notify=False).session
    q4 = cycle.session_open_next(actor=facilitator, source=q3, notify=False).session
    q1_next = cycle.session_open_next(actor=facilitator, source=q4, notify=False).session
    copies = set(models.Objective.objects.filter(fiscal_year=2021).values_list("pk", flat=True))
    assert (
        copies and set(q1_next.session_objectives.values_list("objective_id", flat=True)) == copies
    )
    kept = models.Objective.objects.filter(fiscal_year=2020).count()

    cycle.session_delete(actor=facilitator, session=q1_next)

    assert not models.Objective.objects.filter(pk__in=copies).exists()
    assert not models.KeyResult.objects.filter(objective_id__in=copies).exists()
    assert models.Objective.objects.filter(fiscal_year=2020).count() == kept
    deleted = models.HistoryEntry.objects.filter(
        content_type__model="objective", object_id__in=copies, field="deleted"
    )
    assert deleted.count() == len(copies)
    # Opening it again copies them afresh, and deleting a same-year session leaves the
    # year's objectives alone.
    again = cycle.session_open_next(actor=facilitator, source=q4, notify=False).session
    assert again.session_objectives.count() == len(copies)
    cycle.session_delete(actor=facilitator, session=q4)
    assert models.Objective.objects.filter(fiscal_year=2020).count() == kept


def test_a_status_deadline_before_the_quarter_begins_is_refused_and_opens_nothing(q2, facilitator):
    with pytest.raises(ValidationError) as refused:
        cycle.session_open_next(
            actor=facilitator, source=q2, status_deadline=date(1900, 1, 1), notify=False
        )

    assert "status_deadline" in refused.value.message_dict
    assert not models.TuningSession.objects.filter(quarter__number=3).exists()
    # The last day of the quarter itself is a deadline a facilitator may choose.
    opened = cycle.session_open_next(
        actor=facilitator, source=q2, status_deadline=date(2021, 3, 31), notify=False
    )
    assert opened.session.quarter.status_deadline == date(2021, 3, 31)


def test_reopening_gives_each_department_back_the_state_it_had_before_the_hold(
    q2, facilitator, leads
):
    q3 = cycle.session_open_next(actor=facilitator, source=q2, notify=False).session
    product = models.Department.objects.get(slug="product")
    submitted = submission_submit(department=product, quarter=q3.quarter, actor=leads)
    admin = factories.UserFactory(username="root", is_superuser=True, is_staff=True)

    cycle.session_hold(actor=facilitator, session=q3)
    cycle.session_reopen(actor=admin, session=q3)

    states = dict(
        models.Submission.objects.filter(quarter=q3.quarter).values_list(
            "department__slug", "state"
        )
    )
    assert states.pop("product") == models.SubmissionState.SUBMITTED
    assert set(states.values()) == {models.SubmissionState.DRAFT}
    again = models.Submission.objects.get(department=product, quarter=q3.quarter)
    assert (again.submitted_at, again.submitted_by) == (
        submitted.submitted_at,
        leads,
    )
    last = models.HistoryEntry.objects.filter(
        content_type__model="submission", object_id=again.pk, field="state"
    ).latest("id")
    assert (last.old_value, last.new_value, last.actor) == ("locked", "submitted", admin)
