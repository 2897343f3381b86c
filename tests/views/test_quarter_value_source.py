"""A quarter's value has one source of truth, its observations: a value typed for the quarter
is its whole-quarter figure, and where months are pushed beside it the pages say which one
the cell shows, and why."""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from metrics import models
from metrics.services.statuses import quarterly_status_save
from tests.factories import QuarterFactory, UserFactory
from tests.selectors.builders import build_small_deck

pytestmark = pytest.mark.django_db

SHOWN = "figure for the whole quarter; 3 other values unused"
WHY = "a figure for the whole quarter, as entered in the check-in or printed in a deck, wins"


@pytest.fixture
def typed_then_pushed(django_capture_on_commit_callbacks):
    """A lead types Q2's value; a pipeline then pushes Q2's three months through the API."""
    session = build_small_deck()
    metric = models.Metric.objects.get(slug="monthly-active-editors")
    lead = UserFactory(username="lead", roles=["Department lead"])
    metric.department.leads.add(lead)
    with django_capture_on_commit_callbacks(execute=True):
        quarterly_status_save(
            metric=metric,
            segment=None,
            quarter=session.quarter,
            actor=lead,
            source="form",
            value="95000",
        )
    api = APIClient()
    api.force_authenticate(lead)
    rows = [
        {"metric": metric.slug, "period_start": month, "value": value}
        for month, value in (("2020-10", 90000), ("2020-11", 91000), ("2020-12", 92000))
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            reverse("api:observation-upsert", kwargs={"version": "v1"}),
            {"rows": rows},
            format="json",
        )
    assert response.status_code == 200, response.content
    assert response.json()["counts"]["rejected"] == 0, response.json()
    status = models.QuarterlyStatus.objects.get(
        metric=metric, segment=None, quarter=session.quarter
    )
    return session, metric, status


def test_the_typed_figure_stays_the_cells_value_and_the_months_are_counted(typed_then_pushed):
    _session, _metric, status = typed_then_pushed

    assert status.value == Decimal("95000")
    assert (status.value_basis, status.unused_observations) == ("quarter", 3)


def test_the_metric_page_says_which_figure_the_cell_shows(client, typed_then_pushed):
    session, metric, _status = typed_then_pushed
    client.force_login(UserFactory(roles=["Executive"]))

    html = client.get(
        reverse("metrics:metric", kwargs={"session_id": session.id, "metric_slug": metric.slug})
    ).content.decode()

    assert "95K" in html
    assert SHOWN in html
    assert WHY in html  # the reason, in the label's title


def test_the_cell_history_says_which_figure_the_cell_shows_and_why(client, typed_then_pushed):
    _session, _metric, status = typed_then_pushed
    client.force_login(UserFactory(roles=["Viewer"]))

    html = client.get(
        reverse("metrics:cell_history", kwargs={"status_id": status.pk})
    ).content.decode()

    assert "The value is the figure for the whole quarter" in html
    assert "3 values for shorter periods (months)" in html
    assert WHY in html


def test_the_checkin_says_which_figure_the_cell_shows(client, typed_then_pushed):
    session, metric, _status = typed_then_pushed
    client.force_login(UserFactory(roles=["Admin"]))
    quarter = session.quarter

    html = client.get(
        reverse(
            "metrics:checkin",
            kwargs={
                "department": metric.department.slug,
                "fiscal_year": quarter.fiscal_year,
                "number": quarter.number,
            },
        )
    ).content.decode()

    assert "The value is the figure for the whole quarter" in html
    assert WHY in html


def test_removing_the_typed_figure_hands_the_cell_to_the_months(
    typed_then_pushed, django_capture_on_commit_callbacks
):
    session, metric, status = typed_then_pushed

    with django_capture_on_commit_callbacks(execute=True):
        quarterly_status_save(
            metric=metric,
            segment=None,
            quarter=session.quarter,
            actor=None,
            source="form",
            value=None,
            expected_version=status.version,
        )

    status.refresh_from_db()
    assert (status.value, status.value_basis, status.unused_observations) == (
        Decimal("91000"),
        "months",
        0,
    )
    assert status.basis_note == ""


def test_a_reported_value_without_last_years_figure_keeps_its_state_and_names_the_months(
    client, django_capture_on_commit_callbacks
):
    session = build_small_deck()
    metric = models.Metric.objects.get(slug="monthly-active-editors")
    metric.goal_kind = models.GoalKind.YOY_CHANGE
    metric.goal_value = Decimal("5")
    metric.save()
    quarter = QuarterFactory(fiscal_year=2020, number=3)
    admin = UserFactory(roles=["Admin"])
    with django_capture_on_commit_callbacks(execute=True):
        quarterly_status_save(
            metric=metric,
            segment=None,
            quarter=quarter,
            actor=admin,
            source="form",
            value="95000",
            state="reported",
        )
    client.force_login(admin)

    html = client.get(
        reverse(
            "metrics:checkin",
            kwargs={"department": metric.department.slug, "fiscal_year": 2020, "number": 3},
        )
    ).content.decode()

    status = models.QuarterlyStatus.objects.get(metric=metric, segment=None, quarter=quarter)
    assert (status.state, status.value) == ("reported", Decimal("95000"))
    # Q3 FY20-21 is January-March 2021: a year earlier, January-March 2020.
    assert "last year's figures are missing for Jan 2020, Feb 2020, Mar 2020" in html
    backfill = reverse("metrics:entry-backfill", kwargs={"department": metric.department.slug})
    assert f'{backfill}?row={metric.pk}-0&amp;start=2020-01"' in html
    assert session.quarter != quarter
