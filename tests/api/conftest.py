"""Users of every role, API clients signed in as them, and a small world of rows that
touches every resource."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from metrics import models
from tests import factories

ROLES = ("admin", "executive", "lead", "other_lead", "viewer")


def api_url(name: str, pk=None) -> str:
    kwargs = {"version": "v1"} if pk is None else {"version": "v1", "pk": pk}
    return reverse(f"api:{name}", kwargs=kwargs)


@dataclass
class World:
    department: models.Department
    other_department: models.Department
    priority: models.Priority
    outcome: models.Outcome
    quarter: models.Quarter
    year_earlier: models.Quarter
    metric: models.Metric
    segment: models.Segment
    other_metric: models.Metric
    observation: models.Observation
    status: models.QuarterlyStatus
    other_status: models.QuarterlyStatus
    objective: models.Objective
    other_objective: models.Objective
    key_result: models.KeyResult
    key_result_status: models.KeyResultStatus
    other_key_result_status: models.KeyResultStatus
    drilldown: models.Drilldown
    other_drilldown: models.Drilldown
    session: models.TuningSession
    footnote: models.Footnote
    acronym: models.Acronym


@pytest.fixture(autouse=True)
def fresh_throttles():
    """The token endpoint's throttle counts in the cache; every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def users(db):
    department = factories.DepartmentFactory(name="Community Programs", slug="community")
    other = factories.DepartmentFactory(name="Product", slug="product")
    made = {
        "admin": factories.UserFactory(username="ada", roles=["Admin"]),
        "executive": factories.UserFactory(username="eve", roles=["Executive"]),
        "lead": factories.UserFactory(username="lee", roles=["Department lead"]),
        "other_lead": factories.UserFactory(username="olga", roles=["Department lead"]),
        "viewer": factories.UserFactory(username="vic", roles=["Viewer"]),
        "no_role": factories.UserFactory(username="nora"),
    }
    department.leads.add(made["lead"])
    other.leads.add(made["other_lead"])
    return made


def client_for(user, *, token: bool = True) -> APIClient:
    client = APIClient()
    if user is None:
        return client
    if token:
        key = Token.objects.get_or_create(user=user)[0].key
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    else:
        client.force_login(user)
    return client


@pytest.fixture
def clients(users):
    made = {role: client_for(user) for role, user in users.items()}
    made["anonymous"] = client_for(None)
    return made


@pytest.fixture
def world(users) -> World:
    department = models.Department.objects.get(slug="community")
    other_department = models.Department.objects.get(slug="product")
    priority = factories.PriorityFactory(name="Thriving Movement", slug="thriving")
    outcome = factories.OutcomeFactory(
        priority=priority, statement="We will welcome and support newcomers."
    )
    quarter = factories.QuarterFactory(fiscal_year=2020, number=2)
    year_earlier = factories.QuarterFactory(fiscal_year=2019, number=2)
    metric = factories.MetricFactory(
        outcome=outcome, department=department, name="Monthly active editors", slug="editors"
    )
    segment = factories.SegmentFactory(
        metric=metric, name="Emerging markets", slug="emerging", short_label="Emerging"
    )
    other_metric = factories.MetricFactory(
        outcome=outcome, department=other_department, name="Page views", slug="page-views"
    )
    observation = factories.ObservationFactory(
        metric=metric,
        period_start=date(2020, 10, 1),
        period_end=date(2020, 10, 31),
        value=Decimal("92000"),
    )
    status = factories.QuarterlyStatusFactory(
        metric=metric,
        quarter=quarter,
        value=Decimal("92000"),
        yoy_delta=Decimal("0.081"),
        footnote_markers="*",
    )
    other_status = factories.QuarterlyStatusFactory(metric=other_metric, quarter=quarter)
    objective = factories.ObjectiveFactory(
        priority=priority, department=department, short_name="ARMDEB", slug="armdeb"
    )
    other_objective = factories.ObjectiveFactory(
        priority=priority, department=other_department, short_name="IPM", slug="ip-masking"
    )
    key_result = factories.KeyResultFactory(objective=objective, code="KR1")
    key_result_status = factories.KeyResultStatusFactory(key_result=key_result, quarter=quarter)
    other_key_result_status = factories.KeyResultStatusFactory(
        key_result=factories.KeyResultFactory(objective=other_objective), quarter=quarter
    )
    session = factories.TuningSessionFactory(
        priority=priority, quarter=quarter, title="Thriving Movement Tuning Session"
    )
    models.MetricDefinition.objects.create(
        session=session, metric=metric, outcome=outcome, name=metric.name, order=1
    )
    models.MetricDefinition.objects.create(
        session=session, metric=other_metric, outcome=outcome, name=other_metric.name, order=2
    )
    drilldown = models.Drilldown.objects.create(
        objective=objective, session=session, title="Drill down", situation="The situation"
    )
    table = models.DrilldownTable.objects.create(
        drilldown=drilldown, title="Grants", columns=["FY19/20", "FY20/21"]
    )
    models.DrilldownRow.objects.create(table=table, label="Outcome A", is_group_heading=True)
    models.DrilldownRow.objects.create(table=table, label="Grants", cells=["10", "12"], order=1)
    other_drilldown = models.Drilldown.objects.create(
        objective=other_objective, session=session, title="Other drill down"
    )
    footnote = models.Footnote.objects.create(session=session, marker="*", meaning="Estimate")
    acronym = models.Acronym.objects.create(session=session, term="ARMDEB", meaning="Anti-racism")
    models.KeyDeliverable.objects.create(session=session, title="ARMDEB", objective=objective)
    return World(
        department=department,
        other_department=other_department,
        priority=priority,
        outcome=outcome,
        quarter=quarter,
        year_earlier=year_earlier,
        metric=metric,
        segment=segment,
        other_metric=other_metric,
        observation=observation,
        status=status,
        other_status=other_status,
        objective=objective,
        other_objective=other_objective,
        key_result=key_result,
        key_result_status=key_result_status,
        other_key_result_status=other_key_result_status,
        drilldown=drilldown,
        other_drilldown=other_drilldown,
        session=session,
        footnote=footnote,
        acronym=acronym,
    )
