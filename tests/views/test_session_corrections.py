"""The session editor's corrections (a key result's wording, baseline and goal; an objective's
statement, target quarter and department) and its carry marks, as a facilitator uses them:
saved with history, a stale edit answered with the conflict and the typed values kept, bad
input a form error, a held session left as presented, and no button that can only refuse."""

import pytest
from django.urls import reverse

from metrics import models
from metrics.forms.sessions import KeyResultEditForm
from metrics.selectors.deck import session_deck
from metrics.services import sessions as cycle
from tests import factories

pytestmark = pytest.mark.django_db

Q2_TITLE = "Thriving Movement Tuning Session Q2 FY20-21"


@pytest.fixture
def facilitator(db):
    return factories.UserFactory(username="fay", roles=["Facilitator"])


@pytest.fixture
def q2(seed_deck):
    cycle.session_freeze_presented()
    return models.TuningSession.objects.get(title=Q2_TITLE)


@pytest.fixture
def q3(q2, facilitator):
    return cycle.session_open_next(actor=facilitator, source=q2, notify=False).session


@pytest.fixture
def fay(client, facilitator):
    client.force_login(facilitator)
    return client


def edit_url(session):
    return reverse("metrics:session_edit", kwargs={"session_id": session.pk})


def _key_result(session):
    return models.KeyResult.objects.filter(
        objective__session_objectives__session=session, is_retired=False
    ).first()


def kr_post(key_result, **fields):
    """What the browser posts: the form as read (with `seen`), the edited fields typed over."""
    data = {"action": "kr-edit", "id": key_result.pk}
    data |= KeyResultEditForm.for_key_result(key_result).as_data()
    for name, value in fields.items():
        data[f"kr-{key_result.pk}-{name}"] = value
    return data


def test_the_facilitator_corrects_a_key_result_with_history(fay, q3):
    key_result = _key_result(q3)

    response = fay.post(
        edit_url(q3), kr_post(key_result, description="Corrected wording", goal_text="20 tools")
    )

    assert response.status_code == 302
    key_result.refresh_from_db()
    assert (key_result.description, key_result.goal_text) == ("Corrected wording", "20 tools")
    assert set(
        models.HistoryEntry.objects.filter(
            object_id=key_result.pk, field__in=("description", "goal_text", "code")
        ).values_list("field", flat=True)
    ) == {"description", "goal_text"}


def test_a_stale_key_result_edit_shows_the_conflict_and_keeps_what_was_typed(fay, q3, facilitator):
    key_result = _key_result(q3)
    stale = kr_post(key_result, goal_text="My goal")
    cycle.key_result_update(
        session=q3, key_result=key_result, actor=facilitator, baseline_text="Their baseline"
    )

    response = fay.post(edit_url(q3), stale)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else changed this meanwhile" in html
    assert "My goal" in html  # typed over what is saved now
    assert 'value="Their baseline"' in html  # the field this person did not edit: as saved
    key_result.refresh_from_db()
    assert key_result.goal_text != "My goal"


def test_a_blank_description_is_a_form_error_never_a_500(fay, q3):
    key_result = _key_result(q3)

    response = fay.post(edit_url(q3), kr_post(key_result, description=""))

    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


def test_garbage_posts_are_answered_not_crashed(fay, q3):
    key_result = _key_result(q3)
    data = kr_post(key_result)
    data[f"kr-{key_result.pk}-version"] = "not-a-number"

    assert fay.post(edit_url(q3), data).status_code == 200
    assert fay.post(edit_url(q3), {"action": "kr-edit", "id": "x"}).status_code == 302
    objective_id = q3.session_objectives.first().objective_id
    bad_department = {
        "action": "objective-edit",
        "objective": objective_id,
        f"obj-{objective_id}-version": 1,
        f"obj-{objective_id}-statement": "A statement",
        f"obj-{objective_id}-department": "99999",
    }
    assert fay.post(edit_url(q3), bad_department).status_code == 200


def test_the_facilitator_corrects_an_objective(fay, q3):
    row = q3.session_objectives.select_related("objective").first()
    objective = row.objective
    department = models.Department.objects.exclude(pk=objective.department_id).first()
    prefix = f"obj-{objective.pk}"

    response = fay.post(
        edit_url(q3),
        {
            "action": "objective-edit",
            "objective": objective.pk,
            f"{prefix}-version": objective.version,
            f"{prefix}-statement": "Corrected statement",
            f"{prefix}-target_quarter_text": "Q4",
            f"{prefix}-department": department.pk,
        },
    )

    assert response.status_code == 302
    objective.refresh_from_db()
    assert (objective.statement, objective.target_quarter_text, objective.department_id) == (
        "Corrected statement",
        "Q4",
        department.pk,
    )


def test_a_lead_cannot_correct_a_key_result(client, q3):
    lead = factories.UserFactory(username="lee", roles=["Department lead"])
    client.force_login(lead)
    key_result = _key_result(q3)

    response = client.post(edit_url(q3), kr_post(key_result, description="Hijacked"))

    assert response.status_code == 403
    key_result.refresh_from_db()
    assert key_result.description != "Hijacked"


def test_a_held_session_refuses_corrections_and_keeps_its_deck(fay, q2):
    before = session_deck(q2.pk)
    key_result = _key_result(q2)

    fay.post(edit_url(q2), kr_post(key_result, description="Rewritten after the meeting"))

    key_result.refresh_from_db()
    assert key_result.description != "Rewritten after the meeting"
    assert session_deck(q2.pk) == before


def test_a_held_session_offers_carry_marks_and_opening_the_next(fay, q2):
    html = fay.get(edit_url(q2)).content.decode()

    assert 'id="carry-over"' in html
    assert "Leave out" in html
    assert reverse("metrics:session_open_next") in html
    # Duplicating needs an open next session: no such button before.
    assert "objective-duplicate" not in html


def test_carry_marks_post_and_show(fay, q2):
    row = q2.session_objectives.filter(is_retired=False).first()

    response = fay.post(edit_url(q2), {"action": "carry-unmark", "kind": "objective", "id": row.pk})

    assert response.status_code == 302
    row.refresh_from_db()
    assert row.carry_over is False
    assert "Left out of Q3 FY20-21" in fay.get(edit_url(q2)).content.decode()


def test_the_duplicate_button_shows_only_when_the_next_session_is_open(fay, q2, q3, facilitator):
    # Q3 is open and in preparation: Q2's editor (held) says so and offers no marks.
    html = fay.get(edit_url(q2)).content.decode()
    assert "Leave out" not in html and "is open" in html
    # Q3's own editor: no Q4 yet, so no duplicate button, but carry marks.
    html = fay.get(edit_url(q3)).content.decode()
    assert "objective-duplicate" not in html
    assert "carry-unmark" in html


def test_the_editor_runs_a_bounded_number_of_queries(fay, q3, django_assert_max_num_queries):
    with django_assert_max_num_queries(17):
        response = fay.get(edit_url(q3))
    assert response.status_code == 200
