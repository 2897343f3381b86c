"""A key result's confidence on the pages: the lead sets it in the check-in; the objective page
shows it beside the printed cells, quarter by quarter; the overview counts key results by it.
The printed cells themselves do not change."""

import pytest
from django.urls import reverse

from metrics import models
from metrics.selectors.deck import session_deck
from metrics.services import sessions as cycle
from metrics.services.key_results import key_result_status_save
from tests import factories
from tests.entry_world import entry_world_build, status_post_data

pytestmark = pytest.mark.django_db

Q2_TITLE = "Thriving Movement Tuning Session Q2 FY20-21"


def checkin_url(department="product", fiscal_year=2020, number=3):
    return reverse(
        "metrics:checkin",
        kwargs={"department": department, "fiscal_year": fiscal_year, "number": number},
    )


def test_the_lead_sets_confidence_in_the_checkin(client):
    world = entry_world_build()
    client.force_login(world.lead_product)
    data = status_post_data(None, client.get(checkin_url()).context)
    data[f"kr-{world.kr_tools.pk}-confidence"] = "at_risk"
    data[f"kr-{world.kr_tools.pk}-confidence_score"] = "4"

    response = client.post(checkin_url(), data)

    assert response.status_code == 302
    status = models.KeyResultStatus.objects.get(key_result=world.kr_tools)
    assert (status.confidence, status.confidence_score) == ("at_risk", 4)
    html = client.get(checkin_url()).content.decode()
    assert f'name="kr-{world.kr_tools.pk}-confidence_score" value="4"' in html


def test_a_bad_score_is_a_form_error_and_keeps_what_was_typed(client):
    world = entry_world_build()
    client.force_login(world.lead_product)
    data = status_post_data(None, client.get(checkin_url()).context)
    data[f"kr-{world.kr_tools.pk}-confidence"] = "on_track"
    data[f"kr-{world.kr_tools.pk}-confidence_score"] = "12"

    response = client.post(checkin_url(), data)

    assert response.status_code in (200, 400)
    html = response.content.decode()
    assert "Enter a whole number from 1 to 10." in html
    assert f'name="kr-{world.kr_tools.pk}-confidence_score" value="12"' in html
    assert not models.KeyResultStatus.objects.filter(key_result=world.kr_tools).exists()


def test_the_checkin_controls_are_labelled(client):
    world = entry_world_build()
    client.force_login(world.lead_product)

    html = client.get(checkin_url()).content.decode()

    status_id = f"id_status-{world.editors.pk}-0-footnote_markers"
    assert f'for="{status_id}"' in html
    assert f'for="id_status-{world.editors.pk}-0-state_markers"' in html
    assert f'for="id_kr-{world.kr_tools.pk}-is_done"' in html
    assert f'for="id_kr-{world.kr_tools.pk}-confidence"' in html


@pytest.fixture
def q3(seed_deck):
    cycle.session_freeze_presented()
    facilitator = factories.UserFactory(username="fay", roles=["Facilitator"])
    q2 = models.TuningSession.objects.get(title=Q2_TITLE)
    return cycle.session_open_next(actor=facilitator, source=q2, notify=False).session


def _objective_with_key_results(session):
    return next(o for o in session_deck(session.pk).objectives if o.key_results)


def test_the_objective_page_shows_confidence_beside_the_unchanged_cells(
    client, q3, django_assert_max_num_queries
):
    objective = _objective_with_key_results(q3)
    row = objective.key_results[0]
    key_result_status_save(
        key_result=models.KeyResult.objects.get(pk=row.key_result_id),
        quarter=q3.quarter,
        actor=None,
        source="form",
        confidence="at_risk",
        confidence_score=5,
    )
    printed = [cell.display for cell in row.cells[:2]]
    client.force_login(factories.UserFactory(roles=["Viewer"]))
    url = reverse(
        "metrics:objective", kwargs={"session_id": q3.pk, "objective_slug": objective.slug}
    )

    with django_assert_max_num_queries(27):
        html = client.get(url).content.decode()

    assert f'<tr class="kr-confidence" data-kr="{row.key_result_id}">' in html
    assert 'data-confidence="at_risk"' in html and "5/10" in html
    after = _objective_with_key_results(q3).key_results[0]
    assert [cell.display for cell in after.cells[:2]] == printed
    assert after.cells[2].confidence == "at_risk"


def test_the_overview_counts_key_results_by_confidence_and_a_held_one_keeps_its_count(client, q3):
    objective = _objective_with_key_results(q3)
    key_result = models.KeyResult.objects.get(pk=objective.key_results[0].key_result_id)
    key_result_status_save(
        key_result=key_result,
        quarter=q3.quarter,
        actor=None,
        source="form",
        confidence="off_track",
    )
    client.force_login(factories.UserFactory(roles=["Executive"]))
    url = reverse("metrics:session_overview", kwargs={"session_id": q3.pk})

    html = client.get(url).content.decode()
    assert 'data-confidence="off_track"><span class="count kr-count">1</span>' in html

    cycle.session_hold(actor=None, session=q3)
    models.Submission.objects.filter(quarter=q3.quarter).update(state="draft")
    key_result_status_save(
        key_result=key_result, quarter=q3.quarter, actor=None, source="admin", confidence=""
    )
    held = client.get(url).content.decode()
    assert 'data-confidence="off_track"><span class="count kr-count">1</span>' in held
