"""Corrections in the session editor (an objective's statement, target quarter, department; a
key result's wording, baseline and goal) and the carry marks open-next applies."""

import pytest
from django.core.exceptions import ValidationError

from metrics import models
from metrics.selectors.deck import session_deck
from metrics.selectors.session_cycle import open_next_preview
from metrics.services import session_edits
from metrics.services import sessions as cycle
from metrics.services.errors import ConflictError
from metrics.services.sessions import SessionHeldError
from tests import factories

Q2_TITLE = "Thriving Movement Tuning Session Q2 FY20-21"


@pytest.fixture
def facilitator(db):
    return factories.UserFactory(username="facilitator", roles=["Facilitator"])


@pytest.fixture
def q2(seed_deck):
    cycle.session_freeze_presented()  # the seed's held sessions get their snapshots
    return models.TuningSession.objects.get(title=Q2_TITLE)


@pytest.fixture
def q3(q2, facilitator):
    return cycle.session_open_next(actor=facilitator, source=q2, notify=False).session


def _presented(session):
    return session.session_objectives.filter(is_retired=False).select_related("objective")


def test_revising_an_objective_changes_the_draft_and_leaves_the_held_session_as_presented(
    q2, q3, facilitator
):
    row = _presented(q3).first()
    objective = row.objective
    before = session_deck(q2.pk).objective(objective.slug)
    department = models.Department.objects.exclude(pk=objective.department_id).first()

    session_edits.session_objective_revise(
        session=q3,
        objective=objective,
        actor=facilitator,
        expected_version=objective.version,
        statement="A corrected statement.",
        target_quarter_text="Q4",
        department=department,
    )

    after_q3 = session_deck(q3.pk).objective(objective.slug)
    assert (after_q3.statement, after_q3.target_quarter_text, after_q3.department) == (
        "A corrected statement.",
        "Q4",
        department.name,
    )
    held = session_deck(q2.pk).objective(objective.slug)
    assert (held.statement, held.department) == (before.statement, before.department)
    fields = set(
        models.HistoryEntry.objects.filter(
            object_id=objective.pk, field__in=("statement", "department")
        ).values_list("field", flat=True)
    )
    assert fields == {"statement", "department"}


def test_a_stale_objective_revision_is_a_conflict_and_changes_nothing(q3, facilitator):
    objective = _presented(q3).first().objective
    read_at = objective.version
    session_edits.session_objective_revise(
        session=q3, objective=objective, actor=facilitator, statement="First edit."
    )

    with pytest.raises(ConflictError):
        session_edits.session_objective_revise(
            session=q3,
            objective=objective,
            actor=facilitator,
            expected_version=read_at,
            statement="Second edit, read before the first.",
        )
    objective.refresh_from_db()
    assert objective.statement == "First edit."


def test_a_held_session_refuses_revisions(q2, facilitator):
    objective = _presented(q2).first().objective

    with pytest.raises(SessionHeldError):
        session_edits.session_objective_revise(
            session=q2, objective=objective, actor=facilitator, statement="Rewritten."
        )


def test_a_blank_statement_is_a_field_error(q3, facilitator):
    objective = _presented(q3).first().objective

    with pytest.raises(ValidationError) as raised:
        session_edits.session_objective_revise(
            session=q3, objective=objective, actor=facilitator, statement="   "
        )
    assert "statement" in raised.value.message_dict


def test_a_key_result_correction_is_versioned_and_the_held_deck_keeps_its_words(
    q2, q3, facilitator
):
    key_result = models.KeyResult.objects.filter(
        objective__session_objectives__session=q3, is_retired=False
    ).first()
    slug = key_result.objective.slug
    held_before = session_deck(q2.pk).objective(slug).key_results
    read_at = key_result.version

    cycle.key_result_update(
        session=q3,
        key_result=key_result,
        actor=facilitator,
        expected_version=read_at,
        description="Corrected wording",
        baseline_text="12 tools",
        goal_text="20 tools",
    )
    with pytest.raises(ConflictError):
        cycle.key_result_update(
            session=q3,
            key_result=key_result,
            actor=facilitator,
            expected_version=read_at,
            goal_text="30 tools",
        )

    row = next(
        kr
        for kr in session_deck(q3.pk).objective(slug).key_results
        if kr.key_result_id == key_result.pk
    )
    assert (row.description, row.baseline_text, row.goal_text) == (
        "Corrected wording",
        "12 tools",
        "20 tools",
    )
    assert session_deck(q2.pk).objective(slug).key_results == held_before


def test_unmarked_rows_are_left_behind_when_the_next_quarter_opens(q2, facilitator):
    rows = list(_presented(q2))
    left_row, kept_row = rows[0], rows[1]
    left_kr = kept_row.objective.key_results.filter(is_retired=False).first()
    held_before = session_deck(q2.pk)

    # In the cycle's order: Q2 is held, the marks are set, then Q3 is opened.
    session_edits.carry_over_mark(session=q2, row=left_row, actor=facilitator, carry=False)
    session_edits.carry_over_mark(session=q2, key_result=left_kr, actor=facilitator, carry=False)
    preview = open_next_preview(q2)
    assert left_row.objective.short_name in preview.objectives_left
    assert left_row.objective.short_name not in preview.objectives
    assert preview.key_results_left == 1
    q3 = cycle.session_open_next(actor=facilitator, source=q2, notify=False).session

    q3_slugs = [o.slug for o in session_deck(q3.pk).objectives]
    assert left_row.objective.slug not in q3_slugs
    assert kept_row.objective.slug in q3_slugs
    retired = q3.session_objectives.get(objective=left_row.objective)
    assert retired.is_retired  # listed in Q3's editor, where it can be restored
    left_kr.refresh_from_db()
    assert left_kr.is_retired and left_kr.carry_over
    kept_ids = [
        kr.key_result_id
        for kr in session_deck(q3.pk).objective(kept_row.objective.slug).key_results
    ]
    assert left_kr.pk not in kept_ids
    assert session_deck(q2.pk) == held_before


def test_marks_are_refused_once_the_next_quarter_is_open(q2, q3, facilitator):
    row = _presented(q2).first()

    with pytest.raises(ValidationError):
        session_edits.carry_over_mark(session=q2, row=row, actor=facilitator, carry=False)
    row.refresh_from_db()
    assert row.carry_over


def test_a_new_fiscal_year_copies_only_the_marked_objectives_and_key_results(facilitator):
    priority = factories.PriorityFactory()
    q4 = factories.TuningSessionFactory(
        priority=priority,
        quarter=factories.QuarterFactory(fiscal_year=2020, number=4),
        title="Tuning Session Q4 FY20-21",
    )
    kept, left = (factories.ObjectiveFactory(priority=priority, fiscal_year=2020) for _ in range(2))
    kept_kr, left_kr = (factories.KeyResultFactory(objective=kept) for _ in range(2))
    left_kr.carry_over = False
    left_kr.save()
    models.SessionObjective.objects.create(session=q4, objective=kept, order=1)
    models.SessionObjective.objects.create(session=q4, objective=left, order=2, carry_over=False)

    q1 = cycle.session_open_next(actor=facilitator, source=q4, notify=False).session

    copies = list(models.Objective.objects.filter(session_objectives__session=q1))
    assert [o.short_name for o in copies] == [kept.short_name]
    assert list(copies[0].key_results.values_list("code", flat=True)) == [kept_kr.code]
