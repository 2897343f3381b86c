"""The quarterly cycle through the API and the pages: who may, what is refused and why."""

import logging

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from metrics import models
from metrics.services import sessions as cycle
from tests import factories

Q2_TITLE = "Thriving Movement Tuning Session Q2 FY20-21"


def url(name, pk):
    return reverse(
        f"api:session-{name.replace('open-next', 'open_next')}", kwargs={"version": "v1", "pk": pk}
    )


@pytest.fixture
def q2(seed_deck):
    return models.TuningSession.objects.get(title=Q2_TITLE)


@pytest.fixture
def users(db):
    lead = factories.UserFactory(username="lead", roles=["Department lead"])
    return {
        "facilitator": factories.UserFactory(username="fac", roles=["Facilitator"]),
        "admin": factories.UserFactory(username="adm", roles=["Admin"]),
        "lead": lead,
        "executive": factories.UserFactory(username="exe", roles=["Executive"]),
    }


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_open_next_via_api_then_again_is_409_with_the_reason(q2, users):
    client = client_for(users["facilitator"])
    response = client.post(url("open-next", q2.pk), {}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["session"]["quarter"] == "Q3 FY20-21"
    again = client.post(url("open-next", q2.pk), {}, format="json")
    assert again.status_code == 409
    assert "Q3 FY20-21 is already open" in again.json()["detail"]
    assert models.TuningSession.objects.count() == 3


def test_open_next_for_a_quarter_that_is_not_the_next_one_is_400(q2, users):
    response = client_for(users["facilitator"]).post(
        url("open-next", q2.pk), {"fiscal_year": 2021, "quarter_number": 1}, format="json"
    )
    assert response.status_code == 400
    assert "is not the next quarter" in response.json()["quarter"][0]


@pytest.mark.parametrize("role", ["lead", "executive"])
def test_facilitator_actions_are_403_for_other_roles_and_logged(q2, users, role, caplog):
    client = client_for(users[role])
    with caplog.at_level(logging.WARNING, logger="metrics.permissions"):
        for name in ("open-next", "hold", "delete"):
            assert client.post(url(name, q2.pk), {}, format="json").status_code == 403
    assert "permission denied" in caplog.text
    assert models.TuningSession.objects.count() == 2


def test_hold_via_api_then_writes_are_refused_and_reopen_is_admin_only(q2, users):
    facilitator = client_for(users["facilitator"])
    q3_id = facilitator.post(url("open-next", q2.pk), {}, format="json").json()["session"]["id"]
    held = facilitator.post(url("hold", q3_id), {}, format="json")
    assert held.status_code == 200 and held.json()["state"] == "held"

    metric = models.Metric.objects.get(slug="monthly-active-editors")
    admin = client_for(users["admin"])
    write = admin.post(
        reverse("api:quarterly-status-list", kwargs={"version": "v1"}),
        {"metric": metric.pk, "quarter": {"fiscal_year": 2020, "number": 3}, "value": "1"},
        format="json",
    )
    assert write.status_code in (400, 423), write.content
    assert not models.QuarterlyStatus.objects.filter(
        metric=metric, quarter__number=3, value=1
    ).exists()
    refused = facilitator.post(url("delete", q3_id), {}, format="json")
    assert refused.status_code == 423 and "held" in refused.json()["detail"]
    assert facilitator.post(url("reopen", q3_id), {}, format="json").status_code == 403
    assert admin.post(url("reopen", q3_id), {}, format="json").json()["state"] == "draft"


def test_deck_api_of_a_held_session_is_its_snapshot(q2, users):
    facilitator = client_for(users["facilitator"])
    q3 = cycle.session_open_next(actor=users["facilitator"], source=q2, notify=False).session
    cycle.session_hold(actor=users["facilitator"], session=q3)
    before = facilitator.get(url("deck", q3.pk)).json()
    models.SessionObjective.objects.filter(session=q3).update(narrative="Edited in the database")
    models.MetricDefinition.objects.filter(session=q3).update(name="Renamed")
    assert facilitator.get(url("deck", q3.pk)).json() == before


# --- pages -------------------------------------------------------------------------------------


def test_lead_gets_403_on_the_cycle_pages(client, q2, users):
    client.force_login(users["lead"])
    assert client.get(reverse("metrics:session_open_next")).status_code == 403
    edit = reverse("metrics:session_edit", kwargs={"session_id": q2.pk})
    assert client.post(edit, {"action": "hold"}).status_code == 403


def test_open_next_page_preview_and_confirm(client, q2, users, django_assert_max_num_queries):
    client.force_login(users["facilitator"])
    with django_assert_max_num_queries(16):
        page = client.get(reverse("metrics:session_open_next"))
    assert "Thriving Movement Tuning Session Q3 FY20-21" in page.content.decode()
    response = client.post(reverse("metrics:session_open_next"), {"source": q2.pk})
    q3 = models.TuningSession.objects.get(quarter__number=3)
    assert response.url == reverse("metrics:session_edit", kwargs={"session_id": q3.pk})
    again = client.post(reverse("metrics:session_open_next"), {"source": q2.pk})
    assert "already open" in again.content.decode()
    assert models.TuningSession.objects.count() == 3


def test_edit_page_query_count_is_bounded_and_held_sessions_refuse_form_edits(
    client, q2, users, django_assert_max_num_queries
):
    client.force_login(users["facilitator"])
    q3 = cycle.session_open_next(actor=users["facilitator"], source=q2, notify=False).session
    edit = reverse("metrics:session_edit", kwargs={"session_id": q3.pk})
    # Session, user and messages lookups, then eight for the page's lists; +2: who its hold
    # and its delete notify (one audience, templates/notifications/_who.html).
    with django_assert_max_num_queries(19):
        assert client.get(edit).status_code == 200
    cycle.session_hold(actor=users["facilitator"], session=q3)
    q3.refresh_from_db()
    response = client.post(
        edit,
        {"action": "texts", "version": q3.version, "title": q3.title, "overview": "Later"},
    )
    assert "held" in response.content.decode()
    definition = q3.metric_definitions.first()
    response = client.post(edit, {"action": "definition-retire", "id": definition.pk}, follow=True)
    assert "held" in response.content.decode()
    definition.refresh_from_db()
    assert not definition.is_retired
    q3.refresh_from_db()
    assert q3.overview == ""


def test_markdown_with_scripts_is_sanitised_on_the_session_page(client, q2, users):
    client.force_login(users["facilitator"])
    q3 = cycle.session_open_next(actor=users["facilitator"], source=q2, notify=False).session
    cycle.session_update(
        session=q3, actor=users["facilitator"], overview="<script>alert(1)</script>**Hi**"
    )
    html = client.get(reverse("metrics:session", kwargs={"session_id": q3.pk})).content.decode()
    assert "<script>alert(1)" not in html and "<strong>Hi</strong>" in html


def test_edit_page_adds_an_objective_and_a_key_result_and_moves_it(client, q2, users):
    client.force_login(users["facilitator"])
    q3 = cycle.session_open_next(actor=users["facilitator"], source=q2, notify=False).session
    edit = reverse("metrics:session_edit", kwargs={"session_id": q3.pk})
    client.post(
        edit,
        {"action": "objective-add", "short_name": "Search", "statement": "Find things."},
    )
    search = models.Objective.objects.get(short_name="Search")
    client.post(
        edit,
        {"action": "kr-add", "objective": search.pk, "code": "KR1", "description": "Faster"},
    )
    kr = search.key_results.get()
    target = models.Objective.objects.get(slug="grantmaking")
    page = client.post(
        edit, {"action": "kr-move-to", "id": kr.pk, "objective": target.pk}, follow=True
    )
    assert "moved to Grantmaking" in page.content.decode()
    kr.refresh_from_db()
    assert kr.objective == target


def test_deleting_a_session_in_use_is_a_409_with_the_reason(q2, users):
    """The session's state forbids it (statuses entered), not the request's shape."""
    q3 = cycle.session_open_next(actor=users["admin"], source=q2, notify=False).session
    factories.QuarterlyStatusFactory(quarter=q3.quarter)

    refused = client_for(users["admin"]).post(url("delete", q3.pk), {}, format="json")

    assert refused.status_code == 409
    assert "in use" in refused.json()["detail"]
    assert models.TuningSession.objects.filter(pk=q3.pk).exists()
