"""`/` opens a home per person: a lead's check-in due, a facilitator's reviews, an
executive's changes since their last visit; a viewer keeps the latest session's deck."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from metrics import models
from metrics.services import sessions as cycle
from metrics.services.events import EventKind, event_publish
from metrics.services.homes import home_visit_start
from metrics.services.statuses import quarterly_status_save
from metrics.services.submissions import submission_submit
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def q3(seed_deck):
    q2 = models.TuningSession.objects.get(quarter__fiscal_year=2020, quarter__number=2)
    facilitator = factories.UserFactory(username="fac", roles=["Facilitator"])
    return cycle.session_open_next(
        actor=facilitator, source=q2, status_deadline=date(2021, 4, 15), notify=False
    ).session


@pytest.fixture
def lead():
    user = factories.UserFactory(username="lead-product", roles=["Department lead"])
    models.Department.objects.get(slug="product").leads.add(user)
    return user


def product_metric():
    return (
        models.Metric.objects.filter(department__slug="product")
        .exclude(state="retired")
        .order_by("pk")
        .first()
    )


def test_a_lead_sees_the_check_in_due_rows_left_and_the_return_comment(client, q3, lead):
    quarterly_status_save(
        metric=product_metric(),
        segment=None,
        quarter=q3.quarter,
        actor=lead,
        source="form",
        value="95000",
    )
    event_publish(
        kind=EventKind.SUBMISSION_CHANGED,
        actor=factories.UserFactory(username="fac"),
        payload={
            "submission_id": 1,
            "department_id": models.Department.objects.get(slug="product").pk,
            "fiscal_year": 2020,
            "quarter_number": 3,
            "quarter": "Q3 FY20-21",
            "from_state": "submitted",
            "to_state": "returned",
            "comment": "Explain the dip, please.",
        },
    )
    models.Submission.objects.create(
        department=models.Department.objects.get(slug="product"),
        quarter=q3.quarter,
        state="draft",
    )
    models.Submission.objects.filter(quarter=q3.quarter).update(state="returned")
    client.force_login(lead)

    page = client.get(reverse("metrics:home")).content.decode()

    assert "Your check-ins due" in page
    assert "/checkin/product/2020/q3/" in page
    assert "Thursday 15 April 2021" in page
    assert "left to fill" in page
    assert "Explain the dip, please." in page and ">Returned<" in page
    assert "1 unread notification" in page


def test_rows_left_count_the_department_rows_without_a_status(q3, lead):
    from metrics.selectors.homes import home_for

    before = home_for(lead).checkins[0]
    quarterly_status_save(
        metric=product_metric(),
        segment=None,
        quarter=q3.quarter,
        actor=lead,
        source="form",
        value="95000",
    )
    after = home_for(lead).checkins[0]
    assert before.rows_total == after.rows_total > 0
    assert after.rows_left == before.rows_left - 1


def test_a_facilitator_sees_what_to_review_and_who_has_not_started(client, q3, lead):
    submission_submit(
        department=models.Department.objects.get(slug="product"), quarter=q3.quarter, actor=lead
    )
    client.force_login(models.Department.leads.field.related_model.objects.get(username="fac"))

    page = client.get(reverse("metrics:home")).content.decode()

    assert "Check-ins to review" in page
    to_review = page.split("Check-ins to review")[1].split("Departments not started")[0]
    assert "Product" in to_review
    not_started = page.split("Departments not started")[1]
    assert "Legal" in not_started and "Product" not in not_started.split("</ul>")[0]
    assert "1 of 5 departments handed in" in page


def test_an_executive_sees_new_values_since_the_last_visit(client, q3, lead):
    executive = factories.UserFactory(username="exec", roles=["Executive"])
    home_visit_start(user=executive, now=timezone.now() - timedelta(days=30))
    client.force_login(executive)  # a sign-in starts a new visit: "since" is the last one
    quarterly_status_save(
        metric=product_metric(),
        segment=None,
        quarter=q3.quarter,
        actor=lead,
        source="form",
        value="95000",
    )
    page = client.get(reverse("metrics:home")).content.decode()
    assert "since your last visit" in page
    assert product_metric().name in page and any(v in page for v in ("95000", "95,000"))
    assert "lead-product" in page

    client.post(reverse("metrics:home_seen"))
    page = client.get(reverse("metrics:home")).content.decode()
    assert "0 changes since" in page


def test_a_viewer_goes_to_the_latest_session(client, q3):
    client.force_login(factories.UserFactory(roles=["Viewer"]))
    answer = client.get(reverse("metrics:home"))
    assert answer.status_code == 302
    assert answer.url == reverse("metrics:session", kwargs={"session_id": q3.pk})


@pytest.mark.parametrize("role", ["Department lead", "Facilitator", "Executive", "Admin"])
def test_every_home_runs_a_fixed_number_of_queries(
    client, q3, lead, role, django_assert_max_num_queries
):
    user = lead if role == "Department lead" else factories.UserFactory(roles=[role])
    for department in models.Department.objects.all():
        department.leads.add(lead)
    client.force_login(user)
    with django_assert_max_num_queries(22):
        answer = client.get(reverse("metrics:home"))
    assert answer.status_code == 200
    assert reverse("metrics:session", kwargs={"session_id": q3.pk}) in answer.content.decode()
