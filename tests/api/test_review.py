"""The review loop over the API: POST /api/v1/submissions/<action>/ with the pages' permissions,
tried by every role (a lead approving their own department is a 403), and GET
/api/v1/submissions/?session= (a held session's states as they stood at the hold)."""

import logging

import pytest
from django.urls import reverse

from metrics import models
from metrics.services import sessions as cycle
from tests import factories
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

QUARTER = {"fiscal_year": 2020, "quarter_number": 2}


def url(action: str) -> str:
    return reverse(f"api:submission-{action}", kwargs={"version": "v1"})


def post(client, action, department="community", **extra):
    return client.post(url(action), {"department": department, **QUARTER, **extra}, format="json")


def state(slug="community"):
    return models.Submission.objects.get(department__slug=slug).state


@pytest.fixture
def facilitator(db):
    return factories.UserFactory(username="fay", roles=["Facilitator"])


def test_the_whole_loop_over_the_api(world, clients, facilitator):
    reviewer = client_for(facilitator)
    submitted = post(clients["lead"], "submit")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["state"] == "submitted"

    returned = post(reviewer, "return", comment="Where is October?")
    assert returned.status_code == 200
    body = returned.json()
    assert (body["state"], body["review_comment"], body["quarter"]) == (
        "returned",
        "Where is October?",
        "Q2 FY20-21",
    )
    assert post(clients["lead"], "submit").json()["state"] == "submitted"
    assert post(reviewer, "approve").json()["state"] == "approved"
    assert post(clients["lead"], "withdraw").json()["state"] == "draft"
    sources = set(
        models.HistoryEntry.objects.filter(field="state").values_list("source", flat=True)
    )
    assert sources == {"api"}


@pytest.mark.parametrize("role", ["lead", "other_lead", "executive", "viewer"])
def test_approving_and_returning_are_for_reviewers_only(world, clients, role, caplog):
    post(clients["lead"], "submit")
    with caplog.at_level(logging.WARNING, logger="metrics.permissions"):
        assert post(clients[role], "approve").status_code == 403
        assert post(clients[role], "return", comment="No.").status_code == 403
    assert "permission denied" in caplog.text
    assert state() == "submitted"


def test_a_reviewer_who_leads_the_department_may_not_approve_it(world, clients, users):
    world.department.leads.add(users["admin"])
    post(clients["lead"], "submit")
    assert post(clients["admin"], "approve").status_code == 403
    assert post(clients["admin"], "return", comment="Mine.").status_code == 403
    assert post(clients["admin"], "approve", department="product").status_code == 409
    assert state() == "submitted"


@pytest.mark.parametrize("role", ["other_lead", "executive", "viewer", "anonymous", "no_role"])
def test_submitting_and_withdrawing_are_for_the_departments_leads_and_admins(world, clients, role):
    expected = 401 if role == "anonymous" else 403
    assert post(clients[role], "submit").status_code == expected
    post(clients["lead"], "submit")
    assert post(clients[role], "withdraw").status_code == expected
    assert state() == "submitted"


def test_a_return_needs_a_comment_and_a_wrong_step_is_a_400(world, clients):
    post(clients["lead"], "submit")
    missing = post(clients["admin"], "return")
    assert missing.status_code == 400 and "comment" in missing.json()
    blank = post(clients["admin"], "return", comment="   ")
    assert blank.status_code == 400 and "comment" in blank.json()
    assert post(clients["admin"], "return", comment="x" * 2001).status_code == 400
    post(clients["admin"], "approve")
    again = post(clients["admin"], "approve")
    assert again.status_code == 200  # approving twice changes nothing
    resubmit = post(clients["lead"], "submit")
    assert resubmit.status_code == 409
    assert "An approved quarter cannot become submitted" in resubmit.json()["detail"]


def test_bad_input_is_a_400_naming_the_field_and_an_unknown_department_a_404(world, clients):
    no_quarter = clients["admin"].post(url("submit"), {"department": "community"}, format="json")
    assert no_quarter.status_code == 400
    assert {"fiscal_year", "quarter_number"} <= set(no_quarter.json())
    unknown = post(clients["admin"], "submit", department="nowhere")
    assert unknown.status_code == 404
    bad_year = post(clients["admin"], "submit", fiscal_year=99999)
    assert bad_year.status_code == 400


def test_a_locked_quarter_is_a_423(world, clients):
    post(clients["lead"], "submit")
    from metrics.services.submissions import submission_lock

    submission_lock(department=world.department, quarter=world.quarter, actor=None)
    assert post(clients["admin"], "approve").status_code == 423


def test_a_lead_cannot_save_figures_of_a_submitted_check_in_over_the_api(world, clients):
    post(clients["lead"], "submit")
    response = clients["lead"].patch(
        reverse("api:quarterly-status-detail", kwargs={"version": "v1", "pk": world.status.pk}),
        {"comment": "Changed after submitting", "version": world.status.version},
        format="json",
    )
    assert response.status_code == 423
    assert "read-only until you withdraw it" in response.json()["detail"]


def test_the_states_of_a_sessions_departments_live_and_as_held(
    world, clients, facilitator, django_assert_max_num_queries
):
    post(clients["lead"], "submit")
    list_url = reverse("api:submissions", kwargs={"version": "v1"})
    with django_assert_max_num_queries(10):
        live = clients["viewer"].get(list_url, {"session": world.session.pk})
    assert live.status_code == 200
    body = live.json()
    assert (body["held"], body["submitted"], body["total"]) == (False, 1, 2)
    assert body["summary"] == (
        "1 of 2 departments submitted (0 approved); Product has not submitted yet."
    )
    assert [d["department"] for d in body["departments"]] == ["community", "product"]

    cycle.session_hold(actor=facilitator, session=world.session)
    held = clients["viewer"].get(list_url, {"session": world.session.pk}).json()
    assert held["held"] and held["recorded"]
    assert held["summary"] == (
        "1 of 2 departments submitted (0 approved); Product had not submitted when the "
        "session was held."
    )
    assert [d["state"] for d in held["departments"]] == ["submitted", "draft"]

    assert clients["viewer"].get(list_url, {"session": 999999}).status_code == 404
    assert clients["viewer"].get(list_url).status_code == 400
    assert clients["no_role"].get(list_url, {"session": world.session.pk}).status_code == 403
