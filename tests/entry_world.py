"""A small world for the status-entry tests: Product and Legal, their leads, an admin, an
executive, a viewer; Product owns a count metric with two segments, a percent metric and an
objective with two key results."""

from dataclasses import dataclass
from decimal import Decimal

from metrics import models
from tests import factories


@dataclass
class EntryWorld:
    product: models.Department
    legal: models.Department
    lead_product: object
    lead_legal: object
    admin: object
    executive: object
    viewer: object
    editors: models.Metric
    retention: models.Metric
    established: models.Segment
    emerging: models.Segment
    objective: models.Objective
    kr_tools: models.KeyResult
    kr_milestones: models.KeyResult
    q3: models.Quarter
    legal_metric: models.Metric


def entry_world_build(*, extra_metrics: int = 0, extra_key_results: int = 0) -> EntryWorld:
    product = factories.DepartmentFactory(name="Product", slug="product")
    legal = factories.DepartmentFactory(name="Legal", slug="legal")
    lead_product = factories.UserFactory(username="lead-product", roles=["Department lead"])
    lead_legal = factories.UserFactory(username="lead-legal", roles=["Department lead"])
    product.leads.add(lead_product)
    legal.leads.add(lead_legal)
    editors = factories.MetricFactory(
        department=product, name="Monthly active editors", slug="monthly-active-editors"
    )
    established = factories.SegmentFactory(
        metric=editors, name="Established markets", slug="established"
    )
    emerging = factories.SegmentFactory(metric=editors, name="Emerging markets", slug="emerging")
    retention = factories.MetricFactory(
        department=product,
        name="New editor retention",
        slug="new-editor-retention",
        unit=models.Unit.PERCENT,
        baseline_value=Decimal("7"),
    )
    objective = factories.ObjectiveFactory(
        department=product, short_name="ARMDEB", slug="armdeb", narrative="- first bullet"
    )
    kr_tools = factories.KeyResultFactory(objective=objective, code="KR1", order=1)
    kr_milestones = factories.KeyResultFactory(
        objective=objective, code="KR2", milestone_total=4, order=2
    )
    for index in range(extra_metrics):
        metric = factories.MetricFactory(department=product, slug=f"extra-{index}")
        factories.SegmentFactory(metric=metric)
    for index in range(extra_key_results):
        factories.KeyResultFactory(objective=objective, code=f"KX{index}")
    return EntryWorld(
        product=product,
        legal=legal,
        lead_product=lead_product,
        lead_legal=lead_legal,
        admin=factories.UserFactory(username="admin", roles=["Admin"]),
        executive=factories.UserFactory(username="executive", roles=["Executive"]),
        viewer=factories.UserFactory(username="viewer", roles=["Viewer"]),
        editors=editors,
        retention=retention,
        established=established,
        emerging=emerging,
        objective=objective,
        kr_tools=kr_tools,
        kr_milestones=kr_milestones,
        q3=factories.QuarterFactory(fiscal_year=2020, number=3),
        legal_metric=factories.MetricFactory(department=legal, slug="legal-requests"),
    )


def status_post_data(world: EntryWorld, page_context) -> dict:
    """What the browser would post back unchanged: every row's initial values."""
    data = {}
    for row in page_context["checkin"].status_rows + page_context["checkin"].key_result_rows:
        data.update(row.form.as_data())
    return data
